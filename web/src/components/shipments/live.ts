// What the shipments' live events change in the query cache.
import type { LiveHandler } from "@/lib/live";

export const shipmentEvents: LiveHandler = () => undefined;
