"use client";

// The sales sync on the Vendite page: "Sincronizza con Vinted", its running state, and the last result
// ("Ultima sincronizzazione alle 18:40: 3 nuove vendite, 2 etichette scaricate", or why it stopped). The
// live event "vinted.synced" refreshes it when a run ends.
import { Alert, Button, Card } from "@/components/ui";
import type { Schemas } from "@/lib/api";
import { useAuth } from "@/lib/auth";
import { errorMessage } from "@/lib/errors";
import { formatTime } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import { useStartSync, useSyncReports } from "./queries";

type Report = Schemas["SyncReport"];
type T = ReturnType<typeof useI18n>["t"];

function counted(t: T, count: number, one: "vinted.sync.sales.one" | "vinted.sync.labels.one"): string {
  if (count === 1) return t(one);
  const many = one === "vinted.sync.sales.one" ? "vinted.sync.sales.many" : "vinted.sync.labels.many";
  return t(many, { count });
}

/** One sentence for a report, in the dashboard's language (the reason is the server's Italian words). */
export function syncSentence(report: Report, t: T, language: "it" | "en"): string {
  if (report.state === "queued") return t("vinted.sync.queued");
  if (report.state === "running") return t("vinted.sync.running");
  const time = formatTime(report.finished_at ?? report.started_at, language);
  if (report.state === "failed") return t("vinted.sync.failed", { time, reason: report.reason ?? "" });
  const last = t("vinted.sync.last", {
    time,
    sales: counted(t, report.new_sales ?? 0, "vinted.sync.sales.one"),
    labels: counted(t, report.labels_fetched ?? 0, "vinted.sync.labels.one"),
  });
  return report.state === "stopped" && report.reason ? `${last} ${t("vinted.sync.stopped", { reason: report.reason })}` : last;
}

export function VintedSync() {
  const { t, language } = useI18n();
  const { user } = useAuth();
  const linked = user?.vinted_status === "linked";
  const admin = user?.role === "admin";
  const reports = useSyncReports(Boolean(user?.family));
  const start = useStartSync();
  if (!user?.family) return null;
  const items = reports.data ?? [];
  const mine = items.find((report) => report.user_id === user.id);
  const others = items.filter((report) => report.user_id !== user.id);
  const busy = start.isPending || mine?.state === "queued" || mine?.state === "running";
  return (
    <Card title={t("vinted.sync.title")}>
      <p className="text-sm text-slate-700">{t("vinted.sync.explain")}</p>
      {linked ? (
        <div className="mt-4 flex flex-wrap gap-3">
          <Button onClick={() => start.mutate(false)} busy={busy} data-testid="vinted-sync">
            {busy ? t("vinted.sync.running") : t("vinted.sync.button")}
          </Button>
          {admin && others.length > 0 ? (
            <Button variant="secondary" onClick={() => start.mutate(true)} disabled={start.isPending}>
              {t("vinted.sync.all")}
            </Button>
          ) : null}
        </div>
      ) : (
        <p className="mt-4 text-sm text-slate-700">{t("vinted.sync.notLinked")}</p>
      )}
      {start.error ? (
        <div className="mt-4">
          <Alert>{errorMessage(start.error, t)}</Alert>
        </div>
      ) : null}
      <p className="mt-4 text-sm text-slate-800" role="status" aria-live="polite" data-testid="vinted-sync-result">
        {mine ? syncSentence(mine, t, language) : linked ? t("vinted.sync.never") : null}
      </p>
      {mine?.notes?.length ? (
        <ul className="mt-2 list-disc pl-5 text-sm text-slate-600">
          {mine.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      ) : null}
      {others.length > 0 ? (
        <div className="mt-4">
          <h3 className="text-sm font-semibold text-slate-900">{t("vinted.sync.others")}</h3>
          <ul className="mt-1 space-y-1 text-sm text-slate-700">
            {others.map((report) => (
              <li key={report.user_id}>
                <span className="font-medium">{t("vinted.sync.member", { name: report.username })}</span>:{" "}
                {syncSentence(report, t, language)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </Card>
  );
}
