"use client";

import Link from "next/link";
import { AuthFrame } from "@/components/auth/auth-frame";
import { RegisterForm } from "@/components/auth/register-form";
import { useI18n } from "@/lib/i18n";

export default function Page() {
  const { t } = useI18n();
  return (
    <AuthFrame title={t("auth.register.title")} subtitle={t("auth.register.subtitle")}>
      <RegisterForm submitLabel={t("auth.register.submit")} />
      <p className="mt-6 text-center text-sm text-slate-600">
        {t("auth.register.haveAccount")}{" "}
        <Link href="/accedi" className="font-medium text-teal-800 underline">
          {t("auth.register.login")}
        </Link>
      </p>
    </AuthFrame>
  );
}
