"use client";

// The installation's figures as cards: requests a minute, latencies, errors, the queues and their
// failures, the AI's cache and availability, Vinted's budget and cool-down, database and storage sizes.
// Each part the server could not read shows its reason instead. Read every 30 s.
import type { ReactNode } from "react";
import { Alert, Loading } from "@/components/ui";
import { errorMessage } from "@/lib/errors";
import { formatDate, numberFormat } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import type { Schemas } from "@/lib/api";
import { useInstanceMetrics, type InstanceMetrics } from "./queries";
import { statusSentence } from "./scraper-gate";

type Translate = ReturnType<typeof useI18n>["t"];
type Part = { available?: boolean; reason?: string | null };
type RequestWindow = Schemas["RequestWindow"];

function number(value: number | null | undefined, language: string, digits = 0): string {
  if (value === null || value === undefined) return "—";
  return numberFormat(language === "it" ? "it-IT" : "en-GB", {
    maximumFractionDigits: digits,
    minimumFractionDigits: 0,
  }).format(value);
}

function bytes(value: number | null | undefined, language: string): string {
  if (value === null || value === undefined) return "—";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let size = value;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit += 1;
  }
  return `${number(size, language, unit ? 1 : 0)} ${units[unit]}`;
}

function MetricCard({
  title,
  part,
  testId,
  children,
}: {
  title: string;
  part?: Part;
  testId: string;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const down = part && part.available === false;
  return (
    <section
      aria-label={title}
      data-testid={testId}
      className={`flex flex-col gap-2 rounded-lg border p-3 ${down ? "border-red-300 bg-red-50" : "border-slate-200"}`}
    >
      <h3 className="text-base font-semibold text-slate-900">{title}</h3>
      {down ? (
        <p className="text-sm text-red-900">
          <span className="font-medium">{t("admin.metrics.unavailable")}</span> {part.reason}
        </p>
      ) : (
        children
      )}
    </section>
  );
}

function Figures({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="grid grid-cols-[1fr_max-content] gap-x-3 gap-y-1 text-sm">
      {rows.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-slate-700">{label}</dt>
          <dd className="text-right font-medium tabular-nums text-slate-900">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function windowOf(metrics: InstanceMetrics, minutes: number): RequestWindow | undefined {
  return metrics.requests.windows?.find((window) => window.minutes === minutes);
}

function ms(value: number | null | undefined, language: string, t: Translate): string {
  return value === null || value === undefined ? "—" : t("admin.metrics.ms", { value: number(value, language, 1) });
}

function Requests({ metrics }: { metrics: InstanceMetrics }) {
  const { t, language } = useI18n();
  const five = windowOf(metrics, 5);
  const hour = windowOf(metrics, 60);
  return (
    <>
      <MetricCard title={t("admin.metrics.rate")} part={metrics.requests} testId="metric-rate">
        <p data-testid="metric-value" className="text-2xl font-semibold tabular-nums text-slate-900">{number(five?.requests_per_minute, language, 1)}</p>
        <Figures
          rows={[
            [t("admin.metrics.last5"), number(five?.requests, language)],
            [t("admin.metrics.last60"), number(hour?.requests, language)],
            [t("admin.metrics.rate60"), number(hour?.requests_per_minute, language, 1)],
          ]}
        />
      </MetricCard>
      <MetricCard title={t("admin.metrics.latency")} part={metrics.requests} testId="metric-latency">
        <Figures
          rows={[
            ["p50", ms(five?.p50_ms, language, t)],
            ["p95", ms(five?.p95_ms, language, t)],
            ["p99", ms(five?.p99_ms, language, t)],
            [t("admin.metrics.p95hour"), ms(hour?.p95_ms, language, t)],
          ]}
        />
      </MetricCard>
      <MetricCard title={t("admin.metrics.errors")} part={metrics.requests} testId="metric-errors">
        <Figures
          rows={[
            [t("admin.metrics.errors5xx5"), number(five?.server_errors, language)],
            [t("admin.metrics.errors4xx5"), number(five?.client_errors, language)],
            [t("admin.metrics.errors5xx60"), number(hour?.server_errors, language)],
            [t("admin.metrics.errors4xx60"), number(hour?.client_errors, language)],
          ]}
        />
      </MetricCard>
    </>
  );
}

function Queues({ metrics }: { metrics: InstanceMetrics }) {
  const { t, language } = useI18n();
  return (
    <>
      {metrics.queues.map((queue) => (
        <MetricCard
          key={queue.name}
          title={queue.name === "vo" ? t("admin.metrics.queue.jobs") : t("admin.metrics.queue.scraper")}
          part={queue}
          testId={`metric-queue-${queue.name}`}
        >
          <Figures
            rows={[
              [t("admin.metrics.queue.queued"), number(queue.stats?.queued, language)],
              [t("admin.metrics.queue.active"), number(queue.stats?.active, language)],
              [t("admin.metrics.queue.scheduled"), number(queue.stats?.scheduled, language)],
              [t("admin.metrics.queue.failed"), number(queue.stats?.failed, language)],
              [t("admin.metrics.queue.retried"), number(queue.stats?.retried, language)],
              [t("admin.metrics.queue.workers"), number(queue.stats?.workers, language)],
            ]}
          />
        </MetricCard>
      ))}
    </>
  );
}

function Home({ metrics }: { metrics: InstanceMetrics }) {
  const { t, language } = useI18n();
  const cache = metrics.analysis_cache;
  const ai = metrics.ai;
  const report = metrics.scraper.report;
  const yesNo = (value: boolean | null | undefined) =>
    value === null || value === undefined ? "—" : value ? t("admin.metrics.yes") : t("admin.metrics.no");
  return (
    <>
      <MetricCard title={t("admin.metrics.cache")} part={cache} testId="metric-cache">
        <p data-testid="metric-value" className="text-2xl font-semibold tabular-nums text-slate-900">
          {cache.hit_rate === null || cache.hit_rate === undefined ? "—" : `${number(cache.hit_rate * 100, language, 1)}%`}
        </p>
        <Figures
          rows={[
            [t("admin.metrics.cache.hits"), number(cache.hits, language)],
            [t("admin.metrics.cache.misses"), number(cache.misses, language)],
            [t("admin.metrics.cache.enabled"), yesNo(cache.enabled)],
          ]}
        />
      </MetricCard>
      <MetricCard title={t("admin.metrics.ai")} part={ai} testId="metric-ai">
        <p className="text-base font-medium text-slate-900">
          {ai.status === "ok" ? t("admin.metrics.ai.ok") : t("admin.metrics.ai.degraded")}
        </p>
        <Figures
          rows={[
            [t("admin.metrics.ai.ollama"), yesNo(ai.ollama_reachable)],
            [t("admin.metrics.ai.vision"), yesNo(ai.vision_model_present)],
            [t("admin.metrics.ai.chat"), ai.chat_mode ?? "—"],
          ]}
        />
      </MetricCard>
      <MetricCard title={t("admin.metrics.vinted")} part={metrics.scraper} testId="metric-vinted">
        {report ? (
          <>
            <p className="text-base font-medium text-slate-900">{statusSentence(report, t)}</p>
            <Figures
              rows={[
                [t("admin.metrics.vinted.reads"), report.read ? `${report.read.remaining}/${report.read.burst}` : "—"],
                [
                  t("admin.metrics.vinted.readsHour"),
                  report.read ? t("admin.budget.hourly", { count: report.read.hourly_count, cap: report.read.hourly_cap }) : "—",
                ],
                [t("admin.metrics.vinted.writes"), report.write ? `${report.write.remaining}/${report.write.burst}` : "—"],
                [
                  t("admin.metrics.vinted.cooldown"),
                  report.cooldown_until ? formatDate(report.cooldown_until, language, true) : t("admin.metrics.vinted.noCooldown"),
                ],
              ]}
            />
          </>
        ) : null}
      </MetricCard>
    </>
  );
}

function Sizes({ metrics }: { metrics: InstanceMetrics }) {
  const { t, language } = useI18n();
  const storage = metrics.storage;
  return (
    <>
      <MetricCard title={t("admin.metrics.database")} part={metrics.database} testId="metric-database">
        <p data-testid="metric-value" className="text-2xl font-semibold tabular-nums text-slate-900">{bytes(metrics.database.bytes, language)}</p>
      </MetricCard>
      <MetricCard title={t("admin.metrics.storage")} part={storage} testId="metric-storage">
        <p data-testid="metric-value" className="text-2xl font-semibold tabular-nums text-slate-900">
          {storage.complete === false ? "≥ " : ""}
          {bytes(storage.bytes, language)}
        </p>
        <Figures
          rows={[
            [t("admin.metrics.storage.objects"), `${storage.complete === false ? "≥ " : ""}${number(storage.objects, language)}`],
            [t("admin.metrics.storage.kind"), storage.kind === "s3" ? "S3/R2" : t("admin.metrics.storage.local")],
          ]}
        />
        {storage.measured_at ? (
          <p className="text-xs text-slate-600">
            {t("admin.metrics.storage.measured", { time: formatDate(storage.measured_at, language, true) })}
          </p>
        ) : null}
      </MetricCard>
    </>
  );
}

export function MetricsPanel() {
  const { t, language } = useI18n();
  const metrics = useInstanceMetrics();
  const data = metrics.data;
  return (
    <section aria-labelledby="admin-metrics" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
      <h2 id="admin-metrics" className="mb-1 text-lg font-semibold text-slate-900">
        {t("admin.metrics")}
      </h2>
      <p className="mb-4 text-sm text-slate-600">{t("admin.metrics.intro")}</p>
      {metrics.isPending ? <Loading label={t("admin.metrics.loading")} /> : null}
      {metrics.isError ? <Alert>{errorMessage(metrics.error, t)}</Alert> : null}
      {data ? (
        <>
          <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
            <Requests metrics={data} />
            <Queues metrics={data} />
            <Home metrics={data} />
            <Sizes metrics={data} />
          </div>
          <p className="mt-3 text-xs text-slate-600">
            {t("admin.metrics.refreshed", { time: formatDate(data.generated_at, language, true) })}
          </p>
        </>
      ) : null}
    </section>
  );
}
