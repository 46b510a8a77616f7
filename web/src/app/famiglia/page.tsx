"use client";

import { AppShell, PageTitle } from "@/components/app-shell";
import { InviteForm } from "@/components/family/invite-form";
import { MemberList } from "@/components/family/member-list";
import { PendingInvitations } from "@/components/family/pending-invitations";
import { useFamily } from "@/components/family/queries";
import { Alert } from "@/components/ui";
import { useAuth } from "@/lib/auth";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";

function FamilyAdmin() {
  const { t } = useI18n();
  const family = useFamily();
  if (family.isPending) return <p role="status">{t("common.loading")}</p>;
  if (family.isError) return <Alert>{errorMessage(family.error, t)}</Alert>;
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <MemberList family={family.data} />
      <div className="flex flex-col gap-6">
        <InviteForm />
        <PendingInvitations invitations={family.data.pending_invitations} />
      </div>
    </div>
  );
}

function FamilyPage() {
  const { t } = useI18n();
  const { user } = useAuth();
  return (
    <>
      <PageTitle>{t("family.title")}</PageTitle>
      {!user?.family ? (
        <Alert kind="info">{t("family.none")}</Alert>
      ) : user.role === "admin" ? (
        <FamilyAdmin />
      ) : (
        <Alert kind="info">{t("family.memberOnly", { family: user.family.name })}</Alert>
      )}
    </>
  );
}

export default function Page() {
  return (
    <AppShell>
      <FamilyPage />
    </AppShell>
  );
}
