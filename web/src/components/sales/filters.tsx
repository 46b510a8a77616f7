"use client";

import { SlidersHorizontal } from "lucide-react";
import { useEffect, useId, useRef, useState, type InputHTMLAttributes } from "react";
import { Button, Field, Select } from "@/components/ui";
import { useAuth } from "@/lib/auth";
import { useI18n } from "@/lib/i18n";
import {
  DAY,
  DEFAULT_SORT,
  SALE_STATUSES,
  SORTS,
  isSort,
  isStatus,
  saleStatusLabel,
  type SaleQuery,
  type SaleScope,
  type SaleSort,
  type SaleStatus,
} from "./labels";

export const PAGE_SIZE = 25;
const TEXT_MAX = 120;

/** The list's state lives in the address, in Italian like the rest of the dashboard's URLs. */
export const PARAMS = {
  from: "dal",
  to: "al",
  member: "membro",
  status: "stato",
  category: "categoria",
  brand: "marca",
  sort: "ordine",
  page: "pagina",
} as const;
export type FilterName = keyof typeof PARAMS;

export interface SaleFilters {
  from: string;
  to: string;
  member: string;
  status: SaleStatus | "";
  category: string;
  brand: string;
  sort: SaleSort;
  page: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function readFilters(params: URLSearchParams): SaleFilters {
  const get = (name: FilterName) => params.get(PARAMS[name]) ?? "";
  const day = (name: FilterName) => (DAY.test(get(name)) ? get(name) : "");
  const page = Number(get("page"));
  const status = get("status");
  const sort = get("sort");
  return {
    from: day("from"),
    to: day("to"),
    member: UUID.test(get("member")) ? get("member") : "",
    status: isStatus(status) ? status : "",
    category: get("category").trim().slice(0, 200),
    brand: get("brand").trim().slice(0, TEXT_MAX),
    sort: isSort(sort) ? sort : DEFAULT_SORT,
    page: Number.isInteger(page) && page > 1 ? page : 1,
  };
}

/** What the figures, the totals row and the export cover: the list's filters without order and page. */
export function toScope(filters: SaleFilters): SaleScope {
  const scope: SaleScope = {};
  if (filters.from) scope.date_from = filters.from;
  if (filters.to) scope.date_to = filters.to;
  if (filters.member) scope.member = filters.member;
  if (filters.status) scope.status = [filters.status];
  if (filters.category) scope.category = filters.category;
  if (filters.brand) scope.brand = filters.brand;
  return scope;
}

export function toQuery(filters: SaleFilters): SaleQuery {
  return { ...toScope(filters), sort: filters.sort, limit: PAGE_SIZE, offset: (filters.page - 1) * PAGE_SIZE };
}

export function activeFilterCount(filters: SaleFilters): number {
  return [filters.from, filters.to, filters.member, filters.status, filters.category, filters.brand].filter(Boolean)
    .length;
}

/** A text input that commits to the address 400 ms after the last keystroke. */
function DebouncedField({
  label,
  value,
  onCommit,
  className,
  ...props
}: Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange"> & {
  label: string;
  value: string;
  onCommit: (value: string) => void;
}) {
  const [text, setText] = useState(value);
  const committed = useRef(value);
  useEffect(() => {
    if (value !== committed.current) {
      committed.current = value;
      setText(value);
    }
  }, [value]);
  useEffect(() => {
    const next = text.trim();
    if (next === committed.current) return;
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
      className={className}
      maxLength={TEXT_MAX}
      autoComplete="off"
      {...props}
    />
  );
}

export interface MemberOption {
  id: string;
  username: string;
}

export function SaleFilterBar({
  filters,
  members,
  categories,
  brands,
  onChange,
  onReset,
}: {
  filters: SaleFilters;
  members: MemberOption[];
  categories: string[];
  brands: string[];
  onChange: (changes: Partial<Record<FilterName, string>>) => void;
  onReset: () => void;
}) {
  const { t } = useI18n();
  const { user } = useAuth();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const categoryList = useId();
  const brandList = useId();
  const active = activeFilterCount(filters);
  const backwards = filters.from && filters.to && filters.from > filters.to;

  return (
    <div className="flex flex-col gap-3">
      <div className="flex items-end gap-2 md:hidden">
        <Button
          type="button"
          variant="secondary"
          className="w-full"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen((value) => !value)}
        >
          <SlidersHorizontal aria-hidden="true" className="h-5 w-5" />
          {active ? t("sales.filters.active", { count: active }) : t("sales.filters")}
        </Button>
      </div>
      <div
        id={panelId}
        role="group"
        aria-label={t("sales.filters")}
        className={`${open ? "grid" : "hidden"} grid-cols-2 gap-3 rounded-xl border border-slate-200 bg-white p-3 md:grid md:grid-cols-4 md:border-0 md:bg-transparent md:p-0`}
      >
        <Field
          type="date"
          label={t("sales.filters.from")}
          value={filters.from}
          max={filters.to || undefined}
          onChange={(event) => onChange({ from: event.currentTarget.value })}
        />
        <Field
          type="date"
          label={t("sales.filters.to")}
          value={filters.to}
          min={filters.from || undefined}
          error={backwards ? t("sales.filters.backwards") : undefined}
          onChange={(event) => onChange({ to: event.currentTarget.value })}
        />
        {/* A whole row on a phone: "Tutta la famiglia" and the members' names do not fit half of one. */}
        <Select
          className="col-span-2 md:col-span-1"
          label={t("sales.filters.member")}
          value={filters.member}
          onChange={(event) => onChange({ member: event.currentTarget.value })}
        >
          <option value="">{t("sales.filters.allMembers")}</option>
          {members.map((member) => (
            <option key={member.id} value={member.id}>
              {member.id === user?.id ? `${member.username} (${t("sales.you")})` : member.username}
            </option>
          ))}
        </Select>
        <Select
          label={t("sales.filters.status")}
          value={filters.status}
          onChange={(event) => onChange({ status: event.currentTarget.value })}
        >
          <option value="">{t("sales.filters.allStatuses")}</option>
          {SALE_STATUSES.map((status) => (
            <option key={status} value={status}>
              {t(saleStatusLabel(status))}
            </option>
          ))}
        </Select>
        <DebouncedField
          label={t("sales.filters.brand")}
          value={filters.brand}
          onCommit={(brand) => onChange({ brand })}
          list={brandList}
        />
        <datalist id={brandList}>
          {brands.map((brand) => (
            <option key={brand} value={brand} />
          ))}
        </datalist>
        <DebouncedField
          className="col-span-2 md:col-span-1"
          label={t("sales.filters.category")}
          value={filters.category}
          onCommit={(category) => onChange({ category })}
          list={categoryList}
        />
        <datalist id={categoryList}>
          {categories.map((category) => (
            <option key={category} value={category} />
          ))}
        </datalist>
        <Select
          label={t("sales.filters.sort")}
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
            {t("sales.filters.reset")}
          </Button>
        </div>
      </div>
    </div>
  );
}
