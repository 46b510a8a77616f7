"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert, Button, Field } from "@/components/ui";
import { useAuth } from "@/lib/auth";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { NewPasswordField } from "./new-password-field";

/** Registration: a new family, or joining one with an invitation (e-mail fixed by the invitation). */
export function RegisterForm({ inviteToken, invitedEmail, submitLabel }: {
  inviteToken?: string;
  invitedEmail?: string;
  submitLabel: string;
}) {
  const { t } = useI18n();
  const { register } = useAuth();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const familyName = String(form.get("family_name") ?? "").trim();
      await register({
        email: invitedEmail ?? String(form.get("email")),
        username: String(form.get("username")),
        password: String(form.get("password")),
        ...(inviteToken ? { invite_token: inviteToken } : {}),
        ...(familyName ? { family_name: familyName } : {}),
      });
      router.replace("/");
    } catch (failure) {
      setError(errorMessage(failure, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
      {error ? <Alert>{error}</Alert> : null}
      <Field
        label={t("auth.register.email")}
        name="email"
        type="email"
        autoComplete="email"
        required
        defaultValue={invitedEmail}
        readOnly={Boolean(invitedEmail)}
        hint={invitedEmail ? t("auth.register.invitedEmail") : undefined}
      />
      <Field label={t("auth.register.username")} name="username" autoComplete="username" required minLength={3} />
      <NewPasswordField label={t("auth.register.password")} name="password" />
      {inviteToken ? null : <Field label={t("auth.register.familyName")} name="family_name" maxLength={120} />}
      <Button type="submit" busy={busy}>
        {submitLabel}
      </Button>
    </form>
  );
}
