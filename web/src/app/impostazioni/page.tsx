"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { AppShell, PageTitle } from "@/components/app-shell";
import { LanguageSwitch } from "@/components/language-switch";
import { Alert, Button, Card, Field } from "@/components/ui";
import { api, setAccessToken, unwrap, type Schemas } from "@/lib/api";
import { useAuth } from "@/lib/auth";
import { errorMessage } from "@/lib/errors";
import { formatDate } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import { describeUserAgent } from "@/lib/user-agent";

function formValues(event: FormEvent<HTMLFormElement>): Record<string, string> {
  event.preventDefault();
  return Object.fromEntries(
    Array.from(new FormData(event.currentTarget).entries()).map(([key, value]) => [key, String(value)]),
  );
}

function useUpdateMe() {
  const { reloadUser } = useAuth();
  return useMutation({
    mutationFn: async (body: Schemas["UserUpdate"]) => unwrap(await api.PATCH("/api/v1/users/me", { body })),
    onSuccess: () => reloadUser(),
  });
}

function ProfileCard() {
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

function PasswordCard() {
  const { t } = useI18n();
  const update = useUpdateMe();
  const queryClient = useQueryClient();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    const form = event.currentTarget;
    const values = formValues(event);
    update.mutate(
      { current_password: values.current_password, new_password: values.new_password },
      {
        onSuccess: () => {
          form.reset();
          void queryClient.invalidateQueries({ queryKey: ["sessions"] });
        },
      },
    );
  };
  return (
    <Card title={t("settings.password")}>
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        {update.isError ? <Alert>{errorMessage(update.error, t)}</Alert> : null}
        {update.isSuccess ? <Alert kind="success">{t("settings.passwordChanged")}</Alert> : null}
        <Field label={t("settings.currentPassword")} name="current_password" type="password" autoComplete="current-password" required />
        <Field
          label={t("settings.newPassword")}
          name="new_password"
          type="password"
          autoComplete="new-password"
          required
          hint={t("auth.register.passwordHint")}
        />
        <Button type="submit" busy={update.isPending}>
          {t("settings.password")}
        </Button>
      </form>
    </Card>
  );
}

function VintedCard() {
  const { t } = useI18n();
  const { user, reloadUser } = useAuth();
  const link = useMutation({
    mutationFn: async (body: Schemas["VintedSessionLink"]) =>
      unwrap(await api.POST("/api/v1/users/me/vinted", { body })),
    onSuccess: () => reloadUser(),
  });
  const unlink = useMutation({
    mutationFn: async () => unwrap(await api.DELETE("/api/v1/users/me/vinted")),
    onSuccess: () => reloadUser(),
  });
  if (!user) return null;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    const form = event.currentTarget;
    const values = formValues(event);
    link.mutate(
      { access_token_web: values.access_token_web.trim(), refresh_token_web: values.refresh_token_web.trim() },
      { onSuccess: () => form.reset() },
    );
  };
  const failure = link.error ?? unlink.error;
  return (
    <Card title={t("settings.vinted")}>
      <p className="text-sm text-slate-700">{t("settings.vinted.explain")}</p>
      <p className="mt-2 text-sm text-slate-600">{t("settings.vinted.how")}</p>
      <p className="mt-4 font-medium" data-testid="vinted-status">
        {user.vinted_linked ? t("settings.vinted.linked") : t("settings.vinted.notLinked")}
      </p>
      {failure ? (
        <div className="mt-4">
          <Alert>{errorMessage(failure, t)}</Alert>
        </div>
      ) : null}
      {user.vinted_linked ? (
        <Button className="mt-4" variant="secondary" onClick={() => unlink.mutate()} busy={unlink.isPending}>
          {t("settings.vinted.unlink")}
        </Button>
      ) : (
        <form onSubmit={submit} className="mt-4 flex flex-col gap-4" noValidate>
          <Field label={t("settings.vinted.access")} name="access_token_web" autoComplete="off" spellCheck={false} required />
          <Field label={t("settings.vinted.refresh")} name="refresh_token_web" autoComplete="off" spellCheck={false} required />
          <Button type="submit" busy={link.isPending}>
            {t("settings.vinted.link")}
          </Button>
        </form>
      )}
    </Card>
  );
}

function SessionsCard() {
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const sessions = useQuery({
    queryKey: ["sessions"],
    queryFn: async () => unwrap(await api.GET("/api/v1/auth/sessions")),
  });
  const revoke = useMutation({
    mutationFn: async (jti: string) =>
      unwrap(await api.DELETE("/api/v1/auth/sessions/{jti}", { params: { path: { jti } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["sessions"] }),
  });
  return (
    <Card title={t("settings.sessions")}>
      {sessions.isError ? <Alert>{errorMessage(sessions.error, t)}</Alert> : null}
      {revoke.isError ? <Alert>{errorMessage(revoke.error, t)}</Alert> : null}
      <ul className="divide-y divide-slate-100" aria-label={t("settings.sessions")}>
        {(sessions.data ?? []).map((session) => (
          <li key={session.jti} className="flex flex-wrap items-center justify-between gap-2 py-3">
            <div className="min-w-0">
              <p className="text-sm font-medium text-slate-900" title={session.user_agent ?? undefined}>
                {describeUserAgent(session.user_agent)}
                {session.current ? (
                  <span className="ml-2 rounded-full bg-teal-50 px-2 py-0.5 text-xs text-teal-800">
                    {t("settings.sessions.current")}
                  </span>
                ) : null}
              </p>
              <p className="text-sm text-slate-600">
                {session.ip ?? ""} · {t("settings.sessions.lastUsed", { date: formatDate(session.last_used_at, language, true) })}
              </p>
            </div>
            {session.current ? null : (
              <Button variant="ghost" onClick={() => revoke.mutate(session.jti)} busy={revoke.isPending}>
                {t("settings.sessions.revoke")}
              </Button>
            )}
          </li>
        ))}
      </ul>
    </Card>
  );
}

function DeleteAccountCard() {
  const { t } = useI18n();
  const router = useRouter();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: async (password: string) => unwrap(await api.DELETE("/api/v1/users/me", { body: { password } })),
    onSuccess: () => {
      setAccessToken(null);
      queryClient.clear();
      router.replace("/accedi");
    },
  });
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

function Settings() {
  const { t } = useI18n();
  return (
    <>
      <PageTitle>{t("settings.title")}</PageTitle>
      <div className="grid gap-6 lg:grid-cols-2">
        <div className="flex flex-col gap-6">
          <ProfileCard />
          <PasswordCard />
          <Card title={t("settings.language")}>
            <LanguageSwitch />
          </Card>
        </div>
        <div className="flex flex-col gap-6">
          <VintedCard />
          <SessionsCard />
          <DeleteAccountCard />
        </div>
      </div>
    </>
  );
}

export default function Page() {
  return (
    <AppShell>
      <Settings />
    </AppShell>
  );
}
