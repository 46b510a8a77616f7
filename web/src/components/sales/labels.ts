// The sales' API codes with their catalogue keys, and the days of the forms (Italian time). The types
// come from the OpenAPI document.
import type { operations } from "@/api/schema";
import type { Schemas } from "@/lib/api";
import type { MessageKey } from "@/lib/messages";

export type Sale = Schemas["SaleRead"];
export type SaleStatus = Sale["status"];
export type SaleStats = Schemas["SaleStats"];
export type Dac7Summary = Schemas["Dac7Summary"];
export type Dac7Member = Schemas["Dac7Member"];
export type SaleQuery = NonNullable<operations["sales:list"]["parameters"]["query"]>;
export type SaleScope = NonNullable<operations["sales:stats"]["parameters"]["query"]>;
export type SaleSort = NonNullable<SaleQuery["sort"]>;

export const SALE_STATUSES: readonly SaleStatus[] = ["pending", "shipped", "delivered", "completed", "cancelled", "refunded"];

const STATUS_LABELS: Record<SaleStatus, MessageKey> = {
  pending: "sales.status.pending",
  shipped: "sales.status.shipped",
  delivered: "sales.status.delivered",
  completed: "sales.status.completed",
  cancelled: "sales.status.cancelled",
  refunded: "sales.status.refunded",
};

/** The button that moves a sale to each status. */
const MOVE_LABELS: Record<SaleStatus, MessageKey> = {
  pending: "sales.move.pending",
  shipped: "sales.move.shipped",
  delivered: "sales.move.delivered",
  completed: "sales.move.completed",
  cancelled: "sales.move.cancelled",
  refunded: "sales.move.refunded",
};

/** Cancelled and refunded: final, and the listing goes back on sale. */
export const GIVES_BACK: readonly SaleStatus[] = ["cancelled", "refunded"];
export const isClosed = (status: SaleStatus) => GIVES_BACK.includes(status);

export const saleStatusLabel = (status: SaleStatus): MessageKey => STATUS_LABELS[status];
export const moveLabel = (status: SaleStatus): MessageKey => MOVE_LABELS[status];

export const SORTS: readonly { value: SaleSort; label: MessageKey }[] = [
  { value: "-sold_at", label: "sales.sort.newest" },
  { value: "sold_at", label: "sales.sort.oldest" },
  { value: "-sale_price", label: "sales.sort.priceDesc" },
  { value: "sale_price", label: "sales.sort.priceAsc" },
  { value: "-net_profit", label: "sales.sort.profitDesc" },
  { value: "net_profit", label: "sales.sort.profitAsc" },
];
export const DEFAULT_SORT: SaleSort = "-sold_at";
export const isSort = (value: string | null): value is SaleSort =>
  value !== null && SORTS.some((sort) => sort.value === value);
export const isStatus = (value: string | null): value is SaleStatus =>
  value !== null && (SALE_STATUSES as readonly string[]).includes(value);

const ROME_DAY = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Europe/Rome",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** The day (YYYY-MM-DD) of an instant in Italian time: today when left out. */
export function romeDay(instant: string | Date = new Date()): string {
  return ROME_DAY.format(typeof instant === "string" ? new Date(instant) : instant);
}

export const currentYear = () => Number(romeDay().slice(0, 4));

/**
 * The `sold_at` to send for a day picked in a form: now for today (noon could still be in the future),
 * else noon of that day, Italian time (a time without a zone is Italian time for the API).
 */
export function soldAtOf(day: string): string {
  return day === romeDay() ? new Date().toISOString() : `${day}T12:00:00`;
}

export const DAY = /^\d{4}-\d{2}-\d{2}$/;
