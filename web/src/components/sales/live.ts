// What the sales' live events change in the query cache: a recorded sale, or a parcel whose news moved its
// sale along (sales/service.follow_parcel), changes the lists, the figures, DAC7 and the sale itself.
// Events come in bursts (a device recording many sales, a carrier's batch of news): the refetches of one
// burst are gathered and sent once, a moment after it.
import type { QueryClient, QueryKey } from "@tanstack/react-query";
import { listingKeys } from "@/components/listings/queries";
import type { LiveHandler } from "@/lib/live";
import { saleKeys } from "./queries";

const GATHER_MS = 250;
const pending = new Map<string, QueryKey>();
let timer: ReturnType<typeof setTimeout> | null = null;

function refresh(queryClient: QueryClient, keys: QueryKey[]): void {
  for (const key of keys) pending.set(JSON.stringify(key), key);
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = null;
    const due = [...pending.values()];
    pending.clear();
    for (const queryKey of due) void queryClient.invalidateQueries({ queryKey });
  }, GATHER_MS);
}

export const saleEvents: LiveHandler = (event, queryClient) => {
  if (event.type !== "sale.recorded" && event.type !== "shipment.status_changed") return;
  const { sale_id: saleId, listing_id: listingId } = event.data as { sale_id?: unknown; listing_id?: unknown };
  const keys: QueryKey[] = [saleKeys.lists(), saleKeys.statsAll(), saleKeys.dac7All()];
  if (typeof saleId === "string") keys.push(saleKeys.detail(saleId));
  // Recording a sale marks its listing sold (another tab shows the listing).
  if (event.type === "sale.recorded" && typeof listingId === "string") {
    keys.push(listingKeys.detail(listingId), listingKeys.lists());
  }
  refresh(queryClient, keys);
};
