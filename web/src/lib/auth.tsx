"use client";

import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import {
  api,
  mayHaveSession,
  onSessionChange,
  refreshSession,
  setAccessToken,
  unwrap,
  type Schemas,
  type User,
} from "./api";

type Status = "loading" | "signedIn" | "signedOut";

interface Auth {
  status: Status;
  user: User | null;
  /** Signed out by the member's own "Esci" (not an expired session): sign-in then starts from the home page. */
  signedOutByChoice: boolean;
  login: (login: string, password: string) => Promise<void>;
  /** "pending" for an open sign-up: the e-mailed link completes it (nothing is signed in yet). */
  register: (data: Schemas["RegisterRequest"]) => Promise<"signedIn" | "pending">;
  /** The e-mailed link of an open sign-up: creates the account and signs in, as a registration does. */
  completeSignup: (data: Schemas["SignupCompletion"]) => Promise<void>;
  logout: () => Promise<void>;
  reloadUser: () => Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<Status>("loading");
  const [user, setUser] = useState<User | null>(null);
  const [signedOutByChoice, setSignedOutByChoice] = useState(false);
  const leaving = useRef(false);
  const queryClient = useQueryClient();

  const reloadUser = useCallback(async () => {
    const me = unwrap(await api.GET("/api/v1/users/me"));
    setUser(me);
    setStatus("signedIn");
  }, []);

  useEffect(() => {
    // A page load starts with no access token: the refresh cookie, if any, signs us back in.
    let cancelled = false;
    (async () => {
      const ok = mayHaveSession() && (await refreshSession());
      if (cancelled) return;
      if (!ok) {
        setStatus("signedOut");
        return;
      }
      try {
        await reloadUser();
      } catch {
        if (!cancelled) setStatus("signedOut");
      }
    })();
    const unsubscribe = onSessionChange((signedIn) => {
      if (!signedIn) {
        setUser(null);
        setSignedOutByChoice(leaving.current);
        leaving.current = false;
        setStatus("signedOut");
      }
    });
    return () => {
      cancelled = true;
      unsubscribe();
    };
  }, [reloadUser]);

  const start = useCallback((body: Schemas["AuthResponse"]) => {
    setAccessToken(body.access_token, body.expires_in);
    setUser(body.user);
    setSignedOutByChoice(false);
    setStatus("signedIn");
  }, []);

  const value = useMemo<Auth>(
    () => ({
      status,
      user,
      signedOutByChoice,
      reloadUser,
      login: async (login, password) => start(unwrap(await api.POST("/api/v1/auth/login", { body: { login, password } }))),
      register: async (data) => {
        const body = unwrap(await api.POST("/api/v1/auth/register", { body: data }));
        if (!("access_token" in body)) return "pending";
        start(body);
        return "signedIn";
      },
      completeSignup: async (data) =>
        start(unwrap(await api.POST("/api/v1/auth/register/complete", { body: data }))),
      logout: async () => {
        leaving.current = true;
        try {
          await api.POST("/api/v1/auth/logout", { body: {} });
        } finally {
          setAccessToken(null);
          queryClient.clear();
        }
      },
    }),
    [status, user, signedOutByChoice, reloadUser, start, queryClient],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const context = useContext(AuthContext);
  if (!context) throw new Error("useAuth outside AuthProvider");
  return context;
}
