"use client";

import { AlertTriangle, Camera, ImageOff, ImagePlus, X } from "lucide-react";
import Link from "next/link";
import { useEffect, useId, useRef, useState, type DragEvent } from "react";
import { Alert, Button } from "@/components/ui";
import { ApiError } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { useI18n, type Language } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import {
  isAbort,
  localProblem,
  splitFileError,
  uploadPhotos,
  type DuplicateWarning,
  type UploadLimits,
  type UploadProgress,
  type UploadResult,
} from "@/lib/upload";

interface Chosen {
  key: string;
  file: File;
  preview: string;
  problem: "notImage" | "tooBig" | null;
}

interface Failure {
  title: string | null;
  reason: string;
  file: string | null;
}

const SERVER_CODES: Record<string, MessageKey> = {
  unsupported_media_type: "upload.error.unsupported_media_type",
  file_too_large: "upload.error.file_too_large",
  payload_too_large: "upload.error.payload_too_large",
  image_too_large: "upload.error.image_too_large",
  invalid_image: "upload.error.invalid_image",
  empty_file: "upload.error.empty_file",
};

function formatSize(bytes: number, language: Language): string {
  const locale = language === "it" ? "it-IT" : "en-GB";
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(bytes / (1024 * 1024))} MB`;
}

let counter = 0;

/**
 * Choose (or take) photos, preview them, upload them with a progress bar. Without `listingId` the server
 * creates a new draft listing; with it the photos are added to that listing. `limits` are the server's.
 */
export function UploadPanel({
  listingId,
  limits,
  onUploaded,
}: {
  listingId?: string;
  limits: UploadLimits;
  onUploaded: (result: UploadResult) => void;
}) {
  const { t, language } = useI18n();
  const [chosen, setChosen] = useState<Chosen[]>([]);
  const [broken, setBroken] = useState<Set<string>>(new Set());
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [dragging, setDragging] = useState(false);
  const abortRef = useRef<AbortController | null>(null);
  const pickRef = useRef<HTMLInputElement>(null);
  const cameraRef = useRef<HTMLInputElement>(null);
  const chosenRef = useRef(chosen);
  const progressId = useId();
  chosenRef.current = chosen;

  // Free the preview URLs when the panel goes away.
  useEffect(() => () => chosenRef.current.forEach((item) => URL.revokeObjectURL(item.preview)), []);

  const busy = progress !== null;
  const extra = chosen.length - limits.max_files;
  const hasProblem = chosen.some((item) => item.problem !== null);
  const canSubmit = chosen.length > 0 && extra <= 0 && !hasProblem && !busy;

  const add = (files: FileList | File[] | null) => {
    if (!files || files.length === 0) return;
    const added = Array.from(files).map((file) => ({
      key: `${Date.now()}-${(counter += 1)}`,
      file,
      preview: URL.createObjectURL(file),
      problem: localProblem(file, limits),
    }));
    setChosen((current) => [...current, ...added]);
    setFailure(null);
  };

  const remove = (key: string) => {
    const item = chosen.find((entry) => entry.key === key);
    if (!item) return;
    URL.revokeObjectURL(item.preview);
    setChosen((current) => current.filter((entry) => entry.key !== key));
    if (failure?.file === item.file.name) setFailure(null);
  };

  const describe = (error: unknown): Failure => {
    if (isAbort(error)) return { title: null, reason: t("upload.aborted"), file: null };
    if (error instanceof ApiError && error.status === 401) {
      return { title: null, reason: t("common.sessionExpired"), file: null };
    }
    if (error instanceof ApiError && [413, 415, 422].includes(error.status)) {
      const { file, reason } = splitFileError(
        error.detail,
        chosen.map((item) => item.file.name),
      );
      const known = SERVER_CODES[error.code];
      // The server explains in Italian, with its exact limits; other languages get the catalogue's words.
      const text = language === "it" || !known ? reason || (known ? t(known) : t("common.error")) : t(known);
      return {
        title: file ? t("upload.failedFile", { file }) : null,
        reason: `${text} ${t("upload.nothingSaved")}`,
        file,
      };
    }
    return { title: null, reason: errorMessage(error, t), file: null };
  };

  const submit = async () => {
    if (!canSubmit) return;
    setFailure(null);
    const controller = new AbortController();
    abortRef.current = controller;
    setProgress({ phase: "sending", fraction: 0 });
    try {
      const result = await uploadPhotos({
        files: chosen.map((item) => item.file),
        listingId,
        onProgress: setProgress,
        signal: controller.signal,
      });
      chosen.forEach((item) => URL.revokeObjectURL(item.preview));
      setChosen([]);
      onUploaded(result);
    } catch (error) {
      setFailure(describe(error));
    } finally {
      setProgress(null);
      abortRef.current = null;
    }
  };

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    if (!busy) add(event.dataTransfer.files);
  };

  const percent = progress?.fraction != null ? Math.round(progress.fraction * 100) : null;
  const progressLabel =
    progress?.phase === "processing"
      ? t("upload.processing")
      : percent !== null
        ? t("upload.uploading", { percent })
        : t("upload.sending");

  return (
    <div className="flex flex-col gap-4">
      <div
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        className={`flex flex-col items-center gap-3 rounded-xl border-2 border-dashed px-4 py-6 text-center ${
          dragging ? "border-teal-600 bg-teal-50" : "border-slate-300 bg-slate-50"
        }`}
      >
        <div className="flex w-full flex-col gap-2 sm:w-auto sm:flex-row">
          <Button type="button" onClick={() => pickRef.current?.click()} disabled={busy} className="w-full sm:w-auto">
            <ImagePlus aria-hidden="true" className="h-5 w-5" />
            {t("upload.choose")}
          </Button>
          <Button
            type="button"
            variant="secondary"
            onClick={() => cameraRef.current?.click()}
            disabled={busy}
            className="w-full disabled:opacity-50 sm:w-auto"
          >
            <Camera aria-hidden="true" className="h-5 w-5" />
            {t("upload.camera")}
          </Button>
        </div>
        <p className="hidden text-sm text-slate-600 md:block">{t("upload.drop")}</p>
        <input
          ref={pickRef}
          type="file"
          accept="image/*"
          multiple
          hidden
          tabIndex={-1}
          onChange={(event) => {
            add(event.currentTarget.files);
            event.currentTarget.value = "";
          }}
        />
        <input
          ref={cameraRef}
          type="file"
          accept="image/*"
          capture="environment"
          hidden
          tabIndex={-1}
          onChange={(event) => {
            add(event.currentTarget.files);
            event.currentTarget.value = "";
          }}
        />
      </div>

      {chosen.length > 0 ? (
        <section aria-label={t("upload.selected", { count: chosen.length })}>
          <h3 className="mb-2 text-sm font-semibold text-slate-900">{t("upload.selected", { count: chosen.length })}</h3>
          <ul className="grid grid-cols-3 gap-2 sm:grid-cols-4 lg:grid-cols-5">
            {chosen.map((item, index) => {
              const refused = failure?.file === item.file.name;
              const problem =
                item.problem === "tooBig"
                  ? t("upload.tooBig", { mb: limits.max_file_bytes / (1024 * 1024) })
                  : item.problem === "notImage"
                    ? t("upload.notImage")
                    : null;
              const bad = problem !== null || refused;
              return (
                <li key={item.key} className="min-w-0">
                  <div
                    className={`relative aspect-square overflow-hidden rounded-lg bg-slate-100 ${
                      bad ? "ring-2 ring-red-600" : ""
                    }`}
                  >
                    {broken.has(item.key) || item.problem === "notImage" ? (
                      <div className="flex h-full w-full items-center justify-center text-slate-500">
                        <ImageOff aria-hidden="true" className="h-8 w-8" />
                      </div>
                    ) : (
                      <img
                        src={item.preview}
                        alt={t("upload.previewAlt", { name: item.file.name })}
                        className="h-full w-full object-cover"
                        onError={() => setBroken((current) => new Set(current).add(item.key))}
                      />
                    )}
                    {index === 0 ? (
                      <span className="absolute bottom-1 left-1 rounded-full bg-teal-700 px-2 py-0.5 text-xs font-medium text-white">
                        {t("detail.primary")}
                      </span>
                    ) : null}
                    <button
                      type="button"
                      onClick={() => remove(item.key)}
                      disabled={busy}
                      aria-label={t("upload.remove", { name: item.file.name })}
                      title={t("upload.remove", { name: item.file.name })}
                      className="absolute right-0 top-0 flex size-11 items-center justify-center rounded-bl-lg bg-white/90 text-slate-800 hover:bg-white focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600 disabled:opacity-50"
                    >
                      <X aria-hidden="true" className="h-5 w-5" />
                    </button>
                  </div>
                  <p className="mt-1 truncate text-xs text-slate-700" title={item.file.name}>
                    {item.file.name}
                  </p>
                  <p className="text-xs text-slate-500">{formatSize(item.file.size, language)}</p>
                  {problem ? <p className="text-xs font-medium text-red-700">{problem}</p> : null}
                </li>
              );
            })}
          </ul>
        </section>
      ) : null}

      {extra > 0 ? <Alert>{t("upload.tooMany", { max: limits.max_files, extra })}</Alert> : null}
      {hasProblem ? <Alert>{t("upload.fixFiles")}</Alert> : null}
      {failure ? (
        <Alert>
          {failure.title ? <strong className="block break-words">{failure.title}</strong> : null}
          {failure.reason}
        </Alert>
      ) : null}

      {progress ? (
        <div className="flex flex-col gap-1">
          <div className="flex items-center justify-between gap-2 text-sm text-slate-700">
            <span id={progressId}>{progressLabel}</span>
          </div>
          <div
            role="progressbar"
            aria-labelledby={progressId}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent ?? undefined}
            aria-valuetext={progressLabel}
            className="h-3 w-full overflow-hidden rounded-full bg-slate-200"
          >
            {percent !== null && progress.phase === "sending" ? (
              <div className="h-full rounded-full bg-teal-600 transition-[width]" style={{ width: `${percent}%` }} />
            ) : (
              <div className="h-full w-full rounded-full bg-teal-600/70 motion-safe:animate-pulse" />
            )}
          </div>
        </div>
      ) : null}

      {chosen.length > 0 || busy ? (
        <div className="flex flex-col gap-2 sm:flex-row">
          <Button type="button" onClick={submit} disabled={!canSubmit} busy={busy} className="w-full sm:w-auto">
            {chosen.length === 1 ? t("upload.submit.one") : t("upload.submit.many", { count: chosen.length })}
          </Button>
          {/* Once every byte is sent the server is storing the photos: stopping then would not undo that. */}
          {busy && progress?.phase !== "processing" ? (
            <Button type="button" variant="secondary" onClick={() => abortRef.current?.abort()} className="w-full sm:w-auto">
              {t("upload.cancel")}
            </Button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

/** "This looks like a photo of another listing", with a link to that listing. */
export function DuplicateNotice({
  duplicates,
  currentListingId,
}: {
  duplicates: DuplicateWarning[];
  currentListingId?: string;
}) {
  const { t } = useI18n();
  if (duplicates.length === 0) return null;
  return (
    <div role="status" className="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-950">
      <p className="flex items-center gap-2 font-semibold">
        <AlertTriangle aria-hidden="true" className="h-4 w-4 shrink-0" />
        {t("upload.duplicatesTitle")}
      </p>
      <ul className="mt-2 flex flex-col gap-1">
        {duplicates.map((duplicate) => {
          const same = duplicate.listing_id === currentListingId;
          return (
            <li key={`${duplicate.file}-${duplicate.similar_image_id}`} className="break-words">
              <span className="font-medium">{duplicate.file}</span>: {same ? t("upload.duplicateSame") : t("upload.duplicate")}{" "}
              {same ? null : (
                <Link
                  href={`/annunci?id=${duplicate.listing_id}`}
                  className="py-3 font-medium text-teal-800 underline underline-offset-2"
                >
                  {t("upload.duplicateOpen")}
                </Link>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
