"use client";

import { useI18n } from "@/lib/i18n";
import { saleStatusLabel, type SaleStatus } from "./labels";

const STYLES: Record<SaleStatus, string> = {
  pending: "bg-amber-50 text-amber-900 ring-amber-300",
  shipped: "bg-sky-50 text-sky-900 ring-sky-300",
  delivered: "bg-teal-50 text-teal-900 ring-teal-300",
  completed: "bg-emerald-50 text-emerald-900 ring-emerald-300",
  cancelled: "bg-white text-slate-700 ring-slate-300",
  refunded: "bg-red-50 text-red-900 ring-red-300",
};

export function SaleStatusBadge({ status }: { status: SaleStatus }) {
  const { t } = useI18n();
  return (
    <span
      className={`inline-flex shrink-0 items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${STYLES[status]}`}
    >
      {t(saleStatusLabel(status))}
    </span>
  );
}
