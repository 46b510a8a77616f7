"use client";

import { Download } from "lucide-react";
import { useId, useState } from "react";
import { Alert, Button, Loading, Select } from "@/components/ui";
import { errorMessage } from "@/lib/errors";
import { formatEuro } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import { download } from "@/lib/download";
import { currentYear, type Dac7Member, type Dac7Summary } from "./labels";
import { useDac7 } from "./queries";

const FIRST_YEAR = 2023; // DAC7's first reported year (sales/schemas.py YEAR_MIN)

function Progress({ label, value, max, text, tone }: { label: string; value: number; max: number; text: string; tone: string }) {
  const id = useId();
  const percent = max > 0 ? Math.min(100, (value / max) * 100) : 0;
  return (
    <div>
      <div className="flex items-baseline justify-between gap-2 text-sm">
        <span id={id} className="font-medium text-slate-800">
          {label}
        </span>
        <span className="text-slate-700">{text}</span>
      </div>
      <div
        role="progressbar"
        aria-labelledby={id}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={Math.min(value, max)}
        aria-valuetext={text}
        className="mt-1 h-3 overflow-hidden rounded-full bg-slate-100"
      >
        <div className={`h-3 rounded-full ${tone}`} style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}

function MemberCard({ member, summary }: { member: Dac7Member; summary: Dac7Summary }) {
  const { t, language } = useI18n();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const amountThreshold = Number(summary.amount_threshold);
  const tone = member.reported ? "bg-red-600" : member.warning ? "bg-amber-500" : "bg-teal-600";
  const state = member.reported
    ? { text: t("dac7.state.reported"), style: "bg-red-50 text-red-900 ring-red-300" }
    : member.warning
      ? { text: t("dac7.state.warning"), style: "bg-amber-50 text-amber-950 ring-amber-400" }
      : { text: t("dac7.state.below"), style: "bg-emerald-50 text-emerald-900 ring-emerald-300" };
  const fetchSummary = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await download(
        "/sales/dac7/export",
        { year: summary.year, member: member.member_id },
        `dac7_${summary.year}_${member.username}.csv`,
      );
    } catch (error) {
      setProblem(errorMessage(error, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li className="rounded-xl border border-slate-200 p-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 className="text-base font-semibold text-slate-900">{member.username}</h3>
        <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${state.style}`}>
          {state.text}
        </span>
      </div>
      <div className="mt-3 flex flex-col gap-3">
        <Progress
          label={t("dac7.sales")}
          value={member.sales}
          max={summary.sales_threshold}
          text={t("dac7.salesOf", { count: member.sales, threshold: summary.sales_threshold })}
          tone={tone}
        />
        <Progress
          label={t("dac7.gross")}
          value={Number(member.gross)}
          max={amountThreshold}
          text={t("dac7.grossOf", {
            gross: formatEuro(member.gross, language),
            threshold: formatEuro(summary.amount_threshold, language),
          })}
          tone={tone}
        />
      </div>
      <p className={`mt-3 text-sm ${member.reported || member.warning ? "font-medium text-slate-900" : "text-slate-700"}`}>
        {member.message}
      </p>
      <Button type="button" variant="secondary" className="mt-3" busy={busy} onClick={() => void fetchSummary()}>
        <Download aria-hidden="true" className="h-5 w-5" />
        {t("dac7.download", { name: member.username })}
      </Button>
      {problem ? (
        <div className="mt-2">
          <Alert>{problem}</Alert>
        </div>
      ) : null}
    </li>
  );
}

/** Each member's calendar year against DAC7's thresholds (30 sales or € 2,000), in plain words. */
export function Dac7Panel() {
  const { t } = useI18n();
  const thisYear = currentYear();
  const [year, setYear] = useState(thisYear);
  const dac7 = useDac7(year);
  const years = Array.from({ length: Math.max(1, thisYear - FIRST_YEAR + 1) }, (_, index) => thisYear - index);
  const summary = dac7.data;
  return (
    <section aria-labelledby="dac7-title" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <h2 id="dac7-title" className="text-lg font-semibold text-slate-900">
            {t("dac7.title")}
          </h2>
          <p className="text-sm text-slate-600">{t("dac7.subtitle")}</p>
        </div>
        <Select
          label={t("dac7.year")}
          value={String(year)}
          onChange={(event) => setYear(Number(event.currentTarget.value))}
          className="sm:w-40"
        >
          {years.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </Select>
      </div>
      {summary ? (
        <div className={`mt-4 flex flex-col gap-4 ${dac7.isPlaceholderData ? "opacity-60" : ""}`} aria-busy={dac7.isFetching}>
          <div className="flex flex-col gap-2 rounded-lg bg-sky-50 p-3 text-sm text-sky-950">
            <p>{summary.explanation}</p>
            <p>{summary.partita_iva}</p>
            <p>{summary.what_counts}</p>
          </div>
          <ul className="grid grid-cols-1 gap-3 lg:grid-cols-2">
            {summary.members.map((member) => (
              <MemberCard key={member.member_id} member={member} summary={summary} />
            ))}
          </ul>
        </div>
      ) : dac7.isError ? (
        <div className="mt-4">
          <Alert>{errorMessage(dac7.error, t)}</Alert>
        </div>
      ) : (
        <Loading label={t("common.loading")} className="py-6" />
      )}
      {summary && dac7.isError ? (
        <div className="mt-4">
          <Alert>{errorMessage(dac7.error, t)}</Alert>
        </div>
      ) : null}
    </section>
  );
}
