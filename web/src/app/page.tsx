"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { AppShell, PageTitle } from "@/components/app-shell";
import { ADMIN_HOME, isAdminOnly } from "@/components/navigation";
import { EmptyState, Loading } from "@/components/ui";
import { useAuth } from "@/lib/auth";
import { useI18n } from "@/lib/i18n";

function Dashboard() {
  const { user } = useAuth();
  const { t } = useI18n();
  const router = useRouter();
  // An instance administrator without a family has no family dashboard: the installation is their home.
  const adminOnly = isAdminOnly(user);
  useEffect(() => {
    if (adminOnly) router.replace(ADMIN_HOME);
  }, [adminOnly, router]);
  if (adminOnly) return <Loading label={t("common.loading")} />;
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
