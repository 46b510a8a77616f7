"use client";

import { Camera, LayoutGrid, List, Plus } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useState, type ReactNode } from "react";
import { useFamily } from "@/components/family/queries";
import type { Meta } from "@/components/meta/queries";
import { WithMeta } from "@/components/meta/with-meta";
import { Alert, Button, Loading, buttonClasses } from "@/components/ui";
import { useAuth } from "@/lib/auth";
import { errorMessage } from "@/lib/errors";
import { formatDate, formatEuro } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import { AnalysisBadge, StatusBadge } from "./badges";
import { ListingThumb } from "./thumb";
import { BulkBar } from "./bulk-bar";
import { PublishBatchPanel, type BulkPublishResult } from "./publish-batch";
import {
  ListingFilters,
  PAGE_SIZE,
  PARAMS,
  activeFilterCount,
  readFilters,
  toQuery,
  type FilterName,
} from "./filters";
import { conditionLabel, splitCopy, type Listing } from "./labels";
import { useListingPage } from "./queries";

type View = "grid" | "table";
const VIEW_KEY = "vo.listings.view";

function useStoredView(): [View, (view: View) => void] {
  const [view, setViewState] = useState<View>("grid");
  useEffect(() => {
    try {
      const stored = window.localStorage.getItem(VIEW_KEY);
      if (stored === "grid" || stored === "table") setViewState(stored);
    } catch {
      // No storage (private mode): the grid it is.
    }
  }, []);
  const setView = useCallback((next: View) => {
    setViewState(next);
    try {
      window.localStorage.setItem(VIEW_KEY, next);
    } catch {
      // Remembered for this visit only.
    }
  }, []);
  return [view, setView];
}

function SelectBox({ checked, onChange, label }: { checked: boolean; onChange: () => void; label: string }) {
  return (
    <label className="flex size-11 cursor-pointer items-center justify-center rounded-lg">
      <input
        type="checkbox"
        checked={checked}
        onChange={onChange}
        aria-label={label}
        className="size-5 cursor-pointer accent-teal-700"
      />
    </label>
  );
}

/**
 * "copia" beside a duplicate's title: its own element, so a long title never hides it. Hidden from screen
 * readers, which hear "(copia)" in the title itself (ClampedTitle).
 */
function CopyBadge({ listing }: { listing: Listing }) {
  const { t } = useI18n();
  if (!splitCopy(listing.title).copy) return null;
  return (
    <span aria-hidden="true" className="inline-flex shrink-0 items-center rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-800 ring-1 ring-inset ring-slate-300">
      {t("listings.copy")}
    </span>
  );
}

/** A listing's title, clamped to `lines`; a copy's "(copia)" moves out of the clamp into a badge. */
function ClampedTitle({ listing, className }: { listing: Listing; className: string }) {
  const { t } = useI18n();
  const { base, copy } = splitCopy(listing.title);
  return (
    <>
      <span className={`break-words ${className} ${listing.title ? "text-slate-900" : "italic text-slate-500"}`}>
        {base || t("listings.untitled")}
      </span>
      {/* The badge says it visibly; the link's name keeps the whole title for a screen reader. */}
      {copy ? <span className="sr-only"> ({t("listings.copy")})</span> : null}
    </>
  );
}

function Grid({
  items,
  selected,
  toggle,
}: {
  items: Listing[];
  selected: Set<string>;
  toggle: (id: string) => void;
}) {
  const { t, language } = useI18n();
  return (
    <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-4">
      {items.map((listing) => {
        const title = listing.title || t("listings.untitled");
        const isSelected = selected.has(listing.id);
        return (
          <li key={listing.id} className="relative min-w-0">
            <Link
              href={`/annunci?id=${listing.id}`}
              className={`block h-full overflow-hidden rounded-xl border bg-white shadow-sm hover:shadow-md focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600 focus-visible:ring-offset-2 ${
                isSelected ? "border-teal-600 ring-2 ring-teal-600" : "border-slate-200"
              }`}
            >
              <div className="relative">
                <ListingThumb listing={listing} className="aspect-square w-full" />
                <AnalysisBadge status={listing.analysis_status} className="absolute bottom-2 left-2 max-w-[calc(100%-1rem)]" />
              </div>
              <div className="flex flex-col gap-1 p-3">
                <p className="text-sm font-medium">
                  <ClampedTitle listing={listing} className="line-clamp-2" />
                </p>
                <div className="flex flex-wrap items-center justify-between gap-1">
                  <span className="text-base font-semibold text-slate-900">
                    {listing.price != null ? formatEuro(listing.price, language) : (
                      <span className="text-sm font-normal text-slate-500">{t("listings.noPrice")}</span>
                    )}
                  </span>
                  <span className="flex flex-wrap items-center gap-1">
                    <CopyBadge listing={listing} />
                    <StatusBadge status={listing.status} />
                  </span>
                </div>
              </div>
            </Link>
            <div className="absolute left-1 top-1 rounded-lg bg-white/90 shadow-sm">
              <SelectBox checked={isSelected} onChange={() => toggle(listing.id)} label={t("listings.select", { title })} />
            </div>
          </li>
        );
      })}
    </ul>
  );
}

function Table({
  items,
  selected,
  toggle,
  members,
}: {
  items: Listing[];
  selected: Set<string>;
  toggle: (id: string) => void;
  members: Map<string, string>;
}) {
  const { t, language } = useI18n();
  const { user } = useAuth();
  const memberName = (id: string) => (id === user?.id ? t("listings.you") : (members.get(id) ?? "—"));
  return (
    <div className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
      <table className="w-full table-fixed text-left text-sm">
        <caption className="sr-only">{t("listings.title")}</caption>
        <thead className="border-b border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" className="w-12 p-0">
              <span className="sr-only">{t("listings.selectPage")}</span>
            </th>
            <th scope="col" className="w-16 py-2 pr-2">
              <span className="sr-only">{t("detail.photos")}</span>
            </th>
            <th scope="col" className="py-2 pr-2">{t("listings.col.title")}</th>
            <th scope="col" className="hidden w-32 py-2 pr-2 sm:table-cell">{t("listings.col.status")}</th>
            <th scope="col" className="hidden w-44 py-2 pr-2 lg:table-cell">{t("listings.col.condition")}</th>
            <th scope="col" className="hidden w-28 py-2 pr-2 md:table-cell">{t("listings.col.member")}</th>
            <th scope="col" className="hidden w-28 py-2 pr-2 md:table-cell">{t("listings.col.created")}</th>
            <th scope="col" className="w-24 py-2 pr-3 text-right">{t("listings.col.price")}</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {items.map((listing) => {
            const title = listing.title || t("listings.untitled");
            const isSelected = selected.has(listing.id);
            return (
              <tr key={listing.id} className={isSelected ? "bg-teal-50" : "hover:bg-slate-50"}>
                <td className="p-0 align-middle">
                  <SelectBox checked={isSelected} onChange={() => toggle(listing.id)} label={t("listings.select", { title })} />
                </td>
                <td className="py-2 pr-2">
                  <ListingThumb listing={listing} className="size-12 rounded-md" />
                </td>
                <td className="min-w-0 py-1 pr-2">
                  {/* The padding that makes a 44 px target is the link's; the clamp is the text's own box,
                      so a clamped line never spills into the padding over the brand line below. */}
                  <Link
                    href={`/annunci?id=${listing.id}`}
                    className="block pt-2 pb-1 font-medium underline-offset-2 hover:underline focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600"
                  >
                    <ClampedTitle listing={listing} className="line-clamp-2 sm:line-clamp-1" />
                  </Link>
                  <div className="flex flex-wrap items-center gap-1 pb-2">
                    <CopyBadge listing={listing} />
                    <span className="sm:hidden">
                      <StatusBadge status={listing.status} />
                    </span>
                    <AnalysisBadge status={listing.analysis_status} />
                    {[listing.brand, listing.size].filter(Boolean).length ? (
                      <span className="truncate text-xs text-slate-600">
                        {[listing.brand, listing.size].filter(Boolean).join(" · ")}
                      </span>
                    ) : null}
                  </div>
                </td>
                <td className="hidden py-2 pr-2 sm:table-cell">
                  <StatusBadge status={listing.status} />
                </td>
                <td className="hidden py-2 pr-2 text-slate-700 lg:table-cell">
                  {listing.condition ? t(conditionLabel(listing.condition)) : "—"}
                </td>
                <td className="hidden truncate py-2 pr-2 text-slate-700 md:table-cell">{memberName(listing.user_id)}</td>
                <td className="hidden py-2 pr-2 text-slate-700 md:table-cell">{formatDate(listing.created_at, language)}</td>
                <td className="py-2 pr-3 text-right font-semibold text-slate-900">
                  {listing.price != null ? formatEuro(listing.price, language) : "—"}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Pagination({ page, pages, onPage }: { page: number; pages: number; onPage: (page: number) => void }) {
  const { t } = useI18n();
  if (pages <= 1) return null;
  return (
    <nav aria-label={t("listings.page.label")} className="mt-6 flex items-center justify-between gap-2">
      <Button type="button" variant="secondary" className="disabled:opacity-50" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        {t("listings.page.prev")}
      </Button>
      <p className="text-sm text-slate-700" aria-current="page">
        {t("listings.page.of", { page, pages })}
      </p>
      <Button type="button" variant="secondary" className="disabled:opacity-50" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        {t("listings.page.next")}
      </Button>
    </nav>
  );
}

function FirstListing() {
  const { t } = useI18n();
  return (
    <div className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-12 text-center">
      <Camera aria-hidden="true" className="mx-auto h-10 w-10 text-teal-700" />
      <p className="mt-3 text-base font-semibold text-slate-900">{t("listings.empty.title")}</p>
      <p className="mx-auto mt-2 max-w-md text-sm text-slate-600">{t("listings.empty.body")}</p>
      <Link href="/annunci?nuovo=1" className={`${buttonClasses()} mt-6 w-full sm:w-auto`}>
        <Camera aria-hidden="true" className="h-5 w-5" />
        {t("listings.empty.cta")}
      </Link>
    </div>
  );
}

/** The family's listings, filtered through the address; the filters need the server's vocabulary first. */
export function ListingList({ notice }: { notice?: ReactNode }) {
  return <WithMeta>{(meta) => <LoadedList meta={meta} notice={notice} />}</WithMeta>;
}

function LoadedList({ meta, notice }: { meta: Meta; notice?: ReactNode }) {
  const { t } = useI18n();
  const { user } = useAuth();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters = useMemo(() => readFilters(new URLSearchParams(params.toString()), meta), [params, meta]);
  const query = useMemo(() => toQuery(filters), [filters]);
  const [view, setView] = useStoredView();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [done, setDone] = useState<string | null>(null);
  const [batch, setBatch] = useState<BulkPublishResult | null>(null);

  const listings = useListingPage(query);
  const family = useFamily({ enabled: user?.role === "admin" });
  const members = useMemo(
    () => new Map((family.data?.members ?? []).map((member) => [member.id, member.username])),
    [family.data],
  );

  // A new search is a new selection.
  const filterKey = JSON.stringify({ ...query, offset: 0 });
  useEffect(() => setSelected(new Set()), [filterKey]);

  const update = (changes: Partial<Record<FilterName, string>>, keepPage = false) => {
    // The address as it is now, not as this render saw it: two fields may commit one after the other.
    const next = new URLSearchParams(window.location.search);
    for (const [name, value] of Object.entries(changes) as [FilterName, string][]) {
      if (value) next.set(PARAMS[name], value);
      else next.delete(PARAMS[name]);
    }
    if (!keepPage) next.delete(PARAMS.page);
    setDone(null);
    const search = next.toString();
    router.replace(search ? `${pathname}?${search}` : pathname, { scroll: false });
  };
  const goToPage = (page: number) => {
    update({ page: page > 1 ? String(page) : "" }, true);
    window.scrollTo({ top: 0 });
  };

  const data = listings.data;
  const items = data?.items ?? [];
  const total = data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const filtered = activeFilterCount(filters) > 0 || filters.q !== "";
  const allOnPage = items.length > 0 && items.every((item) => selected.has(item.id));
  const someOnPage = items.some((item) => selected.has(item.id));

  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const togglePage = () =>
    setSelected((current) => {
      const next = new Set(current);
      for (const item of items) {
        if (allOnPage) next.delete(item.id);
        else next.add(item.id);
      }
      return next;
    });

  return (
    <>
      <div className="mb-4 flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
        <div>
          <h1 className="text-2xl font-bold text-slate-900">{t("listings.title")}</h1>
          {data ? (
            <p className="text-sm text-slate-600">
              {total === 1 ? t("listings.count.one") : t("listings.count.many", { count: total })}
            </p>
          ) : null}
        </div>
        <Link href="/annunci?nuovo=1" className={`${buttonClasses()} min-h-12 w-full text-lg sm:w-auto sm:text-base`}>
          <Plus aria-hidden="true" className="h-5 w-5" />
          {t("listings.new")}
        </Link>
      </div>

      <div className="flex flex-col gap-4">
        {notice}
        {done ? <Alert kind="success">{done}</Alert> : null}
        {batch ? <PublishBatchPanel result={batch} /> : null}

        {/* No filters to show over an empty shop: the call to action is the only thing to do. */}
        {data && total === 0 && !filtered && filters.page === 1 ? null : (
          <ListingFilters
            filters={filters}
            meta={meta}
            onChange={(changes) => update(changes)}
            onReset={() => router.replace(pathname, { scroll: false })}
          />
        )}

        {items.length > 0 ? (
          <div className="flex items-center justify-between gap-2">
            <label className="flex min-h-11 cursor-pointer items-center gap-3 text-sm text-slate-700">
              <input
                type="checkbox"
                checked={allOnPage}
                ref={(element) => {
                  if (element) element.indeterminate = someOnPage && !allOnPage;
                }}
                onChange={togglePage}
                aria-label={t("listings.selectPage")}
                className="ml-3 size-5 cursor-pointer accent-teal-700"
              />
              <span aria-hidden="true">{t("listings.selectAll")}</span>
            </label>
            <div role="group" aria-label={t("listings.view.label")} className="flex shrink-0 rounded-lg border border-slate-300 bg-white p-0.5">
              {(
                [
                  ["grid", LayoutGrid, t("listings.view.grid")],
                  ["table", List, t("listings.view.table")],
                ] as const
              ).map(([value, Icon, label]) => (
                <button
                  key={value}
                  type="button"
                  aria-pressed={view === value}
                  onClick={() => setView(value)}
                  title={label}
                  className={`flex min-h-11 min-w-11 items-center justify-center gap-2 rounded-md px-2 text-sm font-medium focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600 sm:px-3 ${
                    view === value ? "bg-teal-700 text-white" : "text-slate-700 hover:bg-slate-100"
                  }`}
                >
                  <Icon aria-hidden="true" className="h-5 w-5" />
                  <span className="sr-only sm:not-sr-only">{label}</span>
                </button>
              ))}
            </div>
          </div>
        ) : null}

        {listings.isPending ? (
          <Loading label={t("common.loading")} className="py-8" />
        ) : listings.isError && !data ? (
          <Alert>{errorMessage(listings.error, t)}</Alert>
        ) : items.length === 0 ? (
          filtered || filters.page > 1 ? (
            <div className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-10 text-center">
              <p className="text-base font-semibold text-slate-900">{t("listings.noResults.title")}</p>
              <p className="mx-auto mt-2 max-w-md text-sm text-slate-600">{t("listings.noResults.body")}</p>
              <Button type="button" variant="secondary" className="mt-4" onClick={() => router.replace(pathname)}>
                {t("listings.filters.reset")}
              </Button>
            </div>
          ) : (
            <FirstListing />
          )
        ) : (
          <div className={listings.isPlaceholderData ? "opacity-60 transition-opacity" : undefined} aria-busy={listings.isFetching}>
            {listings.isError ? <Alert>{errorMessage(listings.error, t)}</Alert> : null}
            {view === "grid" ? (
              <Grid items={items} selected={selected} toggle={toggle} />
            ) : (
              <Table items={items} selected={selected} toggle={toggle} members={members} />
            )}
            <Pagination page={filters.page} pages={pages} onPage={goToPage} />
          </div>
        )}
      </div>

      {selected.size > 0 ? (
        <BulkBar
          ids={[...selected]}
          statuses={meta.vocabulary.listing_statuses}
          onClear={() => setSelected(new Set())}
          onDone={setDone}
          onPublished={setBatch}
        />
      ) : null}
    </>
  );
}
