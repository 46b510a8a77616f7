"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useEffect, useState, type ReactNode } from "react";
import { ApiError } from "@/lib/api";
import { chatEvents } from "@/components/chat/live";
import { dashboardEvents } from "@/components/dashboard/live";
import { listingEvents } from "@/components/listings/live";
import { saleEvents } from "@/components/sales/live";
import { shipmentEvents } from "@/components/shipments/live";
import { trendEvents } from "@/components/trends/live";
import { vintedLinkEvents } from "@/components/vinted-link/live";
import { AuthProvider } from "@/lib/auth";
import { I18nProvider } from "@/lib/i18n";
import { LiveEvents, type LiveHandler } from "@/lib/live";

// Each domain's live-event handler (web/src/components/<domain>/live.ts).
const LIVE_HANDLERS: LiveHandler[] = [
  listingEvents,
  saleEvents,
  shipmentEvents,
  vintedLinkEvents,
  trendEvents,
  chatEvents,
  dashboardEvents,
];

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 30_000,
            // Client errors (401, 403, 404) do not get better by retrying.
            retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
          },
        },
      }),
  );
  useEffect(() => {
    if ("serviceWorker" in navigator && window.location.protocol !== "file:") {
      navigator.serviceWorker.register("/sw.js").catch(() => undefined);
    }
  }, []);
  return (
    <QueryClientProvider client={queryClient}>
      <I18nProvider>
        <AuthProvider>
          <LiveEvents handlers={LIVE_HANDLERS}>{children}</LiveEvents>
        </AuthProvider>
      </I18nProvider>
    </QueryClientProvider>
  );
}
