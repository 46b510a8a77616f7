"use client";

import { Alert, Button, Card } from "@/components/ui";
import { errorMessage } from "@/lib/errors";
import { formatDate } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import { roleLabel } from "./labels";
import { useRevokeInvitation, type Invitation } from "./queries";

/** Invitations not used yet, each of which the admin may cancel. */
export function PendingInvitations({ invitations }: { invitations: Invitation[] }) {
  const { t, language } = useI18n();
  const revoke = useRevokeInvitation();
  return (
    <Card title={t("family.pending")}>
      {revoke.isError ? <Alert>{errorMessage(revoke.error, t)}</Alert> : null}
      {invitations.length === 0 ? (
        <p className="text-sm text-slate-600">{t("family.pending.none")}</p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {invitations.map((invitation) => (
            <li key={invitation.id} className="flex flex-wrap items-center justify-between gap-2 py-3">
              <div>
                <p className="font-medium text-slate-900">{invitation.email}</p>
                <p className="text-sm text-slate-600">
                  {t(roleLabel(invitation.role))} ·{" "}
                  {t("family.pending.expires", { date: formatDate(invitation.expires_at, language) })}
                </p>
              </div>
              <Button variant="ghost" onClick={() => revoke.mutate(invitation.id)} busy={revoke.isPending}>
                {t("family.pending.revoke")}
              </Button>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
