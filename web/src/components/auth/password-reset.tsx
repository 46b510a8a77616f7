"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { useMeta } from "@/components/meta/queries";
import { Alert, Button, Field, Loading, buttonClasses } from "@/components/ui";
import { api, ApiError, unwrap } from "@/lib/api";
import { useFormErrors } from "@/lib/form-errors";
import { useI18n } from "@/lib/i18n";
import { AuthFrame } from "./auth-frame";
import { NewPasswordField } from "./new-password-field";

const REQUEST_FIELDS = ["email"] as const;
const RESET_FIELDS = ["password"] as const;

function BackToSignIn() {
  const { t } = useI18n();
  return (
    <p className="mt-6 text-center text-sm">
      <Link href="/accedi" className="inline-flex min-h-11 items-center font-medium text-teal-800 underline">
        {t("auth.forgot.back")}
      </Link>
    </p>
  );
}

/**
 * /password-dimenticata: the e-mailed link, when the server can send e-mail (`meta.email_enabled`); else it
 * says who can help (the family admin creates the link), never that an e-mail was sent.
 */
export function ForgotPassword() {
  const { t } = useI18n();
  const meta = useMeta();
  const errors = useFormErrors(REQUEST_FIELDS);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    if (!errors.check(form)) return;
    const email = String(new FormData(form).get("email")).trim();
    setBusy(true);
    try {
      unwrap(await api.POST("/api/v1/auth/password-reset", { body: { email } }));
      errors.clear();
      setSentTo(email);
    } catch (failure) {
      errors.fail(failure);
    } finally {
      setBusy(false);
    }
  };

  let body;
  if (meta.isPending) body = <Loading label={t("common.loading")} />;
  else if (meta.data && !meta.data.email_enabled) {
    body = (
      <Alert kind="info">
        <p className="font-semibold">{t("auth.forgot.noEmail.title")}</p>
        <p className="mt-1">{t("auth.forgot.noEmail")}</p>
      </Alert>
    );
  } else if (sentTo) {
    body = <Alert kind="success">{t("auth.forgot.sent", { email: sentTo })}</Alert>;
  } else {
    body = (
      <form ref={errors.formRef} onSubmit={submit} className="flex flex-col gap-4" noValidate>
        {errors.message ? <Alert>{errors.message}</Alert> : null}
        <Field
          label={t("auth.forgot.email")}
          name="email"
          type="email"
          autoComplete="email"
          inputMode="email"
          required
          autoFocus
          error={errors.fields.email}
        />
        <Button type="submit" busy={busy}>
          {t("auth.forgot.submit")}
        </Button>
      </form>
    );
  }
  return (
    <AuthFrame title={t("auth.forgot.title")} subtitle={meta.data?.email_enabled ? t("auth.forgot.subtitle") : undefined}>
      {body}
      <BackToSignIn />
    </AuthFrame>
  );
}

/** /reimposta-password?token=…: the link's page, e-mailed or handed over by the family admin. */
export function ResetPassword({ token }: { token: string }) {
  const { t } = useI18n();
  const errors = useFormErrors(RESET_FIELDS);
  const [state, setState] = useState<"form" | "done" | "invalid">(token.length >= 16 ? "form" : "invalid");
  // The server's words for a refused link; a link without its token is ours (in the language shown).
  const [invalidMessage, setInvalidMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    if (!errors.check(form)) return;
    setBusy(true);
    try {
      const password = String(new FormData(form).get("password"));
      unwrap(await api.POST("/api/v1/auth/password-reset/confirm", { body: { token, password } }));
      setState("done");
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 410) {
        setInvalidMessage(failure.detail);
        setState("invalid");
      } else errors.fail(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthFrame title={t("auth.reset.title")} subtitle={state === "form" ? t("auth.reset.subtitle") : undefined}>
      {state === "done" ? (
        <>
          <Alert kind="success">{t("auth.reset.done")}</Alert>
          <Link href="/accedi" className={`${buttonClasses("primary")} mt-6 w-full`}>
            {t("auth.reset.signIn")}
          </Link>
        </>
      ) : state === "invalid" ? (
        <>
          <Alert>{invalidMessage ?? t("auth.reset.noToken")}</Alert>
          <Link href="/password-dimenticata" className={`${buttonClasses("primary")} mt-6 w-full`}>
            {t("auth.reset.askAgain")}
          </Link>
        </>
      ) : (
        <form ref={errors.formRef} onSubmit={submit} className="flex flex-col gap-4" noValidate>
          {errors.message ? <Alert>{errors.message}</Alert> : null}
          <NewPasswordField label={t("auth.reset.password")} name="password" error={errors.fields.password} />
          <Button type="submit" busy={busy}>
            {t("auth.reset.submit")}
          </Button>
        </form>
      )}
    </AuthFrame>
  );
}
