"use client";
// A parcel as the pages show it: its status (colour and icon, never colour alone), its tracking code, the
// timeline of the carrier's events, and its label to download or print.
import {
  AlertTriangle,
  CheckCircle2,
  Clock,
  ExternalLink,
  MapPin,
  Package,
  Printer,
  Download,
  Truck,
  Undo2,
  XCircle,
  type LucideIcon,
} from "lucide-react";
import { useState } from "react";
import { Alert, Button } from "@/components/ui";
import { errorMessage } from "@/lib/errors";
import { formatDate, formatEuro } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { saveBlob } from "@/lib/download";
import { labelBlob, openPdf, type LabelFormat, type Shipment, type ShipmentStatus } from "./queries";

const STATUS: Record<ShipmentStatus, { style: string; icon: LucideIcon }> = {
  ready: { style: "bg-sky-50 text-sky-900 ring-sky-300", icon: Package },
  in_transit: { style: "bg-indigo-50 text-indigo-900 ring-indigo-300", icon: Truck },
  out_for_delivery: { style: "bg-teal-50 text-teal-900 ring-teal-300", icon: Truck },
  pickup: { style: "bg-amber-50 text-amber-900 ring-amber-300", icon: MapPin },
  delivered: { style: "bg-emerald-50 text-emerald-900 ring-emerald-300", icon: CheckCircle2 },
  delivery_failed: { style: "bg-red-50 text-red-900 ring-red-300", icon: AlertTriangle },
  exception: { style: "bg-red-50 text-red-900 ring-red-300", icon: AlertTriangle },
  returned: { style: "bg-red-50 text-red-900 ring-red-300", icon: Undo2 },
  expired: { style: "bg-amber-50 text-amber-900 ring-amber-300", icon: Clock },
  cancelled: { style: "bg-slate-100 text-slate-800 ring-slate-300", icon: XCircle },
};

export function statusKey(status: ShipmentStatus): MessageKey {
  return `shipments.status.${status}` as MessageKey;
}

export function ShipmentStatusBadge({ status, large = false }: { status: ShipmentStatus; large?: boolean }) {
  const { t } = useI18n();
  const { style, icon: Icon } = STATUS[status];
  return (
    <span
      data-status={status}
      className={`inline-flex shrink-0 items-center gap-1 rounded-full font-medium ring-1 ring-inset ${style} ${
        large ? "px-3 py-1 text-sm" : "px-2 py-0.5 text-xs"
      }`}
    >
      <Icon aria-hidden="true" className={large ? "h-4 w-4" : "h-3 w-3"} />
      {t(statusKey(status))}
    </span>
  );
}

export function TrackingCode({ shipment }: { shipment: Shipment }) {
  const { t } = useI18n();
  if (!shipment.tracking_code) return <span className="text-slate-600">{t("shipments.noTracking")}</span>;
  if (!shipment.tracking_url) return <span className="font-mono break-all">{shipment.tracking_code}</span>;
  return (
    <a
      href={shipment.tracking_url}
      target="_blank"
      rel="noopener noreferrer"
      className="inline-flex min-h-11 items-center gap-1 break-all font-mono text-teal-800 underline underline-offset-2 hover:text-teal-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600"
    >
      {shipment.tracking_code}
      <ExternalLink aria-hidden="true" className="h-4 w-4 shrink-0" />
      <span className="sr-only"> ({t("shipments.trackingLink")})</span>
    </a>
  );
}

export function Timeline({ shipment }: { shipment: Shipment }) {
  const { t, language } = useI18n();
  if (shipment.events.length === 0) return <p className="text-sm text-slate-600">{t("shipments.timeline.empty")}</p>;
  return (
    <ol className="relative flex flex-col gap-3 border-l-2 border-slate-200 pl-4">
      {shipment.events.map((event, index) => (
        <li key={`${event.at}-${event.source}-${index}`} className="relative">
          <span
            aria-hidden="true"
            className={`absolute -left-[1.4rem] top-1.5 block size-3 rounded-full ring-2 ring-white ${
              index === 0 ? "bg-teal-700" : "bg-slate-400"
            }`}
          />
          <p className="text-sm font-medium text-slate-900">{event.description ?? (event.status ? t(statusKey(event.status as ShipmentStatus)) : "—")}</p>
          <p className="text-xs text-slate-600">
            {formatDate(event.at, language, true)}
            {event.location ? ` · ${event.location}` : ""}
          </p>
        </li>
      ))}
    </ol>
  );
}

function estimate(shipment: Shipment, language: "it" | "en", t: ReturnType<typeof useI18n>["t"]): string | null {
  const range = shipment.estimated_delivery;
  if (!range) return null;
  const from = range.from ? formatDate(range.from, language) : null;
  const to = range.to ? formatDate(range.to, language) : null;
  if (from && to && from !== to) return t("shipments.estimatedRange", { from, to });
  return from ?? to;
}

const EXTENSION: Record<LabelFormat, string> = { pdf: "pdf", zpl: "zpl", png: "png" };
const FORMAT_LABEL: Record<LabelFormat, MessageKey> = {
  pdf: "shipments.label.pdf",
  zpl: "shipments.label.zpl",
  png: "shipments.label.png",
};

export function labelFilename(shipment: Shipment, format: LabelFormat): string {
  return `etichetta-${shipment.tracking_code ?? shipment.id}.${EXTENSION[format]}`;
}

/** "Scarica PDF", "Stampa", and ZPL/PNG when the carrier offers them. */
export function LabelActions({ shipment }: { shipment: Shipment }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  if (shipment.label_formats.length === 0) return <p className="text-sm text-slate-600">{t("shipments.label.none")}</p>;
  const run = async (what: string, action: () => Promise<void>) => {
    setBusy(what);
    setProblem(null);
    try {
      await action();
    } catch (error) {
      setProblem(errorMessage(error, t));
    } finally {
      setBusy(null);
    }
  };
  const download = (format: LabelFormat) =>
    run(format, async () => saveBlob(await labelBlob(shipment.id, format), labelFilename(shipment, format)));
  const extras = shipment.label_formats.filter((format): format is LabelFormat => format !== "pdf");
  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap gap-2">
        {shipment.label_formats.includes("pdf") ? (
          <>
            <Button type="button" onClick={() => void download("pdf")} busy={busy === "pdf"}>
              {busy === "pdf" ? null : <Download aria-hidden="true" className="h-5 w-5" />}
              {t("shipments.label.pdf")}
            </Button>
            <Button
              type="button"
              variant="secondary"
              busy={busy === "print"}
              onClick={() =>
                void run("print", () => openPdf(() => labelBlob(shipment.id, "pdf"), labelFilename(shipment, "pdf")))
              }
            >
              {busy === "print" ? null : <Printer aria-hidden="true" className="h-5 w-5" />}
              {t("shipments.label.print")}
            </Button>
          </>
        ) : null}
        {extras.map((format) => (
          <Button key={format} type="button" variant="secondary" busy={busy === format} onClick={() => void download(format)}>
            {t(FORMAT_LABEL[format])}
          </Button>
        ))}
      </div>
      {problem ? <Alert>{problem}</Alert> : null}
    </div>
  );
}

/** Everything about one parcel: status, carrier, tracking, estimated delivery, label, timeline. */
export function ParcelDetails({ shipment }: { shipment: Shipment }) {
  const { t, language } = useI18n();
  const expected = estimate(shipment, language, t);
  return (
    <div className="flex flex-col gap-5">
      <div className="flex flex-col gap-1" aria-live="polite">
        <p className="text-sm font-medium text-slate-700">{t("shipments.status")}</p>
        <div>
          <ShipmentStatusBadge status={shipment.status} large />
        </div>
        {shipment.status_message ? <p className="text-sm text-slate-700">{shipment.status_message}</p> : null}
        {shipment.status_at ? (
          <p className="text-xs text-slate-600">{formatDate(shipment.status_at, language, true)}</p>
        ) : null}
      </div>
      <dl className="grid gap-3 text-sm sm:grid-cols-2">
        <div>
          <dt className="font-medium text-slate-700">{t("shipments.carrier")}</dt>
          <dd className="text-slate-900">{shipment.carrier ?? t("shipments.unknownCarrier")}</dd>
          <dd className="text-xs text-slate-600">{t(`shipments.sentWith.${shipment.source}`)}</dd>
        </div>
        <div>
          <dt className="font-medium text-slate-700">{t("shipments.tracking")}</dt>
          <dd className="text-slate-900">
            <TrackingCode shipment={shipment} />
          </dd>
        </div>
        {expected ? (
          <div>
            <dt className="font-medium text-slate-700">{t("shipments.estimated")}</dt>
            <dd className="text-slate-900">{expected}</dd>
          </div>
        ) : null}
        {shipment.shipping_cost != null ? (
          <div>
            <dt className="font-medium text-slate-700">{t("shipments.cost")}</dt>
            <dd className="text-slate-900">{formatEuro(shipment.shipping_cost, language)}</dd>
          </div>
        ) : null}
      </dl>
      {shipment.tracking_error ? (
        <Alert kind="info">{t("shipments.trackingError", { reason: shipment.tracking_error })}</Alert>
      ) : null}
      {shipment.source === "sendcloud" ? (
        <section aria-labelledby={`label-${shipment.id}`}>
          <h3 id={`label-${shipment.id}`} className="mb-2 text-base font-semibold text-slate-900">
            {t("shipments.label")}
          </h3>
          <LabelActions shipment={shipment} />
        </section>
      ) : null}
      <section aria-labelledby={`timeline-${shipment.id}`}>
        <h3 id={`timeline-${shipment.id}`} className="mb-2 text-base font-semibold text-slate-900">
          {t("shipments.timeline")}
        </h3>
        <Timeline shipment={shipment} />
        <p className="mt-3 text-xs text-slate-600">{t("shipments.updatedLive")}</p>
      </section>
    </div>
  );
}
