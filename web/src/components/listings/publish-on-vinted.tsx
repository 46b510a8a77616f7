"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { CheckCircle2, ExternalLink, RefreshCw, Send, Undo2 } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { Alert, Button } from "@/components/ui";
import { ApiError, api, unwrap } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { ConfirmPanel } from "./confirm";
import type { Listing } from "./labels";
import { publishRunning, storeListing } from "./queries";
import { dateFormat } from "@/lib/format";

type Action = "publish" | "unpublish" | "repost";
type Publishing = NonNullable<Listing["publishing"]>;

// A field the API names → the editor's control to focus (its `name`), or the photos' section.
const FIELD_TARGETS: Record<string, string> = { category_id: "category", size_id: "size_id", photos: "#foto" };

const TIME_ZONE = "Europe/Rome";

function timeOf(iso: string, language: string): string {
  return dateFormat(language === "it" ? "it-IT" : "en-GB", {
    timeZone: TIME_ZONE,
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(iso));
}

function goToField(field: string) {
  const target = FIELD_TARGETS[field] ?? field;
  if (target.startsWith("#")) {
    document.querySelector(target)?.scrollIntoView({ behavior: "smooth", block: "start" });
    return;
  }
  const control = document.querySelector<HTMLElement>(`[name="${target}"], [name="${field}"]`);
  control?.scrollIntoView({ behavior: "smooth", block: "center" });
  control?.focus();
}

/** Where the publishing is, in words: "In coda: parte alle 18:42", the step while it runs, why it failed. */
export function PublishState({ publishing }: { publishing: Publishing }) {
  const { t, language } = useI18n();
  const running = publishing.state !== "published" && publishing.state !== "failed";
  if (!running && publishing.state !== "failed") return null;
  let label: string;
  if (publishing.state === "queued") {
    label = publishing.not_before
      ? t("publish.state.queuedAt", { time: timeOf(publishing.not_before, language) })
      : t("publish.state.queued");
  } else {
    label = t(`publish.state.${publishing.state}` as MessageKey);
  }
  return (
    <div role="status" data-testid="publish-state" className="flex flex-col gap-1 text-sm">
      <p className={`font-medium ${publishing.state === "failed" ? "text-red-800" : "text-sky-900"}`}>
        {label}
        {publishing.step && running ? ` — ${publishing.step}` : null}
      </p>
      {publishing.state === "queued" && publishing.error ? (
        <p className="text-slate-700">{t("publish.waiting", { reason: publishing.error })}</p>
      ) : null}
      {publishing.state === "failed" && publishing.error ? (
        <p className="text-red-800">
          {publishing.error} {t(publishing.operation === "publish" ? "publish.failedWhat" : "publish.failedRetry")}
        </p>
      ) : null}
    </div>
  );
}

/** The request's refusal, with what to do: the fields to fix, or where to link Vinted. */
function Refusal({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (error instanceof ApiError && error.status === 422 && error.fields.length > 0) {
    return (
      <Alert>
        <p className="font-medium">{t("publish.fix")}</p>
        <ul className="mt-1 flex flex-col gap-1">
          {error.fields.map((problem) => (
            <li key={problem.field}>
              <button
                type="button"
                className="min-h-11 text-left underline hover:no-underline"
                onClick={() => goToField(problem.field)}
              >
                {problem.message}
              </button>
            </li>
          ))}
        </ul>
      </Alert>
    );
  }
  if (error instanceof ApiError && error.code === "vinted_not_linked") {
    return (
      <Alert>
        {error.detail}{" "}
        <Link href="/impostazioni" className="font-medium underline">
          {t("publish.notLinked")}
        </Link>
      </Alert>
    );
  }
  if (error instanceof ApiError && error.code === "not_listing_owner") return <Alert>{t("publish.notOwner")}</Alert>;
  return <Alert>{errorMessage(error, t)}</Alert>;
}

/** Publish, take off, repost: each queued on the server (202), its progress shown as it moves. */
export function PublishOnVinted({ listing }: { listing: Listing }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState<"unpublish" | "repost" | null>(null);
  const ask = useMutation({
    mutationFn: async (action: Action) => {
      const params = { params: { path: { listing_id: listing.id } } };
      if (action === "publish") return unwrap(await api.POST("/api/v1/listings/{listing_id}/publish", params));
      if (action === "unpublish") return unwrap(await api.POST("/api/v1/listings/{listing_id}/unpublish", params));
      return unwrap(await api.POST("/api/v1/listings/{listing_id}/repost", { ...params, body: { confirm: true } }));
    },
    onSuccess: (updated) => {
      storeListing(queryClient, updated);
      setConfirming(null);
    },
  });
  const running = publishRunning(listing);
  const onVinted = Boolean(listing.vinted_id);
  const publishing = listing.publishing;
  const start = (action: Action) => {
    ask.reset();
    if (action === "publish") ask.mutate(action);
    else setConfirming(action);
  };

  return (
    <section
      aria-labelledby={`publish-${listing.id}`}
      data-testid="publish-on-vinted"
      className="flex flex-col gap-3 rounded-xl border border-slate-200 bg-white p-4"
    >
      <h2 id={`publish-${listing.id}`} className="text-base font-semibold text-slate-900">
        {t("publish.title")}
      </h2>
      {!onVinted && !running ? <p className="text-sm text-slate-700">{t("publish.intro")}</p> : null}
      {onVinted && listing.vinted_url && !running ? (
        <a
          href={listing.vinted_url}
          target="_blank"
          rel="noopener noreferrer"
          className="inline-flex min-h-11 items-center gap-2 text-base font-medium text-emerald-800 underline hover:bg-emerald-50"
        >
          <CheckCircle2 aria-hidden="true" className="h-5 w-5" />
          {t("publish.published")}
          <ExternalLink aria-hidden="true" className="h-4 w-4" />
        </a>
      ) : null}
      {publishing ? <PublishState publishing={publishing} /> : null}
      <div role="group" aria-label={t("publish.title")} className="flex flex-wrap gap-2">
        {!onVinted ? (
          <Button type="button" onClick={() => start("publish")} busy={ask.isPending} disabled={running}>
            <Send aria-hidden="true" className="h-5 w-5" />
            {t("publish.publish")}
          </Button>
        ) : (
          <>
            <Button type="button" variant="secondary" onClick={() => start("repost")} disabled={running}>
              <RefreshCw aria-hidden="true" className="h-5 w-5" />
              {t("publish.repost")}
            </Button>
            <Button type="button" variant="secondary" onClick={() => start("unpublish")} disabled={running}>
              <Undo2 aria-hidden="true" className="h-5 w-5" />
              {t("publish.unpublish")}
            </Button>
          </>
        )}
      </div>
      {confirming === "repost" ? (
        <ConfirmPanel
          danger={false}
          message={t("publish.repostConfirm")}
          confirmLabel={t("publish.repostButton")}
          busy={ask.isPending}
          onConfirm={() => ask.mutate("repost")}
          onCancel={() => setConfirming(null)}
        />
      ) : null}
      {confirming === "unpublish" ? (
        <ConfirmPanel
          message={t("publish.unpublishConfirm")}
          confirmLabel={t("publish.unpublishButton")}
          busy={ask.isPending}
          onConfirm={() => ask.mutate("unpublish")}
          onCancel={() => setConfirming(null)}
        />
      ) : null}
      {ask.isError ? <Refusal error={ask.error} /> : null}
    </section>
  );
}
