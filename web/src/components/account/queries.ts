// The signed-in person's own account: profile and password, the linked Vinted session, the devices signed
// in, and deleting it all.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { api, setAccessToken, unwrap, type Schemas } from "@/lib/api";
import { vintedLinkKeys } from "@/components/vinted-link/queries";
import { useAuth } from "@/lib/auth";

export const accountKeys = {
  all: ["account"] as const,
  sessions: () => [...accountKeys.all, "sessions"] as const,
};

/** Change username, e-mail or password; the signed-in user is reloaded afterwards. */
export function useUpdateMe() {
  const { reloadUser } = useAuth();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: Schemas["UserUpdate"]) => unwrap(await api.PATCH("/api/v1/users/me", { body })),
    onSuccess: async (_user, body) => {
      await reloadUser();
      // A new password signs the other devices out: the list of sessions changed.
      if (body.new_password) void queryClient.invalidateQueries({ queryKey: accountKeys.sessions() });
    },
  });
}

export function useLinkVinted() {
  const { reloadUser } = useAuth();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: Schemas["VintedSessionLink"]) =>
      unwrap(await api.POST("/api/v1/users/me/vinted", { body })),
    onSuccess: async () => {
      await reloadUser();
      void queryClient.invalidateQueries({ queryKey: vintedLinkKeys.all });
    },
  });
}

export function useUnlinkVinted() {
  const { reloadUser } = useAuth();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.DELETE("/api/v1/users/me/vinted")),
    onSuccess: async () => {
      await reloadUser();
      void queryClient.invalidateQueries({ queryKey: vintedLinkKeys.all });
    },
  });
}

export function useSessions() {
  return useQuery({
    queryKey: accountKeys.sessions(),
    queryFn: async () => unwrap(await api.GET("/api/v1/auth/sessions")),
  });
}

export function useRevokeSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (jti: string) =>
      unwrap(await api.DELETE("/api/v1/auth/sessions/{jti}", { params: { path: { jti } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: accountKeys.sessions() }),
  });
}

/** Delete the account (the password confirms it), forget everything cached, and go to the sign-in page. */
export function useDeleteAccount() {
  const router = useRouter();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (password: string) => unwrap(await api.DELETE("/api/v1/users/me", { body: { password } })),
    onSuccess: () => {
      setAccessToken(null);
      queryClient.clear();
      router.replace("/accedi");
    },
  });
}
