"use client";

import { AlertTriangle, Camera, Check, ImagePlus } from "lucide-react";
import Link from "next/link";
import { useEffect, useId, useRef, useState, type DragEvent } from "react";
import { Alert, Button } from "@/components/ui";
import { ApiError } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { preparePhoto } from "@/lib/photo-prepare";
import {
  fetchPreview,
  isAbort,
  localProblem,
  splitFileError,
  uploadPhotos,
  type DuplicateWarning,
  type UploadLimits,
  type UploadProgress,
  type UploadResult,
} from "@/lib/upload";
import { ChosenPhoto, type Chosen } from "./chosen-photo";

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
const REFUSALS = [413, 415, 422];

let counter = 0;

/**
 * Choose (or take, shot after shot) photos, check them in the browser (quality hints, reduced when over
 * the limit, a preview even for HEIC), then upload them with a progress bar. Without `listingId` the server
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
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [dragging, setDragging] = useState(false);
  // After a shot from the camera the panel offers another one, or "Fatto", until the member is done.
  const [taking, setTaking] = useState(false);
  const abortRef = useRef<AbortController | null>(null);
  const pickRef = useRef<HTMLInputElement>(null);
  const cameraRef = useRef<HTMLInputElement>(null);
  const chosenRef = useRef(chosen);
  // Photos are checked one after another: decoding several camera photos at once could exhaust a phone.
  const queueRef = useRef<Promise<void>>(Promise.resolve());
  const aliveRef = useRef(true);
  const progressId = useId();
  const submitId = useId();
  chosenRef.current = chosen;

  // Free the preview URLs when the panel goes away; checks still running then are dropped.
  useEffect(() => {
    aliveRef.current = true;
    return () => {
      aliveRef.current = false;
      chosenRef.current.forEach((item) => item.preview && URL.revokeObjectURL(item.preview));
    };
  }, []);

  const busy = progress !== null;
  const extra = chosen.length - limits.max_files;
  const checking = chosen.some((item) => item.checking);
  const hasProblem = chosen.some((item) => item.problem !== null);
  const canSubmit = chosen.length > 0 && extra <= 0 && !hasProblem && !checking && !busy;

  const check = (item: Chosen) => {
    queueRef.current = queueRef.current.then(async () => {
      const present = () => aliveRef.current && chosenRef.current.some((entry) => entry.key === item.key);
      if (!present()) return;
      let update: Partial<Chosen>;
      try {
        const prepared = await preparePhoto(
          item.file,
          { maxBytes: limits.max_file_bytes, maxPixels: limits.max_image_pixels, hints: limits.hints },
          (file) => fetchPreview(file),
        );
        update = { ...prepared };
      } catch (error) {
        if (error instanceof ApiError && REFUSALS.includes(error.status)) {
          // The server could not read it either: the upload would be refused the same way.
          update = { problem: "refused", reason: splitFileError(error.detail, [item.file.name]).reason };
        } else {
          // No preview now (offline, signed out…): the photo is still sent as it is, the server judges it.
          update = { previewLater: true };
        }
      }
      if (!present()) {
        if (update.preview) URL.revokeObjectURL(update.preview);
        return;
      }
      setChosen((current) =>
        current.map((entry) => (entry.key === item.key ? { ...entry, ...update, checking: false } : entry)),
      );
    });
  };

  const add = (files: FileList | File[] | null): number => {
    if (!files || files.length === 0) return 0;
    const added: Chosen[] = Array.from(files).map((file) => {
      const problem = localProblem(file);
      return {
        key: `${Date.now()}-${(counter += 1)}`,
        file,
        upload: file,
        checking: problem === null,
        preview: null,
        hints: [],
        resized: null,
        problem,
        reason: null,
        previewLater: false,
      };
    });
    setChosen((current) => [...current, ...added]);
    setFailure(null);
    added.filter((item) => item.checking).forEach(check);
    return added.length;
  };

  const remove = (key: string) => {
    const item = chosen.find((entry) => entry.key === key);
    if (!item) return;
    if (item.preview) URL.revokeObjectURL(item.preview);
    setChosen((current) => current.filter((entry) => entry.key !== key));
    if (failure?.file === item.upload.name) setFailure(null);
  };

  const finishShots = () => {
    setTaking(false);
    // The next step is the upload: put the focus there (after this render shows it).
    requestAnimationFrame(() => document.getElementById(submitId)?.focus());
  };

  const describe = (error: unknown): Failure => {
    if (isAbort(error)) return { title: null, reason: t("upload.aborted"), file: null };
    if (error instanceof ApiError && error.status === 401) {
      return { title: null, reason: t("common.sessionExpired"), file: null };
    }
    if (error instanceof ApiError && REFUSALS.includes(error.status)) {
      const { file, reason } = splitFileError(
        error.detail,
        chosen.map((item) => item.upload.name),
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
    setTaking(false);
    const controller = new AbortController();
    abortRef.current = controller;
    setProgress({ phase: "sending", fraction: 0 });
    try {
      const result = await uploadPhotos({
        files: chosen.map((item) => item.upload),
        listingId,
        onProgress: setProgress,
        signal: controller.signal,
      });
      chosen.forEach((item) => item.preview && URL.revokeObjectURL(item.preview));
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
        {taking && chosen.length > 0 ? (
          <div className="flex w-full flex-col items-center gap-3">
            <p role="status" className="text-sm font-medium text-slate-900">
              {t("upload.shots.taken", { count: chosen.length })} {t("upload.shots.question")}
            </p>
            <div className="flex w-full flex-col gap-2 sm:w-auto sm:flex-row">
              <Button type="button" onClick={() => cameraRef.current?.click()} disabled={busy} className="w-full sm:w-auto">
                <Camera aria-hidden="true" className="h-5 w-5" />
                {t("upload.shots.another")}
              </Button>
              <Button type="button" variant="secondary" onClick={finishShots} className="w-full sm:w-auto">
                <Check aria-hidden="true" className="h-5 w-5" />
                {t("upload.shots.done")}
              </Button>
            </div>
          </div>
        ) : (
          <>
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
          </>
        )}
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
            const taken = add(event.currentTarget.files);
            event.currentTarget.value = "";
            if (taken > 0) setTaking(true);
          }}
        />
      </div>

      {chosen.length > 0 ? (
        <section aria-label={t("upload.selected", { count: chosen.length })}>
          {/* Not a heading: the panel sits under an h1 (new item) or an h3 (more photos), so any level is wrong in one. */}
          <p aria-hidden="true" className="mb-2 text-sm font-semibold text-slate-900">
            {t("upload.selected", { count: chosen.length })}
          </p>
          <ul className="grid grid-cols-3 gap-2 sm:grid-cols-4 lg:grid-cols-5">
            {chosen.map((item, index) => (
              <ChosenPhoto
                key={item.key}
                item={item}
                cover={index === 0}
                refused={failure?.file === item.upload.name}
                maxBytes={limits.max_file_bytes}
                busy={busy}
                onRemove={() => remove(item.key)}
              />
            ))}
          </ul>
          {chosen.some((item) => item.hints.length > 0) ? (
            <p className="mt-2 text-xs text-slate-600">{t("upload.hintsAdvice")}</p>
          ) : null}
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
          <Button
            type="button"
            id={submitId}
            onClick={submit}
            disabled={!canSubmit}
            busy={busy}
            className="w-full sm:w-auto"
          >
            {checking
              ? t("upload.checking")
              : chosen.length === 1
                ? t("upload.submit.one")
                : t("upload.submit.many", { count: chosen.length })}
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
