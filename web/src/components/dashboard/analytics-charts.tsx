"use client";

// Panoramica's charts. Why these (Recharts, as on Tendenze):
// - revenue and profit per month or week as grouped vertical bars: each period is a closed total (a bar
//   is "how much in March"), two bars side by side compare takings with what was left at a glance, and a
//   loss reads as a bar below zero; an area or a line would suggest a continuous quantity between periods;
// - categories, brands and members as horizontal bars, best first: long names stay readable on a phone
//   (they are rows, not slanted ticks) and the longest bar is the best, the way a ranking is read.
// Every chart says its total in words (data-testid "chart-…-total") and has a visually hidden table with
// every figure, for who does not see the drawing; the drawing itself is hidden from screen readers.
import { useId, useMemo, useState, type ReactNode } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { AXIS_TICK, CHART_COLORS, GRID, LEGEND_STYLE, euroTick, euroTooltip } from "@/components/chart-kit";
import { Alert, Button, Select } from "@/components/ui";
import { errorMessage } from "@/lib/errors";
import { formatEuro } from "@/lib/format";
import { useI18n, type Language } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { formatChange, periodName, periodTick, rangeStart, todayInItaly } from "./format";
import { useAnalytics, type Analytics, type AnalyticsQuery } from "./queries";

type Group = "week" | "month";

// The ranges offered for each grouping, in periods (months or weeks) ending with the current one.
const RANGES: Record<Group, { count: number; label: MessageKey }[]> = {
  month: [
    { count: 3, label: "dashboard.range.months3" },
    { count: 6, label: "dashboard.range.months6" },
    { count: 12, label: "dashboard.range.months12" },
    { count: 24, label: "dashboard.range.months24" },
  ],
  week: [
    { count: 4, label: "dashboard.range.weeks4" },
    { count: 8, label: "dashboard.range.weeks8" },
    { count: 13, label: "dashboard.range.weeks13" },
    { count: 26, label: "dashboard.range.weeks26" },
  ],
};
const DEFAULT_RANGE: Record<Group, number> = { month: 12, week: 8 };
// The plots' size before the browser has measured them (a phone's width; the height is each plot's own):
// the bars are drawn on the first render, and the measured width replaces it before the frame is painted.
const CHART_FIRST_SIZE = { width: 340, height: 240 };

const cents = (amount: string | number) => Math.round(Number(amount) * 100);

/** Sums of money in cents (no floating-point drift over many rows), back as euros. */
function sumEuros(amounts: (string | number)[]): number {
  return amounts.reduce<number>((total, amount) => total + cents(amount), 0) / 100;
}

/**
 * A chart's figures as a table only screen readers meet. It sits in a visually hidden <div>: a table is
 * never narrower than its content, so a visually hidden table itself would still widen a phone's page.
 */
function HiddenTable({
  caption,
  headers,
  rows,
}: {
  caption: string;
  headers: string[];
  rows: { key: string; name: string; cells: string[] }[];
}) {
  return (
    <div className="sr-only">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {headers.map((header) => (
              <th key={header} scope="col">
                {header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              <th scope="row">{row.name}</th>
              {row.cells.map((cell, index) => (
                <td key={index}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Figure({
  id,
  title,
  total,
  testId,
  table,
  height,
  children,
}: {
  id: string;
  title: string;
  total: string;
  testId: string;
  table: ReactNode;
  height: number;
  children: ReactNode;
}) {
  return (
    <figure aria-labelledby={id} className="flex min-w-0 flex-col gap-2" data-testid={testId}>
      <h3 id={id} className="text-base font-semibold text-slate-900">
        {title}
      </h3>
      <figcaption className="text-sm text-slate-700" data-testid={`${testId}-total`}>
        {total}
      </figcaption>
      <div aria-hidden="true" className="w-full" style={{ height }} data-testid={`${testId}-plot`}>
        {children}
      </div>
      {table}
    </figure>
  );
}

function SeriesChart({ analytics, language }: { analytics: Analytics; language: Language }) {
  const { t } = useI18n();
  const id = useId();
  const group = analytics.group;
  const points = analytics.series.map((point) => ({
    period: point.period,
    revenue: Number(point.revenue),
    profit: Number(point.profit),
    sales: point.sales,
  }));
  const totals = analytics.totals;
  const total = t("dashboard.chart.series.total", {
    revenue: formatEuro(totals.revenue, language),
    profit: formatEuro(totals.profit, language),
    sales: t(totals.sales === 1 ? "dashboard.sales.one" : "dashboard.sales.many", { count: totals.sales }),
  });
  const table = (
    <HiddenTable
      caption={t("dashboard.chart.series.title")}
      headers={[
        t(group === "month" ? "dashboard.chart.month" : "dashboard.chart.week"),
        t("dashboard.chart.sales"),
        t("dashboard.revenue"),
        t("dashboard.profit"),
      ]}
      rows={analytics.series.map((point) => ({
        key: point.period,
        name: periodName(point.period, group, language),
        cells: [String(point.sales), formatEuro(point.revenue, language), formatEuro(point.profit, language)],
      }))}
    />
  );

  return (
    <Figure id={id} title={t("dashboard.chart.series.title")} total={total} testId="chart-series" table={table} height={256}>
      <ResponsiveContainer width="100%" height="100%" initialDimension={CHART_FIRST_SIZE}>
        <BarChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid {...GRID} vertical={false} />
          <XAxis
            dataKey="period"
            tickFormatter={(period: string) => periodTick(period, group, language)}
            tick={AXIS_TICK}
            minTickGap={8}
          />
          <YAxis tickFormatter={euroTick(language)} tick={AXIS_TICK} width={64} />
          <ReferenceLine y={0} stroke={CHART_COLORS.slate} />
          <Tooltip
            labelFormatter={(period) => periodName(String(period), group, language)}
            formatter={euroTooltip(language)}
          />
          <Legend wrapperStyle={LEGEND_STYLE} />
          <Bar dataKey="revenue" name={t("dashboard.revenue")} fill={CHART_COLORS.teal} isAnimationActive={false} />
          <Bar dataKey="profit" name={t("dashboard.profit")} fill={CHART_COLORS.amber} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </Figure>
  );
}

interface Ranked {
  key: string;
  label: string;
  sales: number;
  revenue: string;
  profit: string;
}

/** The last part of a category's path ("Donna > … > Giacche" → "Giacche"), cut to fit a tick. */
function shortName(name: string): string {
  const last = name.split(">").pop()?.trim() || name;
  return last.length > 18 ? `${last.slice(0, 17)}…` : last;
}

function RankingChart({
  title,
  rows,
  testId,
  nameHeader,
  withProfit = false,
  language,
}: {
  title: string;
  rows: Ranked[];
  testId: string;
  nameHeader: string;
  withProfit?: boolean;
  language: Language;
}) {
  const { t } = useI18n();
  const id = useId();
  const data = rows.map((row) => ({
    name: shortName(row.label),
    full: row.label,
    revenue: Number(row.revenue),
    profit: Number(row.profit),
  }));
  const sales = rows.reduce((count, row) => count + row.sales, 0);
  const total = rows.length
    ? t("dashboard.chart.ranking.total", {
        revenue: formatEuro(sumEuros(rows.map((row) => row.revenue)), language),
        sales: t(sales === 1 ? "dashboard.sales.one" : "dashboard.sales.many", { count: sales }),
      })
    : t("dashboard.chart.none");
  const table = (
    <HiddenTable
      caption={title}
      headers={[nameHeader, t("dashboard.chart.sales"), t("dashboard.revenue"), t("dashboard.profit")]}
      rows={rows.map((row) => ({
        key: row.key,
        name: row.label,
        cells: [String(row.sales), formatEuro(row.revenue, language), formatEuro(row.profit, language)],
      }))}
    />
  );

  const barSize = withProfit ? 12 : 18;
  const height = rows.length ? 48 + rows.length * (withProfit ? 40 : 32) : 0;
  return (
    <Figure id={id} title={title} total={total} testId={testId} table={table} height={height}>
      {rows.length ? (
        <ResponsiveContainer width="100%" height="100%" initialDimension={CHART_FIRST_SIZE}>
          <BarChart
            data={data}
            layout="vertical"
            margin={{ top: 0, right: 12, bottom: 0, left: 0 }}
            accessibilityLayer={false}
          >
            <CartesianGrid {...GRID} horizontal={false} />
            <XAxis type="number" tickFormatter={euroTick(language)} tick={AXIS_TICK} />
            <YAxis type="category" dataKey="name" tick={AXIS_TICK} width={112} interval={0} />
            <Tooltip
              labelFormatter={(_name, payload) => String(payload?.[0]?.payload?.full ?? _name)}
              formatter={euroTooltip(language)}
            />
            {withProfit ? <Legend wrapperStyle={LEGEND_STYLE} /> : null}
            <Bar
              dataKey="revenue"
              name={t("dashboard.revenue")}
              fill={CHART_COLORS.teal}
              barSize={barSize}
              isAnimationActive={false}
            />
            {withProfit ? (
              <Bar
                dataKey="profit"
                name={t("dashboard.profit")}
                fill={CHART_COLORS.amber}
                barSize={barSize}
                isAnimationActive={false}
              />
            ) : null}
          </BarChart>
        </ResponsiveContainer>
      ) : null}
    </Figure>
  );
}

/** The family's asking prices on sale now against the market's median, as a plain table (few rows, exact). */
function AgainstMarket({ rows, language }: { rows: Analytics["price_against_market"]; language: Language }) {
  const { t } = useI18n();
  if (!rows.length) return null;
  return (
    <section aria-labelledby="dash-market" className="min-w-0" data-testid="price-against-market">
      <h3 id="dash-market" className="text-base font-semibold text-slate-900">
        {t("dashboard.market.title")}
      </h3>
      <p className="mb-2 text-sm text-slate-700">{t("dashboard.market.hint")}</p>
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm">
          <thead className="text-slate-600">
            <tr>
              <th scope="col" className="py-1 pr-2 font-medium">
                {t("dashboard.market.what")}
              </th>
              <th scope="col" className="py-1 pr-2 text-right font-medium">
                {t("dashboard.market.ours")}
              </th>
              <th scope="col" className="py-1 pr-2 text-right font-medium">
                {t("dashboard.market.market")}
              </th>
              <th scope="col" className="py-1 text-right font-medium">
                {t("dashboard.market.difference")}
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows.map((row) => {
              const difference = formatChange(Number(row.ratio) - 1, language) ?? "—";
              return (
                <tr key={`${row.category_id}-${row.brand ?? ""}`}>
                  <th scope="row" className="py-1 pr-2 font-normal text-slate-900">
                    {shortName(row.category)}
                    {row.brand ? ` · ${row.brand}` : ""}
                    <span className="block text-xs text-slate-600">
                      {t(row.listings === 1 ? "dashboard.market.listings.one" : "dashboard.market.listings.many", {
                        count: row.listings,
                      })}
                    </span>
                  </th>
                  <td className="py-1 pr-2 text-right tabular-nums">{formatEuro(row.our_median, language)}</td>
                  <td className="py-1 pr-2 text-right tabular-nums">{formatEuro(row.market_median, language)}</td>
                  <td className="py-1 text-right tabular-nums">{difference}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Controls({
  group,
  count,
  member,
  members,
  onGroup,
  onCount,
  onMember,
}: {
  group: Group;
  count: number;
  member: string;
  members: { id: string; name: string }[];
  onGroup: (group: Group) => void;
  onCount: (count: number) => void;
  onMember: (member: string) => void;
}) {
  const { t } = useI18n();
  return (
    <div className="flex flex-col gap-3 sm:flex-row sm:flex-wrap sm:items-end">
      <div role="group" aria-label={t("dashboard.chart.groupBy")} className="flex gap-2">
        {(["month", "week"] as const).map((option) => (
          <Button
            key={option}
            type="button"
            variant={group === option ? "primary" : "secondary"}
            aria-pressed={group === option}
            onClick={() => onGroup(option)}
            className="flex-1 sm:flex-none"
          >
            {t(option === "month" ? "dashboard.chart.byMonth" : "dashboard.chart.byWeek")}
          </Button>
        ))}
      </div>
      <Select
        label={t("dashboard.chart.range")}
        value={String(count)}
        onChange={(event) => onCount(Number(event.target.value))}
        className="sm:w-48"
      >
        {RANGES[group].map((range) => (
          <option key={range.count} value={range.count}>
            {t(range.label)}
          </option>
        ))}
      </Select>
      {members.length > 1 ? (
        <Select
          label={t("dashboard.chart.member")}
          value={member}
          onChange={(event) => onMember(event.target.value)}
          className="sm:w-48"
        >
          <option value="">{t("dashboard.chart.wholeFamily")}</option>
          {members.map((one) => (
            <option key={one.id} value={one.id}>
              {one.name}
            </option>
          ))}
        </Select>
      ) : null}
    </div>
  );
}

/** The charts with their controls: grouping (month, week), range, and whose sales. */
export function AnalyticsPanel({ members }: { members: { id: string; name: string }[] }) {
  const { t, language } = useI18n();
  const [group, setGroup] = useState<Group>("month");
  const [count, setCount] = useState(DEFAULT_RANGE.month);
  const [member, setMember] = useState("");
  const today = todayInItaly();
  const query = useMemo<AnalyticsQuery>(() => {
    const next: AnalyticsQuery = { group, date_from: rangeStart(today, group, count) };
    if (member) next.member = member;
    return next;
  }, [group, count, member, today]);
  const analytics = useAnalytics(query);
  const data = analytics.data;
  const changeGroup = (next: Group) => {
    setGroup(next);
    setCount(DEFAULT_RANGE[next]);
  };

  return (
    <section
      aria-labelledby="dash-charts"
      aria-busy={analytics.isFetching || undefined}
      className="flex flex-col gap-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-6"
      data-testid="dashboard-charts"
    >
      <h2 id="dash-charts" className="text-lg font-semibold text-slate-900">
        {t("dashboard.chart.title")}
      </h2>
      <Controls
        group={group}
        count={count}
        member={member}
        members={members}
        onGroup={changeGroup}
        onCount={setCount}
        onMember={setMember}
      />
      {analytics.isError ? (
        <Alert>
          {t("dashboard.chart.error")} {errorMessage(analytics.error, t)}
        </Alert>
      ) : null}
      {!data ? (
        analytics.isError ? null : (
          <div role="status" aria-label={t("dashboard.chart.loading")} className="h-64 animate-pulse rounded-lg bg-slate-100" />
        )
      ) : (
        <>
          <SeriesChart analytics={data} language={language} />
          {data.average_days_to_sell !== null ? (
            <p className="text-sm text-slate-700">
              {t("dashboard.chart.averageDays", { days: Math.round(Number(data.average_days_to_sell)) })}
            </p>
          ) : null}
          {data.totals.sales === 0 ? (
            <p className="text-sm text-slate-600">{t("dashboard.chart.noSales")}</p>
          ) : (
            <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
              <RankingChart
                title={t("dashboard.chart.categories")}
                nameHeader={t("dashboard.chart.category")}
                rows={data.categories.map((row) => ({ ...row, label: row.key }))}
                testId="chart-categories"
                language={language}
              />
              <RankingChart
                title={t("dashboard.chart.brands")}
                nameHeader={t("dashboard.chart.brand")}
                rows={data.brands.map((row) => ({ ...row, label: row.key }))}
                testId="chart-brands"
                language={language}
              />
              <div className="lg:col-span-2">
                <RankingChart
                  title={t("dashboard.chart.members")}
                  nameHeader={t("dashboard.chart.memberName")}
                  rows={data.members.map((row) => ({ ...row, key: row.member_id, label: row.username }))}
                  testId="chart-members"
                  withProfit
                  language={language}
                />
              </div>
            </div>
          )}
          <AgainstMarket rows={data.price_against_market} language={language} />
        </>
      )}
    </section>
  );
}
