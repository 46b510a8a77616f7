// The instance administrator's queries. Every key starts with "admin".
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { operations } from "@/api/schema";
import { api, unwrap, type Schemas } from "@/lib/api";

export type UserQuery = NonNullable<operations["admin:list_users"]["parameters"]["query"]>;
export type UserSort = NonNullable<UserQuery["sort"]>;
export type InstanceUser = Schemas["InstanceUser"];
export type InstanceMetrics = Schemas["InstanceMetrics"];

export const adminKeys = {
  all: ["admin"] as const,
  scraper: () => [...adminKeys.all, "scraper"] as const,
  users: (query: UserQuery) => [...adminKeys.all, "users", query] as const,
  metrics: () => [...adminKeys.all, "metrics"] as const,
};

/** The gate has no live events (it is the scraper's, not a family's): the page reads it every 30 s. */
export const SCRAPER_POLL_MS = 30_000;
/** The figures likewise, every 30 s. */
export const METRICS_POLL_MS = 30_000;
export const USERS_PAGE_SIZE = 25;

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

async function fetchUsers(query: UserQuery) {
  return unwrap(await api.GET("/api/v1/admin/users", { params: { query } }));
}

export function useInstanceUsers(query: UserQuery) {
  return useQuery({
    queryKey: adminKeys.users(query),
    queryFn: () => fetchUsers(query),
    placeholderData: keepPreviousData,
  });
}

export function useInstanceMetrics() {
  return useQuery({
    queryKey: adminKeys.metrics(),
    queryFn: async () => unwrap(await api.GET("/api/v1/admin/metrics")),
    refetchInterval: METRICS_POLL_MS,
    staleTime: 0,
  });
}
