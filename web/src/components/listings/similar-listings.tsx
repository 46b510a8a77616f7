"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Alert, Card, Loading } from "@/components/ui";
import { api, unwrap } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { formatEuro } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import type { Listing } from "./labels";
import { ListingThumb } from "./thumb";
import { listingKeys } from "./queries";

const SHOWN = 6;

/** The family's listings closest to this one (description embeddings, computed by the AI analysis). */
export function SimilarListings({ listing }: { listing: Listing }) {
  const { t, language } = useI18n();
  const hasEmbedding = listing.embedding_model !== null;
  const similar = useQuery({
    queryKey: listingKeys.similar(listing.id, listing.embedding_model),
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/listings/similar/{listing_id}", { params: { path: { listing_id: listing.id } } })),
    enabled: hasEmbedding,
  });

  let content;
  if (!hasEmbedding) content = <p className="text-sm text-slate-600">{t("detail.similar.noEmbedding")}</p>;
  else if (similar.isPending) content = <Loading label={t("common.loading")} className="text-sm" />;
  else if (similar.isError) content = <Alert>{errorMessage(similar.error, t)}</Alert>;
  else if (similar.data.length === 0) content = <p className="text-sm text-slate-600">{t("detail.similar.none")}</p>;
  else
    content = (
      <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3">
        {similar.data.slice(0, SHOWN).map(({ listing: other, similarity }) => (
          <li key={other.id} className="min-w-0">
            <Link
              href={`/annunci?id=${other.id}`}
              className="block overflow-hidden rounded-lg border border-slate-200 bg-white hover:shadow-md focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600"
            >
              <ListingThumb listing={other} className="aspect-square w-full" />
              <div className="p-2">
                <p className={`line-clamp-2 text-sm font-medium ${other.title ? "text-slate-900" : "italic text-slate-500"}`}>
                  {other.title || t("listings.untitled")}
                </p>
                <p className="text-sm text-slate-700">{other.price != null ? formatEuro(other.price, language) : "—"}</p>
                <p className="text-xs font-medium text-teal-800">
                  {t("detail.similar.score", { percent: Math.round(similarity * 100) })}
                </p>
              </div>
            </Link>
          </li>
        ))}
      </ul>
    );

  return <Card title={t("detail.similar")}>{content}</Card>;
}
