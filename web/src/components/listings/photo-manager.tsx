"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, ArrowDown, ArrowUp, ImagePlus, Star, Trash2, type LucideIcon } from "lucide-react";
import { useEffect, useState } from "react";
import { Alert, Button, Card } from "@/components/ui";
import { api, apiUrl, unwrap } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import type { UploadLimits, UploadResult } from "@/lib/upload";
import { ConfirmPanel } from "./confirm";
import { hintLabel, orderedImages, primaryImage, type Listing, type ListingImage } from "./labels";
import { listingKeys, storeListing } from "./queries";
import { DuplicateNotice, UploadPanel } from "./upload-panel";

function IconButton({
  icon: Icon,
  label,
  onClick,
  disabled,
  id,
  danger = false,
}: {
  icon: LucideIcon;
  label: string;
  onClick: () => void;
  disabled?: boolean;
  id?: string;
  danger?: boolean;
}) {
  return (
    <button
      type="button"
      id={id}
      onClick={onClick}
      disabled={disabled}
      aria-label={label}
      title={label}
      className={`flex size-11 items-center justify-center rounded-lg border bg-white focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600 disabled:cursor-not-allowed disabled:opacity-40 ${
        danger ? "border-red-200 text-red-700 hover:bg-red-50" : "border-slate-300 text-slate-700 hover:bg-slate-50"
      }`}
    >
      <Icon aria-hidden="true" className="h-5 w-5" />
    </button>
  );
}

export function QualityHints({ image }: { image: ListingImage }) {
  const { t } = useI18n();
  if (image.quality_hints.length === 0) return null;
  return (
    <ul className="mt-1 flex flex-col gap-0.5">
      {image.quality_hints.map((hint) => (
        <li key={hint} className="flex items-start gap-1 text-xs font-medium text-amber-800">
          <AlertTriangle aria-hidden="true" className="mt-0.5 h-3.5 w-3.5 shrink-0" />
          {t(hintLabel(hint))}
        </li>
      ))}
    </ul>
  );
}

/** The listing's photos: the one shown large, then each photo with its hints and its controls. */
export function PhotoManager({ listing, uploadLimits }: { listing: Listing; uploadLimits: UploadLimits }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const images = orderedImages(listing);
  const primary = primaryImage(listing);
  const [shownId, setShownId] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [focusAfter, setFocusAfter] = useState<{ candidates: string[]; order?: string } | null>(null);
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<UploadResult | null>(null);
  const title = listing.title || t("listings.untitled");
  const shown = images.find((image) => image.id === shownId) ?? primary;
  const detailKey = listingKeys.detail(listing.id);

  const reorder = useMutation({
    mutationFn: async (ids: string[]) =>
      unwrap(
        await api.PUT("/api/v1/images/order/{listing_id}", {
          params: { path: { listing_id: listing.id } },
          body: { image_ids: ids },
        }),
      ),
    // The new order shows at once; a failure puts the old one back.
    onMutate: async (ids) => {
      await queryClient.cancelQueries({ queryKey: detailKey });
      const previous = queryClient.getQueryData<Listing>(detailKey);
      if (previous) {
        queryClient.setQueryData<Listing>(detailKey, {
          ...previous,
          images: (previous.images ?? []).map((image) => ({ ...image, display_order: ids.indexOf(image.id) })),
        });
      }
      return { previous };
    },
    onError: (_error, _ids, context) => {
      if (context?.previous) queryClient.setQueryData(detailKey, context.previous);
    },
    onSuccess: (updated) => storeListing(queryClient, updated),
  });
  const setPrimary = useMutation({
    mutationFn: async (imageId: string) =>
      unwrap(await api.POST("/api/v1/images/{image_id}/set-primary", { params: { path: { image_id: imageId } } })),
    onSuccess: (updated) => storeListing(queryClient, updated),
  });
  const remove = useMutation({
    mutationFn: async (imageId: string) =>
      unwrap(await api.DELETE("/api/v1/images/{image_id}", { params: { path: { image_id: imageId } } })),
    onSuccess: (_data, imageId) => {
      setDeleting(null);
      if (shownId === imageId) setShownId(null);
      void queryClient.invalidateQueries({ queryKey: listingKeys.all });
    },
  });

  // A moved row is a moved DOM node, which loses focus: give it back to the same control (or its twin).
  const order = images.map((image) => image.id).join(",");
  useEffect(() => {
    if (!focusAfter) return;
    // Wait for the new order to be on screen (it arrives after the click's own render).
    if (focusAfter.order !== undefined && focusAfter.order !== order) return;
    for (const id of focusAfter.candidates) {
      const element = document.getElementById(id) as HTMLButtonElement | null;
      if (element && !element.disabled) {
        element.focus();
        break;
      }
    }
    setFocusAfter(null);
  }, [focusAfter, order]);

  const move = (index: number, delta: -1 | 1) => {
    const target = index + delta;
    if (reorder.isPending || target < 0 || target >= images.length) return;
    const ids = images.map((image) => image.id);
    [ids[index], ids[target]] = [ids[target], ids[index]];
    const moved = images[index].id;
    const preferred = delta < 0 ? ["up", "down"] : ["down", "up"];
    setFocusAfter({ candidates: preferred.map((which) => `photo-${moved}-${which}`), order: ids.join(",") });
    reorder.mutate(ids);
  };

  const failure = reorder.error ?? setPrimary.error ?? remove.error;

  return (
    <Card title={t("detail.photos")}>
      <div className="flex flex-col gap-4">
        {shown ? (
          <img
            src={apiUrl(shown.url)}
            alt={t("detail.photoAlt", { n: images.indexOf(shown) + 1, total: images.length, title })}
            width={shown.width ?? undefined}
            height={shown.height ?? undefined}
            className="mx-auto max-h-[60vh] w-full rounded-lg bg-slate-100 object-contain"
          />
        ) : (
          <Alert kind="info">{t("detail.noPhotos")}</Alert>
        )}

        {failure ? <Alert>{errorMessage(failure, t)}</Alert> : null}

        {images.length > 0 ? (
          <>
            <p className="text-sm text-slate-600">{t("detail.photoOrder")}</p>
            <ol className="flex flex-col divide-y divide-slate-100">
              {images.map((image, index) => {
                const n = index + 1;
                const isShown = shown?.id === image.id;
                return (
                  <li key={image.id} className="flex gap-3 py-3">
                    <button
                      type="button"
                      onClick={() => setShownId(image.id)}
                      aria-pressed={isShown}
                      title={t("detail.show", { n })}
                      className={`relative size-20 shrink-0 overflow-hidden rounded-lg bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600 focus-visible:ring-offset-2 ${
                        isShown ? "ring-2 ring-teal-600 ring-offset-1" : ""
                      }`}
                    >
                      <img
                        src={apiUrl(image.thumbnail_url)}
                        alt={t("detail.photoAlt", { n, total: images.length, title })}
                        loading="lazy"
                        className="h-full w-full object-cover"
                      />
                    </button>
                    <div className="min-w-0 flex-1">
                      <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-slate-900">
                        {t("detail.photoN", { n })}
                        {image.is_primary ? (
                          <span className="rounded-full bg-teal-700 px-2 py-0.5 text-xs font-medium text-white">
                            {t("detail.primary")}
                          </span>
                        ) : null}
                      </p>
                      <QualityHints image={image} />
                      {deleting === image.id ? (
                        <div className="mt-2">
                          <ConfirmPanel
                            message={t("detail.confirmDeletePhoto", { n })}
                            confirmLabel={t("detail.confirmDeleteButton")}
                            busy={remove.isPending}
                            onConfirm={() => remove.mutate(image.id)}
                            onCancel={() => {
                              setDeleting(null);
                              setFocusAfter({ candidates: [`photo-${image.id}-delete`] });
                            }}
                          />
                        </div>
                      ) : (
                        <div className="mt-2 flex flex-wrap gap-2">
                          <IconButton
                            id={`photo-${image.id}-up`}
                            icon={ArrowUp}
                            label={t("detail.moveUp", { n })}
                            onClick={() => move(index, -1)}
                            disabled={index === 0}
                          />
                          <IconButton
                            id={`photo-${image.id}-down`}
                            icon={ArrowDown}
                            label={t("detail.moveDown", { n })}
                            onClick={() => move(index, 1)}
                            disabled={index === images.length - 1}
                          />
                          {image.is_primary ? null : (
                            <IconButton
                              icon={Star}
                              label={t("detail.setPrimary", { n })}
                              onClick={() => setPrimary.mutate(image.id)}
                              disabled={setPrimary.isPending}
                            />
                          )}
                          <IconButton
                            id={`photo-${image.id}-delete`}
                            icon={Trash2}
                            label={t("detail.deletePhoto", { n })}
                            onClick={() => setDeleting(image.id)}
                            danger
                          />
                        </div>
                      )}
                    </div>
                  </li>
                );
              })}
            </ol>
          </>
        ) : null}

        {added ? (
          <div className="flex flex-col gap-2">
            <Alert kind="success">
              {added.images.length === 1
                ? t("upload.added.one")
                : t("upload.added.many", { count: added.images.length })}
            </Alert>
            <DuplicateNotice duplicates={added.duplicates} currentListingId={listing.id} />
          </div>
        ) : null}

        {adding || images.length === 0 ? (
          <section aria-label={t("upload.addTitle")} className="flex flex-col gap-2">
            <h3 className="text-sm font-semibold text-slate-900">{t("upload.addTitle")}</h3>
            <UploadPanel
              listingId={listing.id}
              limits={uploadLimits}
              onUploaded={(result) => {
                storeListing(queryClient, result.listing);
                setAdded(result);
                setAdding(false);
              }}
            />
          </section>
        ) : (
          <Button
            type="button"
            variant="secondary"
            onClick={() => {
              setAdded(null);
              setAdding(true);
            }}
          >
            <ImagePlus aria-hidden="true" className="h-5 w-5" />
            {t("detail.addPhotos")}
          </Button>
        )}
      </div>
    </Card>
  );
}
