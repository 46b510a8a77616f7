"use client";

import { SlidersHorizontal } from "lucide-react";
import { useEffect, useId, useRef, useState, type InputHTMLAttributes } from "react";
import { useFamily } from "@/components/family/queries";
import type { Meta } from "@/components/meta/queries";
import { Button, Field, Select } from "@/components/ui";
import { useAuth } from "@/lib/auth";
import { useI18n } from "@/lib/i18n";
import {
  DEFAULT_SORT,
  SORTS,
  conditionLabel,
  isOneOf,
  isSort,
  moneyInput,
  parseMoney,
  statusLabel,
  type Condition,
  type ListingStatus,
  type SortKey,
} from "./labels";
import type { ListingQuery } from "./queries";

export const PAGE_SIZE = 24;

/** The list's state lives in the address: Italian names, like the rest of the dashboard's URLs. */
export const PARAMS = {
  q: "q",
  status: "stato",
  condition: "condizione",
  brand: "marca",
  priceMin: "prezzo_min",
  priceMax: "prezzo_max",
  member: "membro",
  sort: "ordine",
  page: "pagina",
} as const;
export type FilterName = keyof typeof PARAMS;

export interface ListFilters {
  q: string;
  status: ListingStatus | "";
  condition: Condition | "";
  brand: string;
  priceMin: string;
  priceMax: string;
  member: string;
  sort: SortKey;
  page: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The filters in the address, each checked against what the server accepts (`meta`). */
export function readFilters(params: URLSearchParams, { vocabulary, limits }: Meta): ListFilters {
  const get = (name: FilterName) => params.get(PARAMS[name]);
  const money = (name: FilterName) => parseMoney(get(name) ?? "") ?? "";
  const page = Number(get("page"));
  const status = get("status");
  const condition = get("condition");
  const sort = get("sort");
  const member = get("member") ?? "";
  return {
    q: (get("q") ?? "").trim().slice(0, limits.listing.search),
    status: isOneOf(status, vocabulary.listing_statuses) ? status : "",
    condition: isOneOf(condition, vocabulary.conditions.map((known) => known.value)) ? condition : "",
    brand: (get("brand") ?? "").trim().slice(0, limits.listing.brand),
    priceMin: money("priceMin"),
    priceMax: money("priceMax"),
    member: UUID.test(member) ? member : "",
    sort: isSort(sort) ? sort : DEFAULT_SORT,
    page: Number.isInteger(page) && page > 1 ? page : 1,
  };
}

export function toQuery(filters: ListFilters): ListingQuery {
  const query: ListingQuery = { sort: filters.sort, limit: PAGE_SIZE, offset: (filters.page - 1) * PAGE_SIZE };
  if (filters.q) query.q = filters.q;
  if (filters.status) query.status = [filters.status];
  if (filters.condition) query.condition = [filters.condition];
  if (filters.brand) query.brand = filters.brand;
  if (filters.priceMin) query.price_min = filters.priceMin;
  if (filters.priceMax) query.price_max = filters.priceMax;
  if (filters.member) query.member = filters.member;
  return query;
}

/** Filters narrowing the list (search and sort excluded): the badge count on the phone's "Filtri" button. */
export function activeFilterCount(filters: ListFilters): number {
  return [filters.status, filters.condition, filters.brand, filters.priceMin, filters.priceMax, filters.member].filter(
    Boolean,
  ).length;
}

/**
 * A text input that commits to the address 400 ms after the last keystroke. `normalize` returns the value to
 * commit, or undefined when the text is not valid yet (the field then shows `invalid`).
 */
function DebouncedField({
  label,
  value,
  onCommit,
  normalize,
  display = (text) => text,
  invalid,
  className,
  ...props
}: Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange"> & {
  label: string;
  value: string;
  onCommit: (value: string) => void;
  normalize: (text: string) => string | undefined;
  display?: (value: string) => string;
  invalid?: string;
}) {
  const [text, setText] = useState(() => display(value));
  const committed = useRef(value);

  // The address changed elsewhere ("Azzera filtri", the back button): show it.
  useEffect(() => {
    if (value !== committed.current) {
      committed.current = value;
      setText(display(value));
    }
  }, [value]);

  useEffect(() => {
    const next = normalize(text);
    if (next === undefined || next === committed.current) return;
    const timer = setTimeout(() => {
      committed.current = next;
      onCommit(next);
    }, 400);
    return () => clearTimeout(timer);
  }, [text]);

  return (
    <Field
      label={label}
      value={text}
      onChange={(event) => setText(event.currentTarget.value)}
      error={normalize(text) === undefined ? invalid : undefined}
      className={className}
      {...props}
    />
  );
}

const normalizeText = (text: string) => text.trim();

export function ListingFilters({
  filters,
  meta,
  onChange,
  onReset,
}: {
  filters: ListFilters;
  meta: Meta;
  onChange: (changes: Partial<Record<FilterName, string>>) => void;
  onReset: () => void;
}) {
  const { t, language } = useI18n();
  const { user } = useAuth();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const isAdmin = user?.role === "admin";
  // Only the family admin may list the members; the others can still narrow to their own listings.
  const family = useFamily({ enabled: isAdmin });
  const members = isAdmin ? (family.data?.members ?? []) : [];
  const active = activeFilterCount(filters);
  const normalizeMoney = (text: string) => {
    const parsed = parseMoney(text);
    return parsed === undefined ? undefined : (parsed ?? "");
  };
  const showMoney = (value: string) => moneyInput(value, language);

  return (
    <div className="flex flex-col gap-3">
      <div className="flex items-end gap-2">
        <DebouncedField
          className="flex-1"
          label={t("listings.filters.search")}
          type="search"
          value={filters.q}
          onCommit={(q) => onChange({ q })}
          normalize={normalizeText}
          placeholder={t("listings.filters.searchPlaceholder")}
          maxLength={meta.limits.listing.search}
          enterKeyHint="search"
          autoComplete="off"
        />
        <Button
          type="button"
          variant="secondary"
          className="md:hidden"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen((value) => !value)}
        >
          <SlidersHorizontal aria-hidden="true" className="h-5 w-5" />
          {active ? t("listings.filters.active", { count: active }) : t("listings.filters")}
        </Button>
      </div>

      <div
        id={panelId}
        className={`${open ? "grid" : "hidden"} grid-cols-2 gap-3 rounded-xl border border-slate-200 bg-white p-3 md:grid md:grid-cols-3 md:border-0 md:bg-transparent md:p-0 lg:grid-cols-4`}
      >
        <Select
          label={t("listings.filters.status")}
          value={filters.status}
          onChange={(event) => onChange({ status: event.currentTarget.value })}
        >
          <option value="">{t("listings.filters.all")}</option>
          {meta.vocabulary.listing_statuses.map((status) => (
            <option key={status} value={status}>
              {t(statusLabel(status))}
            </option>
          ))}
        </Select>
        <Select
          label={t("listings.filters.condition")}
          value={filters.condition}
          onChange={(event) => onChange({ condition: event.currentTarget.value })}
        >
          <option value="">{t("listings.filters.all")}</option>
          {meta.vocabulary.conditions.map(({ value }) => (
            <option key={value} value={value}>
              {t(conditionLabel(value))}
            </option>
          ))}
        </Select>
        <DebouncedField
          label={t("listings.filters.brand")}
          value={filters.brand}
          onCommit={(brand) => onChange({ brand })}
          normalize={normalizeText}
          maxLength={meta.limits.listing.brand}
          autoComplete="off"
        />
        {/* A whole row on a phone: "Tutta la famiglia" and the members' names do not fit half of one. */}
        <Select
          className="col-span-2 lg:col-span-1"
          label={t("listings.filters.member")}
          value={filters.member}
          onChange={(event) => onChange({ member: event.currentTarget.value })}
        >
          <option value="">{t("listings.filters.allMembers")}</option>
          {members.length > 0 ? (
            members.map((member) => (
              <option key={member.id} value={member.id}>
                {member.id === user?.id ? `${member.username} (${t("listings.you")})` : member.username}
              </option>
            ))
          ) : user ? (
            <option value={user.id}>{t("listings.filters.mine")}</option>
          ) : null}
        </Select>
        <DebouncedField
          label={t("listings.filters.priceMin")}
          value={filters.priceMin}
          onCommit={(priceMin) => onChange({ priceMin })}
          normalize={normalizeMoney}
          display={showMoney}
          invalid={t("listings.invalidMoney")}
          inputMode="decimal"
          autoComplete="off"
        />
        <DebouncedField
          label={t("listings.filters.priceMax")}
          value={filters.priceMax}
          onCommit={(priceMax) => onChange({ priceMax })}
          normalize={normalizeMoney}
          display={showMoney}
          invalid={t("listings.invalidMoney")}
          inputMode="decimal"
          autoComplete="off"
        />
        <Select
          label={t("listings.filters.sort")}
          value={filters.sort}
          onChange={(event) => onChange({ sort: event.currentTarget.value })}
        >
          {SORTS.map((sort) => (
            <option key={sort.value} value={sort.value}>
              {t(sort.label)}
            </option>
          ))}
        </Select>
        <div className="flex items-end">
          <Button type="button" variant="ghost" onClick={onReset} className="w-full">
            {t("listings.filters.reset")}
          </Button>
        </div>
      </div>
    </div>
  );
}
