import { ApiError } from "./api";
import type { MessageKey } from "./messages";

/** The message a person should read for a failed call: the server's words, or a clear fallback. */
export function errorMessage(error: unknown, t: (key: MessageKey, values?: Record<string, string | number>) => string) {
  if (error instanceof ApiError) {
    if (error.status === 429) return t("common.rateLimited", { seconds: error.retryAfter ?? 60 });
    return error.detail || t("common.error");
  }
  if (error instanceof TypeError) return t("common.network");
  return t("common.error");
}
