// Signing up through an invitation: what the invitation says before the account exists.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api";

export const invitationKeys = {
  all: ["invitation"] as const,
  preview: (token: string) => [...invitationKeys.all, "preview", token] as const,
};

/** The API refuses shorter tokens (422): such a link was cut while being copied, no need to ask. */
export const looksLikeInviteToken = (token: string): boolean => token.length >= 16;

/** The family, role and e-mail of an invitation; an unknown, used or expired one fails (no retries). */
export function useInvitationPreview(token: string) {
  return useQuery({
    queryKey: invitationKeys.preview(token),
    queryFn: async () => unwrap(await api.POST("/api/v1/auth/invitation", { body: { token } })),
    enabled: looksLikeInviteToken(token),
    retry: false,
  });
}
