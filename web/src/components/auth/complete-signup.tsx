"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { Alert, Button, Field, Loading, buttonClasses } from "@/components/ui";
import { ApiError } from "@/lib/api";
import { useAuth } from "@/lib/auth";
import { errorMessage } from "@/lib/errors";
import { checkFields, formErrors, useFocusFirstError, type FieldErrors } from "@/lib/form-errors";
import { useI18n } from "@/lib/i18n";
import { AuthFrame } from "./auth-frame";

/** The API refuses shorter tokens (422): such a link was cut while being copied, no need to ask. */
const looksLikeSignupToken = (token: string): boolean => token.length >= 20;

const FIELDS = ["username"] as const;

type Step =
  | { kind: "working" }
  | { kind: "username" } // the chosen username was taken meanwhile: choose another
  | { kind: "hasAccount" }
  | { kind: "expired" }
  | { kind: "closed"; message: string }
  | { kind: "failed"; message: string };

/**
 * /registrati?completa=<token>, the link e-mailed by an open sign-up: the account is created when the link
 * is opened, and the person is signed in and taken home. Asked once per token.
 */
export function CompleteSignup({ token }: { token: string }) {
  const { t } = useI18n();
  const { status, completeSignup } = useAuth();
  const router = useRouter();
  const formRef = useRef<HTMLFormElement>(null);
  const asked = useRef(false);
  const [step, setStep] = useState<Step>(looksLikeSignupToken(token) ? { kind: "working" } : { kind: "expired" });
  const [username, setUsername] = useState<string | undefined>(undefined);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors<"username">>({});
  const [busy, setBusy] = useState(false);
  useFocusFirstError(formRef, FIELDS, fieldErrors);

  const complete = useCallback(
    async (newUsername?: string) => {
      setBusy(true);
      try {
        await completeSignup({ token, ...(newUsername ? { username: newUsername } : {}) });
        router.replace("/");
      } catch (failure) {
        if (!(failure instanceof ApiError)) setStep({ kind: "failed", message: errorMessage(failure, t) });
        else if (failure.status === 409 && /nome utente/i.test(failure.detail)) {
          setStep({ kind: "username" });
          setFieldErrors(newUsername ? { username: failure.detail } : {});
        } else if (failure.status === 409) setStep({ kind: "hasAccount" });
        else if (failure.status === 410) setStep({ kind: "expired" });
        else if (failure.status === 422 && newUsername) {
          setStep({ kind: "username" });
          setFieldErrors(formErrors(failure, FIELDS, t).fields);
        } else if (failure.status === 422) setStep({ kind: "expired" }); // the token itself was refused
        else if (failure.status === 403) setStep({ kind: "closed", message: failure.detail || t("auth.signup.closed.body") });
        else setStep({ kind: "failed", message: errorMessage(failure, t) });
      } finally {
        setBusy(false);
      }
    },
    [completeSignup, router, t, token],
  );

  useEffect(() => {
    // After the session probe of the page load, which would otherwise sign the new session out again.
    if (status === "loading" || asked.current || !looksLikeSignupToken(token)) return;
    asked.current = true;
    void complete();
  }, [status, token, complete]);

  const retryWithUsername = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const missing = checkFields(event.currentTarget, FIELDS, t);
    setFieldErrors(missing);
    if (missing.username) return;
    const chosen = String(new FormData(event.currentTarget).get("username")).trim();
    setUsername(chosen);
    void complete(chosen);
  };

  const title = t("auth.complete.title");
  switch (step.kind) {
    case "working":
      return (
        <AuthFrame title={title}>
          <Loading label={t("auth.complete.working")} />
        </AuthFrame>
      );
    case "username":
      return (
        <AuthFrame title={title}>
          <form ref={formRef} onSubmit={retryWithUsername} className="flex flex-col gap-4" noValidate>
            <Alert kind="info">{t("auth.complete.usernameTaken")}</Alert>
            <Field
              label={t("auth.register.username")}
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              minLength={3}
              defaultValue={username}
              error={fieldErrors.username}
            />
            <Button type="submit" busy={busy}>
              {t("auth.complete.submit")}
            </Button>
          </form>
        </AuthFrame>
      );
    case "hasAccount":
      return (
        <AuthFrame title={title}>
          <Alert>{t("auth.complete.hasAccount")}</Alert>
          <Link href="/accedi" className={`${buttonClasses("primary")} mt-6 w-full`}>
            {t("auth.register.login")}
          </Link>
        </AuthFrame>
      );
    case "expired":
      return (
        <AuthFrame title={title}>
          <Alert>{t("auth.complete.expired")}</Alert>
          <Link href="/registrati" className={`${buttonClasses("primary")} mt-6 w-full`}>
            {t("auth.complete.again")}
          </Link>
        </AuthFrame>
      );
    case "closed":
      return (
        <AuthFrame title={title}>
          <Alert>{step.message}</Alert>
          <Link href="/accedi" className={`${buttonClasses("secondary")} mt-6 w-full`}>
            {t("auth.register.login")}
          </Link>
        </AuthFrame>
      );
    case "failed":
      return (
        <AuthFrame title={title}>
          <Alert>{step.message}</Alert>
          <Button type="button" variant="secondary" busy={busy} onClick={() => void complete(username)} className="mt-6 w-full">
            {t("common.retry")}
          </Button>
        </AuthFrame>
      );
  }
}
