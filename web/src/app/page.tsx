"use client";

import { AppShell, PageTitle } from "@/components/app-shell";
import { EmptyState } from "@/components/ui";
import { useAuth } from "@/lib/auth";
import { useI18n } from "@/lib/i18n";

function Dashboard() {
  const { user } = useAuth();
  const { t } = useI18n();
  return (
    <>
      <PageTitle>{t("dashboard.title", { name: user?.username ?? "" })}</PageTitle>
      {user?.family ? (
        <p className="-mt-4 mb-6 text-slate-600">{t("dashboard.subtitle", { family: user.family.name })}</p>
      ) : null}
      <EmptyState title={t("dashboard.empty.title")} body={t("dashboard.empty.body")} />
    </>
  );
}

export default function Page() {
  return (
    <AppShell>
      <Dashboard />
    </AppShell>
  );
}
