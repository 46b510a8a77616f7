"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ArrowLeft, Copy, Sparkles, Trash2 } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type ReactNode } from "react";
import { useMeta } from "@/components/meta/queries";
import { Alert, Button, Loading } from "@/components/ui";
import { ApiError, api, apiUrl, unwrap } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { formatEuro } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import type { DuplicateWarning } from "@/lib/upload";
import { AnalysisBadge, StatusBadge } from "./badges";
import { ConfirmPanel } from "./confirm";
import { CopyToVinted } from "./copy-to-vinted";
import { primaryImage, type Listing } from "./labels";
import { ListingEditor } from "./listing-editor";
import { MarketPanel } from "./market-panel";
import { PhotoManager } from "./photo-manager";
import { PublishOnVinted } from "./publish-on-vinted";
import { listingKeys, storeListing, useListing, useReanalyze } from "./queries";
import { SimilarListings } from "./similar-listings";
import { DuplicateNotice } from "./upload-panel";
import { RecordSale } from "@/components/sales/record-sale";

export function BackLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <Link
      href={href}
      className="mb-2 inline-flex min-h-11 items-center gap-1 rounded-lg pr-2 text-sm font-medium text-teal-800 hover:underline focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600"
    >
      <ArrowLeft aria-hidden="true" className="h-4 w-4" />
      {children}
    </Link>
  );
}

type Confirming = "delete" | "reanalyze" | null;

function DetailActions({
  listing,
  backHref,
  onFlash,
}: {
  listing: Listing;
  backHref: string;
  onFlash: (target: string, text: string) => void;
}) {
  const { t } = useI18n();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState<Confirming>(null);
  const reanalyze = useReanalyze(listing);
  const duplicate = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST("/api/v1/listings/{listing_id}/duplicate", { params: { path: { listing_id: listing.id } } }),
      ),
    onSuccess: (copy) => {
      storeListing(queryClient, copy);
      onFlash(`id:${copy.id}`, t("detail.duplicated"));
      router.push(`/annunci?id=${copy.id}`);
    },
  });
  const remove = useMutation({
    mutationFn: async () =>
      unwrap(await api.DELETE("/api/v1/listings/{listing_id}", { params: { path: { listing_id: listing.id } } })),
    onSuccess: () => {
      // Lists only: refetching this (gone) listing while the page changes would just answer 404.
      void queryClient.invalidateQueries({ queryKey: listingKeys.lists() });
      void queryClient.invalidateQueries({ queryKey: listingKeys.similarAll() });
      onFlash("list", t("detail.deleted"));
      router.push(backHref);
    },
  });
  const hasPhoto = primaryImage(listing) !== undefined;
  const failure = duplicate.error ?? remove.error ?? reanalyze.error;

  return (
    <div className="flex flex-col gap-3">
      <div role="group" aria-label={t("detail.actions")} className="flex flex-wrap gap-2">
        <Button type="button" variant="secondary" onClick={() => duplicate.mutate()} busy={duplicate.isPending}>
          <Copy aria-hidden="true" className="h-5 w-5" />
          {t("detail.duplicate")}
        </Button>
        <Button
          type="button"
          variant="secondary"
          onClick={() => setConfirming("reanalyze")}
          disabled={!hasPhoto || listing.analysis_status === "pending"}
          busy={reanalyze.isPending}
          title={!hasPhoto ? t("detail.reanalyzeNeedsPhoto") : undefined}
          className="disabled:opacity-50"
        >
          <Sparkles aria-hidden="true" className="h-5 w-5" />
          {t("detail.reanalyze")}
        </Button>
        <Button
          type="button"
          variant="ghost"
          className="text-red-700 hover:bg-red-50"
          onClick={() => setConfirming("delete")}
        >
          <Trash2 aria-hidden="true" className="h-5 w-5" />
          {t("detail.delete")}
        </Button>
      </div>
      {confirming === "delete" ? (
        <ConfirmPanel
          message={t("detail.confirmDelete")}
          confirmLabel={t("detail.confirmDeleteButton")}
          busy={remove.isPending}
          onConfirm={() => remove.mutate()}
          onCancel={() => setConfirming(null)}
        />
      ) : null}
      {confirming === "reanalyze" ? (
        <ConfirmPanel
          danger={false}
          message={t("detail.confirmReanalyze")}
          confirmLabel={t("detail.confirmReanalyzeButton")}
          busy={reanalyze.isPending}
          onConfirm={() => reanalyze.mutate(undefined, { onSuccess: () => setConfirming(null) })}
          onCancel={() => setConfirming(null)}
        />
      ) : null}
      {failure ? <Alert>{errorMessage(failure, t)}</Alert> : null}
    </div>
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface DetailProps {
  id: string;
  backHref: string;
  notice?: ReactNode;
  duplicates?: DuplicateWarning[];
  onFlash: (target: string, text: string) => void;
}

export function ListingDetail(props: DetailProps) {
  const { t } = useI18n();
  if (!UUID.test(props.id)) {
    return (
      <>
        <BackLink href={props.backHref}>{t("detail.back")}</BackLink>
        <Alert>{t("detail.notFound")}</Alert>
      </>
    );
  }
  return <LoadedDetail {...props} />;
}

function LoadedDetail({ id, backHref, notice, duplicates, onFlash }: DetailProps) {
  const { t, language } = useI18n();
  const query = useListing(id);
  // The server's vocabulary and limits (for the form and the uploads), asked for together with the listing.
  const meta = useMeta();

  if (query.isError || meta.isError) {
    const missing = query.error instanceof ApiError && (query.error.status === 404 || query.error.status === 422);
    return (
      <>
        <BackLink href={backHref}>{t("detail.back")}</BackLink>
        <Alert>{missing ? t("detail.notFound") : errorMessage(query.error ?? meta.error, t)}</Alert>
      </>
    );
  }
  if (query.isPending || meta.isPending) {
    return (
      <>
        <BackLink href={backHref}>{t("detail.back")}</BackLink>
        <Loading label={t("common.loading")} className="py-8" />
      </>
    );
  }

  const listing = query.data;
  return (
    <>
      <BackLink href={backHref}>{t("detail.back")}</BackLink>
      <header className="mb-3 flex flex-col gap-3 sm:mb-6">
        <div className="min-w-0">
          <h1
            className={`break-words text-xl font-bold sm:text-2xl ${listing.title ? "text-slate-900" : "italic text-slate-600"}`}
          >
            {listing.title || t("listings.untitled")}
          </h1>
          <div className="mt-1 flex flex-wrap items-center gap-2">
            <StatusBadge status={listing.status} />
            <AnalysisBadge status={listing.analysis_status} />
            <span className="text-lg font-semibold text-slate-900">
              <span className="sr-only">{t("detail.price")}: </span>
              {listing.price != null ? formatEuro(listing.price, language) : (
                <span className="text-sm font-normal text-slate-600">{t("listings.noPrice")}</span>
              )}
            </span>
          </div>
        </div>
        {notice}
        <RecordSale listing={listing} />
        {duplicates && duplicates.length > 0 ? (
          <DuplicateNotice duplicates={duplicates} currentListingId={listing.id} />
        ) : null}
      </header>

      {/* Phone first: the photos as a strip, then the AI's draft and the price; managing photos comes later. */}
      <PhotoStrip listing={listing} />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-5">
        <div id="foto" className="order-2 flex min-w-0 scroll-mt-20 flex-col gap-6 lg:order-1 lg:col-span-2">
          <PhotoManager listing={listing} uploadLimits={meta.data.limits.upload} />
        </div>
        <div className="order-1 flex min-w-0 flex-col gap-6 lg:order-2 lg:col-span-3">
          <ListingEditor listing={listing} meta={meta.data} />
          <PublishOnVinted listing={listing} />
          <MarketPanel listing={listing} />
          <CopyToVinted listing={listing} />
        </div>
      </div>
      <div className="mt-6">
        <DetailActions listing={listing} backHref={backHref} onFlash={onFlash} />
      </div>
      <div className="mt-6">
        <SimilarListings listing={listing} />
      </div>
    </>
  );
}

/** On a phone, the listing's photos as one row of thumbnails above the draft (the full photos are below). */
function PhotoStrip({ listing }: { listing: Listing }) {
  const { t } = useI18n();
  const images = listing.images ?? [];
  if (images.length === 0) return null;
  return (
    <nav aria-label={t("detail.strip")} className="-mx-4 mb-4 overflow-x-auto px-4 lg:hidden">
      <ul className="flex gap-2">
        {images.map((image, index) => (
          <li key={image.id} className="shrink-0">
            <a
              href="#foto"
              aria-label={t("detail.stripPhoto", { n: index + 1, total: images.length })}
              className="block size-24 overflow-hidden rounded-lg bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600"
            >
              <img src={apiUrl(image.thumbnail_url)} alt="" className="h-full w-full object-cover" />
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
