// Query keys and the Panoramica queries. Every key starts with "dashboard", so one invalidation (a live
// event, an action taken from a suggestion) refreshes the cards, the charts, the activity and the advice.
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
} from "@tanstack/react-query";
import type { operations } from "@/api/schema";
import { storeListing } from "@/components/listings/queries";
import { api, unwrap, type Schemas } from "@/lib/api";

export type Overview = Schemas["Overview"];
export type Analytics = Schemas["Analytics"];
export type AnalyticsQuery = NonNullable<operations["dashboard:analytics"]["parameters"]["query"]>;
export type ActivityItem = Schemas["ActivityItem"];
export type Suggestion = Schemas["Suggestion"];

const ACTIVITY_PAGE = 20;

export const dashboardKeys = {
  all: ["dashboard"] as const,
  overview: () => [...dashboardKeys.all, "overview"] as const,
  analyticsAll: () => [...dashboardKeys.all, "analytics"] as const,
  analytics: (query: AnalyticsQuery) => [...dashboardKeys.analyticsAll(), query] as const,
  activity: () => [...dashboardKeys.all, "activity"] as const,
  suggestions: () => [...dashboardKeys.all, "suggestions"] as const,
};

export function invalidateDashboard(queryClient: QueryClient): void {
  void queryClient.invalidateQueries({ queryKey: dashboardKeys.all });
}

export function useOverview() {
  return useQuery({
    queryKey: dashboardKeys.overview(),
    queryFn: async () => unwrap(await api.GET("/api/v1/dashboard/overview")),
  });
}

/** The charts' series; the previous range stays drawn while another one loads. */
export function useAnalytics(query: AnalyticsQuery) {
  return useQuery({
    queryKey: dashboardKeys.analytics(query),
    queryFn: async () => unwrap(await api.GET("/api/v1/dashboard/analytics", { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

/** The activity, newest first, one page at a time ("Carica altri" asks for the page before the cursor). */
export function useActivity() {
  return useInfiniteQuery({
    queryKey: dashboardKeys.activity(),
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET("/api/v1/dashboard/activity", {
          params: { query: pageParam ? { before: pageParam, limit: ACTIVITY_PAGE } : { limit: ACTIVITY_PAGE } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next ?? undefined,
  });
}

export function useSuggestions() {
  return useQuery({
    queryKey: dashboardKeys.suggestions(),
    queryFn: async () => unwrap(await api.GET("/api/v1/dashboard/suggestions")),
  });
}

/** "Nascondi": the family does not see this advice for 30 days. */
export function useDismissSuggestion() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (key: string) =>
      unwrap(await api.POST("/api/v1/dashboard/suggestions/{key}/dismiss", { params: { path: { key } } })),
    onSuccess: (_nothing, key) => {
      queryClient.setQueryData<Schemas["SuggestionList"]>(dashboardKeys.suggestions(), (list) =>
        list ? { items: list.items.filter((item) => item.key !== key) } : list,
      );
      void queryClient.invalidateQueries({ queryKey: dashboardKeys.suggestions() });
    },
  });
}

/** The one tap of a suggestion, through the listing's own endpoints (an "open" action is a link instead). */
export function useApplySuggestion() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (suggestion: Suggestion) => {
      const action = suggestion.action;
      const listingId = action?.listing_id ?? suggestion.listing_id;
      if (!action || !listingId) throw new Error("no action");
      const path = { params: { path: { listing_id: listingId } } };
      if (action.kind === "set_price") {
        if (action.price === null || action.price === undefined) throw new Error("no price");
        return unwrap(await api.PATCH("/api/v1/listings/{listing_id}", { ...path, body: { price: action.price } }));
      }
      if (action.kind === "repost") {
        // The card's reasoning and its button are the member's confirmation (the API asks for it explicitly).
        return unwrap(await api.POST("/api/v1/listings/{listing_id}/repost", { ...path, body: { confirm: true } }));
      }
      throw new Error(`not a one-tap action: ${action.kind}`);
    },
    onSuccess: (listing) => {
      storeListing(queryClient, listing);
      invalidateDashboard(queryClient);
    },
  });
}
