"use client";

// One followed category at a glance: the median with the middle half of the asking prices, min and max
// smaller, how many listings, the demand as a bar with words, the most listed brands, when it was scraped.
import { ChevronRight } from "lucide-react";
import Link from "next/link";
import { formatEuro, numberFormat } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import { demandLevel, timeAgo, toNumber } from "./labels";
import type { Trend } from "./queries";

const LEVEL_COLOURS = {
  high: "bg-emerald-600",
  medium: "bg-amber-500",
  low: "bg-slate-400",
} as const;

/** The demand score 0–100 as a bar and its words ("Domanda alta"), the number for who wants it. */
export function DemandBar({ score }: { score: string | null }) {
  const { t } = useI18n();
  const value = toNumber(score);
  if (value === null) return <p className="text-sm text-slate-600">{t("trends.demand.unknown")}</p>;
  const rounded = Math.round(Math.min(100, Math.max(0, value)));
  const level = demandLevel(rounded);
  const words = t(`trends.demand.${level}`);
  return (
    <div className="flex flex-col gap-1">
      <div className="flex items-baseline justify-between gap-2 text-sm">
        <span className="font-medium text-slate-900">{words}</span>
        <span className="text-slate-600">{t("trends.demand.score", { score: rounded })}</span>
      </div>
      <div
        role="meter"
        aria-label={t("trends.demand")}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={rounded}
        aria-valuetext={`${words}, ${t("trends.demand.score", { score: rounded })}`}
        className="h-2 w-full overflow-hidden rounded-full bg-slate-200"
      >
        <div className={`h-full rounded-full ${LEVEL_COLOURS[level]}`} style={{ width: `${rounded}%` }} />
      </div>
    </div>
  );
}

export function topBrandNames(trend: Trend, limit = 3): string[] {
  return trend.top_brands
    .map((entry) => (typeof entry.name === "string" ? entry.name.trim() : ""))
    .filter(Boolean)
    .slice(0, limit);
}

/** The prices of a trend: the median large, the middle half under it, min and max smaller. */
export function PriceSummary({ trend }: { trend: Trend }) {
  const { t, language } = useI18n();
  // "€ 39,00" never breaks between the sign and the amount (a narrow card wraps the sentence elsewhere).
  const euro = (amount: string | null) => formatEuro(amount, language).replace(" ", "\u00a0");
  return (
    <div className="flex flex-col gap-0.5">
      <p className="text-sm text-slate-600">{t("trends.median")}</p>
      <p className="text-2xl font-bold text-slate-900" data-testid="trend-median">
        {formatEuro(trend.median_price, language)}
      </p>
      {trend.q1_price !== null && trend.q3_price !== null ? (
        <p className="text-sm text-slate-800">
          {t("trends.range", { q1: euro(trend.q1_price), q3: euro(trend.q3_price) })}
        </p>
      ) : null}
      {trend.min_price !== null && trend.max_price !== null ? (
        <p className="text-xs text-slate-600">
          {t("trends.minMax", { min: euro(trend.min_price), max: euro(trend.max_price) })}
        </p>
      ) : null}
    </div>
  );
}

export function itemsLabel(count: number, t: ReturnType<typeof useI18n>["t"], language: string): string {
  const formatted = numberFormat(language === "it" ? "it-IT" : "en-GB").format(count);
  return count === 1 ? t("trends.items.one") : t("trends.items.many", { count: formatted });
}

export function TrendCard({ trend }: { trend: Trend }) {
  const { t, language } = useI18n();
  const brands = topBrandNames(trend);
  const headingId = `trend-${trend.category_id}`;
  return (
    <li>
      <article
        aria-labelledby={headingId}
        className="flex h-full flex-col gap-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
      >
        <div className="flex flex-col gap-1">
          <h3 id={headingId} className="text-base font-semibold break-words text-slate-900">
            {trend.category_name}
          </h3>
          <p className="text-sm text-slate-600">
            {itemsLabel(trend.total_items, t, language)} · {t("trends.updated", { when: timeAgo(trend.scraped_at, t) })}
          </p>
        </div>
        <PriceSummary trend={trend} />
        <DemandBar score={trend.demand_score} />
        {brands.length ? (
          <p className="text-sm text-slate-800">
            <span className="text-slate-600">{t("trends.topBrands")}: </span>
            {brands.join(", ")}
          </p>
        ) : null}
        <Link
          href={`/tendenze?categoria=${trend.category_id}`}
          aria-label={`${t("trends.show")}: ${trend.category_name}`}
          className="mt-auto inline-flex min-h-11 items-center gap-1 self-start rounded-lg px-1 font-medium text-teal-800 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-700"
        >
          {t("trends.show")}
          <ChevronRight aria-hidden="true" className="h-4 w-4" />
        </Link>
      </article>
    </li>
  );
}
