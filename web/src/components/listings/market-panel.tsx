"use client";

import { useQuery } from "@tanstack/react-query";
import { Alert, Card, Loading } from "@/components/ui";
import { ApiError, api, unwrap, type Schemas } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { formatEuro } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import type { Listing } from "./labels";
import { listingKeys } from "./queries";

type Comparison = Schemas["MarketComparison"];
type Step = NonNullable<Comparison["step"]>;
type Position = NonNullable<Schemas["ListingMarket"]["position"]>;

const STEP_LABELS: Record<Step, MessageKey> = {
  category_brand_condition: "market.step.category_brand_condition",
  category_brand: "market.step.category_brand",
  category_condition: "market.step.category_condition",
  category: "market.step.category",
  parent_category: "market.step.parent_category",
};
const POSITION_LABELS: Record<Position, MessageKey> = {
  below: "market.position.below",
  in_range: "market.position.in_range",
  above: "market.position.above",
};
const POSITION_STYLES: Record<Position, string> = {
  below: "bg-sky-100 text-sky-900",
  in_range: "bg-emerald-100 text-emerald-900",
  above: "bg-amber-100 text-amber-900",
};

export function useListingMarket(listing: Listing) {
  return useQuery({
    queryKey: listingKeys.market(listing),
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/listings/{listing_id}/market", { params: { path: { listing_id: listing.id } } })),
    // The home side down (503) is said once; asking again at once would not change it.
    retry: (count, error) => !(error instanceof ApiError && error.status === 503) && count < 2,
  });
}

/** Where a price sits in [low, high], as a share of the bar's width (0–100). */
function at(value: number, low: number, high: number): number {
  return high > low ? ((value - low) / (high - low)) * 100 : 50;
}

/** The comparables' prices as one bar: min to max, the central half shaded, the median and the price marked. */
function PriceBar({ comparison, price }: { comparison: Comparison; price: number | null }) {
  const { t, language } = useI18n();
  const [min, q1, median, q3, max] = [comparison.min, comparison.q1, comparison.median, comparison.q3, comparison.max].map(
    Number,
  );
  const low = Math.min(min, price ?? min);
  const high = Math.max(max, price ?? max);
  const euro = (value: number | string | null | undefined) => formatEuro(value, language);
  return (
    <figure className="flex flex-col gap-1">
      <div
        role="img"
        aria-label={t("market.bar", { min: euro(min), max: euro(max), q1: euro(q1), q3: euro(q3) })}
        className="relative h-6"
      >
        <div
          className="absolute top-1/2 h-1 -translate-y-1/2 rounded bg-slate-300"
          style={{ left: `${at(min, low, high)}%`, right: `${100 - at(max, low, high)}%` }}
        />
        <div
          className="absolute top-1/2 h-3 -translate-y-1/2 rounded bg-teal-500/70"
          style={{ left: `${at(q1, low, high)}%`, right: `${100 - at(q3, low, high)}%` }}
        />
        <div className="absolute top-1/2 h-4 w-0.5 -translate-y-1/2 bg-teal-900" style={{ left: `${at(median, low, high)}%` }} />
        {price !== null ? (
          <div
            className="absolute top-0 h-6 w-1 -translate-x-1/2 rounded bg-violet-700 ring-2 ring-white"
            style={{ left: `${at(price, low, high)}%` }}
          />
        ) : null}
      </div>
      <figcaption className="flex justify-between gap-2 text-xs text-slate-700">
        <span>{t("market.min", { price: euro(comparison.min) })}</span>
        <span className="font-medium text-teal-900">{t("market.central", { q1: euro(comparison.q1), q3: euro(comparison.q3) })}</span>
        <span>{t("market.max", { price: euro(comparison.max) })}</span>
      </figcaption>
    </figure>
  );
}

/** The Mercato panel: how many comparable listings, their prices as a bar with this listing's price on it,
 * the position in one sentence and how far the match had to be widened. */
export function MarketPanel({ listing }: { listing: Listing }) {
  const { t, language } = useI18n();
  const market = useListingMarket(listing);

  let content;
  if (market.isPending) content = <Loading label={t("common.loading")} className="text-sm" />;
  else if (market.isError)
    content =
      market.error instanceof ApiError && market.error.status === 503 ? (
        <p className="text-sm text-slate-700">{t("market.unavailable")}</p>
      ) : (
        <Alert>{errorMessage(market.error, t)}</Alert>
      );
  else {
    const { comparison, position, explanation } = market.data;
    const price = market.data.price != null ? Number(market.data.price) : null;
    const count = comparison?.count ?? 0;
    const days = comparison?.days ?? 30;
    content = (
      <div className="flex flex-col gap-3">
        {comparison && count > 0 ? (
          <p className="text-sm font-medium text-slate-900">
            {count === 1 ? t("market.count.one", { days }) : t("market.count.many", { count, days })}
            {!comparison.enough ? <span className="block font-normal text-slate-600">{t("market.fewHint")}</span> : null}
          </p>
        ) : null}
        {comparison && count > 0 && comparison.q1 != null ? (
          <PriceBar comparison={comparison} price={price} />
        ) : null}
        {position ? (
          <p className="flex flex-wrap items-center gap-2 text-sm">
            <span className={`rounded-full px-2 py-0.5 text-xs font-semibold ${POSITION_STYLES[position]}`}>
              {t(POSITION_LABELS[position])}
            </span>
            {price !== null ? <span className="text-slate-700">{t("market.yourPrice", { price: formatEuro(price, language) })}</span> : null}
          </p>
        ) : null}
        <p className="text-sm text-slate-800">{explanation}</p>
        {comparison?.step ? (
          <p className="text-xs text-slate-600">{t("market.step", { step: t(STEP_LABELS[comparison.step]) })}</p>
        ) : null}
      </div>
    );
  }
  return <Card title={t("market.title")}>{content}</Card>;
}
