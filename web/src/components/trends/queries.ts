// Query keys and the trends' queries. Every key starts with "trends", so one invalidation refreshes the
// list, the categories' histories and the follows (a new choice changes what the list holds).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api";

export type Trend = Schemas["TrendRead"];
export type Follow = Schemas["FollowRead"];
export type Follows = Schemas["Follows"];

export const trendKeys = {
  all: ["trends"] as const,
  list: () => [...trendKeys.all, "list"] as const,
  categories: () => [...trendKeys.all, "category"] as const,
  category: (id: number) => [...trendKeys.categories(), id] as const,
  follows: () => [...trendKeys.all, "follows"] as const,
};

export function useTrends() {
  return useQuery({
    queryKey: trendKeys.list(),
    queryFn: async () => unwrap(await api.GET("/api/v1/trends")),
  });
}

export function useCategoryTrends(categoryId: number) {
  return useQuery({
    queryKey: trendKeys.category(categoryId),
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/trends/{category_id}", { params: { path: { category_id: categoryId } } })),
  });
}

export function useFollows() {
  return useQuery({
    queryKey: trendKeys.follows(),
    queryFn: async () => unwrap(await api.GET("/api/v1/trends/follows")),
  });
}

/** The family admin's choice of searches (an empty list: back to the inventory's). */
export function useSetFollows() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (follows: Schemas["FollowIn"][]) =>
      unwrap(await api.PUT("/api/v1/trends/follows", { body: { follows } })),
    onSuccess: (chosen) => {
      queryClient.setQueryData(trendKeys.follows(), chosen);
      void queryClient.invalidateQueries({ queryKey: trendKeys.list() });
    },
  });
}

export function useRefreshTrends() {
  return useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/trends/refresh")),
  });
}
