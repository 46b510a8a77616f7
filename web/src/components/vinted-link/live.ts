// The Vinted link's live events: the extension linked the account, or the keep-alive found the session
// dead (the settings page reloads the link's state and the code's status); a member's sales sync ran
// (its result, and the sales, listings and parcels it may have added).
import { listingKeys } from "@/components/listings/queries";
import { saleKeys } from "@/components/sales/queries";
import { shipmentKeys } from "@/components/shipments/queries";
import type { LiveHandler } from "@/lib/live";
import { vintedLinkKeys } from "./queries";

export const vintedLinkEvents: LiveHandler = (event, queryClient) => {
  if (event.type === "vinted.synced") {
    void queryClient.invalidateQueries({ queryKey: vintedLinkKeys.sync() });
    if ((event.data as { state?: unknown }).state === "queued") return;
    for (const queryKey of [saleKeys.all, listingKeys.lists(), shipmentKeys.all]) {
      void queryClient.invalidateQueries({ queryKey });
    }
    return;
  }
  if (event.type !== "vinted.link_changed") return;
  void queryClient.invalidateQueries({ queryKey: vintedLinkKeys.all });
};
