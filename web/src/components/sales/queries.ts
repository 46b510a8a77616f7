// Query keys and the sales' queries. Every key starts with "sales", so one invalidation refreshes the
// lists (a listing's sale is a list too), the figures, DAC7 and the single sales.
import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { listingKeys } from "@/components/listings/queries";
import { api, unwrap, type Schemas } from "@/lib/api";
import type { Sale, SaleQuery, SaleScope } from "./labels";

export const saleKeys = {
  all: ["sales"] as const,
  lists: () => [...saleKeys.all, "list"] as const,
  list: (query: SaleQuery) => [...saleKeys.lists(), query] as const,
  statsAll: () => [...saleKeys.all, "stats"] as const,
  stats: (scope: SaleScope) => [...saleKeys.statsAll(), scope] as const,
  dac7All: () => [...saleKeys.all, "dac7"] as const,
  dac7: (year: number) => [...saleKeys.dac7All(), year] as const,
  details: () => [...saleKeys.all, "detail"] as const,
  detail: (id: string) => [...saleKeys.details(), id] as const,
};

/** Everything a sale's change may move: lists, figures, DAC7 (the sale itself is stored by the caller). */
export function invalidateSaleViews(queryClient: QueryClient): void {
  void queryClient.invalidateQueries({ queryKey: saleKeys.lists() });
  void queryClient.invalidateQueries({ queryKey: saleKeys.statsAll() });
  void queryClient.invalidateQueries({ queryKey: saleKeys.dac7All() });
}

/** A fresh sale (the answer of a change) in the cache; the views that count it reload, and its listing. */
export function storeSale(queryClient: QueryClient, sale: Sale): void {
  // A read of this sale started before the change committed (a live event's refetch) would land after
  // the answer and put the old sale back: cancel it, the answer is newer.
  void queryClient.cancelQueries({ queryKey: saleKeys.detail(sale.id) });
  queryClient.setQueryData(saleKeys.detail(sale.id), sale);
  invalidateSaleViews(queryClient);
  if (sale.listing_id) void queryClient.invalidateQueries({ queryKey: listingKeys.detail(sale.listing_id) });
  void queryClient.invalidateQueries({ queryKey: listingKeys.lists() });
}

export function useSalePage(query: SaleQuery) {
  return useQuery({
    queryKey: saleKeys.list(query),
    queryFn: async () => unwrap(await api.GET("/api/v1/sales", { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

export function useSaleStats(scope: SaleScope) {
  return useQuery({
    queryKey: saleKeys.stats(scope),
    queryFn: async () => unwrap(await api.GET("/api/v1/sales/stats", { params: { query: scope } })),
    placeholderData: keepPreviousData,
  });
}

export function useDac7(year: number) {
  return useQuery({
    queryKey: saleKeys.dac7(year),
    queryFn: async () => unwrap(await api.GET("/api/v1/sales/dac7", { params: { query: { year } } })),
    placeholderData: keepPreviousData,
  });
}

export function useSale(id: string) {
  return useQuery({
    queryKey: saleKeys.detail(id),
    queryFn: async () => unwrap(await api.GET("/api/v1/sales/{sale_id}", { params: { path: { sale_id: id } } })),
  });
}

/** The sales of one listing (a cancelled one stays in the list beside a new one). */
export function useSalesOfListing(listingId: string) {
  return useSalePage({ listing_id: listingId, limit: 10, sort: "-created_at" });
}

// Sales recorded in this tab, and when: their page says so for a short while (a flash that needs no
// address, and survives the page being mounted again, e.g. while the session is refreshed).
const recordedAt = new Map<string, number>();
const RECORDED_FLASH_MS = 60_000;

export function justRecorded(id: string): boolean {
  const at = recordedAt.get(id);
  return at !== undefined && Date.now() - at < RECORDED_FLASH_MS;
}

export function useRecordSale() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: Schemas["SaleCreate"]) => unwrap(await api.POST("/api/v1/sales", { body })),
    onSuccess: (sale) => {
      recordedAt.set(sale.id, Date.now());
      storeSale(queryClient, sale);
    },
  });
}

export function useUpdateSale(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: Schemas["SaleUpdate"]) =>
      unwrap(await api.PATCH("/api/v1/sales/{sale_id}", { params: { path: { sale_id: id } }, body })),
    onSuccess: (sale) => storeSale(queryClient, sale),
  });
}
