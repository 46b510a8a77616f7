"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { CheckCircle2, ExternalLink, Undo2 } from "lucide-react";
import { useState, type FormEvent } from "react";
import { Alert, Button, Field } from "@/components/ui";
import { ApiError, api, unwrap } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { formErrors } from "@/lib/form-errors";
import { useI18n } from "@/lib/i18n";
import type { Listing, ListingStatus } from "./labels";
import { storeListing } from "./queries";

// The statuses the API lets a member mark as published by hand (a reserved or sold item is past that).
const MARKABLE: readonly ListingStatus[] = ["draft", "ready", "hidden", "published"];

/** "I published it on Vinted myself": the item's link makes the inventory say so (or, undone, not). */
export function PublishedByHand({ listing }: { listing: Listing }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [link, setLink] = useState("");
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [done, setDone] = useState<"marked" | "undone" | null>(null);

  const mark = useMutation({
    mutationFn: async (vintedUrl: string) =>
      unwrap(
        await api.POST("/api/v1/listings/{listing_id}/published-by-hand", {
          params: { path: { listing_id: listing.id } },
          body: { vinted_url: vintedUrl },
        }),
      ),
    onSuccess: (updated) => {
      storeListing(queryClient, updated);
      setLink("");
      setDone("marked");
    },
    onError: (error) => {
      // A refused link (422) or a link another listing has (409) is said under the field.
      if (error instanceof ApiError && error.status === 409) setFieldError(error.detail);
      else setFieldError(formErrors(error, ["vinted_url"] as const, t).fields.vinted_url);
    },
  });
  const undo = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.DELETE("/api/v1/listings/{listing_id}/published-by-hand", {
          params: { path: { listing_id: listing.id } },
        }),
      ),
    onSuccess: (updated) => {
      storeListing(queryClient, updated);
      setDone("undone");
    },
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setDone(null);
    undo.reset();
    if (!link.trim()) {
      setFieldError(t("common.required"));
      return;
    }
    setFieldError(undefined);
    mark.mutate(link.trim());
  };

  const published = listing.status === "published" && listing.vinted_url;
  const markError = mark.error && !fieldError ? errorMessage(mark.error, t) : null;
  return (
    <section aria-labelledby={`by-hand-${listing.id}`} className="flex flex-col gap-3 border-t border-slate-200 pt-4">
      <h3 id={`by-hand-${listing.id}`} className="text-base font-semibold text-slate-900">
        {t("copy.published.title")}
      </h3>
      {published ? (
        <div className="flex flex-col gap-2">
          <p className="flex items-center gap-2 text-sm font-medium text-emerald-800">
            <CheckCircle2 aria-hidden="true" className="h-5 w-5" />
            {t("copy.published.is")}
          </p>
          <div className="flex flex-wrap gap-2">
            <a
              href={listing.vinted_url ?? undefined}
              target="_blank"
              rel="noopener noreferrer"
              className="inline-flex min-h-11 min-w-0 items-center gap-2 break-all rounded-lg px-1 py-2 text-base font-medium text-teal-800 underline hover:bg-teal-50"
            >
              <ExternalLink aria-hidden="true" className="h-5 w-5 shrink-0" />
              {listing.vinted_url}
            </a>
          </div>
          <div>
            {listing.published_by_hand ? (
              <Button
                type="button"
                variant="secondary"
                onClick={() => {
                  setDone(null);
                  undo.mutate();
                }}
                busy={undo.isPending}
              >
                <Undo2 aria-hidden="true" className="h-5 w-5" />
                {t("copy.published.undo")}
              </Button>
            ) : null}
          </div>
        </div>
      ) : MARKABLE.includes(listing.status) ? (
        <form noValidate onSubmit={submit} className="flex flex-col gap-3">
          <p className="text-sm text-slate-700">{t("copy.published.intro")}</p>
          <Field
            label={t("copy.published.link")}
            name="vinted_url"
            type="url"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            value={link}
            onChange={(event) => setLink(event.target.value)}
            hint={t("copy.published.hint")}
            error={fieldError}
          />
          <div>
            <Button type="submit" busy={mark.isPending}>
              {t("copy.published.submit")}
            </Button>
          </div>
        </form>
      ) : null}
      <p role="status" className="text-sm font-medium text-teal-800">
        {done === "marked" ? t("copy.published.done") : done === "undone" ? t("copy.published.undone") : ""}
      </p>
      {markError ? <Alert>{markError}</Alert> : null}
      {undo.error ? <Alert>{errorMessage(undo.error, t)}</Alert> : null}
    </section>
  );
}
