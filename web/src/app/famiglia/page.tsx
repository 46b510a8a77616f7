"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { AppShell, PageTitle } from "@/components/app-shell";
import { Alert, Button, Card, Field, Select } from "@/components/ui";
import { api, unwrap, type Schemas } from "@/lib/api";
import { useAuth } from "@/lib/auth";
import { errorMessage } from "@/lib/errors";
import { formatDate } from "@/lib/format";
import { useI18n } from "@/lib/i18n";

const FAMILY_KEY = ["family"];

function CopyLink({ url }: { url: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <div className="mt-3 flex flex-col gap-2 sm:flex-row">
      <input
        readOnly
        value={url}
        aria-label="Link"
        onFocus={(event) => event.currentTarget.select()}
        data-testid="invite-link"
        className="min-h-11 flex-1 rounded-lg border border-slate-300 bg-slate-50 px-3 text-sm"
      />
      <Button
        type="button"
        variant="secondary"
        onClick={async () => {
          await navigator.clipboard?.writeText(url).catch(() => undefined);
          setCopied(true);
        }}
      >
        {copied ? t("common.copied") : t("common.copy")}
      </Button>
    </div>
  );
}

function InviteForm() {
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const [created, setCreated] = useState<Schemas["InvitationCreated"] | null>(null);
  const invite = useMutation({
    mutationFn: async (body: Schemas["InvitationCreate"]) =>
      unwrap(await api.POST("/api/v1/users/family/invite", { body })),
    onSuccess: (data) => {
      setCreated(data);
      void queryClient.invalidateQueries({ queryKey: FAMILY_KEY });
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    invite.mutate({ email: String(form.get("email")), role: form.get("role") === "admin" ? "admin" : "member" });
  };
  return (
    <Card title={t("family.invite.title")}>
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        {invite.isError ? <Alert>{errorMessage(invite.error, t)}</Alert> : null}
        <Field label={t("family.invite.email")} name="email" type="email" required />
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

function FamilyAdmin() {
  const { t, language } = useI18n();
  const { user } = useAuth();
  const queryClient = useQueryClient();
  const family = useQuery({
    queryKey: FAMILY_KEY,
    queryFn: async () => unwrap(await api.GET("/api/v1/users/family")),
  });
  const revoke = useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.DELETE("/api/v1/users/family/invitations/{invitation_id}", { params: { path: { invitation_id: id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: FAMILY_KEY }),
  });

  if (family.isPending) return <p role="status">{t("common.loading")}</p>;
  if (family.isError) return <Alert>{errorMessage(family.error, t)}</Alert>;
  const { members, pending_invitations: pending } = family.data;
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <Card title={`${t("family.members")} · ${family.data.name}`}>
        <ul className="divide-y divide-slate-100" aria-label={t("family.members")}>
          {members.map((member) => (
            <li key={member.id} className="flex flex-wrap items-center justify-between gap-2 py-3">
              <div>
                <p className="font-medium text-slate-900">
                  {member.username}
                  {member.id === user?.id ? <span className="text-slate-500"> ({t("family.you")})</span> : null}
                </p>
                <p className="text-sm text-slate-600">{member.email}</p>
              </div>
              <span className="rounded-full bg-slate-100 px-3 py-1 text-xs font-medium text-slate-700">
                {member.role === "admin" ? t("family.role.admin") : t("family.role.member")}
              </span>
            </li>
          ))}
        </ul>
      </Card>
      <div className="flex flex-col gap-6">
        <InviteForm />
        <Card title={t("family.pending")}>
          {revoke.isError ? <Alert>{errorMessage(revoke.error, t)}</Alert> : null}
          {pending.length === 0 ? (
            <p className="text-sm text-slate-600">{t("family.pending.none")}</p>
          ) : (
            <ul className="divide-y divide-slate-100">
              {pending.map((invitation) => (
                <li key={invitation.id} className="flex flex-wrap items-center justify-between gap-2 py-3">
                  <div>
                    <p className="font-medium text-slate-900">{invitation.email}</p>
                    <p className="text-sm text-slate-600">
                      {invitation.role === "admin" ? t("family.role.admin") : t("family.role.member")} ·{" "}
                      {t("family.pending.expires", { date: formatDate(invitation.expires_at, language) })}
                    </p>
                  </div>
                  <Button variant="ghost" onClick={() => revoke.mutate(invitation.id)} busy={revoke.isPending}>
                    {t("family.pending.revoke")}
                  </Button>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </div>
  );
}

function FamilyPage() {
  const { t } = useI18n();
  const { user } = useAuth();
  return (
    <>
      <PageTitle>{t("family.title")}</PageTitle>
      {!user?.family ? (
        <Alert kind="info">{t("family.none")}</Alert>
      ) : user.role === "admin" ? (
        <FamilyAdmin />
      ) : (
        <Alert kind="info">{t("family.memberOnly", { family: user.family.name })}</Alert>
      )}
    </>
  );
}

export default function Page() {
  return (
    <AppShell>
      <FamilyPage />
    </AppShell>
  );
}
