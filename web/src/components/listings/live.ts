// What the listings' live events change in the query cache: the listing itself and every list.
import type { LiveHandler } from "@/lib/live";
import { listingKeys } from "./queries";

function idsOf(data: Record<string, unknown>): string[] {
  if (typeof data.listing_id === "string") return [data.listing_id];
  return Array.isArray(data.listing_ids) ? data.listing_ids.filter((id): id is string => typeof id === "string") : [];
}

export const listingEvents: LiveHandler = (event, queryClient) => {
  // "analysis.started" changes nothing shown (the listing is already "pending").
  const publish = event.type === "listing.publish_changed";
  if (event.type !== "analysis.finished" && event.type !== "analysis.failed" && event.type !== "listing.changed" && !publish)
    return;
  const ids = idsOf(event.data);
  for (const id of ids) {
    if (event.data.change === "deleted") queryClient.removeQueries({ queryKey: listingKeys.detail(id) });
    else void queryClient.invalidateQueries({ queryKey: listingKeys.detail(id) });
  }
  void queryClient.invalidateQueries({ queryKey: listingKeys.lists() });
  if (publish) void queryClient.invalidateQueries({ queryKey: listingKeys.publishBatches() });
  if (event.type === "analysis.finished") void queryClient.invalidateQueries({ queryKey: listingKeys.similarAll() });
};
