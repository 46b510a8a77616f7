"use client";

import { useState, type FormEvent } from "react";
import { Alert, Button, Card, Field, Select } from "@/components/ui";
import type { Schemas } from "@/lib/api";
import { useFormErrors } from "@/lib/form-errors";
import { formatDate } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import { CopyLink } from "./copy-link";
import { useInvite } from "./queries";

const FIELDS = ["email"] as const;

/** Invite a relative by e-mail; the link to send is shown (and mailed, when the server can). */
export function InviteForm() {
  const { t, language } = useI18n();
  const [created, setCreated] = useState<Schemas["InvitationCreated"] | null>(null);
  const invite = useInvite();
  const errors = useFormErrors(FIELDS);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!errors.check(event.currentTarget)) return;
    const form = new FormData(event.currentTarget);
    invite.mutate(
      { email: String(form.get("email")).trim(), role: form.get("role") === "admin" ? "admin" : "member" },
      {
        onSuccess: (created) => {
          errors.clear();
          setCreated(created);
        },
        onError: errors.fail,
      },
    );
  };
  return (
    <Card title={t("family.invite.title")}>
      <form ref={errors.formRef} onSubmit={submit} className="flex flex-col gap-4" noValidate>
        {errors.message ? <Alert>{errors.message}</Alert> : null}
        <Field label={t("family.invite.email")} name="email" type="email" required error={errors.fields.email} />
        <Select label={t("family.invite.role")} name="role" defaultValue="member">
          <option value="member">{t("family.role.member")}</option>
          <option value="admin">{t("family.role.admin")}</option>
        </Select>
        <Button type="submit" busy={invite.isPending}>
          {t("family.invite.submit")}
        </Button>
      </form>
      {created ? (
        <div className="mt-4">
          <Alert kind="success">
            {t("family.invite.created", { email: created.email, date: formatDate(created.expires_at, language) })}
            {created.emailed ? ` ${t("family.invite.emailed")}` : null}
          </Alert>
          <CopyLink url={created.invite_url} />
        </div>
      ) : null}
    </Card>
  );
}
