// Query keys and the shared listing queries. Every listing key starts with "listings", so one
// invalidation refreshes lists, details and similar items after a change.
import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import type { operations } from "@/api/schema";
import { api, unwrap } from "@/lib/api";
import { useLiveStatus } from "@/lib/live";
import { primaryImage, type Listing } from "./labels";

export type ListingQuery = NonNullable<operations["listings:list"]["parameters"]["query"]>;

export const listingKeys = {
  all: ["listings"] as const,
  lists: () => [...listingKeys.all, "list"] as const,
  list: (query: ListingQuery) => [...listingKeys.lists(), query] as const,
  detail: (id: string) => [...listingKeys.all, "detail", id] as const,
  similarAll: () => [...listingKeys.all, "similar"] as const,
  similar: (id: string, model: string | null) => [...listingKeys.similarAll(), id, model] as const,
  // The Mercato panel depends on what it compares: a new price, category, brand or condition asks again.
  market: (listing: Pick<Listing, "id" | "price" | "category_id" | "brand" | "condition">) =>
    [...listingKeys.all, "market", listing.id, listing.price, listing.category_id, listing.brand, listing.condition] as const,

  publishBatches: () => [...listingKeys.all, "publish-batch"] as const,
  publishBatch: (batchId: string) => [...listingKeys.publishBatches(), batchId] as const,
};

// A publishing on Vinted still running (publishing.py): its state changes arrive as live events.
const PUBLISH_RUNNING = new Set(["queued", "publishing", "unpublishing", "reposting"]);

export function publishRunning(listing: Listing | undefined): boolean {
  return listing?.publishing != null && PUBLISH_RUNNING.has(listing.publishing.state);
}

// Only while the live-events socket is down: then a pending analysis is checked now and then.
const FALLBACK_POLL_MS = 15_000;

/** One page of the list; the previous page stays on screen while the next one loads. */
export function useListingPage(query: ListingQuery) {
  return useQuery({
    queryKey: listingKeys.list(query),
    queryFn: async () => unwrap(await api.GET("/api/v1/listings", { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

export function useListing(id: string) {
  const live = useLiveStatus();
  return useQuery({
    queryKey: listingKeys.detail(id),
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/listings/{listing_id}", { params: { path: { listing_id: id } } })),
    // The AI's answer arrives as a live event (./live.ts); polling only while the socket is down.
    refetchInterval: (query) =>
      (query.state.data?.analysis_status === "pending" || publishRunning(query.state.data)) && live !== "open"
        ? FALLBACK_POLL_MS
        : false,
  });
}

/** Put a fresh listing (the answer of a change) in the cache, and let lists reload. */
export function storeListing(queryClient: QueryClient, listing: Listing): void {
  queryClient.setQueryData(listingKeys.detail(listing.id), listing);
  void queryClient.invalidateQueries({ queryKey: listingKeys.lists() });
}

/** Ask the AI again (queued, 202): the answer is the listing, now "pending"; its live events follow. */
export function useReanalyze(listing: Listing) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      const image = primaryImage(listing);
      if (!image) throw new Error("no photo");
      return unwrap(
        await api.POST("/api/v1/images/{image_id}/reanalyze", { params: { path: { image_id: image.id } } }),
      );
    },
    onSuccess: (updated) => storeListing(queryClient, updated),
  });
}

/** Brand autocomplete: the family's brands, then the market's (kept a minute: the family adds brands). */
export function useBrandSuggestions(q: string, enabled: boolean) {
  return useQuery({
    queryKey: [...listingKeys.all, "brands", q] as const,
    queryFn: async () => unwrap(await api.GET("/api/v1/listings/brands", { params: { query: { q, limit: 8 } } })),
    staleTime: 60_000,
    enabled,
    placeholderData: keepPreviousData,
  });
}
