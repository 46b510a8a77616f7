"use client";

// The scraper's pacing gate as the instance administrator reads it: a sentence for its state, the read
// and write budgets, the last "Vinted changed" error, the queued scrapes, and "Avvia raccolta".
import { Play } from "lucide-react";
import { minutesOf } from "@/components/trends/labels";
import { Alert, Button, Loading } from "@/components/ui";
import { ApiError, type Schemas } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { dateFormat, formatDate } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { useScraperStatus, useTriggerScrape } from "./queries";

type Report = Schemas["PacingReport"];
type Budget = Schemas["BudgetReport"];
type Translate = ReturnType<typeof useI18n>["t"];

const CAUSES = ["datadome", "cloudflare", "repeated_403", "429"] as const;

function romeTime(iso: string): string {
  return dateFormat("it-IT", { timeZone: "Europe/Rome", hour: "2-digit", minute: "2-digit" }).format(
    new Date(iso),
  );
}

function causeOf(report: Report, t: Translate): string {
  const cause = report.cooldown_cause ?? (report.cooldown_reason === "retry_after" ? "429" : null);
  const known = CAUSES.find((name) => name === cause);
  return t(known ? (`admin.cause.${known}` as MessageKey) : "admin.cause.other");
}

/** "Tutto regolare" / "In pausa fino alle 18:40: Vinted ha mostrato una verifica (DataDome)" / … */
export function statusSentence(report: Report, t: Translate): string {
  if (report.status === "ok") return t("admin.status.ok");
  if (report.status === "unavailable") return t("admin.status.unavailable");
  if (report.status === "cooling_down") {
    const why = causeOf(report, t);
    return report.cooldown_until
      ? t("admin.status.cooling", { time: romeTime(report.cooldown_until), why })
      : t("admin.status.coolingNoTime", { why });
  }
  return t("admin.status.unknown", { status: report.status });
}

function BudgetBox({ title, budget }: { title: string; budget: Budget | null | undefined }) {
  const { t } = useI18n();
  return (
    <div className="flex flex-col gap-2 rounded-lg border border-slate-200 p-3">
      <h3 className="text-base font-semibold text-slate-900">{title}</h3>
      {budget ? (
        <>
          <p className="text-sm text-slate-800">
            {t("admin.budget.remaining", { remaining: budget.remaining, burst: budget.burst })}
          </p>
          <div
            role="meter"
            aria-label={title}
            aria-valuemin={0}
            aria-valuemax={budget.burst}
            aria-valuenow={budget.remaining}
            aria-valuetext={t("admin.budget.remaining", { remaining: budget.remaining, burst: budget.burst })}
            className="h-2 w-full overflow-hidden rounded-full bg-slate-200"
          >
            <div
              className="h-full rounded-full bg-teal-700"
              style={{ width: `${budget.burst ? Math.round((budget.remaining / budget.burst) * 100) : 0}%` }}
            />
          </div>
          <p className="text-sm text-slate-800">
            {t("admin.budget.hourly", { count: budget.hourly_count, cap: budget.hourly_cap })}
          </p>
        </>
      ) : (
        <p className="text-sm text-slate-600">{t("admin.budget.none")}</p>
      )}
    </div>
  );
}

function triggerRefusal(error: unknown, t: Translate): string | null {
  if (!(error instanceof ApiError)) return null;
  if (error.status === 409) return t("admin.trigger.nothing");
  if (error.status === 503 && error.code === "scraper_cooling_down") {
    const minutes = minutesOf(error.retryAfter);
    return minutes === 1 ? t("admin.trigger.cooling.one") : t("admin.trigger.cooling.many", { minutes });
  }
  if (error.status === 503) return t("admin.trigger.unavailable");
  return null;
}

function TriggerButton() {
  const { t } = useI18n();
  const trigger = useTriggerScrape();
  const refusal = trigger.isError ? triggerRefusal(trigger.error, t) : null;
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm text-slate-600">{t("admin.trigger.hint")}</p>
      <Button type="button" className="self-start" busy={trigger.isPending} onClick={() => trigger.mutate()}>
        {trigger.isPending ? null : <Play aria-hidden="true" className="h-5 w-5" />}
        {t("admin.trigger")}
      </Button>
      {trigger.data ? (
        <Alert kind="success">
          {trigger.data.queued
            ? t(trigger.data.searches === 1 ? "admin.trigger.queued.one" : "admin.trigger.queued.many", {
                searches: trigger.data.searches,
              })
            : t("admin.trigger.already")}
        </Alert>
      ) : null}
      {trigger.isError ? (
        <Alert kind={refusal ? "info" : "error"}>{refusal ?? errorMessage(trigger.error, t)}</Alert>
      ) : null}
    </div>
  );
}

const STATUS_COLOURS: Record<string, string> = {
  ok: "border-emerald-300 bg-emerald-50 text-emerald-950",
  cooling_down: "border-amber-300 bg-amber-50 text-amber-950",
  unavailable: "border-red-300 bg-red-50 text-red-950",
};

export function ScraperGate() {
  const { t, language } = useI18n();
  const status = useScraperStatus();
  const report = status.data;

  return (
    <section
      aria-labelledby="scraper-gate"
      className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-6"
    >
      <h2 id="scraper-gate" className="mb-4 text-lg font-semibold text-slate-900">
        {t("admin.scraper")}
      </h2>
      <div className="flex flex-col gap-4">
        {status.isPending ? <Loading label={t("admin.loading")} /> : null}
        {status.isError ? <Alert>{errorMessage(status.error, t)}</Alert> : null}
        {report ? (
          <>
            <p
              data-testid="scraper-status"
              className={`rounded-lg border px-4 py-3 text-base font-medium ${
                STATUS_COLOURS[report.status] ?? "border-slate-300 bg-slate-50 text-slate-900"
              }`}
            >
              {statusSentence(report, t)}
            </p>
            {report.detail && report.status !== "ok" ? <p className="text-sm text-slate-700">{report.detail}</p> : null}
            <div className="grid gap-3 sm:grid-cols-2">
              <BudgetBox title={t("admin.budget.read")} budget={report.read} />
              <BudgetBox title={t("admin.budget.write")} budget={report.write} />
            </div>
            <dl className="grid gap-1 text-sm sm:grid-cols-[max-content_1fr] sm:gap-x-4">
              <dt className="font-medium text-slate-700">{t("admin.queued")}</dt>
              <dd className="text-slate-900" data-testid="scraper-queued">
                {report.queued_scrapes ?? t("admin.queued.unknown")}
              </dd>
            </dl>
            <section aria-labelledby="scraper-changed" className="flex flex-col gap-2">
              <h3 id="scraper-changed" className="text-base font-semibold text-slate-900">
                {t("admin.changed")}
              </h3>
              {report.last_changed ? (
                <dl className="grid gap-1 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm sm:grid-cols-[max-content_1fr] sm:gap-x-4">
                  <dt className="font-medium text-amber-950">{t("admin.changed.endpoint")}</dt>
                  <dd className="break-all text-slate-900">{report.last_changed.endpoint}</dd>
                  <dt className="font-medium text-amber-950">{t("admin.changed.detail")}</dt>
                  <dd className="break-words text-slate-900">{report.last_changed.detail}</dd>
                  <dt className="font-medium text-amber-950">{t("admin.changed.at")}</dt>
                  <dd className="text-slate-900">{formatDate(report.last_changed.at, language, true)}</dd>
                </dl>
              ) : (
                <p className="text-sm text-slate-600">{t("admin.changed.none")}</p>
              )}
            </section>
            <p className="text-xs text-slate-600">
              {t("admin.refreshed", { time: romeTime(new Date(status.dataUpdatedAt).toISOString()) })}
            </p>
          </>
        ) : null}
        <TriggerButton />
      </div>
    </section>
  );
}
