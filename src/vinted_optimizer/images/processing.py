"""Photo pipeline, pure and synchronous (run it in a thread): validate by content, orient, strip every
piece of metadata, resize, thumbnail, hash, and compute what needs no AI (colours, quality hints).

Speed: JPEG photos are decoded in draft mode (the decoder's DCT scaling hands back a 1/2, 1/4 or 1/8
size image directly), which skips most of the work a full decode of a 12-megapixel photo costs.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass, field

import imagehash
import numpy as np
import pillow_heif
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from vinted_optimizer.images.palette import PALETTE

pillow_heif.register_heif_opener()
ImageFile.LOAD_TRUNCATED_IMAGES = False  # a truncated upload is refused, not half-decoded

MAX_SIDE = 1024
# Draft decoding may land anywhere between this and MAX_SIDE on the long side: a 4000 px photo decodes
# straight to 1000 px at 1/4 scale and needs no resampling at all.
MIN_DRAFT_SIDE = 768
THUMB_SIDE = 320
# A preview for a browser that cannot decode the photo itself (HEIC on desktop Chromium): enough for a
# tile of the upload panel on a 3x phone screen, small enough to come back at once.
PREVIEW_SIDE = 640
# Quality hints, measured on the thumbnail: advice, never a refusal. The dashboard reads these from
# GET /meta and makes the same checks on its own copy of a photo before the upload.
HINT_DARK_BELOW = 55.0  # mean luminance, 0..255
HINT_BRIGHT_ABOVE = 235.0
HINT_BLURRY_BELOW = 40.0  # variance of the Laplacian
HINT_SMALL_BELOW = 600  # pixels on the original's short side
JPEG_QUALITY = 85
THUMB_QUALITY = 80

# Magic numbers: what the bytes are, whatever the file is called.
_SIGNATURES: tuple[tuple[str, bytes, int], ...] = (
    ("image/jpeg", b"\xff\xd8\xff", 0),
    ("image/png", b"\x89PNG\r\n\x1a\n", 0),
)
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"}


class ImageRejected(Exception):
    """The file cannot become a listing photo; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


@dataclass
class ProcessedImage:
    jpeg: bytes
    thumbnail: bytes
    width: int
    height: int
    original_width: int
    original_height: int
    source_type: str
    sha256: str
    perceptual_hash: str
    colors: list[str]
    quality_hints: list[str] = field(default_factory=list)
    brightness: float = 0.0
    sharpness: float = 0.0


def sniff(data: bytes) -> str | None:
    for mime, signature, offset in _SIGNATURES:
        if data[offset : offset + len(signature)] == signature:
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "image/heic"
    return None


def _open(data: bytes, max_pixels: int) -> tuple[Image.Image, str]:
    mime = sniff(data)
    if mime is None:
        raise ImageRejected(
            415, "unsupported_media_type", "Formato non supportato: carica una foto JPEG, PNG, WebP o HEIC."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(422, "image_too_large", "L'immagine ha troppi pixel.") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ImageRejected(
            422, "invalid_image", "Il file non è un'immagine valida o è danneggiato."
        ) from None
    width, height = image.size
    if width < 1 or height < 1 or width * height > max_pixels:
        raise ImageRejected(
            422,
            "image_too_large",
            f"L'immagine ha troppi pixel (massimo {max_pixels // 1_000_000} megapixel).",
        )
    return image, mime


def _orient_and_shrink(image: Image.Image, max_side: int) -> Image.Image:
    if image.format == "JPEG":
        # Ask the decoder for the smallest DCT scale whose long side still reaches MIN_DRAFT_SIDE.
        width, height = image.size
        scale = min(max_side, MIN_DRAFT_SIDE) / max(width, height)
        if scale < 1:
            image.draft("RGB", (max(1, int(width * scale)), max(1, int(height * scale))))
    try:
        # Decode now: truncated or corrupt data fails here, inside the guard.
        image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ImageRejected(
            422, "invalid_image", "Il file è troncato o danneggiato: scatta o scegli di nuovo la foto."
        ) from None
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)
    oriented = ImageOps.exif_transpose(image)  # applies the orientation, then the EXIF is dropped below
    if oriented.mode not in ("RGB", "L"):
        background = Image.new("RGB", oriented.size, (255, 255, 255))
        rgba = oriented.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        oriented = background
    elif oriented.mode == "L":
        oriented = oriented.convert("RGB")
    oriented.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=2.0)
    return oriented


def _encode(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    # A fresh save with no exif/icc/comment arguments writes no metadata at all (no GPS, no camera).
    image.save(buffer, "JPEG", quality=quality, optimize=False, progressive=False)
    return buffer.getvalue()


def _dominant_colours(thumb: Image.Image, limit: int = 3) -> list[str]:
    pixels = np.asarray(thumb.resize((64, 64), Image.Resampling.BILINEAR), dtype=np.float32).reshape(-1, 3)
    # The centre of the photo is usually the item; the border is often the background.
    grid = np.indices((64, 64)).reshape(2, -1)
    centre = (np.abs(grid[0] - 32) < 22) & (np.abs(grid[1] - 32) < 22)
    pixels = pixels[centre]
    palette = np.array([colour.rgb for colour in PALETTE], dtype=np.float32)
    distances = ((pixels[:, None, :] - palette[None, :, :]) ** 2).sum(axis=2)
    counts = np.bincount(distances.argmin(axis=1), minlength=len(PALETTE))
    order = np.argsort(counts)[::-1]
    share = counts / max(1, counts.sum())
    return [PALETTE[i].name for i in order[:limit] if share[i] >= 0.12]


def _quality(thumb: Image.Image, original: tuple[int, int]) -> tuple[list[str], float, float]:
    gray = np.asarray(thumb.convert("L"), dtype=np.float32)
    brightness = float(gray.mean())
    # Variance of the Laplacian: low means few sharp edges, i.e. a blurred photo.
    laplacian = gray[1:-1, :-2] + gray[1:-1, 2:] + gray[:-2, 1:-1] + gray[2:, 1:-1] - 4 * gray[1:-1, 1:-1]
    sharpness = float(laplacian.var())
    hints = []
    if brightness < HINT_DARK_BELOW:
        hints.append("too_dark")
    elif brightness > HINT_BRIGHT_ABOVE:
        hints.append("too_bright")
    if sharpness < HINT_BLURRY_BELOW:
        hints.append("blurry")
    if min(original) < HINT_SMALL_BELOW:
        hints.append("low_resolution")
    return hints, brightness, sharpness


def _checked_open(data: bytes, max_bytes: int, max_pixels: int) -> tuple[Image.Image, str]:
    if not data:
        raise ImageRejected(422, "empty_file", "Il file è vuoto.")
    if len(data) > max_bytes:
        raise ImageRejected(413, "file_too_large", f"La foto supera {max_bytes // (1024 * 1024)} MB.")
    return _open(data, max_pixels)


def preview_image(data: bytes, *, max_bytes: int, max_pixels: int) -> bytes:
    """The photo as a small oriented JPEG without metadata, checked exactly as an upload is."""
    image, _ = _checked_open(data, max_bytes, max_pixels)
    return _encode(_orient_and_shrink(image, PREVIEW_SIDE), THUMB_QUALITY)


def process_image(data: bytes, *, max_bytes: int, max_pixels: int) -> ProcessedImage:
    image, mime = _checked_open(data, max_bytes, max_pixels)
    original_size = image.size
    processed = _orient_and_shrink(image, MAX_SIDE)
    jpeg = _encode(processed, JPEG_QUALITY)
    thumb_image = processed.copy()
    thumb_image.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.BICUBIC)
    thumbnail = _encode(thumb_image, THUMB_QUALITY)
    hints, brightness, sharpness = _quality(thumb_image, original_size)
    return ProcessedImage(
        jpeg=jpeg,
        thumbnail=thumbnail,
        width=processed.width,
        height=processed.height,
        original_width=original_size[0],
        original_height=original_size[1],
        source_type=mime,
        sha256=hashlib.sha256(jpeg).hexdigest(),
        perceptual_hash=str(imagehash.phash(thumb_image)),
        colors=_dominant_colours(thumb_image),
        quality_hints=hints,
        brightness=round(brightness, 1),
        sharpness=round(sharpness, 1),
    )


def perceptual_distance(left: str, right: str) -> int:
    return imagehash.hex_to_hash(left) - imagehash.hex_to_hash(right)
