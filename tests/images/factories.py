"""Photos made on the fly for tests: real encoders, real metadata (orientation, GPS)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def photo(
    width: int = 1600,
    height: int = 1200,
    *,
    fmt: str = "JPEG",
    colour: tuple[int, int, int] = (30, 60, 160),
    orientation: int | None = None,
    gps: bool = False,
    seed: int = 0,
    quality: int = 90,
) -> bytes:
    """A textured 'item' on a light background, so the blur and colour checks mean something."""
    rng = np.random.default_rng(seed)
    base = np.full((height, width, 3), 235, dtype=np.uint8)
    top, left = height // 5, width // 5
    base[top : height - top, left : width - left] = colour
    noise = rng.integers(-25, 25, size=base.shape, dtype=np.int16)
    pixels = np.clip(base.astype(np.int16) + noise, 0, 255).astype(np.uint8)
    # A few sharp stripes so the photo is not "blurry".
    pixels[top : height - top : 40, left : width - left] = 250
    image = Image.fromarray(pixels)
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (41.0, 0.0, 0.0), 3: "E", 4: (15.0, 49.0, 0.0)})
    buffer = io.BytesIO()
    options: dict = {"quality": quality} if fmt in {"JPEG", "WEBP"} else {}
    if len(exif):
        options["exif"] = exif.tobytes()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def heic_photo(width: int = 800, height: int = 600) -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "HEIF", quality=80)
    return buffer.getvalue()
