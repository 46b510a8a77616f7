"use client";

// What to do next: each suggestion with its reasoning and one tap that applies it (a new price, a repost,
// or the page to open), and "Nascondi" for the advice the family does not want (30 days).
import { EyeOff, Lightbulb } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { Alert, Button, Loading, buttonClasses } from "@/components/ui";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { useApplySuggestion, useDismissSuggestion, useSuggestions, type Suggestion } from "./queries";

function SuggestionCard({ suggestion, onDone }: { suggestion: Suggestion; onDone: (text: string) => void }) {
  const { t } = useI18n();
  const apply = useApplySuggestion();
  const dismiss = useDismissSuggestion();
  const action = suggestion.action;
  const titleId = `suggestion-${suggestion.key.replace(/[^a-z0-9-]/gi, "-")}`;
  const failure = apply.error ?? dismiss.error;
  return (
    <li className="flex flex-col gap-2 rounded-xl border border-slate-200 p-4" data-testid="suggestion">
      <h3 id={titleId} className="flex items-start gap-2 text-base font-semibold text-slate-900">
        <Lightbulb aria-hidden="true" className="mt-0.5 h-5 w-5 shrink-0 text-amber-600" />
        {suggestion.title}
      </h3>
      <p className="text-sm text-slate-700">{suggestion.reasoning}</p>
      <div className="flex flex-wrap gap-2">
        {action?.kind === "open" && action.link ? (
          <Link prefetch={false} href={action.link} className={buttonClasses("primary")}>
            {action.label}
          </Link>
        ) : action ? (
          <Button
            type="button"
            busy={apply.isPending}
            disabled={dismiss.isPending}
            onClick={() =>
              apply.mutate(suggestion, {
                onSuccess: () =>
                  onDone(t(action.kind === "repost" ? "dashboard.suggestions.reposted" : "dashboard.suggestions.priced")),
              })
            }
          >
            {action.label}
          </Button>
        ) : null}
        <Button
          type="button"
          variant="ghost"
          busy={dismiss.isPending}
          disabled={apply.isPending}
          aria-label={t("dashboard.suggestions.hideOne", { title: suggestion.title })}
          onClick={() => dismiss.mutate(suggestion.key, { onSuccess: () => onDone(t("dashboard.suggestions.hidden")) })}
        >
          <EyeOff aria-hidden="true" className="h-5 w-5" />
          {t("dashboard.suggestions.hide")}
        </Button>
      </div>
      {failure ? <Alert>{errorMessage(failure, t)}</Alert> : null}
    </li>
  );
}

const FIRST_SHOWN = 4;

export function SuggestionsPanel() {
  const { t } = useI18n();
  const suggestions = useSuggestions();
  const [done, setDone] = useState<string | null>(null);
  const [all, setAll] = useState(false);
  const items = suggestions.data?.items ?? [];
  // A few at a time: a phone shows the first ones without a long scroll, the rest one tap away.
  const shown = all ? items : items.slice(0, FIRST_SHOWN);
  return (
    <section
      aria-labelledby="dash-suggestions"
      className="flex min-w-0 flex-col gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-6"
      data-testid="dashboard-suggestions"
    >
      <h2 id="dash-suggestions" className="text-lg font-semibold text-slate-900">
        {t("dashboard.suggestions.title")}
      </h2>
      {/* What the last tap did (announced: a success Alert is a status); the list refetches by itself. */}
      {done ? <Alert kind="success">{done}</Alert> : null}
      {suggestions.isPending ? <Loading label={t("dashboard.suggestions.loading")} /> : null}
      {suggestions.isError ? (
        <Alert>
          {t("dashboard.suggestions.error")} {errorMessage(suggestions.error, t)}
        </Alert>
      ) : null}
      {suggestions.isSuccess && !items.length ? (
        <p className="text-sm text-slate-600">{t("dashboard.suggestions.empty")}</p>
      ) : null}
      {items.length ? (
        <ul className="flex flex-col gap-3" aria-labelledby="dash-suggestions">
          {shown.map((suggestion) => (
            <SuggestionCard key={suggestion.key} suggestion={suggestion} onDone={setDone} />
          ))}
        </ul>
      ) : null}
      {items.length > shown.length ? (
        <Button type="button" variant="secondary" onClick={() => setAll(true)}>
          {t("dashboard.suggestions.more", { count: items.length - shown.length })}
        </Button>
      ) : null}
    </section>
  );
}
