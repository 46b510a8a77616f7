"use client";

// The instance administrator's home (an account outside any family lands here): the installation's
// figures, every account, and the scraper's gate with "Avvia raccolta".
import { AppShell, PageTitle } from "@/components/app-shell";
import { MetricsPanel } from "@/components/admin/metrics-panel";
import { ScraperGate } from "@/components/admin/scraper-gate";
import { UsersTable } from "@/components/admin/users-table";
import { Alert } from "@/components/ui";
import { useAuth } from "@/lib/auth";
import { useI18n } from "@/lib/i18n";

function Administration() {
  const { t } = useI18n();
  const { user } = useAuth();
  if (!user?.is_instance_admin) return <Alert kind="info">{t("admin.forbidden")}</Alert>;
  return (
    <div className="flex flex-col gap-6">
      <p className="-mt-4 text-slate-600">{t("admin.intro")}</p>
      <MetricsPanel />
      <UsersTable />
      <ScraperGate />
    </div>
  );
}

export default function Page() {
  const { t } = useI18n();
  return (
    <AppShell>
      <PageTitle>{t("admin.title")}</PageTitle>
      <Administration />
    </AppShell>
  );
}
