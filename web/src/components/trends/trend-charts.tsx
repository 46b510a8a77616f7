"use client";

// A category's history as two charts: the median asking price with the middle half (q1–q3) as a band,
// and the number of listings with the demand score. Recharts draws SVG; each figure has a sentence that
// says what it shows, for who does not see it.
import {
  Area,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { AXIS_TICK, CHART_COLORS, GRID, LEGEND_STYLE, euroTick, euroTooltip, shortDate } from "@/components/chart-kit";
import { formatDate, formatEuro } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import { toNumber } from "./labels";
import type { Trend } from "./queries";

interface Point {
  at: number;
  median: number | null;
  band: [number, number] | null;
  items: number;
  demand: number | null;
}

function pointsOf(history: Trend[]): Point[] {
  // The API gives the newest first; a chart reads left to right, oldest first.
  return [...history].reverse().map((trend) => {
    const q1 = toNumber(trend.q1_price);
    const q3 = toNumber(trend.q3_price);
    return {
      at: new Date(trend.scraped_at).getTime(),
      median: toNumber(trend.median_price),
      band: q1 !== null && q3 !== null ? [q1, q3] : null,
      items: trend.total_items,
      demand: toNumber(trend.demand_score),
    };
  });
}

const { teal: TEAL, tealLight: TEAL_LIGHT, amber: AMBER, slate: SLATE } = CHART_COLORS;

export function TrendCharts({ history }: { history: Trend[] }) {
  const { t, language } = useI18n();
  const points = pointsOf(history);
  if (!points.length) return null;
  const first = points[0];
  const last = points[points.length - 1];
  const when = (at: number) => formatDate(new Date(at).toISOString(), language, true);
  const summary = t("trends.chart.summary", {
    points: points.length,
    from: formatDate(new Date(first.at).toISOString(), language),
    to: formatDate(new Date(last.at).toISOString(), language),
    first: formatEuro(first.median, language),
    last: formatEuro(last.median, language),
  });
  const axis = AXIS_TICK;

  return (
    <div className="flex flex-col gap-6">
      <figure className="flex flex-col gap-2" aria-labelledby="trend-price-title">
        <h3 id="trend-price-title" className="text-base font-semibold text-slate-900">
          {t("trends.chart.price")}
        </h3>
        <figcaption className="text-sm text-slate-600">
          {t("trends.chart.priceHint")} {summary}
          {points.length === 1 ? ` ${t("trends.chart.onePoint")}` : ""}
        </figcaption>
        <div className="h-64 w-full" data-testid="trend-price-chart">
          <ResponsiveContainer width="100%" height="100%">
            <ComposedChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
              <CartesianGrid {...GRID} />
              <XAxis
                dataKey="at"
                type="number"
                scale="time"
                domain={["dataMin", "dataMax"]}
                tickFormatter={(at: number) => shortDate(at, language)}
                tick={axis}
                minTickGap={24}
              />
              <YAxis tickFormatter={euroTick(language)} tick={axis} width={56} />
              <Tooltip
                labelFormatter={(at) => when(Number(at))}
                formatter={euroTooltip(language)}
              />
              <Legend wrapperStyle={LEGEND_STYLE} />
              <Area
                type="monotone"
                dataKey="band"
                name={t("trends.chart.band")}
                stroke="none"
                fill={TEAL_LIGHT}
                fillOpacity={0.6}
                isAnimationActive={false}
                connectNulls
              />
              <Line
                type="monotone"
                dataKey="median"
                name={t("trends.chart.median")}
                stroke={TEAL}
                strokeWidth={2}
                dot={points.length < 12}
                isAnimationActive={false}
                connectNulls
              />
            </ComposedChart>
          </ResponsiveContainer>
        </div>
      </figure>

      <figure className="flex flex-col gap-2" aria-labelledby="trend-items-title">
        <h3 id="trend-items-title" className="text-base font-semibold text-slate-900">
          {t("trends.chart.items")}
        </h3>
        <div className="h-56 w-full" data-testid="trend-items-chart">
          <ResponsiveContainer width="100%" height="100%">
            <ComposedChart data={points} margin={{ top: 8, right: 0, bottom: 0, left: 0 }} accessibilityLayer={false}>
              <CartesianGrid {...GRID} />
              <XAxis
                dataKey="at"
                type="number"
                scale="time"
                domain={["dataMin", "dataMax"]}
                tickFormatter={(at: number) => shortDate(at, language)}
                tick={axis}
                minTickGap={24}
              />
              <YAxis yAxisId="items" tick={axis} width={48} allowDecimals={false} />
              <YAxis yAxisId="demand" orientation="right" domain={[0, 100]} tick={axis} width={32} />
              <Tooltip labelFormatter={(at) => when(Number(at))} />
              <Legend wrapperStyle={LEGEND_STYLE} />
              <Line
                yAxisId="items"
                type="monotone"
                dataKey="items"
                name={t("trends.chart.count")}
                stroke={SLATE}
                strokeWidth={2}
                dot={points.length < 12}
                isAnimationActive={false}
              />
              <Line
                yAxisId="demand"
                type="monotone"
                dataKey="demand"
                name={t("trends.chart.demand")}
                stroke={AMBER}
                strokeWidth={2}
                strokeDasharray="5 3"
                dot={points.length < 12}
                isAnimationActive={false}
                connectNulls
              />
            </ComposedChart>
          </ResponsiveContainer>
        </div>
      </figure>
    </div>
  );
}
