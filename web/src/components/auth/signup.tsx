"use client";

import Link from "next/link";
import { useState } from "react";
import { useMeta } from "@/components/meta/queries";
import { Alert, Button, Loading, buttonClasses } from "@/components/ui";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { AuthFrame } from "./auth-frame";
import { RegisterForm } from "./register-form";

/** "Already have an account? Sign in", under the sign-up form and its follow-ups. */
export function HaveAccount() {
  const { t } = useI18n();
  return (
    <p className="mt-6 text-center text-sm text-slate-600">
      {t("auth.register.haveAccount")}{" "}
      <Link href="/accedi" className="font-medium text-teal-800 underline">
        {t("auth.register.login")}
      </Link>
    </p>
  );
}

/** The page while something is on its way (the server's policy, a link being completed). */
export function AuthLoading({ title }: { title: MessageKey }) {
  const { t } = useI18n();
  return (
    <AuthFrame title={t(title)}>
      <Loading label={t("common.loading")} />
    </AuthFrame>
  );
}

/** No form: why, and the way to go instead (a button-like link). */
function Notice({ title, body, href, action }: { title: MessageKey; body: MessageKey; href: string; action: MessageKey }) {
  const { t } = useI18n();
  return (
    <AuthFrame title={t(title)}>
      <Alert kind="info">{t(body)}</Alert>
      <Link href={href} className={`${buttonClasses("primary")} mt-6 w-full`}>
        {t(action)}
      </Link>
    </AuthFrame>
  );
}

/** An open sign-up was asked for: the e-mail completes it. The answer is the same for every address. */
function CheckYourEmail({ email, onRestart }: { email: string; onRestart: () => void }) {
  const { t } = useI18n();
  return (
    <AuthFrame title={t("auth.signup.pending.title")}>
      <Alert kind="success">{t("auth.signup.pending.sent", { email })}</Alert>
      <p className="mt-4 text-sm text-slate-700">{t("auth.signup.pending.wait")}</p>
      <p className="mt-2 text-sm text-slate-700">{t("auth.signup.pending.nothingYet")}</p>
      <Button type="button" variant="secondary" onClick={onRestart} className="mt-6 w-full">
        {t("auth.signup.pending.restart")}
      </Button>
      <HaveAccount />
    </AuthFrame>
  );
}

/**
 * The sign-up page as the server's policy (`meta.registration`) allows: the form for the first family or
 * for an open sign-up; otherwise a notice (by invitation only, or closed).
 */
export function SignUp() {
  const { t } = useI18n();
  const meta = useMeta();
  const [pendingEmail, setPendingEmail] = useState<string | null>(null);

  if (pendingEmail !== null) return <CheckYourEmail email={pendingEmail} onRestart={() => setPendingEmail(null)} />;
  if (meta.isPending) return <AuthLoading title="auth.signup.title" />;
  if (meta.isError) {
    return (
      <AuthFrame title={t("auth.signup.title")}>
        <Alert>{errorMessage(meta.error, t)}</Alert>
        <Button type="button" variant="secondary" onClick={() => void meta.refetch()} className="mt-6 w-full">
          {t("common.retry")}
        </Button>
      </AuthFrame>
    );
  }
  const { mode, first_family: firstFamily } = meta.data.registration;
  if (mode === "closed") {
    return <Notice title="auth.signup.closed.title" body="auth.signup.closed.body" href="/accedi" action="auth.register.login" />;
  }
  if (mode === "invite" && !firstFamily) {
    return (
      <Notice title="auth.signup.inviteOnly.title" body="auth.signup.inviteOnly.body" href="/accedi" action="auth.register.login" />
    );
  }
  return (
    <AuthFrame title={t("auth.register.title")} subtitle={t("auth.register.subtitle")}>
      <RegisterForm submitLabel={t("auth.register.submit")} onPending={setPendingEmail} />
      <HaveAccount />
    </AuthFrame>
  );
}
