"use client";

import type { FormEvent } from "react";
import { NewPasswordField } from "@/components/auth/new-password-field";
import { Alert, Button, Card, Field } from "@/components/ui";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { formValues } from "./form-values";
import { useUpdateMe } from "./queries";

/** A new password, confirmed by the current one; the other devices are signed out by the server. */
export function PasswordForm() {
  const { t } = useI18n();
  const update = useUpdateMe();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    const form = event.currentTarget;
    const values = formValues(event);
    update.mutate(
      { current_password: values.current_password, new_password: values.new_password },
      { onSuccess: () => form.reset() },
    );
  };
  return (
    <Card title={t("settings.password")}>
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        {update.isError ? <Alert>{errorMessage(update.error, t)}</Alert> : null}
        {update.isSuccess ? <Alert kind="success">{t("settings.passwordChanged")}</Alert> : null}
        <Field label={t("settings.currentPassword")} name="current_password" type="password" autoComplete="current-password" required />
        <NewPasswordField label={t("settings.newPassword")} name="new_password" />
        <Button type="submit" busy={update.isPending}>
          {t("settings.password")}
        </Button>
      </form>
    </Card>
  );
}
