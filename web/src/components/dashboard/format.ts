// Panoramica's small formats: a change as "+25 %", a period of a chart as a month or a week, today in Italy.
import type { Language } from "@/lib/i18n";
import { dateFormat, numberFormat } from "@/lib/format";

const locale = (language: Language) => (language === "it" ? "it-IT" : "en-GB");

/** 0.25 → "+25%", -0.1 → "-10%", 0 → "0%"; null (nothing to compare with) → null. */
export function formatChange(change: string | number | null | undefined, language: Language): string | null {
  if (change === null || change === undefined || change === "") return null;
  const value = Number(change);
  if (!Number.isFinite(value)) return null;
  return numberFormat(locale(language), {
    style: "percent",
    maximumFractionDigits: 0,
    signDisplay: "exceptZero",
  }).format(value);
}

/** The direction of a change, for its arrow and colour. */
export function trendOf(change: string | number | null | undefined): "up" | "down" | "flat" | null {
  if (change === null || change === undefined || change === "") return null;
  const value = Number(change);
  if (!Number.isFinite(value)) return null;
  // Under half a percent either way reads as "the same" (the label rounds it to 0 %).
  if (Math.abs(value) < 0.005) return "flat";
  return value > 0 ? "up" : "down";
}

function fromIsoDate(iso: string): Date {
  const [year, month, day] = iso.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, day, 12));
}

function toIsoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** A chart's period on its axis: "dic 25" for a month, "01/12" for a week (its Monday). */
export function periodTick(iso: string, group: "week" | "month", language: Language): string {
  const date = fromIsoDate(iso);
  const options: Intl.DateTimeFormatOptions =
    group === "month" ? { month: "short", year: "2-digit", timeZone: "UTC" } : { day: "2-digit", month: "2-digit", timeZone: "UTC" };
  return dateFormat(locale(language), options).format(date);
}

/** A chart's period in full: "dicembre 2025", or the week's Monday "01/12/2025". */
export function periodName(iso: string, group: "week" | "month", language: Language): string {
  const date = fromIsoDate(iso);
  const options: Intl.DateTimeFormatOptions =
    group === "month"
      ? { month: "long", year: "numeric", timeZone: "UTC" }
      : { day: "2-digit", month: "2-digit", year: "numeric", timeZone: "UTC" };
  return dateFormat(locale(language), options).format(date);
}

/** Today's date in Italy (YYYY-MM-DD), whatever the device's zone: the API's periods are Italian days. */
export function todayInItaly(now: Date = new Date()): string {
  return dateFormat("en-CA", { timeZone: "Europe/Rome" }).format(now);
}

/**
 * The first day of a range of `count` periods ending with today's: the 1st of the month `count - 1`
 * months back, or the Monday `count - 1` weeks back.
 */
export function rangeStart(today: string, group: "week" | "month", count: number): string {
  const date = fromIsoDate(today);
  if (group === "month") {
    return toIsoDate(new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - (count - 1), 1, 12)));
  }
  const sinceMonday = (date.getUTCDay() + 6) % 7;
  date.setUTCDate(date.getUTCDate() - sinceMonday - 7 * (count - 1));
  return toIsoDate(date);
}
