"use client";

import { useState } from "react";
import { Alert, Card } from "@/components/ui";
import type { Schemas, User } from "@/lib/api";
import { useAuth } from "@/lib/auth";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { useUpdateMe } from "./queries";

type Kind = keyof Schemas["NotificationPreferences"];
const KINDS: { kind: Kind; label: MessageKey }[] = [
  { kind: "sale_recorded", label: "settings.emails.saleRecorded" },
  { kind: "parcel_delivered", label: "settings.emails.parcelDelivered" },
  { kind: "parcel_trouble", label: "settings.emails.parcelTrouble" },
  { kind: "vinted_relink", label: "settings.emails.vintedRelink" },
];

/** A kind is on unless the member turned it off (preferences.notifications[kind] === false). */
function isOn(user: User, kind: Kind): boolean {
  const chosen = user.preferences.notifications;
  if (chosen === null || typeof chosen !== "object" || Array.isArray(chosen)) return true;
  return (chosen as Record<string, unknown>)[kind] !== false;
}

/** Which notifications the member also gets by e-mail; each switch is saved at once (only that kind). */
export function NotificationEmails() {
  const { t } = useI18n();
  const { user } = useAuth();
  const update = useUpdateMe();
  // What was just chosen, shown until the reloaded account says the same.
  const [choosing, setChoosing] = useState<Partial<Record<Kind, boolean>>>({});
  if (!user) return null;
  const choose = (kind: Kind, on: boolean) => {
    setChoosing((current) => ({ ...current, [kind]: on }));
    const notifications: Schemas["NotificationPreferences"] = {};
    notifications[kind] = on;
    const forget = () =>
      setChoosing((current) => {
        const { [kind]: _done, ...rest } = current;
        return rest;
      });
    update.mutate({ preferences: { notifications } }, { onSettled: forget });
  };
  return (
    <Card title={t("settings.emails")}>
      <fieldset>
        <legend className="mb-3 text-sm text-slate-700">{t("settings.emails.explain")}</legend>
        <div className="flex flex-col gap-1">
          {KINDS.map(({ kind, label }) => (
            <label key={kind} className="flex min-h-11 cursor-pointer items-center gap-3 text-sm text-slate-900">
              <input
                type="checkbox"
                role="switch"
                name={`notifications.${kind}`}
                checked={choosing[kind] ?? isOn(user, kind)}
                onChange={(event) => choose(kind, event.currentTarget.checked)}
                className="size-5 cursor-pointer accent-teal-700"
              />
              {t(label)}
            </label>
          ))}
        </div>
      </fieldset>
      {update.isError ? (
        <div className="mt-4">
          <Alert>{errorMessage(update.error, t)}</Alert>
        </div>
      ) : null}
      {update.isSuccess ? (
        <div className="mt-4">
          <Alert kind="success">{t("common.saved")}</Alert>
        </div>
      ) : null}
    </Card>
  );
}
