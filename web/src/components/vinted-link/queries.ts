// The Vinted link: the member's pairing code for the browser extension, its status, and the link's state.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api";
import { useLiveStatus } from "@/lib/live";

export const vintedLinkKeys = {
  all: ["vinted-link"] as const,
  state: () => [...vintedLinkKeys.all, "state"] as const,
  pairing: (id: string) => [...vintedLinkKeys.all, "pairing", id] as const,
  sync: () => [...vintedLinkKeys.all, "sync"] as const,
};

/** The member's link as the server sees it now (the live event "vinted.link_changed" refreshes it). */
export function useVintedState() {
  return useQuery({
    queryKey: vintedLinkKeys.state(),
    queryFn: async () => {
      const me = unwrap(await api.GET("/api/v1/users/me"));
      return { status: me.vinted_status, vintedUserId: me.vinted_user_id ?? null };
    },
  });
}

export function useCreatePairing() {
  return useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/vinted-link/pairings")),
  });
}

/** A code's status: refreshed by the live event; asked again every few seconds only while the live
 * connection is down (so the page still turns to "Collegato" on a network that blocks WebSockets). */
export function usePairingStatus(id: string | null) {
  const live = useLiveStatus();
  return useQuery({
    queryKey: vintedLinkKeys.pairing(id ?? "none"),
    enabled: id !== null,
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/vinted-link/pairings/{pairing_id}", { params: { path: { pairing_id: id ?? "" } } })),
    refetchInterval: (query) => (live !== "open" && query.state.data?.state === "waiting" ? 4000 : false),
  });
}

export function useInvalidateVintedLink() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: vintedLinkKeys.all });
}

/** The last sales sync of each member of the family (the live event "vinted.synced" refreshes it). */
export function useSyncReports(enabled = true) {
  return useQuery({
    queryKey: vintedLinkKeys.sync(),
    enabled,
    queryFn: async () => unwrap(await api.GET("/api/v1/vinted-link/sync")).items,
  });
}

/** Ask for a sync now: mine, or (a family admin) every linked member's. */
export function useStartSync() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (all: boolean) => unwrap(await api.POST("/api/v1/vinted-link/sync", { body: { all } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: vintedLinkKeys.sync() }),
  });
}
