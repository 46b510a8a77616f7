"use client";

import { Check, ClipboardCopy, Download, Images } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { Alert, Button, Card } from "@/components/ui";
import { api, apiUrl, unwrap } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { formatEuro } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import { it, type MessageKey } from "@/lib/messages";
import { copyText } from "./clipboard";
import { conditionLabel, orderedImages, type Listing } from "./labels";
import { PublishedByHand } from "./published-by-hand";

/**
 * What the member pastes into Vinted's form: title, description, then price, size and condition. Always in
 * Italian (it goes on Vinted.it), whatever the dashboard's language.
 */
export function vintedText(listing: Listing): string {
  const facts = [
    listing.price != null ? `${it["copy.line.price"]}: ${formatEuro(listing.price, "it")}` : "",
    listing.size ? `${it["copy.line.size"]}: ${listing.size}` : "",
    listing.condition ? `${it["copy.line.condition"]}: ${it[conditionLabel(listing.condition)]}` : "",
  ].filter(Boolean);
  return [listing.title, listing.description, facts.join("\n")].filter(Boolean).join("\n\n");
}

type Copied = "title" | "description" | "block";
const COPIED: Record<Copied, MessageKey> = {
  title: "copy.copiedTitle",
  description: "copy.copiedDescription",
  block: "copy.copiedBlock",
};

/** The draft onto Vinted by hand: copy its texts, save its photos, then say it is published. */
export function CopyToVinted({ listing }: { listing: Listing }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState<Copied | null>(null);
  // Text that could not be copied for the member: shown selected, to copy by hand.
  const [manual, setManual] = useState<string | null>(null);
  const block = vintedText(listing);

  const copy = async (what: Copied, text: string) => {
    setCopied(null);
    if (await copyText(text)) {
      setManual(null);
      setCopied(what);
    } else setManual(text);
  };

  const copyButton = (what: Copied, label: MessageKey, text: string) => (
    <Button type="button" variant="secondary" onClick={() => void copy(what, text)} disabled={!text}>
      {copied === what ? (
        <Check aria-hidden="true" className="h-5 w-5 text-teal-700" />
      ) : (
        <ClipboardCopy aria-hidden="true" className="h-5 w-5" />
      )}
      {t(label)}
    </Button>
  );

  return (
    <Card title={t("copy.title")}>
      <div className="flex flex-col gap-4">
        <p className="text-sm text-slate-700">{t("copy.intro")}</p>
        <div className="flex flex-wrap gap-2">
          {copyButton("title", "copy.copyTitle", listing.title)}
          {copyButton("description", "copy.copyDescription", listing.description)}
        </div>
        <div className="flex min-w-0 flex-col gap-1">
          <label htmlFor={`vinted-text-${listing.id}`} className="text-sm font-medium text-slate-800">
            {t("copy.block")}
          </label>
          <textarea
            id={`vinted-text-${listing.id}`}
            readOnly
            value={block}
            rows={Math.min(12, Math.max(4, block.split("\n").length + 1))}
            aria-describedby={`vinted-text-${listing.id}-hint`}
            onFocus={(event) => event.currentTarget.select()}
            className="min-h-11 w-full rounded-lg border border-slate-300 bg-slate-50 px-3 py-2 text-base text-slate-900"
          />
          <p id={`vinted-text-${listing.id}-hint`} className="text-sm text-slate-600">
            {t("copy.blockHint")}
          </p>
          <div>{copyButton("block", "copy.copyBlock", block)}</div>
        </div>
        <p role="status" className="min-h-5 text-sm font-medium text-teal-800">
          {copied ? t(COPIED[copied]) : ""}
        </p>
        {manual !== null ? <ManualCopy text={manual} /> : null}
        <SavePhotos listing={listing} />
        <PublishedByHand listing={listing} />
      </div>
    </Card>
  );
}

/** The fallback when the browser copies nothing: the text, selected, for the member to copy. */
function ManualCopy({ text }: { text: string }) {
  const { t } = useI18n();
  return (
    <div className="flex flex-col gap-1">
      <p role="alert" className="text-sm text-slate-800">
        {t("copy.manual")}
      </p>
      <textarea
        readOnly
        autoFocus
        aria-label={t("copy.manualLabel")}
        value={text}
        rows={4}
        ref={(area) => area?.select()}
        onFocus={(event) => event.currentTarget.select()}
        className="w-full rounded-lg border border-teal-600 bg-white px-3 py-2 text-base text-slate-900"
      />
    </div>
  );
}

// --- the photos ----------------------------------------------------------------------------------------

function canShareFiles(): boolean {
  if (typeof navigator.share !== "function" || typeof navigator.canShare !== "function") return false;
  try {
    return navigator.canShare({ files: [new File([new Uint8Array(1)], "foto.jpg", { type: "image/jpeg" })] });
  } catch {
    return false;
  }
}

/** The name the API gives the ZIP, from its Content-Disposition header. */
function attachmentName(response: Response): string {
  const header = response.headers.get("Content-Disposition") ?? "";
  return /filename="([^"]+)"/.exec(header)?.[1] ?? "foto.zip";
}

type PhotoOutcome = "shared" | "again" | "downloaded" | null;

function SavePhotos({ listing }: { listing: Listing }) {
  const { t } = useI18n();
  const images = orderedImages(listing);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<PhotoOutcome>(null);
  const [failure, setFailure] = useState<unknown>(null);
  // Files fetched for a share the browser then refused (the tap was too long ago): the next tap shares them.
  const prepared = useRef<{ key: string; files: File[] } | null>(null);
  const key = images.map((image) => image.id).join(",");
  // Known only in the browser (the page is also rendered ahead, without a navigator).
  const [sharing, setSharing] = useState(false);
  useEffect(() => setSharing(canShareFiles()), []);

  const run = async (action: () => Promise<PhotoOutcome>) => {
    setBusy(true);
    setFailure(null);
    setOutcome(null);
    try {
      setOutcome(await action());
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  const share = async (): Promise<PhotoOutcome> => {
    let files = prepared.current?.key === key ? prepared.current.files : null;
    if (!files) {
      files = await Promise.all(
        images.map(async (image, index) => {
          const response = await fetch(apiUrl(image.url));
          if (!response.ok) throw new Error(`photo ${response.status}`);
          return new File([await response.blob()], `foto-${String(index + 1).padStart(2, "0")}.jpg`, {
            type: "image/jpeg",
          });
        }),
      );
    }
    if (!navigator.canShare({ files })) return download();
    try {
      await navigator.share({ files, title: listing.title || undefined });
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") return null; // the member closed the sheet
      if (error instanceof DOMException && error.name === "NotAllowedError") {
        prepared.current = { key, files };
        return "again";
      }
      throw error;
    }
    prepared.current = null;
    return "shared";
  };

  const download = async (): Promise<PhotoOutcome> => {
    const result = await api.GET("/api/v1/listings/{listing_id}/photos.zip", {
      params: { path: { listing_id: listing.id } },
      parseAs: "blob",
    });
    const blob = unwrap(result) as Blob;
    const href = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = href;
    link.download = attachmentName(result.response);
    document.body.appendChild(link);
    link.click();
    link.remove();
    // The download has its own copy once it started; the next task is soon enough to free this one.
    setTimeout(() => URL.revokeObjectURL(href), 0);
    return "downloaded";
  };

  if (images.length === 0) return <p className="text-sm text-slate-600">{t("copy.photosNone")}</p>;
  const message = { shared: "copy.photosShared", again: "copy.photosAgain", downloaded: "copy.photosDownloaded" } as const;

  return (
    <div className="flex flex-col gap-2 border-t border-slate-200 pt-4">
      <div className="flex flex-wrap gap-2">
        <Button type="button" onClick={() => void run(sharing ? share : download)} busy={busy}>
          {sharing ? <Images aria-hidden="true" className="h-5 w-5" /> : <Download aria-hidden="true" className="h-5 w-5" />}
          {t(sharing ? "copy.photos" : "copy.photosZip")}
        </Button>
        {sharing ? (
          <Button type="button" variant="secondary" onClick={() => void run(download)} disabled={busy}>
            <Download aria-hidden="true" className="h-5 w-5" />
            {t("copy.photosZip")}
          </Button>
        ) : null}
      </div>
      <p className="text-sm text-slate-600">{t("copy.photosCount", { count: images.length })}</p>
      <p role="status" className="text-sm font-medium text-teal-800">
        {outcome ? t(message[outcome]) : ""}
      </p>
      {failure ? <Alert>{errorMessage(failure, t)}</Alert> : null}
    </div>
  );
}
