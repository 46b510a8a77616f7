// What the live events change on Panoramica: a sale (figures, charts, DAC7), a listing's change or its
// publishing (counts by status, stale listings, advice), a parcel's news (in transit, in trouble), an AI
// analysis starting or ending (drafts waiting or failed), a Vinted sync (sales and listings it brought).
// Every dashboard query is refetched (one key prefix); a burst of events is gathered into one refetch.
import type { QueryClient } from "@tanstack/react-query";
import type { LiveEvent, LiveHandler } from "@/lib/live";
import { invalidateDashboard } from "./queries";

const GATHER_MS = 400;

const MOVES_THE_DASHBOARD: ReadonlySet<LiveEvent["type"]> = new Set<LiveEvent["type"]>([
  "sale.recorded",
  "listing.changed",
  "listing.publish_changed",
  "shipment.status_changed",
  "analysis.started",
  "analysis.finished",
  "analysis.failed",
  "vinted.synced",
]);

let timer: ReturnType<typeof setTimeout> | null = null;

function refreshSoon(queryClient: QueryClient): void {
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = null;
    invalidateDashboard(queryClient);
  }, GATHER_MS);
}

export const dashboardEvents: LiveHandler = (event, queryClient) => {
  if (MOVES_THE_DASHBOARD.has(event.type)) refreshSoon(queryClient);
};
