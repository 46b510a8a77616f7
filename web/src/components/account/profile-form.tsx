"use client";

import type { FormEvent } from "react";
import { Alert, Button, Card, Field } from "@/components/ui";
import type { Schemas } from "@/lib/api";
import { useAuth } from "@/lib/auth";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { formValues } from "./form-values";
import { useUpdateMe } from "./queries";

/** Username and e-mail; a new e-mail needs the current password. Only what changed is sent. */
export function ProfileForm() {
  const { t } = useI18n();
  const { user } = useAuth();
  const update = useUpdateMe();
  if (!user) return null;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    const values = formValues(event);
    const body: Schemas["UserUpdate"] = {};
    if (values.username && values.username !== user.username) body.username = values.username;
    if (values.email && values.email !== user.email) {
      body.email = values.email;
      body.current_password = values.current_password;
    }
    update.mutate(body);
  };
  return (
    <Card title={t("settings.profile")}>
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        {update.isError ? <Alert>{errorMessage(update.error, t)}</Alert> : null}
        {update.isSuccess ? <Alert kind="success">{t("common.saved")}</Alert> : null}
        <Field label={t("settings.username")} name="username" defaultValue={user.username} autoComplete="username" />
        <Field label={t("settings.email")} name="email" type="email" defaultValue={user.email} autoComplete="email" />
        <Field
          label={t("settings.currentPassword")}
          name="current_password"
          type="password"
          autoComplete="current-password"
          hint={t("settings.currentPasswordHint")}
        />
        <Button type="submit" busy={update.isPending}>
          {t("common.save")}
        </Button>
      </form>
    </Card>
  );
}
