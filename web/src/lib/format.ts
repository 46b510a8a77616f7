// Amounts as "€ 12,50" and dates in Europe/Rome, whatever the device's own zone.
import type { Language } from "./i18n";

const TIME_ZONE = "Europe/Rome";

export function formatEuro(amount: number | string | null | undefined, language: Language = "it"): string {
  if (amount === null || amount === undefined || amount === "") return "—";
  const value = typeof amount === "string" ? Number(amount) : amount;
  if (!Number.isFinite(value)) return "—";
  const locale = language === "it" ? "it-IT" : "en-GB";
  const number = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(
    Math.abs(value),
  );
  return `${value < 0 ? "-" : ""}€ ${number}`;
}

export function formatDate(iso: string | null | undefined, language: Language = "it", withTime = false): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  return new Intl.DateTimeFormat(language === "it" ? "it-IT" : "en-GB", {
    timeZone: TIME_ZONE,
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    ...(withTime ? { hour: "2-digit", minute: "2-digit" } : {}),
  }).format(date);
}

/** The time of day ("18:40") in Europe/Rome. */
export function formatTime(iso: string | null | undefined, language: Language = "it"): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  return new Intl.DateTimeFormat(language === "it" ? "it-IT" : "en-GB", {
    timeZone: TIME_ZONE,
    hour: "2-digit",
    minute: "2-digit",
  }).format(date);
}
