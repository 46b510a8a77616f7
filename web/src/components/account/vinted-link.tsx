"use client";

import type { FormEvent } from "react";
import { Alert, Button, Card, Field } from "@/components/ui";
import { useAuth } from "@/lib/auth";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { formValues } from "./form-values";
import { useLinkVinted, useUnlinkVinted } from "./queries";

/** Link the member's Vinted session (two cookies pasted from the browser), or unlink it. */
export function VintedLink() {
  const { t } = useI18n();
  const { user } = useAuth();
  const link = useLinkVinted();
  const unlink = useUnlinkVinted();
  if (!user) return null;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    const form = event.currentTarget;
    const values = formValues(event);
    link.mutate(
      { access_token_web: values.access_token_web.trim(), refresh_token_web: values.refresh_token_web.trim() },
      { onSuccess: () => form.reset() },
    );
  };
  const failure = link.error ?? unlink.error;
  return (
    <Card title={t("settings.vinted")}>
      <p className="text-sm text-slate-700">{t("settings.vinted.explain")}</p>
      <p className="mt-2 text-sm text-slate-600">{t("settings.vinted.how")}</p>
      <p className="mt-4 font-medium" data-testid="vinted-status">
        {user.vinted_linked ? t("settings.vinted.linked") : t("settings.vinted.notLinked")}
      </p>
      {failure ? (
        <div className="mt-4">
          <Alert>{errorMessage(failure, t)}</Alert>
        </div>
      ) : null}
      {user.vinted_linked ? (
        <Button className="mt-4" variant="secondary" onClick={() => unlink.mutate()} busy={unlink.isPending}>
          {t("settings.vinted.unlink")}
        </Button>
      ) : (
        <form onSubmit={submit} className="mt-4 flex flex-col gap-4" noValidate>
          <Field label={t("settings.vinted.access")} name="access_token_web" autoComplete="off" spellCheck={false} required />
          <Field label={t("settings.vinted.refresh")} name="refresh_token_web" autoComplete="off" spellCheck={false} required />
          <Button type="submit" busy={link.isPending}>
            {t("settings.vinted.link")}
          </Button>
        </form>
      )}
    </Card>
  );
}
