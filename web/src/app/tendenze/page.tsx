"use client";

// One static page, two views chosen by the query string (static export: no page per id):
//   /tendenze               the followed categories' prices and demand, "Aggiorna ora", what to follow
//   /tendenze?categoria=<id> one category: its history as charts and its brands
import { useSearchParams } from "next/navigation";
import { Suspense, useEffect } from "react";
import { AppShell, PageTitle } from "@/components/app-shell";
import { FollowsEditor } from "@/components/trends/follows-editor";
import { useTrends } from "@/components/trends/queries";
import { RefreshButton } from "@/components/trends/refresh-button";
import { TrendCard } from "@/components/trends/trend-card";
import { TrendDetail } from "@/components/trends/trend-detail";
import { Alert, EmptyState, Loading, Spinner } from "@/components/ui";
import { useAuth } from "@/lib/auth";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";

/** A Vinted catalog id from the address, or null (anything else is the list). */
function categoryOf(value: string | null): number | null {
  if (!value || !/^\d{1,10}$/.test(value)) return null;
  const id = Number(value);
  return id >= 1 && id <= 2_147_483_647 ? id : null;
}

function Trends() {
  const { t } = useI18n();
  const { user } = useAuth();
  const params = useSearchParams();
  const categoryId = categoryOf(params.get("categoria"));
  const trends = useTrends();
  const isAdmin = user?.role === "admin";

  useEffect(() => {
    window.scrollTo({ top: 0 });
  }, [categoryId]);

  if (!user?.family) return <Alert kind="info">{t("trends.noFamily")}</Alert>;
  if (categoryId !== null) {
    const known = trends.data?.items.find((item) => item.category_id === categoryId);
    return <TrendDetail key={categoryId} categoryId={categoryId} name={known?.category_name ?? null} />;
  }

  const items = trends.data?.items ?? [];
  return (
    <div className="flex flex-col gap-6">
      <p className="-mt-4 text-slate-600">{t("trends.intro")}</p>
      {isAdmin ? <RefreshButton /> : null}
      <section aria-labelledby="trends-categories" className="flex flex-col gap-3">
        <h2 id="trends-categories" className="text-lg font-semibold text-slate-900">
          {t("trends.categories")}
        </h2>
        {trends.isPending ? <Loading label={t("trends.loading")} /> : null}
        {trends.isError ? <Alert>{errorMessage(trends.error, t)}</Alert> : null}
        {trends.data && !items.length ? (
          <EmptyState title={t("trends.empty.title")} body={t(isAdmin ? "trends.empty.admin" : "trends.empty.member")} />
        ) : null}
        {items.length ? (
          <ul className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
            {items.map((trend) => (
              <TrendCard key={trend.id} trend={trend} />
            ))}
          </ul>
        ) : null}
      </section>
      <FollowsEditor canEdit={isAdmin} />
    </div>
  );
}

function TrendsPage() {
  const { t } = useI18n();
  return (
    <>
      <PageTitle>{t("trends.title")}</PageTitle>
      <Trends />
    </>
  );
}

export default function Page() {
  return (
    <AppShell>
      <Suspense
        fallback={
          <p role="status" className="flex items-center gap-2 text-slate-600">
            <Spinner />
          </p>
        }
      >
        <TrendsPage />
      </Suspense>
    </AppShell>
  );
}
