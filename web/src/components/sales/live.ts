// What the sales' live events change in the query cache: a recorded sale, or a parcel whose news moved its
// sale along (sales/service.follow_parcel), changes the lists, the figures, DAC7 and the sale itself.
import { listingKeys } from "@/components/listings/queries";
import type { LiveHandler } from "@/lib/live";
import { invalidateSaleViews, saleKeys } from "./queries";

export const saleEvents: LiveHandler = (event, queryClient) => {
  if (event.type !== "sale.recorded" && event.type !== "shipment.status_changed") return;
  const { sale_id: saleId, listing_id: listingId } = event.data as { sale_id?: unknown; listing_id?: unknown };
  invalidateSaleViews(queryClient);
  if (typeof saleId === "string") void queryClient.invalidateQueries({ queryKey: saleKeys.detail(saleId) });
  // Recording a sale marks its listing sold (another tab shows the listing).
  if (event.type === "sale.recorded" && typeof listingId === "string") {
    void queryClient.invalidateQueries({ queryKey: listingKeys.detail(listingId) });
    void queryClient.invalidateQueries({ queryKey: listingKeys.lists() });
  }
};
