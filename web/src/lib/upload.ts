// Photo uploads with a real progress bar. fetch() cannot report upload progress, so the bytes go through
// XMLHttpRequest with the Authorization header from api.ts (`authHeader`); passing `getAuthHeader: null`
// sends the upload through the typed client instead, with an indeterminate bar.
import { API_BASE, ApiError, api, authHeader, refreshSession, unwrap, type Schemas } from "./api";

export type UploadResult = Schemas["UploadResult"];
export type UploadLimits = Schemas["UploadLimits"];
export type DuplicateWarning = Schemas["DuplicateWarning"];
export type AuthHeaderProvider = () => Record<string, string>;

const DEFAULT_AUTH_HEADER: AuthHeaderProvider | null = authHeader;

const UPLOAD_PATH = "/api/v1/images/upload";
const IMAGE_NAME = /\.(jpe?g|png|webp|heic|heif)$/i;

export type UploadPhase = "sending" | "processing";

export interface UploadProgress {
  phase: UploadPhase;
  /** 0..1 while sending; null when unknown (no byte progress available, or the server is working). */
  fraction: number | null;
}

export interface UploadOptions {
  files: File[];
  listingId?: string;
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
  /** Defaults to the wired provider; pass null to force the typed-client path. */
  getAuthHeader?: AuthHeaderProvider | null;
}

/**
 * What the browser can tell from the name and type alone: not an image. A photo over the size limit (the
 * server's `limits.upload` from /api/v1/meta) is reduced before the upload (`photo-prepare.ts`).
 */
export function localProblem(file: File): "notImage" | null {
  const looksLikeImage = file.type.startsWith("image/") || IMAGE_NAME.test(file.name);
  return looksLikeImage ? null : "notImage";
}

/** A small JPEG of a photo this browser cannot show (HEIC on a desktop), made by the server; nothing is kept. */
export async function fetchPreview(file: File, signal?: AbortSignal): Promise<Blob> {
  const form = new FormData();
  form.append("file", file, file.name);
  const result = await api.POST("/api/v1/images/preview", {
    body: form as unknown as Schemas["Body_images_preview"],
    bodySerializer: () => form,
    parseAs: "blob",
    signal,
  });
  return unwrap(result) as Blob;
}

function buildForm(files: File[], listingId?: string): FormData {
  const form = new FormData();
  for (const file of files) form.append("files", file, file.name);
  if (listingId) form.append("listing_id", listingId);
  return form;
}

interface RawResponse {
  status: number;
  body: unknown;
  retryAfter: number | null;
  statusText: string;
}

function abortError(): DOMException {
  return new DOMException("Upload aborted", "AbortError");
}

/** POST a form with XMLHttpRequest, reporting upload progress. Rejects with TypeError on network failure. */
export function sendWithProgress(
  url: string,
  body: FormData,
  headers: Record<string, string>,
  onProgress?: (progress: UploadProgress) => void,
  signal?: AbortSignal,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.withCredentials = true;
    xhr.responseType = "text";
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) {
        onProgress?.({ phase: "sending", fraction: Math.min(1, event.loaded / event.total) });
      }
    };
    // Every byte is on the server: it now checks and shrinks the photos, which takes a moment.
    xhr.upload.onload = () => onProgress?.({ phase: "processing", fraction: null });
    const onAbort = () => xhr.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const done = () => signal?.removeEventListener("abort", onAbort);
    xhr.onload = () => {
      done();
      let parsed: unknown = null;
      try {
        parsed = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        parsed = null;
      }
      resolve({
        status: xhr.status,
        body: parsed,
        retryAfter: Number(xhr.getResponseHeader("Retry-After")) || null,
        statusText: xhr.statusText,
      });
    };
    xhr.onerror = () => {
      done();
      reject(new TypeError("Network error during upload"));
    };
    xhr.onabort = () => {
      done();
      reject(abortError());
    };
    onProgress?.({ phase: "sending", fraction: 0 });
    xhr.send(body);
  });
}

function toResult(response: RawResponse): UploadResult {
  if (response.status >= 200 && response.status < 300) return response.body as UploadResult;
  const body = (response.body ?? {}) as { error?: string; detail?: unknown };
  const detail = typeof body.detail === "string" ? body.detail : response.statusText;
  throw new ApiError(response.status, body.error ?? "error", detail, response.retryAfter);
}

/** Upload photos of one item (a new draft listing without `listingId`). Throws ApiError, TypeError or AbortError. */
export async function uploadPhotos(options: UploadOptions): Promise<UploadResult> {
  const { files, listingId, onProgress, signal } = options;
  const getAuthHeader = options.getAuthHeader === undefined ? DEFAULT_AUTH_HEADER : options.getAuthHeader;
  const form = buildForm(files, listingId);

  if (!getAuthHeader) {
    // No token access yet: the typed client (it refreshes and retries a 401 itself), without byte progress.
    onProgress?.({ phase: "sending", fraction: null });
    const result = await api.POST(UPLOAD_PATH, {
      body: form as unknown as Schemas["Body_images_upload"],
      bodySerializer: () => form,
      signal,
    });
    return unwrap(result);
  }

  const url = `${API_BASE}${UPLOAD_PATH}`;
  let response = await sendWithProgress(url, form, getAuthHeader(), onProgress, signal);
  if (response.status === 401 && (await refreshSession())) {
    // The access token expired during the upload: one silent refresh, then the same photos again.
    response = await sendWithProgress(url, form, getAuthHeader(), onProgress, signal);
  }
  return toResult(response);
}

/** The server names the refused file at the start of `detail` ("foto.jpg: …"): find which one it was. */
export function splitFileError(detail: string, names: string[]): { file: string | null; reason: string } {
  const match = names
    .filter((name) => detail.startsWith(`${name.slice(0, 120)}: `))
    .sort((a, b) => b.length - a.length)[0];
  if (!match) return { file: null, reason: detail };
  return { file: match, reason: detail.slice(match.slice(0, 120).length + 2) };
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}
