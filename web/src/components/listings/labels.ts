// The API's codes for listings with their catalogue keys, and the money helpers of the forms. Which values
// exist is the server's business (the types come from its OpenAPI document, the lists from /api/v1/meta);
// a value the server adds fails the type check here until it has a label.
import type { operations } from "@/api/schema";
import type { Schemas } from "@/lib/api";
import type { Language } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";

export type Listing = Schemas["ListingRead"];
export type ListingImage = Schemas["ImageRead"];
export type ListingStatus = Listing["status"];
export type Condition = NonNullable<Listing["condition"]>;
export type AnalysisStatus = Listing["analysis_status"];
export type QualityHint = ListingImage["quality_hints"][number];
export type SortKey = NonNullable<NonNullable<operations["listings:list"]["parameters"]["query"]>["sort"]>;

const STATUS_LABELS: Record<ListingStatus, MessageKey> = {
  draft: "listings.status.draft",
  ready: "listings.status.ready",
  published: "listings.status.published",
  reserved: "listings.status.reserved",
  sold: "listings.status.sold",
  hidden: "listings.status.hidden",
};

const CONDITION_LABELS: Record<Condition, MessageKey> = {
  new_with_tags: "listings.condition.new_with_tags",
  new_without_tags: "listings.condition.new_without_tags",
  very_good: "listings.condition.very_good",
  good: "listings.condition.good",
  satisfactory: "listings.condition.satisfactory",
};

const HINT_LABELS: Record<QualityHint, MessageKey> = {
  too_dark: "listings.hint.too_dark",
  too_bright: "listings.hint.too_bright",
  blurry: "listings.hint.blurry",
  low_resolution: "listings.hint.low_resolution",
};

/** The orders the list offers (not every one the API knows), each with its label. */
export const SORTS: readonly { value: SortKey; label: MessageKey }[] = [
  { value: "-created_at", label: "listings.sort.newest" },
  { value: "created_at", label: "listings.sort.oldest" },
  { value: "-updated_at", label: "listings.sort.updated" },
  { value: "price", label: "listings.sort.priceAsc" },
  { value: "-price", label: "listings.sort.priceDesc" },
  { value: "title", label: "listings.sort.titleAsc" },
  { value: "-title", label: "listings.sort.titleDesc" },
];
export const DEFAULT_SORT: SortKey = "-created_at";

export const statusLabel = (status: ListingStatus): MessageKey => STATUS_LABELS[status];
export const conditionLabel = (condition: Condition): MessageKey => CONDITION_LABELS[condition];
// A hint from a newer server than this build still gets a sentence.
export const hintLabel = (hint: QualityHint): MessageKey => HINT_LABELS[hint] ?? "listings.hint.other";

/** A value from the address, checked against the server's list (`vocabulary.listing_statuses` or `.conditions`). */
export function isOneOf<T extends string>(value: string | null, values: readonly T[]): value is T {
  return value !== null && (values as readonly string[]).includes(value);
}
export function isSort(value: string | null): value is SortKey {
  return value !== null && SORTS.some((sort) => sort.value === value);
}

/** Photos in the order buyers see them (display_order), whatever the order of the response. */
/** What the server appends to a duplicate's title (listings.service.duplicate). */
const COPY_SUFFIX = /\s*\(copia\)$/;

/** A copy's title without its "(copia)", which the list shows as its own badge so a clamp cannot cut it. */
export function splitCopy(title: string): { base: string; copy: boolean } {
  const base = title.replace(COPY_SUFFIX, "");
  return base !== title && base !== "" ? { base, copy: true } : { base: title, copy: false };
}

export function orderedImages(listing: Listing): ListingImage[] {
  return [...(listing.images ?? [])].sort(
    (a, b) => a.display_order - b.display_order || a.created_at.localeCompare(b.created_at),
  );
}

export function primaryImage(listing: Listing): ListingImage | undefined {
  const images = listing.images ?? [];
  return images.find((image) => image.is_primary) ?? images[0];
}

/**
 * An amount typed by a person ("12,50", "12.5", "€ 1.234,50") as the API's decimal string ("12.50");
 * null for an empty field; undefined when it is not an amount.
 */
export function parseMoney(input: string): string | null | undefined {
  let text = input.replace(/[€\s]/g, "");
  if (text === "") return null;
  if (text.includes(",") && text.includes(".")) {
    // Both separators: the last one is the decimal point ("1.234,50" or "1,234.50").
    text = text.lastIndexOf(",") > text.lastIndexOf(".") ? text.replace(/\./g, "").replace(",", ".") : text.replace(/,/g, "");
  } else text = text.replace(",", ".");
  if (!/^\d{1,8}(\.\d{1,2})?$/.test(text)) return undefined;
  return Number(text).toFixed(2);
}

/** The API's decimal string as the person types it: "12,50" in Italian, "12.50" in English. */
export function moneyInput(value: string | number | null | undefined, language: Language): string {
  if (value === null || value === undefined || value === "") return "";
  const number = Number(value);
  if (!Number.isFinite(number)) return "";
  const text = number.toFixed(2);
  return language === "it" ? text.replace(".", ",") : text;
}

/** The middle of the AI's range, rounded like the server does (to 50 cents from € 1 up). */
export function middlePrice(min: string | null | undefined, max: string | null | undefined): number | null {
  const low = Number(min);
  const high = Number(max);
  if (min == null || max == null || !Number.isFinite(low) || !Number.isFinite(high)) return null;
  const middle = (low + high) / 2;
  return middle >= 1 ? Math.round(middle * 2) / 2 : Math.round(middle * 100) / 100;
}

/** Comma-separated words cleaned like the server does: spaces collapsed, ≤ `maxLength` characters, no repeats. */
export function splitWords(text: string, maxLength: number): string[] {
  const words: string[] = [];
  for (const part of text.split(",")) {
    const word = part.trim().replace(/\s+/g, " ").slice(0, maxLength);
    if (word && !words.some((seen) => seen.toLowerCase() === word.toLowerCase())) words.push(word);
  }
  return words;
}
