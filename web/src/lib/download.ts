// Saving files: a blob the page has (saveBlob), or a file the API sends only with the Authorization header
// (the exports: download), fetched with authHeader() and saved under the server's Content-Disposition name.
import { API_BASE, ApiError, authHeader, refreshSession } from "@/lib/api";

type Params = Record<string, string | number | readonly string[] | null | undefined>;

export function searchOf(params: Params): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === "") continue;
    if (Array.isArray(value)) value.forEach((item) => search.append(name, String(item)));
    else search.set(name, String(value));
  }
  return search.toString();
}

/** The file name of `attachment; filename="…"` (or its RFC 5987 `filename*=UTF-8''…`), else `fallback`. */
export function filenameOf(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback;
  const encoded = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition);
  if (encoded) {
    try {
      return decodeURIComponent(encoded[1].trim());
    } catch {
      // A malformed name: the plain one below, or the fallback.
    }
  }
  const plain = /filename\s*=\s*"([^"]+)"|filename\s*=\s*([^;]+)/i.exec(disposition);
  return (plain?.[1] ?? plain?.[2])?.trim() || fallback;
}

async function failure(response: Response): Promise<ApiError> {
  let body: { error?: string; detail?: unknown } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // Not the API's JSON (a proxy's page): the status text says enough.
  }
  const detail = typeof body.detail === "string" ? body.detail : response.statusText;
  return new ApiError(response.status, body.error ?? "error", detail, Number(response.headers.get("Retry-After")) || null);
}

/** GET `path` (under /api/v1) with `params` and save the answer; throws an ApiError the page can show. */
export async function download(path: string, params: Params, fallbackName: string): Promise<string> {
  const search = searchOf(params);
  const url = `${API_BASE}/api/v1${path}${search ? `?${search}` : ""}`;
  const send = () => fetch(url, { headers: authHeader(), credentials: "include" });
  let response = await send();
  // An access token that expired while the page stood open: refresh it once, like the typed client does.
  if (response.status === 401 && (await refreshSession())) response = await send();
  if (!response.ok) throw await failure(response);
  const name = filenameOf(response.headers.get("Content-Disposition"), fallbackName);
  saveBlob(await response.blob(), name);
  return name;
}

// Revoked later: some browsers read the blob after the click has returned.
export const REVOKE_AFTER_MS = 60_000;

/** Save `blob` as `filename` (the browser's download). */
export function saveBlob(blob: Blob, filename: string): void {
  const href = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = href;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), REVOKE_AFTER_MS);
}
