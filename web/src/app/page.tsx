"use client";

// Panoramica, the home: the cards (what to look at now), the advice, the charts, the activity. Phone
// first: one column on a phone, a grid from a tablet up. Live events refresh it (components/dashboard/live.ts).
import { useRouter } from "next/navigation";
import { useEffect, type ReactNode } from "react";
import { AppShell, PageTitle } from "@/components/app-shell";
import { ActivityFeed } from "@/components/dashboard/activity-feed";
import { AnalyticsPanel } from "@/components/dashboard/analytics-charts";
import { OverviewCards, OverviewSkeleton } from "@/components/dashboard/overview-cards";
import { useOverview } from "@/components/dashboard/queries";
import { SuggestionsPanel } from "@/components/dashboard/suggestions";
import { ADMIN_HOME, isAdminOnly } from "@/components/navigation";
import { Alert, Button, EmptyState, Loading } from "@/components/ui";
import { useAuth } from "@/lib/auth";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";

function Panoramica() {
  const { t } = useI18n();
  const overview = useOverview();
  // The advice, the charts and the activity load beside the cards (each its own request, all at once), not
  // after them: the page is drawn when the slowest of the four answers, not the sum of two.
  const members = (overview.data?.dac7 ?? []).map((member) => ({ id: member.member_id, name: member.username }));
  let cards: ReactNode;
  if (overview.isPending) cards = <OverviewSkeleton label={t("dashboard.loading")} />;
  else if (overview.isError) {
    cards = (
      <div className="flex flex-col items-start gap-3">
        <Alert>
          {t("dashboard.error")} {errorMessage(overview.error, t)}
        </Alert>
        <Button type="button" variant="secondary" onClick={() => void overview.refetch()} busy={overview.isFetching}>
          {t("common.retry")}
        </Button>
      </div>
    );
  } else {
    cards = (
      <>
        {overview.data.listings.total === 0 ? (
          <EmptyState title={t("dashboard.empty.title")} body={t("dashboard.empty.body")} />
        ) : null}
        <OverviewCards overview={overview.data} />
      </>
    );
  }
  return (
    <div className="flex flex-col gap-6">
      {cards}
      <SuggestionsPanel />
      <AnalyticsPanel members={members} />
      <ActivityFeed />
    </div>
  );
}

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
      {user?.family ? <Panoramica /> : null}
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
