"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { Suspense, useEffect, useState, type FormEvent } from "react";
import { AuthFrame } from "@/components/auth/auth-frame";
import { Alert, Button, Field } from "@/components/ui";
import { useAuth } from "@/lib/auth";
import { useFormErrors } from "@/lib/form-errors";
import { useI18n } from "@/lib/i18n";

const FIELDS = ["login", "password"] as const;

/**
 * Where sign-in leads: the page the member was sent away from (`next`, set by the shell), else the home
 * page. Only same-site paths (never another origin), and never the sign-in page itself.
 */
function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return /^\/accedi(?:[/?#]|$)/.test(next) ? "/" : next;
}

function LoginForm() {
  const { t } = useI18n();
  const { login, status } = useAuth();
  const router = useRouter();
  const next = safeNext(useSearchParams().get("next"));
  const errors = useFormErrors(FIELDS);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (status === "signedIn") router.replace(next);
  }, [status, router, next]);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!errors.check(event.currentTarget)) return;
    const form = new FormData(event.currentTarget);
    setBusy(true);
    try {
      await login(String(form.get("login")), String(form.get("password")));
    } catch (failure) {
      errors.fail(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthFrame title={t("auth.login.title")} subtitle={t("auth.login.subtitle")}>
      <form ref={errors.formRef} onSubmit={submit} className="flex flex-col gap-4" noValidate>
        {errors.message ? <Alert>{errors.message}</Alert> : null}
        <Field
          label={t("auth.login.login")}
          name="login"
          autoComplete="username"
          required
          autoFocus
          error={errors.fields.login}
        />
        <Field
          label={t("auth.login.password")}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          error={errors.fields.password}
        />
        <Link href="/password-dimenticata" className="-mt-2 inline-flex min-h-11 items-center self-start text-sm font-medium text-teal-800 underline">
          {t("auth.login.forgot")}
        </Link>
        <Button type="submit" busy={busy}>
          {t("auth.login.submit")}
        </Button>
      </form>
      <p className="mt-6 text-center text-sm text-slate-600">
        {t("auth.login.noAccount")}{" "}
        <Link href="/registrati" className="font-medium text-teal-800 underline">
          {t("auth.login.register")}
        </Link>
      </p>
    </AuthFrame>
  );
}

export default function Page() {
  return (
    <Suspense>
      <LoginForm />
    </Suspense>
  );
}
