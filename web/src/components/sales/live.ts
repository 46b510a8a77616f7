// What the sales' live events change in the query cache.
import type { LiveHandler } from "@/lib/live";

export const saleEvents: LiveHandler = () => undefined;
