"use client";
// One parcel on its own (/spedizioni?id=), and a sale's shipping section on its own
// (/spedizioni?vendita=<sale id>: the same <SaleShipping> the Vendite page renders).
import Link from "next/link";
import { BackLink } from "@/components/listings/listing-detail";
import { Alert, Card, Loading } from "@/components/ui";
import { ApiError } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { ParcelDetails } from "./parcel";
import { useSaleRecord, useShipment } from "./queries";
import { SaleShipping } from "./sale-shipping";
import { saleHref } from "./shipment-list";

const LINK = "inline-flex min-h-11 items-center text-sm font-medium text-teal-800 underline underline-offset-2";

export function ShipmentView({ id, backHref }: { id: string; backHref: string }) {
  const { t } = useI18n();
  const shipment = useShipment(id);
  if (shipment.isPending) return <Loading label={t("common.loading")} />;
  if (shipment.isError) {
    const missing = shipment.error instanceof ApiError && shipment.error.status === 404;
    return (
      <>
        <BackLink href={backHref}>{t("shipments.back")}</BackLink>
        <h1 className="mb-6 text-2xl font-bold text-slate-900">{t("shipments.title")}</h1>
        <Alert>{missing ? t("shipments.notFound") : errorMessage(shipment.error, t)}</Alert>
      </>
    );
  }
  const parcel = shipment.data;
  return (
    <>
      <BackLink href={backHref}>{t("shipments.back")}</BackLink>
      <h1 className="text-2xl font-bold break-words text-slate-900">{parcel.title || t("shipments.parcel")}</h1>
      <div className="mb-4 flex flex-wrap items-center gap-x-4 text-sm text-slate-600">
        {parcel.buyer_username ? <span>{t("shipments.sale.buyer", { buyer: parcel.buyer_username })}</span> : null}
        <Link href={saleHref(parcel)} className={LINK}>
          {t("shipments.toSale")}
        </Link>
      </div>
      <Card>
        <ParcelDetails shipment={parcel} />
      </Card>
    </>
  );
}

export function SaleShippingView({ saleId, backHref }: { saleId: string; backHref: string }) {
  const { t } = useI18n();
  const sale = useSaleRecord(saleId);
  if (sale.isPending) return <Loading label={t("common.loading")} />;
  if (sale.isError) {
    const missing = sale.error instanceof ApiError && sale.error.status === 404;
    return (
      <>
        <BackLink href={backHref}>{t("shipments.sale.back")}</BackLink>
        <h1 className="mb-6 text-2xl font-bold text-slate-900">{t("shipments.sale.title")}</h1>
        <Alert>{missing ? t("shipments.sale.notFound") : errorMessage(sale.error, t)}</Alert>
      </>
    );
  }
  return (
    <>
      <BackLink href={backHref}>{t("shipments.sale.back")}</BackLink>
      <h1 className="text-2xl font-bold break-words text-slate-900">{t("shipments.sale.heading", { title: sale.data.title })}</h1>
      <div className="mb-4 flex flex-wrap items-center gap-x-4 text-sm text-slate-600">
        {sale.data.buyer_username ? <span>{t("shipments.sale.buyer", { buyer: sale.data.buyer_username })}</span> : null}
        <Link href={`/vendite?id=${sale.data.id}`} className={LINK}>
          {t("shipments.sale.openSale")}
        </Link>
      </div>
      <SaleShipping sale={sale.data} />
    </>
  );
}
