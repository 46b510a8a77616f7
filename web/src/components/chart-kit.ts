// What every chart of the dashboard shares (Recharts draws SVG): the palette, the grid, the axes' ticks,
// the legend and the tooltip's figures, so Tendenze and Panoramica read the same way.
import { dateFormat, formatEuro, numberFormat } from "@/lib/format";
import type { Language } from "@/lib/i18n";

export const CHART_COLORS = {
  teal: "#0f766e",
  tealLight: "#99f6e4",
  amber: "#b45309",
  slate: "#475569",
  grid: "#e2e8f0",
} as const;

/** <CartesianGrid {...GRID} /> */
export const GRID = { stroke: CHART_COLORS.grid, strokeDasharray: "3 3" } as const;

/** The ticks of every axis (`tick={AXIS_TICK}`). */
export const AXIS_TICK = { fontSize: 12, fill: CHART_COLORS.slate } as const;

/** <Legend wrapperStyle={LEGEND_STYLE} /> */
export const LEGEND_STYLE = { fontSize: 12 } as const;

/** An axis of euros, whole and in the language's digits ("€ 1.200"): a tick has no room for cents. */
export function euroTick(language: Language): (value: number) => string {
  const digits = numberFormat(language === "it" ? "it-IT" : "en-GB", { maximumFractionDigits: 0 });
  return (value: number) => `€ ${digits.format(value)}`;
}

/** A tooltip's euro figure; a range (an area between two values) as "€ 1,00 – € 2,00". */
export function euroTooltip(language: Language): (value: unknown) => string {
  return (value: unknown) =>
    Array.isArray(value)
      ? `${formatEuro(Number(value[0]), language)} – ${formatEuro(Number(value[1]), language)}`
      : formatEuro(Number(value), language);
}

/** "04/12", a day on a time axis, in Europe/Rome. */
export function shortDate(at: number, language: Language): string {
  return dateFormat(language === "it" ? "it-IT" : "en-GB", {
    timeZone: "Europe/Rome",
    day: "2-digit",
    month: "2-digit",
  }).format(new Date(at));
}
