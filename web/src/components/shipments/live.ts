// What the shipments' live events change in the query cache: the parcel's detail, the shipping section of
// its sale, and every list of parcels (its status, last event and filters may have changed).
import type { LiveHandler } from "@/lib/live";
import { shipmentKeys } from "./queries";

export const shipmentEvents: LiveHandler = (event, queryClient) => {
  if (event.type !== "shipment.status_changed") return;
  const { shipment_id: shipmentId, sale_id: saleId } = event.data;
  if (typeof shipmentId === "string") void queryClient.invalidateQueries({ queryKey: shipmentKeys.detail(shipmentId) });
  if (typeof saleId === "string") {
    void queryClient.invalidateQueries({ queryKey: shipmentKeys.forSale(saleId) });
    // The sale follows its parcel (shipped, delivered): /spedizioni?vendita= shows it.
    void queryClient.invalidateQueries({ queryKey: shipmentKeys.sale(saleId) });
  }
  void queryClient.invalidateQueries({ queryKey: shipmentKeys.lists() });
};
