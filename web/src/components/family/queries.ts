// The family: its members and pending invitations (GET needs the family admin), and inviting.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api";

export type Family = Schemas["FamilyOverview"];
export type Invitation = Schemas["InvitationRead"];

export const familyKeys = {
  all: ["family"] as const,
  overview: () => [...familyKeys.all, "overview"] as const,
};

/** Members and pending invitations. Only the family admin may ask: pass `enabled: false` for the others. */
export function useFamily({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: familyKeys.overview(),
    queryFn: async () => unwrap(await api.GET("/api/v1/users/family")),
    enabled,
  });
}

export function useInvite() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: Schemas["InvitationCreate"]) =>
      unwrap(await api.POST("/api/v1/users/family/invite", { body })),
    // Not awaited: the new link shows at once, the pending list catches up.
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: familyKeys.all }),
  });
}

export function useRevokeInvitation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.DELETE("/api/v1/users/family/invitations/{invitation_id}", { params: { path: { invitation_id: id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: familyKeys.all }),
  });
}

/** A single-use link that sets a new password for a member of the family (shown once, never listed). */
export function useMemberPasswordReset() {
  return useMutation({
    mutationFn: async (userId: string) =>
      unwrap(
        await api.POST("/api/v1/users/family/members/{user_id}/password-reset", {
          params: { path: { user_id: userId } },
        }),
      ),
  });
}
