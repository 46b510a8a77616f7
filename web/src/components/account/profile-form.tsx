"use client";

import type { FormEvent } from "react";
import { Alert, Button, Card, Field } from "@/components/ui";
import type { Schemas } from "@/lib/api";
import { useAuth } from "@/lib/auth";
import { useFormErrors } from "@/lib/form-errors";
import { useI18n } from "@/lib/i18n";
import { formValues } from "./form-values";
import { useUpdateMe } from "./queries";

const FIELDS = ["username", "email", "current_password"] as const;
// A wrong current password is the current password field's problem.
const BY_CODE = { wrong_password: "current_password" } as const;

/** Username and e-mail; a new e-mail needs the current password. Only what changed is sent. */
export function ProfileForm() {
  const { t } = useI18n();
  const { user } = useAuth();
  const update = useUpdateMe();
  const errors = useFormErrors(FIELDS, BY_CODE);
  if (!user) return null;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    const form = event.currentTarget;
    const values = formValues(event);
    if (!errors.check(form)) return;
    const body: Schemas["UserUpdate"] = {};
    if (values.username && values.username !== user.username) body.username = values.username;
    if (values.email && values.email !== user.email) {
      body.email = values.email;
      body.current_password = values.current_password;
    }
    update.mutate(body, { onSuccess: errors.clear, onError: errors.fail });
  };
  return (
    <Card title={t("settings.profile")}>
      <form ref={errors.formRef} onSubmit={submit} className="flex flex-col gap-4" noValidate>
        {errors.message ? <Alert>{errors.message}</Alert> : null}
        {update.isSuccess ? <Alert kind="success">{t("common.saved")}</Alert> : null}
        <Field label={t("settings.username")} name="username" defaultValue={user.username} autoComplete="username" error={errors.fields.username} />
        <Field label={t("settings.email")} name="email" type="email" defaultValue={user.email} autoComplete="email" error={errors.fields.email} />
        <Field
          label={t("settings.currentPassword")}
          name="current_password"
          type="password"
          autoComplete="current-password"
          hint={t("settings.currentPasswordHint")}
          error={errors.fields.current_password}
        />
        <Button type="submit" busy={update.isPending}>
          {t("common.save")}
        </Button>
      </form>
    </Card>
  );
}
