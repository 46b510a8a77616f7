// Query keys and the shipments' queries. Every key starts with "shipments", so one invalidation refreshes
// the lists, a parcel's detail and a sale's shipping section after a change (a live event, a purchase).
import { keepPreviousData, useQuery, type QueryClient } from "@tanstack/react-query";
import type { operations } from "@/api/schema";
import { api, unwrap, type Schemas } from "@/lib/api";
import { REVOKE_AFTER_MS, saveBlob } from "@/lib/download";
import { useLiveStatus } from "@/lib/live";

export type Shipment = Schemas["ShipmentRead"];
export type ShipmentStatus = Shipment["status"];
export type ShipmentQuery = NonNullable<operations["shipments:list"]["parameters"]["query"]>;
export type LabelFormat = Shipment["label_formats"][number];
export type LabelLayout = Schemas["BulkLabels"]["layout"];

export const BULK_MAX = 50;

export const shipmentKeys = {
  all: ["shipments"] as const,
  lists: () => [...shipmentKeys.all, "list"] as const,
  list: (query: ShipmentQuery) => [...shipmentKeys.lists(), query] as const,
  detail: (id: string) => [...shipmentKeys.all, "detail", id] as const,
  /** The shipment of one sale (GET /shipments?sale_id=): its shipping section. */
  forSale: (saleId: string) => [...shipmentKeys.all, "sale", saleId] as const,
  /** The sale itself, as /spedizioni?vendita= loads it (the Vendite page has its own keys). */
  sale: (saleId: string) => [...shipmentKeys.all, "sale-record", saleId] as const,
  account: () => [...shipmentKeys.all, "account"] as const,
  carriers: (country: string, weight: string) => [...shipmentKeys.all, "carriers", country, weight] as const,
  quota: () => [...shipmentKeys.all, "quota"] as const,
};

// Only while the live-events socket is down: a parcel still on its way is checked now and then.
const FALLBACK_POLL_MS = 30_000;
const FINAL: ReadonlySet<ShipmentStatus> = new Set(["delivered", "returned", "cancelled"]);

export function isOpen(shipment: Shipment): boolean {
  return !FINAL.has(shipment.status);
}

export function useShipmentPage(query: ShipmentQuery) {
  const live = useLiveStatus();
  return useQuery({
    queryKey: shipmentKeys.list(query),
    queryFn: async () => unwrap(await api.GET("/api/v1/shipments", { params: { query } })),
    placeholderData: keepPreviousData,
    refetchInterval: live === "open" ? false : FALLBACK_POLL_MS,
  });
}

export function useShipment(id: string) {
  const live = useLiveStatus();
  return useQuery({
    queryKey: shipmentKeys.detail(id),
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/shipments/{shipment_id}", { params: { path: { shipment_id: id } } })),
    refetchInterval: (query) =>
      live !== "open" && query.state.data && isOpen(query.state.data) ? FALLBACK_POLL_MS : false,
  });
}

/** The sale's shipment, or null when it has none yet. */
export function useSaleShipment(saleId: string) {
  const live = useLiveStatus();
  return useQuery({
    queryKey: shipmentKeys.forSale(saleId),
    queryFn: async () => {
      const page = unwrap(await api.GET("/api/v1/shipments", { params: { query: { sale_id: saleId, limit: 1 } } }));
      return page.items[0] ?? null;
    },
    refetchInterval: (query) =>
      live !== "open" && query.state.data && isOpen(query.state.data) ? FALLBACK_POLL_MS : false,
  });
}

export function useSaleRecord(saleId: string) {
  return useQuery({
    queryKey: shipmentKeys.sale(saleId),
    queryFn: async () => unwrap(await api.GET("/api/v1/sales/{sale_id}", { params: { path: { sale_id: saleId } } })),
  });
}

export function useShippingAccount(enabled = true) {
  return useQuery({
    queryKey: shipmentKeys.account(),
    queryFn: async () => unwrap(await api.GET("/api/v1/shipments/account")),
    enabled,
  });
}

/** The options from the family's sender address to `country` for `weight` kg, cheapest first. */
export function useCarriers(country: string, weight: string, enabled: boolean) {
  return useQuery({
    queryKey: shipmentKeys.carriers(country, weight),
    queryFn: async () => {
      const list = unwrap(
        await api.GET("/api/v1/carriers", { params: { query: { to_country: country, weight_kg: weight } } }),
      );
      return [...list.items].sort((a, b) => priceOf(a) - priceOf(b));
    },
    enabled,
    staleTime: 5 * 60_000,
    placeholderData: keepPreviousData,
  });
}

function priceOf(option: Schemas["CarrierOption"]): number {
  const value = option.price == null ? Number.NaN : Number(option.price);
  return Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
}

export function useTrackingQuota(enabled: boolean) {
  return useQuery({
    queryKey: shipmentKeys.quota(),
    queryFn: async () => unwrap(await api.GET("/api/v1/shipments/tracking/quota")),
    enabled,
  });
}

/** Put a parcel just bought or followed in the cache, and let the lists reload. */
export function storeShipment(queryClient: QueryClient, shipment: Shipment): void {
  // A read started before the change (a live event's refetch) must not land after it with the old parcel.
  void queryClient.cancelQueries({ queryKey: shipmentKeys.detail(shipment.id) });
  void queryClient.cancelQueries({ queryKey: shipmentKeys.forSale(shipment.sale_id) });
  queryClient.setQueryData(shipmentKeys.detail(shipment.id), shipment);
  queryClient.setQueryData(shipmentKeys.forSale(shipment.sale_id), shipment);
  void queryClient.invalidateQueries({ queryKey: shipmentKeys.lists() });
}

// --- labels as files ------------------------------------------------------------------------------------

export async function labelBlob(id: string, format: LabelFormat): Promise<Blob> {
  return unwrap(
    await api.GET("/api/v1/shipments/{shipment_id}/label", {
      params: { path: { shipment_id: id }, query: { format } },
      parseAs: "blob",
    }),
  ) as unknown as Blob;
}

export async function mergedLabels(ids: string[], layout: LabelLayout): Promise<Blob> {
  return unwrap(
    await api.POST("/api/v1/shipments/labels", {
      body: { shipment_ids: ids, layout },
      parseAs: "blob",
    }),
  ) as unknown as Blob;
}


/**
 * Open a PDF to print it. The tab is opened at the click (a pop-up blocker allows that), before the file
 * has arrived; `load` fills it. Where the tab cannot be opened, the file is downloaded instead.
 */
export async function openPdf(load: () => Promise<Blob>, filename: string): Promise<void> {
  const tab = window.open("", "_blank");
  try {
    const blob = await load();
    const pdf = blob.type === "application/pdf" ? blob : new Blob([blob], { type: "application/pdf" });
    if (!tab || tab.closed) {
      saveBlob(pdf, filename);
      return;
    }
    const url = URL.createObjectURL(pdf);
    tab.location.href = url;
    setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
  } catch (error) {
    tab?.close();
    throw error;
  }
}
