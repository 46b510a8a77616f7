"use client";

import { dateFormat, formatEuro } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import type { FilterName } from "./filters";
import type { SaleStats } from "./labels";

type Group = SaleStats["categories"][number];

function Figure({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="rounded-lg bg-slate-50 p-3">
      <dt className="text-sm text-slate-600">{label}</dt>
      <dd className="text-xl font-semibold text-slate-900">{value}</dd>
      {hint ? <dd className="text-xs text-slate-600">{hint}</dd> : null}
    </div>
  );
}

/** A ranked list with a bar for each group's revenue (the widest is the best); a text list, no chart. */
function GroupList({
  title,
  groups,
  label,
  onPick,
  pickLabel,
}: {
  title: string;
  groups: Group[];
  label?: (group: Group) => string;
  onPick?: (group: Group) => void;
  pickLabel?: (name: string) => string;
}) {
  const { t, language } = useI18n();
  const top = Math.max(0, ...groups.map((group) => Number(group.revenue)));
  const name = (group: Group) => label?.(group) ?? group.label ?? group.key ?? t("sales.stats.none");
  return (
    <section className="min-w-0">
      <h3 className="mb-2 text-base font-semibold text-slate-900">{title}</h3>
      {groups.length === 0 ? (
        <p className="text-sm text-slate-600">{t("sales.stats.empty")}</p>
      ) : (
        <ul className="flex flex-col gap-2">
          {groups.map((group) => {
            const width = top > 0 ? Math.max(2, (Number(group.revenue) / top) * 100) : 0;
            return (
              <li key={group.key ?? "none"} className="text-sm">
                <div className="flex items-baseline justify-between gap-2">
                  {onPick && group.key ? (
                    <button
                      type="button"
                      onClick={() => onPick(group)}
                      aria-label={pickLabel?.(name(group))}
                      className="min-h-11 min-w-0 truncate text-left font-medium text-teal-800 underline-offset-2 hover:underline focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600"
                    >
                      {name(group)}
                    </button>
                  ) : (
                    <span className="min-w-0 truncate font-medium text-slate-900">{name(group)}</span>
                  )}
                  <span className="shrink-0 text-slate-700">
                    {formatEuro(group.revenue, language)} · {t("sales.stats.salesCount", { count: group.sales })}
                  </span>
                </div>
                <div aria-hidden="true" className="mt-1 h-2 rounded-full bg-slate-100">
                  <div className="h-2 rounded-full bg-teal-600" style={{ width: `${width}%` }} />
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function monthName(key: string | null, language: "it" | "en"): string {
  if (!key || !/^\d{4}-\d{2}$/.test(key)) return key ?? "—";
  const [year, month] = key.split("-").map(Number);
  return dateFormat(language === "it" ? "it-IT" : "en-GB", {
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  }).format(new Date(Date.UTC(year, month - 1, 15)));
}

/** The figures of the filtered sales: averages, sell-through, the best categories and brands, per member and month. */
export function SaleFigures({
  stats,
  onFilter,
}: {
  stats: SaleStats;
  onFilter: (changes: Partial<Record<FilterName, string>>) => void;
}) {
  const { t, language } = useI18n();
  const { totals } = stats;
  const days = totals.average_days_to_sell;
  const rate = stats.sell_through_rate;
  return (
    <section aria-labelledby="sales-stats" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
      <h2 id="sales-stats" className="mb-4 text-lg font-semibold text-slate-900">
        {t("sales.stats.title")}
      </h2>
      <dl className="grid grid-cols-1 gap-3 sm:grid-cols-3">
        <Figure label={t("sales.stats.averagePrice")} value={formatEuro(totals.average_price, language)} />
        <Figure
          label={t("sales.stats.averageDays")}
          value={days === null ? "—" : t("sales.stats.days", { days: Math.round(Number(days)) })}
        />
        <Figure
          label={t("sales.stats.sellThrough")}
          value={rate === null ? "—" : `${Math.round(Number(rate) * 100)}%`}
          hint={t("sales.stats.sellThroughHint")}
        />
      </dl>
      <div className="mt-6 grid grid-cols-1 gap-6 lg:grid-cols-2">
        <GroupList
          title={t("sales.stats.categories")}
          groups={stats.categories}
          onPick={(group) => onFilter({ category: group.key ?? "" })}
          pickLabel={(name) => t("sales.stats.pickCategory", { name })}
        />
        <GroupList
          title={t("sales.stats.brands")}
          groups={stats.brands}
          onPick={(group) => onFilter({ brand: group.key ?? "" })}
          pickLabel={(name) => t("sales.stats.pickBrand", { name })}
        />
        <GroupList
          title={t("sales.stats.members")}
          groups={stats.members}
          onPick={(group) => onFilter({ member: group.key ?? "" })}
          pickLabel={(name) => t("sales.stats.pickMember", { name })}
        />
        <GroupList
          title={t("sales.stats.months")}
          groups={stats.months}
          label={(group) => monthName(group.key, language)}
        />
      </div>
    </section>
  );
}
