"use client";

import { useMeta } from "@/components/meta/queries";
import { Field } from "@/components/ui";
import { useI18n } from "@/lib/i18n";

/** A new password, with the server's minimum length in its hint (shown once the server has said it). */
export function NewPasswordField({ label, name, error }: { label: string; name: string; error?: string }) {
  const { t } = useI18n();
  const min = useMeta().data?.limits.password_min;
  return (
    <Field
      label={label}
      name={name}
      type="password"
      autoComplete="new-password"
      required
      minLength={min}
      hint={min === undefined ? undefined : t("auth.register.passwordHint", { min })}
      error={error}
    />
  );
}
