"use client";

import { ArrowDown, ArrowUp, Download, ShoppingBag } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMemo, useState } from "react";
import { Alert, Button, Loading, buttonClasses } from "@/components/ui";
import { useAuth } from "@/lib/auth";
import { errorMessage } from "@/lib/errors";
import { formatDate, formatEuro } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import { SaleStatusBadge } from "./badges";
import { download } from "@/lib/download";
import { PAGE_SIZE, PARAMS, SaleFilterBar, activeFilterCount, readFilters, toQuery, toScope, type FilterName } from "./filters";
import { currentYear, type Sale, type SaleScope, type SaleSort, type SaleStats } from "./labels";
import { useDac7, useSalePage, useSaleStats } from "./queries";
import { SaleFigures } from "./sale-stats";

type Totals = SaleStats["totals"];

function saleHref(sale: Sale) {
  return `/vendite?id=${sale.id}`;
}

function Title({ sale }: { sale: Sale }) {
  const { t } = useI18n();
  return (
    <Link
      href={saleHref(sale)}
      className="block break-words py-2 font-medium text-slate-900 underline-offset-2 hover:underline focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600"
    >
      {sale.title || t("sales.untitled")}
    </Link>
  );
}

type SortColumn = "sold_at" | "sale_price" | "net_profit";

/** A column header that sorts the list: descending first, then ascending; aria-sort says which. */
function SortHeader({
  column,
  label,
  sort,
  onSort,
  className,
}: {
  column: SortColumn;
  label: string;
  sort: SaleSort;
  onSort: (sort: SaleSort) => void;
  className: string;
}) {
  const { t } = useI18n();
  const active = sort === column || sort === `-${column}`;
  const descending = sort === `-${column}`;
  const Arrow = descending ? ArrowDown : ArrowUp;
  return (
    <th scope="col" className={className} aria-sort={active ? (descending ? "descending" : "ascending") : undefined}>
      <button
        type="button"
        title={t("sales.col.sortBy", { column: label })}
        onClick={() => onSort(descending ? column : `-${column}`)}
        className="inline-flex min-h-11 items-center gap-1 uppercase tracking-wide hover:text-slate-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600"
      >
        {label}
        {active ? <Arrow aria-hidden="true" className="h-3 w-3" /> : null}
      </button>
    </th>
  );
}

function SaleTable({
  items,
  totals,
  sort,
  onSort,
}: {
  items: Sale[];
  totals: Totals | undefined;
  sort: SaleSort;
  onSort: (sort: SaleSort) => void;
}) {
  const { t, language } = useI18n();
  const money = (value: string | null | undefined) => formatEuro(value, language);
  const sortable = { sort, onSort };
  return (
    <div className="hidden overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm md:block">
      <table className="w-full table-fixed text-left text-sm">
        <caption className="sr-only">{t("sales.title")}</caption>
        <thead className="border-b border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600">
          <tr>
            <SortHeader column="sold_at" label={t("sales.col.date")} className="w-24 py-0 pl-3 pr-2" {...sortable} />
            <th scope="col" className="py-2 pr-2">{t("sales.col.item")}</th>
            <th scope="col" className="hidden w-28 py-2 pr-2 lg:table-cell">{t("sales.col.member")}</th>
            <th scope="col" className="w-32 py-2 pr-2">{t("sales.col.status")}</th>
            <SortHeader column="sale_price" label={t("sales.col.price")} className="w-24 py-0 pr-2 text-right" {...sortable} />
            <th scope="col" className="hidden w-24 py-2 pr-2 text-right lg:table-cell">{t("sales.col.fees")}</th>
            <SortHeader column="net_profit" label={t("sales.col.profit")} className="w-24 py-0 pr-3 text-right" {...sortable} />
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {items.map((sale) => (
            <tr key={sale.id} className="hover:bg-slate-50">
              <td className="py-2 pl-3 pr-2 text-slate-700">{formatDate(sale.sold_at, language)}</td>
              <td className="min-w-0 pr-2">
                <Title sale={sale} />
                {sale.buyer_username || sale.brand ? (
                  <p className="truncate pb-2 text-xs text-slate-600">
                    {[sale.brand, sale.buyer_username ? t("sales.buyerIs", { buyer: sale.buyer_username }) : null]
                      .filter(Boolean)
                      .join(" · ")}
                  </p>
                ) : null}
              </td>
              <td className="hidden truncate py-2 pr-2 text-slate-700 lg:table-cell">{sale.seller_username}</td>
              <td className="py-2 pr-2">
                <SaleStatusBadge status={sale.status} />
              </td>
              <td className="py-2 pr-2 text-right text-slate-900">{money(sale.sale_price)}</td>
              <td className="hidden py-2 pr-2 text-right text-slate-700 lg:table-cell">{money(sale.vinted_fees)}</td>
              <td className="py-2 pr-3 text-right font-semibold text-slate-900">{money(sale.net_profit)}</td>
            </tr>
          ))}
        </tbody>
        {totals ? (
          <tfoot className="border-t-2 border-slate-300 bg-slate-50 font-semibold text-slate-900">
            <tr>
              <th scope="row" className="py-3 pl-3 pr-2" colSpan={2}>
                {t("sales.totals.row", { count: totals.sales })}
              </th>
              <td className="hidden lg:table-cell" />
              <td />
              <td className="py-3 pr-2 text-right">{money(totals.revenue)}</td>
              <td className="hidden py-3 pr-2 text-right lg:table-cell">{money(totals.vinted_fees)}</td>
              <td className="py-3 pr-3 text-right">{money(totals.net_profit)}</td>
            </tr>
          </tfoot>
        ) : null}
      </table>
    </div>
  );
}

function SaleCards({ items }: { items: Sale[] }) {
  const { t, language } = useI18n();
  return (
    <ul className="flex flex-col gap-3 md:hidden" aria-label={t("sales.title")}>
      {items.map((sale) => (
        <li key={sale.id} className="rounded-xl border border-slate-200 bg-white px-4 py-2 shadow-sm">
          <Title sale={sale} />
          <div className="flex flex-wrap items-center gap-2 text-sm text-slate-700">
            <SaleStatusBadge status={sale.status} />
            <span>{formatDate(sale.sold_at, language)}</span>
            <span>{sale.seller_username}</span>
          </div>
          <dl className="mt-2 grid grid-cols-2 gap-x-3 pb-2 text-sm">
            <dt className="text-slate-600">{t("sales.col.price")}</dt>
            <dd className="text-right text-slate-900">{formatEuro(sale.sale_price, language)}</dd>
            <dt className="text-slate-600">{t("sales.col.profit")}</dt>
            <dd className="text-right font-semibold text-slate-900">{formatEuro(sale.net_profit, language)}</dd>
          </dl>
        </li>
      ))}
    </ul>
  );
}

/** The totals of the filtered sales (GET /sales/stats, the list's filters): the phone's totals row. */
function TotalsBand({ stats, className = "" }: { stats: SaleStats; className?: string }) {
  const { t, language } = useI18n();
  const { totals } = stats;
  const cells: [string, string][] = [
    [t("sales.totals.revenue"), formatEuro(totals.revenue, language)],
    [t("sales.totals.fees"), formatEuro(totals.vinted_fees, language)],
    [t("sales.totals.profit"), formatEuro(totals.net_profit, language)],
    [t("sales.totals.count"), String(totals.sales)],
  ];
  return (
    <section aria-labelledby="sales-totals" className={`rounded-xl border border-slate-200 bg-white p-4 shadow-sm ${className}`}>
      <h2 id="sales-totals" className="text-base font-semibold text-slate-900">
        {t("sales.totals.title")}
      </h2>
      <dl className="mt-2 grid grid-cols-2 gap-3 sm:grid-cols-4">
        {cells.map(([label, value]) => (
          <div key={label}>
            <dt className="text-sm text-slate-600">{label}</dt>
            <dd className="text-lg font-semibold text-slate-900">{value}</dd>
          </div>
        ))}
      </dl>
      <p className="mt-3 text-sm text-slate-600">{stats.note}</p>
    </section>
  );
}

function Pagination({ page, pages, onPage }: { page: number; pages: number; onPage: (page: number) => void }) {
  const { t } = useI18n();
  if (pages <= 1) return null;
  return (
    <nav aria-label={t("sales.page.label")} className="mt-4 flex items-center justify-between gap-2">
      <Button type="button" variant="secondary" className="disabled:opacity-50" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        {t("sales.page.prev")}
      </Button>
      <p className="text-sm text-slate-700" aria-current="page">
        {t("sales.page.of", { page, pages })}
      </p>
      <Button type="button" variant="secondary" className="disabled:opacity-50" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        {t("sales.page.next")}
      </Button>
    </nav>
  );
}

function ExportButtons({ scope, sort }: { scope: SaleScope; sort: string }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState<"csv" | "xlsx" | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const run = async (format: "csv" | "xlsx") => {
    setBusy(format);
    setProblem(null);
    try {
      await download("/sales/export", { ...scope, sort, format }, `vendite.${format}`);
    } catch (error) {
      setProblem(errorMessage(error, t));
    } finally {
      setBusy(null);
    }
  };
  return (
    <div className="flex flex-col gap-2">
      <div role="group" aria-label={t("sales.export.label")} className="flex flex-wrap gap-2">
        <Button type="button" variant="secondary" busy={busy === "csv"} disabled={busy !== null} onClick={() => void run("csv")}>
          <Download aria-hidden="true" className="h-5 w-5" />
          {t("sales.export.csv")}
        </Button>
        <Button type="button" variant="secondary" busy={busy === "xlsx"} disabled={busy !== null} onClick={() => void run("xlsx")}>
          <Download aria-hidden="true" className="h-5 w-5" />
          {t("sales.export.xlsx")}
        </Button>
      </div>
      {problem ? <Alert>{problem}</Alert> : null}
    </div>
  );
}

function NoSales() {
  const { t } = useI18n();
  return (
    <div className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-12 text-center">
      <ShoppingBag aria-hidden="true" className="mx-auto h-10 w-10 text-teal-700" />
      <p className="mt-3 text-base font-semibold text-slate-900">{t("sales.empty.title")}</p>
      <p className="mx-auto mt-2 max-w-md text-sm text-slate-600">{t("sales.empty.body")}</p>
      <Link href="/annunci" className={`${buttonClasses()} mt-6 w-full sm:w-auto`}>
        {t("sales.empty.cta")}
      </Link>
    </div>
  );
}

/** The family's sales, filtered through the address, with the totals and the figures of the same filters. */
export function SaleList() {
  const { t } = useI18n();
  const { user } = useAuth();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters = useMemo(() => readFilters(new URLSearchParams(params.toString())), [params]);
  const query = useMemo(() => toQuery(filters), [filters]);
  const scope = useMemo(() => toScope(filters), [filters]);
  const backwards = Boolean(filters.from && filters.to && filters.from > filters.to);

  const sales = useSalePage(query);
  const stats = useSaleStats(scope);
  // Everyone in the family, with or without sales (DAC7 names each member).
  const dac7 = useDac7(currentYear());
  const members = dac7.data?.members.map((member) => ({ id: member.member_id, username: member.username })) ??
    (user ? [{ id: user.id, username: user.username }] : []);

  const update = (changes: Partial<Record<FilterName, string>>, keepPage = false) => {
    const next = new URLSearchParams(window.location.search);
    for (const [name, value] of Object.entries(changes) as [FilterName, string][]) {
      if (value) next.set(PARAMS[name], value);
      else next.delete(PARAMS[name]);
    }
    if (!keepPage) next.delete(PARAMS.page);
    const search = next.toString();
    router.replace(search ? `${pathname}?${search}` : pathname, { scroll: false });
  };

  const data = sales.data;
  const items = data?.items ?? [];
  const total = data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const filtered = activeFilterCount(filters) > 0;
  const nothingYet = data !== undefined && total === 0 && !filtered && filters.page === 1;
  const failure = backwards ? null : (sales.error ?? stats.error);

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <div>
          <h1 className="text-2xl font-bold text-slate-900">{t("sales.title")}</h1>
          {data ? (
            <p className="text-sm text-slate-600">
              {total === 1 ? t("sales.count.one") : t("sales.count.many", { count: total })}
            </p>
          ) : null}
        </div>
        {nothingYet ? null : <ExportButtons scope={scope} sort={filters.sort} />}
      </div>

      {nothingYet ? null : (
        <SaleFilterBar
          filters={filters}
          members={members}
          categories={(stats.data?.categories ?? []).flatMap((group) => (group.key ? [group.key] : []))}
          brands={(stats.data?.brands ?? []).flatMap((group) => (group.key ? [group.key] : []))}
          onChange={(changes) => update(changes)}
          onReset={() => router.replace(pathname, { scroll: false })}
        />
      )}

      {failure && (data || stats.data) ? <Alert>{errorMessage(failure, t)}</Alert> : null}
      {stats.data && !nothingYet ? <TotalsBand stats={stats.data} className="md:hidden" /> : null}

      {sales.isPending && !backwards ? (
        <Loading label={t("common.loading")} className="py-8" />
      ) : !data ? (
        failure ? <Alert>{errorMessage(failure, t)}</Alert> : null
      ) : items.length === 0 ? (
        filtered || filters.page > 1 ? (
          <div className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-10 text-center">
            <p className="text-base font-semibold text-slate-900">{t("sales.noResults.title")}</p>
            <p className="mx-auto mt-2 max-w-md text-sm text-slate-600">{t("sales.noResults.body")}</p>
            <Button type="button" variant="secondary" className="mt-4" onClick={() => router.replace(pathname)}>
              {t("sales.filters.reset")}
            </Button>
          </div>
        ) : (
          <NoSales />
        )
      ) : (
        <div className={sales.isPlaceholderData ? "opacity-60 transition-opacity" : undefined} aria-busy={sales.isFetching}>
          <SaleTable items={items} totals={stats.data?.totals} sort={filters.sort} onSort={(sort) => update({ sort })} />
          <SaleCards items={items} />
          <Pagination
            page={filters.page}
            pages={pages}
            onPage={(page) => {
              update({ page: page > 1 ? String(page) : "" }, true);
              window.scrollTo({ top: 0 });
            }}
          />
        </div>
      )}

      {stats.data && !nothingYet ? (
        <>
          <p className="hidden text-sm text-slate-600 md:block">{stats.data.note}</p>
          <SaleFigures stats={stats.data} onFilter={(changes) => update(changes)} />
        </>
      ) : null}
    </div>
  );
}
