"use client";

// Panoramica's cards: what a member reads first, each a link to the page that deals with it. One column
// on a phone, a grid from a tablet up.
import { ArrowDownRight, ArrowRight, ArrowUpRight, Minus } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import { statusLabel, type ListingStatus } from "@/components/listings/labels";
import { formatDate, formatEuro } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { formatChange, trendOf } from "./format";
import type { Overview } from "./queries";

const LINK = "font-medium text-teal-800 underline-offset-2 hover:underline focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600";
const ROW_LINK = `flex min-h-11 items-center justify-between gap-2 rounded-lg px-2 -mx-2 hover:bg-slate-50 ${LINK}`;

export function OverviewCard({
  id,
  title,
  children,
  testId,
  className = "",
}: {
  id: string;
  title: string;
  children: ReactNode;
  testId?: string;
  className?: string;
}) {
  return (
    <section
      aria-labelledby={id}
      data-testid={testId}
      className={`flex min-w-0 flex-col gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm ${className}`}
    >
      <h2 id={id} className="text-base font-semibold text-slate-900">
        {title}
      </h2>
      {children}
    </section>
  );
}

/** "+25%" with an arrow up (green), "-10%" down (red), "0%" flat; nothing to compare with says so. */
function Change({ change }: { change: string | null }) {
  const { t, language } = useI18n();
  const label = formatChange(change, language);
  const trend = trendOf(change);
  if (label === null || trend === null) {
    return <span className="text-sm text-slate-600">{t("dashboard.month.noCompare")}</span>;
  }
  const Icon = trend === "up" ? ArrowUpRight : trend === "down" ? ArrowDownRight : Minus;
  const tone = trend === "up" ? "text-emerald-800" : trend === "down" ? "text-red-800" : "text-slate-700";
  return (
    <span className={`inline-flex items-center gap-1 text-sm font-medium ${tone}`}>
      <Icon aria-hidden="true" className="h-4 w-4" />
      {t("dashboard.month.change", { change: label })}
    </span>
  );
}

function MonthCard({ overview }: { overview: Overview }) {
  const { t, language } = useI18n();
  const { this_month: now, last_month: before } = overview.month;
  return (
    <OverviewCard id="dash-month" title={t("dashboard.month.title")} testId="card-month">
      <dl className="grid grid-cols-2 gap-3">
        <div className="min-w-0">
          <dt className="text-sm text-slate-600">{t("dashboard.revenue")}</dt>
          <dd className="text-2xl font-semibold text-slate-900" data-testid="month-revenue">
            {formatEuro(now.revenue, language)}
          </dd>
          <dd>
            <Change change={overview.month.revenue_change} />
          </dd>
        </div>
        <div className="min-w-0">
          <dt className="text-sm text-slate-600">{t("dashboard.profit")}</dt>
          <dd className="text-2xl font-semibold text-slate-900" data-testid="month-profit">
            {formatEuro(now.profit, language)}
          </dd>
          <dd>
            <Change change={overview.month.profit_change} />
          </dd>
        </div>
      </dl>
      <p className="text-sm text-slate-700">
        {t(now.sales === 1 ? "dashboard.sales.one" : "dashboard.sales.many", { count: now.sales })} ·{" "}
        {t("dashboard.month.last", {
          revenue: formatEuro(before.revenue, language),
          profit: formatEuro(before.profit, language),
        })}
      </p>
    </OverviewCard>
  );
}

function WeekCard({ overview }: { overview: Overview }) {
  const { t, language } = useI18n();
  const week = overview.week;
  return (
    <OverviewCard id="dash-week" title={t("dashboard.week.title")} testId="card-week">
      <p className="text-2xl font-semibold text-slate-900" data-testid="week-sales">
        {t(week.sales === 1 ? "dashboard.sales.one" : "dashboard.sales.many", { count: week.sales })}
      </p>
      <p className="text-sm text-slate-700">
        {t("dashboard.week.money", {
          revenue: formatEuro(week.revenue, language),
          profit: formatEuro(week.profit, language),
          from: formatDate(`${week.date_from}T12:00:00Z`, language),
        })}
      </p>
      <Link prefetch={false} href="/vendite" className={`${LINK} inline-flex min-h-11 items-center gap-1 self-start`}>
        {t("dashboard.week.toSales")}
        <ArrowRight aria-hidden="true" className="h-4 w-4" />
      </Link>
    </OverviewCard>
  );
}

const STATUSES: ListingStatus[] = ["draft", "ready", "published", "reserved", "sold", "hidden"];

function ListingsCard({ overview }: { overview: Overview }) {
  const { t } = useI18n();
  const counts = overview.listings;
  return (
    <OverviewCard id="dash-listings" title={t("dashboard.listings.title")} testId="card-listings">
      <ul className="flex flex-col" aria-labelledby="dash-listings">
        {STATUSES.map((status) => (
          <li key={status}>
            <Link prefetch={false} href={`/annunci?stato=${status}`} className={ROW_LINK} data-testid={`listings-${status}`}>
              <span>{t(statusLabel(status))}</span>
              <span className="text-slate-900 tabular-nums">{counts[status]}</span>
            </Link>
          </li>
        ))}
      </ul>
      <Link prefetch={false} href="/annunci" className={`${LINK} inline-flex min-h-11 items-center gap-1 self-start`}>
        {t("dashboard.listings.all", { count: counts.total })}
        <ArrowRight aria-hidden="true" className="h-4 w-4" />
      </Link>
    </OverviewCard>
  );
}

function ParcelsCard({ overview }: { overview: Overview }) {
  const { t, language } = useI18n();
  const parcels = overview.parcels;
  return (
    <OverviewCard id="dash-parcels" title={t("dashboard.parcels.title")} testId="card-parcels">
      <ul className="flex flex-col">
        <li>
          <Link prefetch={false} href="/spedizioni?filtro=in-viaggio" className={ROW_LINK}>
            <span>{t("dashboard.parcels.inTransit")}</span>
            <span className="text-slate-900 tabular-nums" data-testid="parcels-in-transit">
              {parcels.in_transit}
            </span>
          </Link>
        </li>
        <li>
          <Link prefetch={false} href="/spedizioni?filtro=in-difficolta" className={ROW_LINK}>
            <span>{t("dashboard.parcels.trouble")}</span>
            <span
              className={`tabular-nums ${parcels.trouble > 0 ? "font-semibold text-red-800" : "text-slate-900"}`}
              data-testid="parcels-trouble"
            >
              {parcels.trouble}
            </span>
          </Link>
        </li>
      </ul>
      {parcels.trouble_parcels.length ? (
        <ul className="flex flex-col gap-2 border-t border-slate-100 pt-2" aria-label={t("dashboard.parcels.troubleList")}>
          {parcels.trouble_parcels.map((parcel) => (
            <li key={parcel.shipment_id} className="text-sm">
              <Link prefetch={false} href={`/spedizioni?id=${parcel.shipment_id}`} className={`${LINK} line-clamp-2`}>
                {parcel.title}
              </Link>
              <p className="text-red-800">
                {parcel.status_text}
                {parcel.status_at ? ` · ${formatDate(parcel.status_at, language)}` : ""}
              </p>
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-sm text-slate-600">{t("dashboard.parcels.allGood")}</p>
      )}
    </OverviewCard>
  );
}

function DraftsCard({ overview }: { overview: Overview }) {
  const { t } = useI18n();
  const drafts = overview.drafts;
  const rows: { key: MessageKey; count: number; testId: string; alarm?: boolean }[] = [
    { key: "dashboard.drafts.waiting", count: drafts.waiting_analysis, testId: "drafts-waiting" },
    { key: "dashboard.drafts.failed", count: drafts.failed_analysis, testId: "drafts-failed", alarm: true },
    { key: "dashboard.drafts.notAnalysed", count: drafts.not_analysed, testId: "drafts-not-analysed" },
  ];
  return (
    <OverviewCard id="dash-drafts" title={t("dashboard.drafts.title")} testId="card-drafts">
      <ul className="flex flex-col">
        {rows.map((row) => (
          <li key={row.key}>
            <Link prefetch={false} href="/annunci?stato=draft" className={ROW_LINK}>
              <span>{t(row.key)}</span>
              <span
                className={`tabular-nums ${row.alarm && row.count > 0 ? "font-semibold text-red-800" : "text-slate-900"}`}
                data-testid={row.testId}
              >
                {row.count}
              </span>
            </Link>
          </li>
        ))}
      </ul>
      {drafts.failed_analysis > 0 ? <p className="text-sm text-slate-700">{t("dashboard.drafts.retryHint")}</p> : null}
    </OverviewCard>
  );
}

function Dac7Card({ overview }: { overview: Overview }) {
  const { t, language } = useI18n();
  return (
    <OverviewCard
      id="dash-dac7"
      title={t("dashboard.dac7.title", { year: overview.dac7_year })}
      testId="card-dac7"
      className="sm:col-span-2 lg:col-span-3"
    >
      <ul className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3">
        {overview.dac7.map((member) => {
          // The nearer of DAC7's two thresholds (30 sales, € 2,000) is the one that reports the member.
          const ratio = Math.max(Number(member.sales_ratio), Number(member.amount_ratio));
          const percent = Math.min(100, Math.round(ratio * 100));
          const state = member.reported
            ? { text: t("dashboard.dac7.reported"), bar: "bg-red-600", badge: "bg-red-50 text-red-900 ring-red-300" }
            : member.warning
              ? { text: t("dashboard.dac7.near"), bar: "bg-amber-500", badge: "bg-amber-50 text-amber-950 ring-amber-400" }
              : { text: t("dashboard.dac7.below"), bar: "bg-teal-600", badge: "bg-emerald-50 text-emerald-900 ring-emerald-300" };
          const detail = t("dashboard.dac7.detail", {
            sales: member.sales,
            gross: formatEuro(member.gross, language),
            percent: Math.round(ratio * 100),
          });
          return (
            <li key={member.member_id} className="text-sm" data-testid="dac7-member">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <span className="font-medium text-slate-900">{member.username}</span>
                <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${state.badge}`}>
                  {state.text}
                </span>
              </div>
              <div
                role="progressbar"
                aria-label={t("dashboard.dac7.bar", { name: member.username })}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={percent}
                aria-valuetext={detail}
                className="mt-1 h-2 overflow-hidden rounded-full bg-slate-100"
              >
                <div className={`h-2 rounded-full ${state.bar}`} style={{ width: `${percent}%` }} />
              </div>
              <p className="mt-1 text-slate-700">{detail}</p>
            </li>
          );
        })}
      </ul>
      <Link prefetch={false} href="/vendite" className={`${LINK} inline-flex min-h-11 items-center gap-1 self-start`}>
        {t("dashboard.dac7.more")}
        <ArrowRight aria-hidden="true" className="h-4 w-4" />
      </Link>
    </OverviewCard>
  );
}

function StaleCard({ overview }: { overview: Overview }) {
  const { t, language } = useI18n();
  return (
    <OverviewCard id="dash-stale" title={t("dashboard.stale.title")} testId="card-stale">
      <p className="text-sm text-slate-700">
        {t(overview.stale_count === 1 ? "dashboard.stale.count.one" : "dashboard.stale.count.many", {
          count: overview.stale_count,
          days: overview.stale_after_days,
        })}
      </p>
      {overview.stale.length ? (
        <ul className="flex flex-col gap-1">
          {overview.stale.map((listing) => (
            <li key={listing.listing_id}>
              <Link prefetch={false} href={`/annunci?id=${listing.listing_id}`} className={`${ROW_LINK} text-sm`}>
                <span className="min-w-0 truncate">{listing.title}</span>
                <span className="shrink-0 font-normal text-slate-700">
                  {t("dashboard.stale.days", { days: listing.days_listed })}
                  {listing.price ? ` · ${formatEuro(listing.price, language)}` : ""}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
      {overview.stale_count > 0 ? (
        <Link prefetch={false}
          href="/annunci?stato=published&ordine=created_at"
          className={`${LINK} inline-flex min-h-11 items-center gap-1 self-start`}
        >
          {t("dashboard.stale.all")}
          <ArrowRight aria-hidden="true" className="h-4 w-4" />
        </Link>
      ) : null}
    </OverviewCard>
  );
}

export function OverviewCards({ overview }: { overview: Overview }) {
  return (
    <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3" data-testid="overview-cards">
      <MonthCard overview={overview} />
      <WeekCard overview={overview} />
      <ParcelsCard overview={overview} />
      <ListingsCard overview={overview} />
      <DraftsCard overview={overview} />
      <StaleCard overview={overview} />
      <Dac7Card overview={overview} />
    </div>
  );
}

/** The cards' shape while they load (no figures: a grey block per card). */
export function OverviewSkeleton({ label }: { label: string }) {
  return (
    <div role="status" aria-label={label} className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3">
      {Array.from({ length: 6 }, (_, index) => (
        <div key={index} className="flex flex-col gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
          <div className="h-4 w-1/2 animate-pulse rounded bg-slate-200" />
          <div className="h-8 w-2/3 animate-pulse rounded bg-slate-200" />
          <div className="h-3 w-full animate-pulse rounded bg-slate-100" />
        </div>
      ))}
    </div>
  );
}
