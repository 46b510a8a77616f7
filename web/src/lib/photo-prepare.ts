// A chosen photo made ready for the upload, in the browser: decoded the right way up (EXIF orientation
// applied by the browser's own decoder), measured for the quality hints, and, when it is over the server's
// limits, re-encoded as a JPEG that fits. The server checks and processes everything again.
//
// No library: every browser the dashboard supports applies EXIF orientation when it decodes
// (createImageBitmap with imageOrientation "from-image", or an <img>), and canvas.toBlob encodes JPEG;
// browser-image-compression would add its own EXIF parsing and a worker for the same three calls.
// HEIC, which desktop Chromium cannot decode, gets its preview from the server (`fetchPreview`), which
// decodes it with the same pillow-heif that processes the upload.
import { fitWithin, measure, photoHints, type HintThresholds, type PhotoHint } from "./photo-quality";

/** Long side of a photo reduced in the browser: three times what the server keeps (1024 px). */
export const SHRINK_SIDE = 3000;
/** Never reduce below what the server keeps: past this the photo would lose detail the listing needs. */
export const SHRINK_MIN_SIDE = 1024;
const SHRINK_STEP = 0.75;
const JPEG_QUALITIES = [0.85, 0.75, 0.65];

export interface PhotoLimits {
  maxBytes: number;
  maxPixels: number;
  hints: HintThresholds;
}

export type PhotoProblem = "undecodable" | "cannotShrink" | "heicTooBig";

export interface PreparedPhoto {
  /** What is sent: the original, or a JPEG made to fit the limits. */
  upload: File;
  /** An object URL to show (the caller revokes it); null when nothing could be shown before the upload. */
  preview: string | null;
  hints: PhotoHint[];
  /** Set when the photo was reduced: its size before and after, in bytes. */
  resized: { from: number; to: number } | null;
  problem: PhotoProblem | null;
}

interface Decoded {
  source: CanvasImageSource;
  width: number;
  height: number;
  release: () => void;
}

const HEIF_BRANDS = new Set(["heic", "heix", "hevc", "heim", "heis", "mif1", "msf1"]);

/** HEIC or HEIF by content (the ftyp brand), as the server judges it. */
export async function isHeif(file: Blob): Promise<boolean> {
  const head = new Uint8Array(await file.slice(0, 12).arrayBuffer());
  if (head.length < 12) return false;
  const text = String.fromCharCode(...head.subarray(4, 12));
  return text.startsWith("ftyp") && HEIF_BRANDS.has(text.slice(4));
}

async function decodeWithImage(file: Blob): Promise<Decoded> {
  const url = URL.createObjectURL(file);
  const image = new Image();
  image.decoding = "async";
  image.src = url;
  try {
    await image.decode();
  } catch (error) {
    URL.revokeObjectURL(url);
    throw error;
  }
  return { source: image, width: image.naturalWidth, height: image.naturalHeight, release: () => URL.revokeObjectURL(url) };
}

/** Decode with the orientation applied; null when this browser cannot decode the file. */
export async function decodeOriented(file: Blob): Promise<Decoded | null> {
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    return { source: bitmap, width: bitmap.width, height: bitmap.height, release: () => bitmap.close() };
  } catch {
    // Older engines refuse the option's value (a TypeError): an <img> orients by EXIF in every one of them.
    try {
      return await decodeWithImage(file);
    } catch {
      return null;
    }
  }
}

function draw(decoded: Decoded, width: number, height: number): HTMLCanvasElement {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  if (!context) throw new Error("No 2D canvas");
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = "high";
  context.drawImage(decoded.source, 0, 0, width, height);
  return canvas;
}

function toJpeg(canvas: HTMLCanvasElement, quality: number): Promise<Blob | null> {
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
}

function measureHints(
  decoded: Decoded,
  original: { width: number; height: number } | null,
  thresholds: HintThresholds,
): PhotoHint[] {
  const size = fitWithin(decoded.width, decoded.height, thresholds.measure_side);
  const canvas = draw(decoded, size.width, size.height);
  const pixels = canvas.getContext("2d")?.getImageData(0, 0, size.width, size.height);
  if (!pixels) return [];
  return photoHints(measure(pixels.data, size.width, size.height, original), thresholds);
}

export function jpegName(name: string): string {
  const base = name.replace(/\.[^./\\]+$/, "") || "foto";
  return `${base}.jpg`;
}

/**
 * A JPEG of the photo within the limits: the long side at most SHRINK_SIDE (and the pixels under the
 * server's limit), quality lowered step by step, then the size; null when even SHRINK_MIN_SIDE at the
 * lowest quality does not fit.
 */
export async function shrink(decoded: Decoded, name: string, limits: PhotoLimits): Promise<File | null> {
  const pixelSide = Math.floor(
    Math.sqrt(limits.maxPixels * (Math.max(decoded.width, decoded.height) / Math.min(decoded.width, decoded.height))),
  );
  let side = Math.min(SHRINK_SIDE, Math.max(decoded.width, decoded.height), pixelSide);
  for (;;) {
    const size = fitWithin(decoded.width, decoded.height, side);
    const canvas = draw(decoded, size.width, size.height);
    for (const quality of JPEG_QUALITIES) {
      const blob = await toJpeg(canvas, quality);
      if (blob && blob.size <= limits.maxBytes) {
        return new File([blob], jpegName(name), { type: "image/jpeg", lastModified: Date.now() });
      }
    }
    if (side <= SHRINK_MIN_SIDE) return null;
    side = Math.max(SHRINK_MIN_SIDE, Math.floor(side * SHRINK_STEP));
  }
}

/**
 * Get one chosen photo ready. `fetchPreview` asks the server for a JPEG of a file this browser cannot
 * decode (HEIC on a desktop); it throws when the server refuses the file (an ApiError with its reason).
 */
export async function preparePhoto(
  file: File,
  limits: PhotoLimits,
  fetchPreview: (file: File) => Promise<Blob>,
): Promise<PreparedPhoto> {
  const decoded = await decodeOriented(file);
  if (decoded) {
    try {
      const original = { width: decoded.width, height: decoded.height };
      const hints = measureHints(decoded, original, limits.hints);
      const tooLarge = file.size > limits.maxBytes || decoded.width * decoded.height > limits.maxPixels;
      if (!tooLarge) return { upload: file, preview: URL.createObjectURL(file), hints, resized: null, problem: null };
      const smaller = await shrink(decoded, file.name, limits);
      if (!smaller) return { upload: file, preview: null, hints, resized: null, problem: "cannotShrink" };
      return {
        upload: smaller,
        preview: URL.createObjectURL(smaller),
        hints,
        resized: { from: file.size, to: smaller.size },
        problem: null,
      };
    } finally {
      decoded.release();
    }
  }
  if (!(await isHeif(file))) return { upload: file, preview: null, hints: [], resized: null, problem: "undecodable" };
  if (file.size > limits.maxBytes) return { upload: file, preview: null, hints: [], resized: null, problem: "heicTooBig" };
  // The server decodes what this browser cannot; its preview is small, so "too small" is left to the
  // server's own hints after the upload.
  const jpeg = await fetchPreview(file);
  const shown = await decodeOriented(jpeg);
  let hints: PhotoHint[] = [];
  if (shown) {
    try {
      hints = measureHints(shown, null, limits.hints);
    } finally {
      shown.release();
    }
  }
  return { upload: file, preview: URL.createObjectURL(jpeg), hints, resized: null, problem: null };
}
