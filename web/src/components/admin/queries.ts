// The instance administrator's queries. Every key starts with "admin".
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api";

export const adminKeys = {
  all: ["admin"] as const,
  scraper: () => [...adminKeys.all, "scraper"] as const,
};

/** The gate has no live events (it is the scraper's, not a family's): the page reads it every 30 s. */
export const SCRAPER_POLL_MS = 30_000;

export function useScraperStatus() {
  return useQuery({
    queryKey: adminKeys.scraper(),
    queryFn: async () => unwrap(await api.GET("/api/v1/admin/scraper")),
    refetchInterval: SCRAPER_POLL_MS,
    staleTime: 0,
  });
}

export function useTriggerScrape() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/admin/scraper/trigger")),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: adminKeys.scraper() }),
  });
}
