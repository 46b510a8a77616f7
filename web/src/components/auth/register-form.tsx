"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent } from "react";
import { metaKeys } from "@/components/meta/queries";
import { Alert, Button, Field } from "@/components/ui";
import { ApiError } from "@/lib/api";
import { useAuth } from "@/lib/auth";
import { checkFields, formErrors, useFocusFirstError, type FieldErrors } from "@/lib/form-errors";
import { useI18n } from "@/lib/i18n";
import { NewPasswordField } from "./new-password-field";

const FIELDS = ["email", "username", "password", "family_name"] as const;
type FieldName = (typeof FIELDS)[number];

/**
 * Registration: a new family, or joining one with an invitation (e-mail fixed by the invitation). An open
 * sign-up confirmed by e-mail creates nothing yet: `onPending` gets the address the link was sent to.
 */
export function RegisterForm({ inviteToken, invitedEmail, submitLabel, onPending }: {
  inviteToken?: string;
  invitedEmail?: string;
  submitLabel: string;
  onPending?: (email: string) => void;
}) {
  const { t } = useI18n();
  const { register } = useAuth();
  const router = useRouter();
  const queryClient = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors<FieldName>>({});
  const [busy, setBusy] = useState(false);
  useFocusFirstError(formRef, FIELDS, fieldErrors);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const element = event.currentTarget;
    const missing = checkFields(element, FIELDS, t);
    setFieldErrors(missing);
    if (Object.keys(missing).length) {
      setError(t("common.checkFields"));
      return;
    }
    const form = new FormData(element);
    setBusy(true);
    setError(null);
    try {
      const familyName = String(form.get("family_name") ?? "").trim();
      const email = invitedEmail ?? String(form.get("email")).trim();
      const outcome = await register({
        email,
        username: String(form.get("username")).trim(),
        password: String(form.get("password")),
        ...(inviteToken ? { invite_token: inviteToken } : {}),
        ...(familyName ? { family_name: familyName } : {}),
      });
      // The sign-up page's choice (first family or not) may have changed: asked again on its next visit.
      if (!inviteToken) void queryClient.invalidateQueries({ queryKey: metaKeys.all, refetchType: "none" });
      if (outcome === "pending" && onPending) onPending(email);
      else router.replace("/");
    } catch (failure) {
      const shown = formErrors(failure, FIELDS, t);
      setFieldErrors(shown.fields);
      setError(shown.message);
      // The policy changed since the page asked (another visitor created the first family): ask again.
      if (failure instanceof ApiError && failure.code === "registration_closed") {
        void queryClient.invalidateQueries({ queryKey: metaKeys.all });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form ref={formRef} onSubmit={submit} className="flex flex-col gap-4" noValidate>
      {error ? <Alert>{error}</Alert> : null}
      <Field
        label={t("auth.register.email")}
        name="email"
        type="email"
        autoComplete="email"
        inputMode="email"
        required
        defaultValue={invitedEmail}
        readOnly={Boolean(invitedEmail)}
        hint={invitedEmail ? t("auth.register.invitedEmail") : undefined}
        error={fieldErrors.email}
      />
      <Field
        label={t("auth.register.username")}
        name="username"
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        required
        minLength={3}
        error={fieldErrors.username}
      />
      <NewPasswordField label={t("auth.register.password")} name="password" error={fieldErrors.password} />
      {inviteToken ? null : (
        <Field
          label={t("auth.register.familyName")}
          name="family_name"
          maxLength={120}
          error={fieldErrors.family_name}
        />
      )}
      <Button type="submit" busy={busy}>
        {submitLabel}
      </Button>
    </form>
  );
}
