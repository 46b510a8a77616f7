// The server's vocabulary and limits (GET /api/v1/meta): the dashboard asks instead of keeping copies.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api";

export type Meta = Schemas["Meta"];
export type ListingLimits = Meta["limits"]["listing"];

export const metaKeys = {
  all: ["meta"] as const,
};

/** Asked once per visit and kept: the answer changes only when the server is redeployed. */
export function useMeta() {
  return useQuery({
    queryKey: metaKeys.all,
    queryFn: async () => unwrap(await api.GET("/api/v1/meta")),
    staleTime: Infinity,
    gcTime: Infinity,
  });
}
