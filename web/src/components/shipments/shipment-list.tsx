"use client";
// The family's parcels (/spedizioni), kept fresh by the live events: a filter in the address
// (?filtro=in-viaggio|in-difficolta|consegnati, none = all), a table on a desktop and cards on a phone,
// and the labels chosen printed together in one PDF.
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { Alert, Button, EmptyState, Loading } from "@/components/ui";
import { errorMessage } from "@/lib/errors";
import { formatDate } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { LabelPrinting } from "./label-printing";
import { ShipmentStatusBadge, Timeline, TrackingCode } from "./parcel";
import { useShipmentPage, type Shipment, type ShipmentQuery } from "./queries";

// A page holds as many parcels as one merged print takes (the API allows 50 labels at once).
export const PAGE_SIZE = 50;
type Filter = "open" | "trouble" | "delivered" | "all";
const FILTERS: { value: Filter; param: string; label: MessageKey; query: ShipmentQuery }[] = [
  { value: "open", param: "in-viaggio", label: "shipments.filter.open", query: { open: true } },
  { value: "trouble", param: "in-difficolta", label: "shipments.filter.trouble", query: { trouble: true } },
  { value: "delivered", param: "consegnati", label: "shipments.filter.delivered", query: { status: ["delivered"] } },
  { value: "all", param: "", label: "shipments.filter.all", query: {} },
];

export function saleHref(shipment: Shipment): string {
  return `/vendite?id=${shipment.sale_id}`;
}

function detailHref(shipment: Shipment): string {
  return `/spedizioni?id=${shipment.id}`;
}

function SelectBox({ shipment, selected, toggle }: { shipment: Shipment; selected: Set<string>; toggle: (id: string) => void }) {
  const { t } = useI18n();
  if (shipment.label_formats.length === 0) return <span className="block size-11" aria-hidden="true" />;
  return (
    <label className="flex size-11 cursor-pointer items-center justify-center rounded-lg">
      <input
        type="checkbox"
        checked={selected.has(shipment.id)}
        onChange={() => toggle(shipment.id)}
        aria-label={t("shipments.select", { title: shipment.title })}
        className="size-5 cursor-pointer accent-teal-700"
      />
    </label>
  );
}

function LastEvent({ shipment }: { shipment: Shipment }) {
  const { language } = useI18n();
  const last = shipment.events[0];
  const text = last?.description ?? shipment.status_message;
  const at = last?.at ?? shipment.status_at;
  if (!text && !at) return <span className="text-slate-600">—</span>;
  return (
    <span className="flex flex-col">
      {text ? <span className="text-slate-800">{text}</span> : null}
      {at ? <span className="text-xs text-slate-600">{formatDate(at, language, true)}</span> : null}
    </span>
  );
}

const LINK = "inline-flex min-h-11 items-center font-medium text-teal-800 underline-offset-2 hover:underline focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600";

function Table({ items, selected, toggle }: { items: Shipment[]; selected: Set<string>; toggle: (id: string) => void }) {
  const { t } = useI18n();
  return (
    <div className="hidden overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm md:block">
      <table className="w-full table-fixed text-left text-sm">
        <caption className="sr-only">{t("shipments.title")}</caption>
        <thead className="border-b border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" className="w-12 p-0">
              <span className="sr-only">{t("shipments.selectAll")}</span>
            </th>
            <th scope="col" className="py-2 pr-2">{t("shipments.col.item")}</th>
            <th scope="col" className="w-48 py-2 pr-2">{t("shipments.col.status")}</th>
            <th scope="col" className="w-52 py-2 pr-2">{t("shipments.col.carrier")}</th>
            <th scope="col" className="hidden w-64 py-2 pr-3 lg:table-cell">{t("shipments.col.last")}</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {items.map((shipment) => (
            <tr key={shipment.id} className={selected.has(shipment.id) ? "bg-teal-50" : "hover:bg-slate-50"}>
              <td className="p-0 align-middle">
                <SelectBox shipment={shipment} selected={selected} toggle={toggle} />
              </td>
              <td className="min-w-0 py-2 pr-2">
                <Link href={detailHref(shipment)} className={`${LINK} break-words`}>
                  {shipment.title || "—"}
                </Link>
                <div className="flex flex-wrap gap-x-3 text-xs text-slate-600">
                  {shipment.buyer_username ? <span>{shipment.buyer_username}</span> : null}
                  <Link href={saleHref(shipment)} className="inline-flex min-h-6 items-center text-teal-800 underline underline-offset-2">
                    {t("shipments.toSale")}
                  </Link>
                </div>
              </td>
              <td className="py-2 pr-2">
                <ShipmentStatusBadge status={shipment.status} />
              </td>
              <td className="min-w-0 py-2 pr-2">
                <span className="block text-slate-800">{shipment.carrier ?? t("shipments.unknownCarrier")}</span>
                <TrackingCode shipment={shipment} />
              </td>
              <td className="hidden py-2 pr-3 lg:table-cell">
                <LastEvent shipment={shipment} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Cards({ items, selected, toggle }: { items: Shipment[]; selected: Set<string>; toggle: (id: string) => void }) {
  const { t } = useI18n();
  return (
    <ul className="flex flex-col gap-3 md:hidden">
      {items.map((shipment) => (
        <li
          key={shipment.id}
          className={`rounded-xl border bg-white p-3 shadow-sm ${selected.has(shipment.id) ? "border-teal-600 ring-2 ring-teal-600" : "border-slate-200"}`}
        >
          <div className="flex items-start gap-2">
            <SelectBox shipment={shipment} selected={selected} toggle={toggle} />
            <div className="flex min-w-0 flex-1 flex-col gap-1">
              <Link href={detailHref(shipment)} className={`${LINK} break-words`}>
                {shipment.title || "—"}
              </Link>
              <div>
                <ShipmentStatusBadge status={shipment.status} />
              </div>
              <p className="text-sm text-slate-800">
                {shipment.carrier ?? t("shipments.unknownCarrier")}
              </p>
              <div className="text-sm">
                <TrackingCode shipment={shipment} />
              </div>
              <div className="text-sm">
                <LastEvent shipment={shipment} />
              </div>
            </div>
          </div>
          {shipment.events.length > 0 ? (
            <details className="mt-2 rounded-lg border border-slate-200 px-3">
              <summary className="min-h-11 cursor-pointer py-3 text-sm font-medium text-slate-800">
                {t("shipments.timeline.show", { count: shipment.events.length })}
              </summary>
              <div className="pb-3 pl-2">
                <Timeline shipment={shipment} />
              </div>
            </details>
          ) : null}
          <div className="mt-1 flex flex-wrap gap-x-4">
            <Link href={detailHref(shipment)} className={LINK}>
              {t("shipments.details")}
            </Link>
            <Link href={saleHref(shipment)} className={LINK}>
              {t("shipments.toSale")}
            </Link>
          </div>
        </li>
      ))}
    </ul>
  );
}

function readFilter(params: URLSearchParams): Filter {
  const given = params.get("filtro") ?? "";
  return FILTERS.find((item) => item.param && item.param === given)?.value ?? "all";
}

export function ShipmentList() {
  const { t } = useI18n();
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const filter = readFilter(new URLSearchParams(params.toString()));
  const page = Math.max(1, Number(params.get("pagina")) || 1);
  const query = useMemo<ShipmentQuery>(
    () => ({ ...FILTERS.find((item) => item.value === filter)!.query, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
    [filter, page],
  );
  const shipments = useShipmentPage(query);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  // Another filter is a new selection; another page of the same filter adds to it (hence the limit).
  const filterKey = JSON.stringify({ ...query, offset: 0 });
  useEffect(() => setSelected(new Set()), [filterKey]);

  const items = shipments.data?.items ?? [];
  const total = shipments.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const printable = items.filter((item) => item.label_formats.length > 0);
  const allOnPage = printable.length > 0 && printable.every((item) => selected.has(item.id));
  const someOnPage = printable.some((item) => selected.has(item.id));
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
      for (const item of printable) {
        if (allOnPage) next.delete(item.id);
        else next.add(item.id);
      }
      return next;
    });
  const hrefOf = (value: Filter, toPage = 1) => {
    const next = new URLSearchParams();
    const param = FILTERS.find((item) => item.value === value)!.param;
    if (param) next.set("filtro", param);
    if (toPage > 1) next.set("pagina", String(toPage));
    const search = next.toString();
    return search ? `${pathname}?${search}` : pathname;
  };

  return (
    <>
      <div className="mb-4">
        <h1 className="text-2xl font-bold text-slate-900">{t("shipments.title")}</h1>
        {shipments.data ? (
          <p className="text-sm text-slate-600">
            {total === 1 ? t("shipments.count.one") : t("shipments.count.many", { count: total })}
          </p>
        ) : null}
      </div>
      <div className="flex flex-col gap-4">
        <nav aria-label={t("shipments.filter.label")}>
          <ul className="flex flex-wrap gap-2">
            {FILTERS.map((item) => (
              <li key={item.value}>
                <Link
                  href={hrefOf(item.value)}
                  replace
                  scroll={false}
                  aria-current={filter === item.value ? "page" : undefined}
                  className={`inline-flex min-h-11 items-center rounded-full border px-4 text-sm font-medium focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600 ${
                    filter === item.value ? "border-teal-700 bg-teal-700 text-white" : "border-slate-300 bg-white text-slate-800 hover:bg-slate-50"
                  }`}
                >
                  {t(item.label)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>

        {printable.length > 0 ? (
          <label className="flex min-h-11 cursor-pointer items-center gap-3 self-start text-sm text-slate-700">
            <input
              type="checkbox"
              checked={allOnPage}
              ref={(element) => {
                if (element) element.indeterminate = someOnPage && !allOnPage;
              }}
              onChange={togglePage}
              className="ml-3 size-5 cursor-pointer accent-teal-700"
            />
            {t("shipments.selectAll")}
          </label>
        ) : null}

        {shipments.isPending ? (
          <Loading label={t("common.loading")} className="py-8" />
        ) : shipments.isError && !shipments.data ? (
          <Alert>{errorMessage(shipments.error, t)}</Alert>
        ) : items.length === 0 ? (
          filter === "all" && page === 1 ? (
            <EmptyState title={t("shipments.empty.title")} body={t("shipments.empty.body")} />
          ) : (
            <EmptyState title={t("shipments.empty.title")} body={t("shipments.empty.filtered")} />
          )
        ) : (
          <div className={shipments.isPlaceholderData ? "opacity-60 transition-opacity" : undefined} aria-busy={shipments.isFetching}>
            {shipments.isError ? <Alert>{errorMessage(shipments.error, t)}</Alert> : null}
            <Table items={items} selected={selected} toggle={toggle} />
            <Cards items={items} selected={selected} toggle={toggle} />
            {pages > 1 ? (
              <nav aria-label={t("shipments.page.label")} className="mt-6 flex items-center justify-between gap-2">
                <Button type="button" variant="secondary" className="disabled:opacity-50" disabled={page <= 1} onClick={() => router.replace(hrefOf(filter, page - 1))}>
                  {t("shipments.page.prev")}
                </Button>
                <p className="text-sm text-slate-700">{t("shipments.page.of", { page, pages })}</p>
                <Button type="button" variant="secondary" className="disabled:opacity-50" disabled={page >= pages} onClick={() => router.replace(hrefOf(filter, page + 1))}>
                  {t("shipments.page.next")}
                </Button>
              </nav>
            ) : null}
          </div>
        )}
      </div>
      {selected.size > 0 ? <LabelPrinting ids={[...selected]} onClear={() => setSelected(new Set())} /> : null}
    </>
  );
}
