"use client";

// One category (/tendenze?categoria=<id>): its current figures, its history as charts, its brands.
import { ArrowLeft } from "lucide-react";
import Link from "next/link";
import { Alert, Card, Loading } from "@/components/ui";
import { errorMessage } from "@/lib/errors";
import { formatEuro, numberFormat } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import { timeAgo, toNumber } from "./labels";
import { useCategoryTrends, type Trend } from "./queries";
import { DemandBar, itemsLabel, PriceSummary, topBrandNames } from "./trend-card";
import { TrendCharts } from "./trend-charts";

function BrandsTable({ brands }: { brands: Trend[] }) {
  const { t, language } = useI18n();
  if (!brands.length) return <p className="text-sm text-slate-600">{t("trends.brands.none")}</p>;
  const number = numberFormat(language === "it" ? "it-IT" : "en-GB");
  return (
    <div className="-mx-4 overflow-x-auto sm:mx-0">
      <table className="w-full min-w-[20rem] text-left text-sm">
        <thead className="border-b border-slate-200 text-slate-600">
          <tr>
            <th scope="col" className="px-4 py-2 font-medium sm:px-2">
              {t("trends.brands.brand")}
            </th>
            <th scope="col" className="px-2 py-2 text-right font-medium">
              {t("trends.brands.median")}
            </th>
            <th scope="col" className="hidden px-2 py-2 text-right font-medium sm:table-cell">
              {t("trends.brands.range")}
            </th>
            <th scope="col" className="px-2 py-2 text-right font-medium">
              {t("trends.brands.items")}
            </th>
            <th scope="col" className="px-4 py-2 text-right font-medium sm:px-2">
              {t("trends.brands.demand")}
            </th>
          </tr>
        </thead>
        <tbody>
          {brands.map((brand) => {
            const demand = toNumber(brand.demand_score);
            return (
              <tr key={brand.id} className="border-b border-slate-100 last:border-0">
                <th scope="row" className="px-4 py-2 font-medium break-words text-slate-900 sm:px-2">
                  {brand.brand}
                </th>
                <td className="px-2 py-2 text-right whitespace-nowrap">{formatEuro(brand.median_price, language)}</td>
                <td className="hidden px-2 py-2 text-right whitespace-nowrap sm:table-cell">
                  {brand.q1_price !== null && brand.q3_price !== null
                    ? `${formatEuro(brand.q1_price, language)} – ${formatEuro(brand.q3_price, language)}`
                    : "—"}
                </td>
                <td className="px-2 py-2 text-right">{number.format(brand.total_items)}</td>
                <td className="px-4 py-2 text-right sm:px-2">{demand === null ? "—" : Math.round(demand)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function TrendDetail({ categoryId, name }: { categoryId: number; name: string | null }) {
  const { t, language } = useI18n();
  const detail = useCategoryTrends(categoryId);
  const current = detail.data?.current ?? null;
  const title = current?.category_name ?? name ?? `#${categoryId}`;
  const brands = current ? topBrandNames(current, 5) : [];

  return (
    <div className="flex flex-col gap-6">
      <Link
        href="/tendenze"
        className="inline-flex min-h-11 items-center gap-2 self-start rounded-lg font-medium text-teal-800 hover:underline"
      >
        <ArrowLeft aria-hidden="true" className="h-4 w-4" />
        {t("trends.back")}
      </Link>
      <h2 className="text-xl font-bold break-words text-slate-900">{title}</h2>
      {detail.isPending ? <Loading label={t("trends.detail.loading")} /> : null}
      {detail.isError ? <Alert>{errorMessage(detail.error, t)}</Alert> : null}
      {detail.data && !current ? <Alert kind="info">{t("trends.detail.none")}</Alert> : null}
      {current ? (
        <>
          <Card>
            <div className="grid gap-4 sm:grid-cols-2">
              <PriceSummary trend={current} />
              <div className="flex flex-col gap-3">
                <p className="text-sm text-slate-600">
                  {itemsLabel(current.total_items, t, language)} ·{" "}
                  {t("trends.updated", { when: timeAgo(current.scraped_at, t) })}
                </p>
                <DemandBar score={current.demand_score} />
                {brands.length ? (
                  <p className="text-sm text-slate-800">
                    <span className="text-slate-600">{t("trends.topBrands")}: </span>
                    {brands.join(", ")}
                  </p>
                ) : null}
              </div>
            </div>
          </Card>
          <Card>
            <TrendCharts history={detail.data?.history ?? []} />
          </Card>
          <Card title={t("trends.brands")}>
            <BrandsTable brands={detail.data?.brands ?? []} />
          </Card>
        </>
      ) : null}
    </div>
  );
}
