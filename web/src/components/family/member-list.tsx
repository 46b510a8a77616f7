"use client";

import { Alert, Button, Card } from "@/components/ui";
import { useAuth } from "@/lib/auth";
import { errorMessage } from "@/lib/errors";
import { formatDate } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import { CopyLink } from "./copy-link";
import { roleLabel } from "./labels";
import { useMemberPasswordReset, type Family } from "./queries";

type FamilyMember = Family["members"][number];

/** The admin's way to let a member back in without e-mail: a reset link, shown once to copy. */
function ResetLink({ member }: { member: FamilyMember }) {
  const { t, language } = useI18n();
  const reset = useMemberPasswordReset();
  return (
    <div className="w-full">
      <Button
        type="button"
        variant="secondary"
        busy={reset.isPending}
        aria-label={t("family.reset.createFor", { name: member.username })}
        onClick={() => reset.mutate(member.id)}
      >
        {t("family.reset.create")}
      </Button>
      {reset.isError ? (
        <div className="mt-3">
          <Alert>{errorMessage(reset.error, t)}</Alert>
        </div>
      ) : null}
      {reset.data ? (
        <div className="mt-3">
          <Alert kind="success">
            {t("family.reset.created", { name: member.username, date: formatDate(reset.data.expires_at, language, true) })}
          </Alert>
          <CopyLink url={reset.data.reset_url} testId="reset-link" />
        </div>
      ) : null}
    </div>
  );
}

export function MemberList({ family }: { family: Family }) {
  const { t } = useI18n();
  const { user } = useAuth();
  return (
    <Card title={`${t("family.members")} · ${family.name}`}>
      <ul className="divide-y divide-slate-100" aria-label={t("family.members")}>
        {family.members.map((member) => (
          <li key={member.id} className="flex flex-wrap items-center justify-between gap-2 py-3">
            <div className="min-w-0">
              <p className="font-medium text-slate-900">
                {member.username}
                {member.id === user?.id ? <span className="text-slate-500"> ({t("family.you")})</span> : null}
              </p>
              <p className="break-all text-sm text-slate-600">{member.email}</p>
            </div>
            <span className="rounded-full bg-slate-100 px-3 py-1 text-xs font-medium text-slate-700">
              {t(roleLabel(member.role))}
            </span>
            {/* One's own password is changed in the settings, with the current one. */}
            {member.id === user?.id ? null : <ResetLink member={member} />}
          </li>
        ))}
      </ul>
    </Card>
  );
}
