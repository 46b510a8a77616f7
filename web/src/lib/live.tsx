"use client";
// Live events: one WebSocket per signed-in tab (GET /api/v1/ws), authenticated by the access token in
// the Sec-WebSocket-Protocol header. Each event is handed to the handlers the domains register (they
// update the TanStack Query cache). On a drop it reconnects with the last id it saw, so the server sends
// what was missed; while it is down, queries that need it poll slowly (useLiveStatus).
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { API_BASE, currentAccessToken, refreshSession, type Schemas } from "./api";
import { useAuth } from "./auth";

export type LiveEvent = Schemas["EventRead"];
export type LiveHandler = (event: LiveEvent, queryClient: QueryClient) => void;
export type LiveStatus = "connecting" | "open" | "down";

const PROTOCOL = "vo.v1";
const EXPIRED = 4001; // the access token expired: refresh it, then reconnect
const REVOKED = 4003; // the session was revoked: stay closed (the next request signs the tab out)
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30_000;

const LiveContext = createContext<LiveStatus>("down");

export function useLiveStatus(): LiveStatus {
  return useContext(LiveContext);
}

function socketUrl(since: string | null): string {
  const base = API_BASE
    ? API_BASE.replace(/^http/, "ws")
    : `${window.location.protocol === "https:" ? "wss" : "ws"}://${window.location.host}`;
  return `${base}/api/v1/ws${since ? `?since=${encodeURIComponent(since)}` : ""}`;
}

export function LiveEvents({ handlers, children }: { handlers: LiveHandler[]; children: ReactNode }) {
  const { status: auth, user } = useAuth();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>("down");
  // Events are a family's stream: an instance administrator without a family has none (the server
  // refuses the socket with 403, and retrying would only repeat it).
  const familyId = user?.family?.id ?? null;

  useEffect(() => {
    if (auth !== "signedIn" || familyId === null) return;
    let socket: WebSocket | null = null;
    let lastId: string | null = null;
    let retryMs = RETRY_FIRST_MS;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let stopped = false;

    const dispatch = (event: LiveEvent) => handlers.forEach((handle) => handle(event, queryClient));

    const open = () => {
      const token = currentAccessToken();
      if (stopped || !token) return;
      setStatus("connecting");
      const ws = new WebSocket(socketUrl(lastId), [PROTOCOL, `vo.auth.${token}`]);
      socket = ws;
      ws.onmessage = (message) => {
        const event = JSON.parse(String(message.data)) as { id?: string | null; type: string };
        if (event.type === "ready") {
          retryMs = RETRY_FIRST_MS;
          setStatus("open");
          if (event.id) lastId = event.id;
        } else if (event.type === "resync") {
          void queryClient.invalidateQueries(); // what was missed is no longer kept: reload everything
        } else if (event.type === "ping") {
          ws.send("ping");
        } else if (event.type !== "pong" && event.id) {
          lastId = event.id;
          dispatch(event as LiveEvent);
        }
      };
      ws.onclose = (closed) => {
        if (socket !== ws || stopped) return;
        socket = null;
        setStatus("down");
        if (closed.code === REVOKED) return;
        if (closed.code === EXPIRED) {
          void refreshSession().then((ok) => {
            if (ok) open();
          });
          return;
        }
        timer = setTimeout(open, retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      };
    };

    open();
    const wake = () => {
      // Back from the background (a phone's tab): reconnect now rather than at the next retry.
      if (document.visibilityState === "visible" && socket === null && !stopped) {
        if (timer) clearTimeout(timer);
        open();
      }
    };
    document.addEventListener("visibilitychange", wake);
    return () => {
      stopped = true;
      document.removeEventListener("visibilitychange", wake);
      if (timer) clearTimeout(timer);
      socket?.close(1000);
      setStatus("down");
    };
  }, [auth, familyId, handlers, queryClient]);

  return <LiveContext.Provider value={status}>{children}</LiveContext.Provider>;
}
