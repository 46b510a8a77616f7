// How the trends read: a demand level from its 0–100 score, "2 ore fa", a refresh's answer in words.
import { ApiError } from "@/lib/api";
import type { MessageKey } from "@/lib/messages";

type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export type DemandLevel = "high" | "medium" | "low";

/** Two thirds and one third of the scale: what a person reads as high, medium, low. */
export function demandLevel(score: number): DemandLevel {
  if (score >= 66) return "high";
  if (score >= 33) return "medium";
  return "low";
}

export function toNumber(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined || value === "") return null;
  const number = typeof value === "string" ? Number(value) : value;
  return Number.isFinite(number) ? number : null;
}

function plural(t: Translate, base: string, count: number): string {
  return t(`${base}.${count === 1 ? "one" : "many"}` as MessageKey, { count, minutes: count });
}

/** "adesso", "12 minuti fa", "2 ore fa", "ieri", "3 giorni fa". */
export function timeAgo(iso: string, t: Translate, now: number = Date.now()): string {
  const minutes = Math.max(0, Math.floor((now - new Date(iso).getTime()) / 60_000));
  if (minutes < 1) return t("trends.ago.now");
  if (minutes < 60) return plural(t, "trends.ago.minutes", minutes);
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return plural(t, "trends.ago.hours", hours);
  return plural(t, "trends.ago.days", Math.floor(hours / 24));
}

export function minutesOf(seconds: number | null): number {
  return Math.max(1, Math.ceil((seconds ?? 60) / 60));
}

/** What "Aggiorna ora" answered, when it was refused: the wait in minutes (Retry-After), or why. */
export function refreshRefusal(error: unknown, t: Translate): string | null {
  if (!(error instanceof ApiError)) return null;
  const minutes = minutesOf(error.retryAfter);
  if (error.status === 429) return plural(t, "trends.refresh.wait", minutes);
  if (error.status === 409) return t("trends.refresh.nothing");
  if (error.status === 503) {
    const base = error.code === "scraper_cooling_down" ? "trends.refresh.cooling" : "trends.refresh.unavailable";
    return plural(t, base, minutes);
  }
  return null;
}
