"use client";

import { AlertTriangle, ImageOff, X } from "lucide-react";
import { Spinner } from "@/components/ui";
import { useI18n, type Language } from "@/lib/i18n";
import type { PhotoHint } from "@/lib/photo-quality";
import type { PhotoProblem } from "@/lib/photo-prepare";
import { hintLabel } from "./labels";
import { numberFormat } from "@/lib/format";

/** A photo chosen for the upload, while it is checked in the browser and once it is ready. */
export interface Chosen {
  key: string;
  /** As the member chose it. */
  file: File;
  /** What is sent: the file, or the JPEG it was reduced to. */
  upload: File;
  checking: boolean;
  preview: string | null;
  hints: PhotoHint[];
  resized: { from: number; to: number } | null;
  problem: "notImage" | PhotoProblem | "refused" | null;
  /** The server's words when it refused the file (for a preview). */
  reason: string | null;
  /** No preview could be made before the upload (the server was not reachable for a HEIC). */
  previewLater: boolean;
}

export function formatSize(bytes: number, language: Language): string {
  const locale = language === "it" ? "it-IT" : "en-GB";
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${numberFormat(locale, { maximumFractionDigits: 1 }).format(bytes / (1024 * 1024))} MB`;
}

/** One tile of the strip: the preview (or a placeholder), the cover badge, what happened to the photo. */
export function ChosenPhoto({
  item,
  cover,
  refused,
  maxBytes,
  busy,
  onRemove,
}: {
  item: Chosen;
  cover: boolean;
  refused: boolean;
  maxBytes: number;
  busy: boolean;
  onRemove: () => void;
}) {
  const { t, language } = useI18n();
  const mb = maxBytes / (1024 * 1024);
  const problem =
    item.problem === "notImage"
      ? t("upload.notImage")
      : item.problem === "undecodable"
        ? t("upload.undecodable")
        : item.problem === "cannotShrink"
          ? t("upload.cannotShrink", { size: formatSize(item.file.size, language), mb })
          : item.problem === "heicTooBig"
            ? t("upload.heicTooBig", { size: formatSize(item.file.size, language), mb })
            : item.problem === "refused"
              ? (item.reason ?? t("upload.error.invalid_image"))
              : null;
  const bad = problem !== null || refused;
  const name = item.file.name;
  return (
    <li className="min-w-0" data-photo={name}>
      <div className={`relative aspect-square overflow-hidden rounded-lg bg-slate-100 ${bad ? "ring-2 ring-red-600" : ""}`}>
        {item.preview ? (
          <img
            src={item.preview}
            alt={t("upload.previewAlt", { name })}
            className="h-full w-full object-cover"
          />
        ) : (
          <div className="flex h-full w-full flex-col items-center justify-center gap-1 p-2 text-center text-xs text-slate-600">
            {item.checking ? (
              <>
                <Spinner />
                {t("upload.checking")}
              </>
            ) : (
              <>
                <ImageOff aria-hidden="true" className="h-8 w-8 text-slate-500" />
                {item.previewLater ? t("upload.previewLater") : null}
              </>
            )}
          </div>
        )}
        {cover ? (
          <span className="absolute bottom-1 left-1 rounded-full bg-teal-700 px-2 py-0.5 text-xs font-medium text-white">
            {t("detail.primary")}
          </span>
        ) : null}
        <button
          type="button"
          onClick={onRemove}
          disabled={busy}
          aria-label={t("upload.remove", { name })}
          title={t("upload.remove", { name })}
          className="absolute right-0 top-0 flex size-11 items-center justify-center rounded-bl-lg bg-white/90 text-slate-800 hover:bg-white focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600 disabled:opacity-50"
        >
          <X aria-hidden="true" className="h-5 w-5" />
        </button>
      </div>
      <p className="mt-1 truncate text-xs text-slate-700" title={name}>
        {name}
      </p>
      {item.resized ? (
        <p className="text-xs text-teal-800">
          {t("upload.resized", {
            from: formatSize(item.resized.from, language),
            to: formatSize(item.resized.to, language),
          })}
        </p>
      ) : (
        <p className="text-xs text-slate-500">{formatSize(item.file.size, language)}</p>
      )}
      {problem ? <p className="text-xs font-medium text-red-700">{problem}</p> : null}
      {item.hints.length > 0 ? (
        <ul className="mt-0.5 flex flex-col gap-0.5" aria-label={t("upload.hintsFor", { name })}>
          {item.hints.map((hint) => (
            <li key={hint} className="flex items-start gap-1 text-xs font-medium text-amber-800">
              <AlertTriangle aria-hidden="true" className="mt-0.5 h-3.5 w-3.5 shrink-0" />
              {t(hintLabel(hint))}
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}
