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

export type CatalogNode = Schemas["CatalogNode"];

/** A level of Vinted's catalog tree (null: the six roots): the tree is the same for everyone, kept. */
export function useCatalogLevel(parent: number | null, enabled: boolean) {
  return useQuery({
    queryKey: [...metaKeys.all, "catalogs", "level", parent] as const,
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/meta/catalogs", { params: { query: parent ? { parent } : {} } })),
    staleTime: Infinity,
    enabled,
  });
}

/** The best matches of what the member typed in Vinted's Italian category paths. */
export function useCatalogSearch(q: string) {
  return useQuery({
    queryKey: [...metaKeys.all, "catalogs", "search", q] as const,
    queryFn: async () => unwrap(await api.GET("/api/v1/meta/catalogs", { params: { query: { q, limit: 20 } } })),
    staleTime: Infinity,
    enabled: q.length > 0,
  });
}

export type CatalogFields = Schemas["CatalogFields"];

/** What Vinted's form asks for an item of this catalog (sizes, parcel size, material): the same for all. */
export function useCatalogFields(catalogId: number | null) {
  return useQuery({
    queryKey: [...metaKeys.all, "catalogs", "fields", catalogId] as const,
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/meta/catalogs/{catalog_id}/fields", {
          params: { path: { catalog_id: catalogId ?? 0 } },
        }),
      ),
    staleTime: Infinity,
    enabled: catalogId !== null,
  });
}
