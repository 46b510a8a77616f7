"use client";

import type { FormEvent } from "react";
import { NewPasswordField } from "@/components/auth/new-password-field";
import { Alert, Button, Card, Field } from "@/components/ui";
import { useFormErrors } from "@/lib/form-errors";
import { useI18n } from "@/lib/i18n";
import { formValues } from "./form-values";
import { useUpdateMe } from "./queries";

const FIELDS = ["current_password", "new_password"] as const;
// A wrong current password is the current password field's problem.
const BY_CODE = { wrong_password: "current_password" } as const;

/** A new password, confirmed by the current one; the other devices are signed out by the server. */
export function PasswordForm() {
  const { t } = useI18n();
  const update = useUpdateMe();
  const errors = useFormErrors(FIELDS, BY_CODE);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    const form = event.currentTarget;
    const values = formValues(event);
    if (!errors.check(form)) return;
    update.mutate(
      { current_password: values.current_password, new_password: values.new_password },
      {
        onSuccess: () => {
          errors.clear();
          form.reset();
        },
        onError: errors.fail,
      },
    );
  };
  return (
    <Card title={t("settings.password")}>
      <form ref={errors.formRef} onSubmit={submit} className="flex flex-col gap-4" noValidate>
        {errors.message ? <Alert>{errors.message}</Alert> : null}
        {update.isSuccess ? <Alert kind="success">{t("settings.passwordChanged")}</Alert> : null}
        <Field
          label={t("settings.currentPassword")}
          name="current_password"
          type="password"
          autoComplete="current-password"
          required
          error={errors.fields.current_password}
        />
        <NewPasswordField label={t("settings.newPassword")} name="new_password" error={errors.fields.new_password} />
        <Button type="submit" busy={update.isPending}>
          {t("settings.password")}
        </Button>
      </form>
    </Card>
  );
}
