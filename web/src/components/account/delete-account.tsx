"use client";

import { Alert, Button, Card, Field } from "@/components/ui";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { formValues } from "./form-values";
import { useDeleteAccount } from "./queries";

export function DeleteAccount() {
  const { t } = useI18n();
  const remove = useDeleteAccount();
  return (
    <Card title={t("settings.danger")} className="border-red-200">
      <p className="mb-4 text-sm text-slate-700">{t("settings.danger.explain")}</p>
      <form onSubmit={(event) => remove.mutate(formValues(event).password)} className="flex flex-col gap-4" noValidate>
        {remove.isError ? <Alert>{errorMessage(remove.error, t)}</Alert> : null}
        <Field label={t("settings.danger.confirm")} name="password" type="password" autoComplete="current-password" required />
        <Button type="submit" variant="danger" busy={remove.isPending}>
          {t("settings.danger.submit")}
        </Button>
      </form>
    </Card>
  );
}
