"use client";

import { ImageOff } from "lucide-react";
import { apiUrl } from "@/lib/api";
import { useI18n } from "@/lib/i18n";
import { primaryImage, type Listing } from "./labels";

/** The primary photo's thumbnail, or an honest "no photo" tile. */
export function ListingThumb({ listing, className = "" }: { listing: Listing; className?: string }) {
  const { t } = useI18n();
  const image = primaryImage(listing);
  const title = listing.title || t("listings.untitled");
  if (!image) {
    return (
      <div
        role="img"
        aria-label={t("listings.noPhoto")}
        className={`flex items-center justify-center bg-slate-100 text-slate-400 ${className}`}
      >
        <ImageOff aria-hidden="true" className="h-1/3 max-h-10 w-1/3 max-w-10" />
      </div>
    );
  }
  return (
    <img
      src={apiUrl(image.thumbnail_url)}
      alt={t("listings.photoOf", { title })}
      loading="lazy"
      decoding="async"
      className={`bg-slate-100 object-cover ${className}`}
    />
  );
}
