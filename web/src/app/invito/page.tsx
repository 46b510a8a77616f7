"use client";

import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { AuthFrame } from "@/components/auth-frame";
import { RegisterForm } from "@/components/register-form";
import { Alert, Spinner } from "@/components/ui";
import { api, unwrap } from "@/lib/api";
import { useI18n } from "@/lib/i18n";

function Invitation() {
  const { t } = useI18n();
  const token = useSearchParams().get("token") ?? "";
  const preview = useQuery({
    queryKey: ["invitation", token],
    queryFn: async () => unwrap(await api.POST("/api/v1/auth/invitation", { body: { token } })),
    enabled: token.length >= 16,
    retry: false,
  });

  if (token.length < 16) {
    return (
      <AuthFrame title={t("invite.title")}>
        <Alert>{t("invite.missing")}</Alert>
      </AuthFrame>
    );
  }
  if (preview.isPending) {
    return (
      <AuthFrame title={t("invite.title")}>
        <p role="status" className="flex items-center gap-2 text-slate-600">
          <Spinner /> {t("common.loading")}
        </p>
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
