"""Photos for the browser tests of the upload panel, made with Pillow: a camera-sized JPEG over the
upload limit stored sideways (EXIF orientation 6), and the good, dark, blurred and small photos the
quality hints must tell apart."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFilter

from tests.images.factories import ORIENTATION, photo

CAMERA_SIZE = (4032, 3024)  # a 12-megapixel phone camera, as the sensor stores it (landscape)
MARK = (220, 20, 20)


def camera_photo(seed: int = 7) -> bytes:
    """A portrait photo as a phone writes it: pixels stored landscape with orientation 6 (shown rotated
    90° clockwise). Upright, its top eighth is a red band, so a wrong rotation shows. Noisy enough (high
    entropy) that at quality 95 it is over 10 MB."""
    width, height = CAMERA_SIZE
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:width, 0:height].astype(np.float32)  # upright: `width` rows of `height` px
    upright = np.stack([120 + 80 * cols / height, 100 + 60 * rows / width, 160 - 60 * rows / width], axis=2)
    upright += rng.normal(0, 60, upright.shape).astype(np.float32)
    upright[: width // 8] = MARK
    pixels = np.clip(upright, 0, 255).astype(np.uint8)
    # Orientation 6 means "rotate 90° clockwise to show": the stored pixels are the upright ones turned back.
    stored = Image.fromarray(pixels).transpose(Image.Transpose.ROTATE_90)
    assert stored.size == CAMERA_SIZE
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    buffer = io.BytesIO()
    stored.save(buffer, "JPEG", quality=95, exif=exif.tobytes())
    return buffer.getvalue()


def good_photo() -> bytes:
    return photo(1600, 1200, seed=5)


def dark_photo() -> bytes:
    image = Image.open(io.BytesIO(photo(1600, 1200, seed=6))).point(lambda value: value // 6)
    return _jpeg(image)


def _pattern(width: int, height: int) -> Image.Image:
    """A sharp pattern: a checkerboard of 40 px squares with fine noise on it."""
    rows, cols = np.mgrid[0:height, 0:width]
    board = np.where(((rows // 40) + (cols // 40)) % 2 == 0, 200, 60).astype(np.int16)
    noise = np.random.default_rng(3).integers(-20, 20, size=board.shape, dtype=np.int16)
    grey = np.clip(board + noise, 0, 255).astype(np.uint8)
    return Image.fromarray(np.stack([grey] * 3, axis=2))


def sharp_pattern() -> bytes:
    return _jpeg(_pattern(1600, 1200))


def blurred_pattern() -> bytes:
    """The same pattern, as a shaken camera would have taken it."""
    return _jpeg(_pattern(1600, 1200).filter(ImageFilter.GaussianBlur(radius=24)))


def small_photo() -> bytes:
    return photo(560, 420, seed=8)


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()
