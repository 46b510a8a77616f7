// The typed API client (generated types + openapi-fetch) with the session rules of the dashboard:
// the access token lives in memory only; the refresh token is an httpOnly cookie the browser sends to
// /api/v1/auth; a 401 triggers one silent refresh and one retry; the token is also refreshed before expiry.
import createClient from "openapi-fetch";
import type { components, paths } from "@/api/schema";

export type Schemas = components["schemas"];
export type User = Schemas["UserRead"];
export type FieldProblem = Schemas["FieldError"];

// Empty when the API serves the dashboard itself (`serve`); the API's origin when the dashboard is a static
// site of its own (Cloudflare Pages on app.example.it, the API on api.example.it: deploy/README.md).
export const API_BASE = process.env.NEXT_PUBLIC_API_URL ?? "";

/** A path the API answers with (a photo's signed URL: "/api/v1/images/…") as the browser must ask for it. */
export function apiUrl(path: string): string {
  return path.startsWith("/") ? `${API_BASE}${path}` : path;
}

interface TokenState {
  accessToken: string | null;
  expiresAt: number;
}

const tokens: TokenState = { accessToken: null, expiresAt: 0 };
let refreshTimer: ReturnType<typeof setTimeout> | null = null;
let refreshInFlight: Promise<boolean> | null = null;
const listeners = new Set<(signedIn: boolean) => void>();

export function onSessionChange(listener: (signedIn: boolean) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// Not a secret: only "this browser signed in before", so a signed-out visit skips the refresh probe.
const SESSION_HINT = "vo.session";

export function mayHaveSession(): boolean {
  try {
    return window.localStorage.getItem(SESSION_HINT) === "1";
  } catch {
    return true;
  }
}

function rememberSession(signedIn: boolean): void {
  try {
    if (signedIn) window.localStorage.setItem(SESSION_HINT, "1");
    else window.localStorage.removeItem(SESSION_HINT);
  } catch {
    // Private mode without storage: the probe simply always runs.
  }
}

export function setAccessToken(token: string | null, expiresInSeconds = 0): void {
  rememberSession(token !== null);
  tokens.accessToken = token;
  tokens.expiresAt = token ? Date.now() + expiresInSeconds * 1000 : 0;
  if (refreshTimer) clearTimeout(refreshTimer);
  refreshTimer = null;
  if (token && expiresInSeconds > 0) {
    // Refresh a little before expiry: a minute early, or at 80 % of a short lifetime.
    const lead = Math.min(60, expiresInSeconds * 0.2);
    refreshTimer = setTimeout(() => void refreshSession(), Math.max(1, expiresInSeconds - lead) * 1000);
  }
  listeners.forEach((listener) => listener(token !== null));
}

/** The Authorization header for requests that cannot go through `api` (upload progress needs XMLHttpRequest). */
export function authHeader(): Record<string, string> {
  return tokens.accessToken ? { Authorization: `Bearer ${tokens.accessToken}` } : {};
}

/** The access token itself, for the live-events socket (it goes in Sec-WebSocket-Protocol, never a URL). */
export function currentAccessToken(): string | null {
  return tokens.accessToken;
}

export function hasAccessToken(): boolean {
  return tokens.accessToken !== null;
}

/** Exchange the refresh cookie for a new access token. Single flight: concurrent callers share one call. */
export function refreshSession(): Promise<boolean> {
  if (!refreshInFlight) {
    refreshInFlight = (async () => {
      try {
        const response = await fetch(`${API_BASE}/api/v1/auth/refresh`, {
          method: "POST",
          credentials: "include",
          headers: { "Content-Type": "application/json" },
          body: "{}",
        });
        if (!response.ok) {
          setAccessToken(null);
          return false;
        }
        const body = (await response.json()) as Schemas["TokenPair"];
        setAccessToken(body.access_token, body.expires_in);
        return true;
      } catch {
        return false;
      } finally {
        refreshInFlight = null;
      }
    })();
  }
  return refreshInFlight;
}

const AUTH_PATHS = [
  "/api/v1/auth/login",
  "/api/v1/auth/register",
  "/api/v1/auth/register/complete",
  "/api/v1/auth/refresh",
];

async function authFetch(request: Request): Promise<Response> {
  const retry = request.clone();
  const send = (req: Request) => {
    if (tokens.accessToken) req.headers.set("Authorization", `Bearer ${tokens.accessToken}`);
    return fetch(req);
  };
  const response = await send(request);
  const path = new URL(request.url).pathname;
  if (response.status !== 401 || AUTH_PATHS.includes(path)) return response;
  // Expired or revoked access token: refresh once and try again.
  if (await refreshSession()) return send(retry);
  return response;
}

export const api = createClient<paths>({ baseUrl: API_BASE, credentials: "include", fetch: authFetch });

/** An error the UI can show: the API's `{error, detail}`, the wait time of a 429, the `fields` of a 422. */
export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    public detail: string,
    public retryAfter: number | null = null,
    public fields: FieldProblem[] = [],
  ) {
    super(detail);
  }
}

interface ApiResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Unwrap an openapi-fetch result: the data, or an ApiError carrying the server's message. */
export function unwrap<T>(result: ApiResult<T>): T {
  const { data, error, response } = result;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { error?: string; detail?: unknown; fields?: unknown };
  const retryAfter = Number(response.headers.get("Retry-After")) || null;
  const detail = typeof body.detail === "string" ? body.detail : response.statusText;
  throw new ApiError(response.status, body.error ?? "error", detail, retryAfter, fieldProblems(body.fields));
}

function fieldProblems(fields: unknown): FieldProblem[] {
  if (!Array.isArray(fields)) return [];
  return fields.filter(
    (item): item is FieldProblem =>
      typeof item === "object" && item !== null && typeof item.field === "string" && typeof item.message === "string",
  );
}
