"use client";
// The labels chosen in the list, merged by the server into one PDF: four to an A4 sheet, or one a page for
// a thermal label printer; opened to print, or downloaded.
import { Download, Printer } from "lucide-react";
import { useState } from "react";
import { Alert, Button } from "@/components/ui";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { saveBlob } from "@/lib/download";
import { BULK_MAX, mergedLabels, openPdf, type LabelLayout } from "./queries";

export function LabelPrinting({ ids, onClear }: { ids: string[]; onClear: () => void }) {
  const { t } = useI18n();
  const [layout, setLayout] = useState<LabelLayout>("a4");
  const [busy, setBusy] = useState<"print" | "download" | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const count = ids.length;
  const tooMany = count > BULK_MAX;
  const filename = `etichette-${layout}.pdf`;
  const run = async (what: "print" | "download") => {
    setBusy(what);
    setProblem(null);
    try {
      if (what === "print") await openPdf(() => mergedLabels(ids, layout), filename);
      else saveBlob(await mergedLabels(ids, layout), filename);
    } catch (error) {
      setProblem(errorMessage(error, t));
    } finally {
      setBusy(null);
    }
  };
  return (
    <section
      aria-label={t("shipments.bulk.print")}
      className="sticky bottom-0 z-10 -mx-4 mt-4 flex flex-col gap-3 border-t border-slate-200 bg-white px-4 pt-3 pb-[max(0.75rem,env(safe-area-inset-bottom))] shadow-[0_-4px_12px_rgba(15,23,42,0.08)] sm:mx-0 sm:rounded-xl sm:border"
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="font-semibold text-slate-900" role="status">
          {count === 1 ? t("shipments.bulk.selected.one") : t("shipments.bulk.selected.many", { count })}
        </p>
        <Button type="button" variant="ghost" onClick={onClear}>
          {t("shipments.bulk.clear")}
        </Button>
      </div>
      <fieldset className="flex flex-col gap-1 sm:flex-row sm:flex-wrap sm:gap-4">
        <legend className="mb-1 text-sm font-medium text-slate-800">{t("shipments.bulk.layout")}</legend>
        {(["a4", "thermal"] as const).map((value) => (
          <label key={value} className="flex min-h-11 cursor-pointer items-center gap-2 text-sm text-slate-800">
            <input
              type="radio"
              name="label-layout"
              value={value}
              checked={layout === value}
              onChange={() => setLayout(value)}
              className="size-5 accent-teal-700"
            />
            {t(value === "a4" ? "shipments.bulk.a4" : "shipments.bulk.thermal")}
          </label>
        ))}
      </fieldset>
      {tooMany ? (
        <Alert>{t("shipments.bulk.max", { max: BULK_MAX, extra: count - BULK_MAX })}</Alert>
      ) : (
        <p className="text-xs text-slate-600">{t("shipments.bulk.hint", { max: BULK_MAX })}</p>
      )}
      {problem ? <Alert>{problem}</Alert> : null}
      <div className="flex flex-wrap gap-2">
        <Button type="button" disabled={tooMany} busy={busy === "print"} onClick={() => void run("print")}>
          {busy === "print" ? null : <Printer aria-hidden="true" className="h-5 w-5" />}
          {t("shipments.bulk.print")}
        </Button>
        <Button type="button" variant="secondary" disabled={tooMany} busy={busy === "download"} onClick={() => void run("download")}>
          {busy === "download" ? null : <Download aria-hidden="true" className="h-5 w-5" />}
          {t("shipments.bulk.download")}
        </Button>
      </div>
    </section>
  );
}
