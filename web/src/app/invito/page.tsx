"use client";

import { useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { AuthFrame } from "@/components/auth/auth-frame";
import { looksLikeInviteToken, useInvitationPreview } from "@/components/auth/queries";
import { RegisterForm } from "@/components/auth/register-form";
import { Alert, Loading } from "@/components/ui";
import { useI18n } from "@/lib/i18n";

function Invitation() {
  const { t } = useI18n();
  const token = useSearchParams().get("token") ?? "";
  const preview = useInvitationPreview(token);

  if (!looksLikeInviteToken(token)) {
    return (
      <AuthFrame title={t("invite.title")}>
        <Alert>{t("invite.missing")}</Alert>
      </AuthFrame>
    );
  }
  if (preview.isPending) {
    return (
      <AuthFrame title={t("invite.title")}>
        <Loading label={t("common.loading")} />
      </AuthFrame>
    );
  }
  if (preview.isError || !preview.data) {
    return (
      <AuthFrame title={t("invite.title")}>
        <Alert>{t("invite.invalid")}</Alert>
      </AuthFrame>
    );
  }
  const role = preview.data.role === "admin" ? t("invite.role.admin") : t("invite.role.member");
  return (
    <AuthFrame title={t("invite.title")} subtitle={t("invite.subtitle", { family: preview.data.family_name, role })}>
      <RegisterForm inviteToken={token} invitedEmail={preview.data.email} submitLabel={t("invite.submit")} />
    </AuthFrame>
  );
}

export default function Page() {
  return (
    <Suspense>
      <Invitation />
    </Suspense>
  );
}
