"use client";

import { AlertTriangle, Loader2 } from "lucide-react";
import { useI18n } from "@/lib/i18n";
import { statusLabel, type AnalysisStatus, type ListingStatus } from "./labels";

const STATUS_STYLES: Record<ListingStatus, string> = {
  draft: "bg-slate-100 text-slate-800 ring-slate-300",
  ready: "bg-sky-50 text-sky-900 ring-sky-300",
  published: "bg-emerald-50 text-emerald-900 ring-emerald-300",
  reserved: "bg-amber-50 text-amber-900 ring-amber-300",
  sold: "bg-violet-50 text-violet-900 ring-violet-300",
  hidden: "bg-white text-slate-600 ring-slate-300 ring-dashed",
};

export function StatusBadge({ status }: { status: ListingStatus }) {
  const { t } = useI18n();
  return (
    <span
      className={`inline-flex shrink-0 items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${STATUS_STYLES[status]}`}
    >
      {t(statusLabel(status))}
    </span>
  );
}

/** Only the states worth a glance: the AI working, or the AI having given up. */
export function AnalysisBadge({ status, className = "" }: { status: AnalysisStatus; className?: string }) {
  const { t } = useI18n();
  if (status === "pending") {
    return (
      <span
        className={`inline-flex items-center gap-1 rounded-lg bg-white/95 px-2 py-0.5 text-xs font-medium text-teal-900 shadow-sm ring-1 ring-inset ring-teal-300 ${className}`}
      >
        <Loader2 aria-hidden="true" className="h-3 w-3 motion-safe:animate-spin" />
        {t("listings.analysis.pending")}
      </span>
    );
  }
  if (status === "failed") {
    return (
      <span
        className={`inline-flex items-center gap-1 rounded-lg bg-white/95 px-2 py-0.5 text-xs font-medium text-red-800 shadow-sm ring-1 ring-inset ring-red-300 ${className}`}
      >
        <AlertTriangle aria-hidden="true" className="h-3 w-3" />
        {t("listings.analysis.failed")}
      </span>
    );
  }
  return null;
}
