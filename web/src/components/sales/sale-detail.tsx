"use client";

import { ExternalLink, Pencil } from "lucide-react";
import Link from "next/link";
import { useState, type ReactNode } from "react";
import { BackLink } from "@/components/listings/listing-detail";
import { ConfirmPanel } from "@/components/listings/confirm";
import { SaleShipping } from "@/components/shipments/sale-shipping";
import { Alert, Button, Loading, buttonClasses } from "@/components/ui";
import { Panel } from "./panel";
import { ApiError } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { formatDate, formatEuro } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import { SaleStatusBadge } from "./badges";
import { GIVES_BACK, isClosed, moveLabel, saleStatusLabel, type Sale, type SaleStatus } from "./labels";
import { justRecorded, useSale, useUpdateSale } from "./queries";
import { SaleEditor } from "./sale-editor";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function Fact({ label, children, strong = false }: { label: string; children: ReactNode; strong?: boolean }) {
  return (
    <div className="flex items-baseline justify-between gap-3 border-b border-slate-100 py-2 last:border-0">
      <dt className="text-sm text-slate-600">{label}</dt>
      <dd className={`text-right ${strong ? "text-lg font-semibold text-slate-900" : "text-base text-slate-900"}`}>{children}</dd>
    </div>
  );
}

function Facts({ sale }: { sale: Sale }) {
  const { t, language } = useI18n();
  const money = (value: string) => formatEuro(value, language);
  return (
    <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
      <Panel title={t("sales.detail.who")}>
        <dl>
          <Fact label={t("sales.detail.buyer")}>{sale.buyer_username || t("sales.detail.noBuyer")}</Fact>
          <Fact label={t("sales.detail.member")}>{sale.seller_username}</Fact>
          <Fact label={t("sales.detail.soldAt")}>{formatDate(sale.sold_at, language)}</Fact>
          <Fact label={t("sales.detail.listedAt")}>{formatDate(sale.listed_at, language)}</Fact>
          <Fact label={t("sales.detail.recordedAt")}>{formatDate(sale.created_at, language, true)}</Fact>
          {sale.category ? <Fact label={t("sales.detail.category")}>{sale.category}</Fact> : null}
          {sale.brand ? <Fact label={t("sales.detail.brand")}>{sale.brand}</Fact> : null}
        </dl>
      </Panel>
      <Panel title={t("sales.detail.money")}>
        <dl>
          <Fact label={t("sales.detail.price")}>{money(sale.sale_price)}</Fact>
          <Fact label={t("sales.detail.fees")}>− {money(sale.vinted_fees)}</Fact>
          <Fact label={t("sales.detail.purchaseCost")}>− {money(sale.purchase_cost)}</Fact>
          <Fact label={t("sales.detail.shipping")}>− {money(sale.shipping_cost)}</Fact>
          <Fact label={t("sales.detail.profit")} strong>
            {money(sale.net_profit)}
          </Fact>
        </dl>
        {isClosed(sale.status) ? <p className="mt-2 text-sm text-slate-600">{t("sales.detail.notCounted")}</p> : null}
      </Panel>
    </div>
  );
}

function StatusActions({ sale }: { sale: Sale }) {
  const { t } = useI18n();
  const update = useUpdateSale(sale.id);
  const [confirming, setConfirming] = useState<SaleStatus | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const next = sale.next_statuses; // the server says which moves Vinted's transaction life allows now
  const move = (status: SaleStatus) => {
    setDone(null);
    update.mutate(
      { status },
      {
        onSuccess: () => {
          setConfirming(null);
          setDone(
            GIVES_BACK.includes(status)
              ? t("sales.detail.movedBack", { status: t(saleStatusLabel(status)) })
              : t("sales.detail.moved", { status: t(saleStatusLabel(status)) }),
          );
        },
      },
    );
  };
  return (
    <Panel title={t("sales.detail.status")}>
      <div className="flex flex-col gap-3">
        <p className="flex flex-wrap items-center gap-2 text-base text-slate-800">
          {t("sales.detail.statusNow")} <SaleStatusBadge status={sale.status} />
        </p>
        {done ? <Alert kind="success">{done}</Alert> : null}
        {next.length === 0 ? (
          <p className="text-sm text-slate-600">{t("sales.detail.final")}</p>
        ) : (
          <div role="group" aria-label={t("sales.detail.nextStatus")} className="flex flex-wrap gap-2">
            {next.map((status) =>
              GIVES_BACK.includes(status) ? (
                <Button
                  key={status}
                  type="button"
                  variant="secondary"
                  className="border-red-300! text-red-800! hover:bg-red-50!"
                  onClick={() => setConfirming(status)}
                  disabled={update.isPending}
                >
                  {t(moveLabel(status))}
                </Button>
              ) : (
                <Button key={status} type="button" variant="secondary" onClick={() => move(status)} busy={update.isPending && update.variables?.status === status} disabled={update.isPending}>
                  {t(moveLabel(status))}
                </Button>
              ),
            )}
          </div>
        )}
        {confirming ? (
          <ConfirmPanel
            message={t(confirming === "cancelled" ? "sales.detail.confirmCancel" : "sales.detail.confirmRefund")}
            confirmLabel={t(moveLabel(confirming))}
            busy={update.isPending}
            onConfirm={() => move(confirming)}
            onCancel={() => setConfirming(null)}
          >
            <p className="mt-1 text-sm text-red-900">{t("sales.detail.backOnSale")}</p>
          </ConfirmPanel>
        ) : null}
        {update.error ? <Alert>{errorMessage(update.error, t)}</Alert> : null}
      </div>
    </Panel>
  );
}

export function SaleDetail({ id, backHref }: { id: string; backHref: string }) {
  const { t } = useI18n();
  if (!UUID.test(id)) {
    return (
      <>
        <BackLink href={backHref}>{t("sales.detail.back")}</BackLink>
        <Alert>{t("sales.detail.notFound")}</Alert>
      </>
    );
  }
  return <LoadedSale id={id} backHref={backHref} />;
}

function LoadedSale({ id, backHref }: { id: string; backHref: string }) {
  const { t, language } = useI18n();
  const query = useSale(id);
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const [fresh] = useState(() => justRecorded(id));
  const back = <BackLink href={backHref}>{t("sales.detail.back")}</BackLink>;
  if (query.isError) {
    const missing = query.error instanceof ApiError && (query.error.status === 404 || query.error.status === 422);
    return (
      <>
        {back}
        <Alert>{missing ? t("sales.detail.notFound") : errorMessage(query.error, t)}</Alert>
      </>
    );
  }
  if (query.isPending) {
    return (
      <>
        {back}
        <Loading label={t("common.loading")} className="py-8" />
      </>
    );
  }
  const sale = query.data;
  return (
    <>
      {back}
      <header className="mb-4 flex flex-col gap-2 sm:mb-6">
        <h1 className="break-words text-xl font-bold text-slate-900 sm:text-2xl">{sale.title || t("sales.untitled")}</h1>
        <div className="flex flex-wrap items-center gap-2">
          <SaleStatusBadge status={sale.status} />
          <span className="text-lg font-semibold text-slate-900">
            <span className="sr-only">{t("sales.detail.price")}: </span>
            {formatEuro(sale.sale_price, language)}
          </span>
          <span className="text-sm text-slate-600">{formatDate(sale.sold_at, language)}</span>
        </div>
        <div className="flex flex-wrap gap-2">
          {sale.listing_id ? (
            <Link href={`/annunci?id=${sale.listing_id}`} className={buttonClasses("secondary")}>
              <ExternalLink aria-hidden="true" className="h-5 w-5" />
              {t("sales.detail.listing")}
            </Link>
          ) : (
            <p className="text-sm text-slate-600">{t("sales.detail.noListing")}</p>
          )}
          {!isClosed(sale.status) && !editing ? (
            <Button type="button" variant="secondary" onClick={() => {
                setSaved(false);
                setEditing(true);
              }}>
              <Pencil aria-hidden="true" className="h-5 w-5" />
              {t("sales.detail.edit")}
            </Button>
          ) : null}
        </div>
        {fresh ? <Alert kind="success">{t("sales.detail.recorded")}</Alert> : null}
      </header>
      <div className="flex flex-col gap-6">
        {editing && !isClosed(sale.status) ? (
          <SaleEditor
            sale={sale}
            onDone={(changed) => {
              setEditing(false);
              setSaved(changed);
            }}
          />
        ) : null}
        {saved && !editing ? <Alert kind="success">{t("common.saved")}</Alert> : null}
        <StatusActions sale={sale} />
        <Facts sale={sale} />
        <SaleShipping sale={sale} />
      </div>
    </>
  );
}
