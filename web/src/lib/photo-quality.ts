// Quality hints on a photo before it is uploaded: the checks the server makes on its thumbnail
// (images/processing.py `_quality`), with the thresholds it publishes in GET /api/v1/meta
// (`limits.upload.hints`), computed in the browser on a copy of the same size. Pure functions over pixels,
// so they can be checked on known images; hints are advice, never a reason to refuse a photo.
import type { Schemas } from "./api";

export type HintThresholds = Schemas["PhotoHintThresholds"];

export type PhotoHint = "too_dark" | "too_bright" | "blurry" | "low_resolution";

export interface PhotoMeasures {
  /** Mean luminance, 0..255. */
  brightness: number;
  /** Variance of the Laplacian of the greyscale copy. */
  sharpness: number;
  /** The original's oriented size; null when only a reduced copy was seen (a server preview). */
  width: number | null;
  height: number | null;
}

/** RGBA bytes (as a canvas hands them back) to luma, weighted as Pillow's convert("L") does (ITU-R 601). */
export function greyscale(rgba: ArrayLike<number>): Float32Array {
  const grey = new Float32Array(Math.floor(rgba.length / 4));
  for (let i = 0; i < grey.length; i += 1) {
    const at = i * 4;
    grey[i] = (rgba[at] * 299 + rgba[at + 1] * 587 + rgba[at + 2] * 114) / 1000;
  }
  return grey;
}

export function meanLuminance(grey: ArrayLike<number>): number {
  if (grey.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < grey.length; i += 1) sum += grey[i];
  return sum / grey.length;
}

/** Variance of the 4-neighbour Laplacian over the inner pixels: low means a blurred or shaken photo. */
export function laplacianVariance(grey: ArrayLike<number>, width: number, height: number): number {
  if (width < 3 || height < 3 || grey.length < width * height) return 0;
  let sum = 0;
  let squares = 0;
  let count = 0;
  for (let y = 1; y < height - 1; y += 1) {
    for (let x = 1; x < width - 1; x += 1) {
      const at = y * width + x;
      const value = grey[at - 1] + grey[at + 1] + grey[at - width] + grey[at + width] - 4 * grey[at];
      sum += value;
      squares += value * value;
      count += 1;
    }
  }
  const mean = sum / count;
  return squares / count - mean * mean;
}

/** The measures of an RGBA copy of the photo (`width` × `height` pixels) and the original's size. */
export function measure(
  rgba: ArrayLike<number>,
  width: number,
  height: number,
  original: { width: number; height: number } | null,
): PhotoMeasures {
  const grey = greyscale(rgba);
  return {
    brightness: meanLuminance(grey),
    sharpness: laplacianVariance(grey, width, height),
    width: original?.width ?? null,
    height: original?.height ?? null,
  };
}

export function photoHints(measures: PhotoMeasures, limits: HintThresholds): PhotoHint[] {
  const hints: PhotoHint[] = [];
  if (measures.brightness < limits.dark_below) hints.push("too_dark");
  else if (measures.brightness > limits.bright_above) hints.push("too_bright");
  if (measures.sharpness < limits.blurry_below) hints.push("blurry");
  const { width, height } = measures;
  if (width !== null && height !== null && Math.min(width, height) < limits.small_below) hints.push("low_resolution");
  return hints;
}

/** The size of a copy whose long side is at most `side`, never larger than the original. */
export function fitWithin(width: number, height: number, side: number): { width: number; height: number } {
  const scale = Math.min(1, side / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
