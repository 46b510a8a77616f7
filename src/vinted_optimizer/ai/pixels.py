"""The colours of a photo's pixels in Vinted's names: the fallback when the vision model named none.

The same reading as the upload's (``images.processing``): the centre of the photo (usually the item,
the border is often the background), each pixel matched to the nearest of Vinted's reference colours,
the colours covering at least 12 % of the centre, most covered first.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from vinted_optimizer.ai.schemas import MAX_COLORS
from vinted_optimizer.vocabulary import VINTED_COLORS

_NAMES = [colour.name for colour in VINTED_COLORS if colour.hex]
_REFERENCE = np.array(
    [[int(c.hex[i : i + 2], 16) for i in (1, 3, 5)] for c in VINTED_COLORS if c.hex], dtype=np.float32
)
MIN_SHARE = 0.12


def pixel_colors(jpeg: bytes, limit: int = MAX_COLORS) -> list[str]:
    with Image.open(io.BytesIO(jpeg)) as image:
        image.draft("RGB", (128, 128))  # decode at a fraction of the size: 64 × 64 pixels are enough
        small = image.convert("RGB").resize((64, 64), Image.Resampling.BILINEAR)
    pixels = np.asarray(small, dtype=np.float32).reshape(-1, 3)
    grid = np.indices((64, 64)).reshape(2, -1)
    centre = (np.abs(grid[0] - 32) < 22) & (np.abs(grid[1] - 32) < 22)
    distances = ((pixels[centre][:, None, :] - _REFERENCE[None, :, :]) ** 2).sum(axis=2)
    counts = np.bincount(distances.argmin(axis=1), minlength=len(_NAMES))
    share = counts / max(1, int(counts.sum()))
    return [_NAMES[i] for i in np.argsort(counts)[::-1][:limit] if share[i] >= MIN_SHARE]
