"""The demo's photos: a few dozen garment-like pictures drawn with Pillow (a shape in the item's colour on
a light backdrop, the brand written on it), each run once through the real upload processing so the
stored files, thumbnails, hashes and colours are what an upload would have produced."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from vinted_optimizer.images.processing import ProcessedImage, process_image

WIDTH, HEIGHT = 800, 1000
BACKDROPS = ((244, 241, 236), (236, 239, 243), (242, 238, 246), (238, 243, 238))

# Each shape as a polygon on a 100 × 100 grid (scaled to the canvas).
SHAPES: dict[str, tuple[tuple[float, float], ...]] = {
    "top": (
        (30, 14),
        (42, 10),
        (50, 16),
        (58, 10),
        (70, 14),
        (90, 30),
        (80, 42),
        (72, 36),
        (72, 88),
        (28, 88),
        (28, 36),
        (20, 42),
        (10, 30),
    ),
    "sweater": (
        (30, 12),
        (42, 9),
        (50, 14),
        (58, 9),
        (70, 12),
        (88, 60),
        (78, 64),
        (72, 40),
        (72, 88),
        (28, 88),
        (28, 40),
        (22, 64),
        (12, 60),
    ),
    "jacket": (
        (30, 10),
        (44, 8),
        (50, 30),
        (56, 8),
        (70, 10),
        (90, 70),
        (80, 74),
        (72, 42),
        (72, 90),
        (28, 90),
        (28, 42),
        (20, 74),
        (10, 70),
    ),
    "trousers": ((30, 8), (70, 8), (74, 92), (56, 92), (50, 36), (44, 92), (26, 92)),
    "skirt": ((34, 14), (66, 14), (84, 84), (16, 84)),
    "dress": (
        (38, 8),
        (46, 12),
        (54, 12),
        (62, 8),
        (64, 30),
        (60, 40),
        (82, 90),
        (18, 90),
        (40, 40),
        (36, 30),
    ),
    "shoe": ((12, 52), (30, 50), (44, 40), (58, 44), (70, 56), (90, 62), (92, 74), (10, 74)),
    "bag": ((20, 38), (80, 38), (86, 86), (14, 86)),
    "book": ((24, 12), (76, 12), (76, 88), (24, 88)),
}


@dataclass(frozen=True)
class Photo:
    """One drawn picture, processed once; every listing that shows it stores its own copy."""

    shape: str
    brand: str | None
    color: str
    processed: ProcessedImage


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow built without FreeType: the small bitmap font
        return ImageFont.load_default()


def _darker(rgb: tuple[int, int, int], by: float = 0.6) -> tuple[int, int, int]:
    return (int(rgb[0] * by), int(rgb[1] * by), int(rgb[2] * by))


def _rgb(hex_value: str) -> tuple[int, int, int]:
    value = hex_value.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def draw(shape: str, brand: str | None, hex_color: str, rng: random.Random) -> bytes:
    """A JPEG of the item: its shape in its colour, a shadow, the brand on a label."""
    backdrop = BACKDROPS[rng.randrange(len(BACKDROPS))]
    image = Image.new("RGB", (WIDTH, HEIGHT), backdrop)
    pen = ImageDraw.Draw(image)
    fill = _rgb(hex_color)
    scale_x, scale_y = WIDTH / 100, HEIGHT / 100
    jitter = rng.uniform(-2.0, 2.0)
    # The shape's 100-unit grid squeezed into the middle, inside what a square thumbnail keeps.
    points = [((x + jitter) * scale_x, (12 + 0.76 * y) * scale_y) for x, y in SHAPES[shape]]
    shadow = [(x + 14, y + 16) for x, y in points]
    pen.polygon(shadow, fill=_darker(backdrop, 0.88))
    pen.polygon(points, fill=fill, outline=_darker(fill), width=6)
    if shape == "bag":  # the handle
        pen.arc(
            (0.32 * WIDTH, 0.32 * HEIGHT, 0.68 * WIDTH, 0.62 * HEIGHT), 180, 360, fill=_darker(fill), width=18
        )
    # A few seams so the shape reads as cloth, not a flat block.
    for _ in range(3 if shape not in ("shoe", "bag") else 0):
        y = rng.uniform(0.45, 0.8) * HEIGHT
        pen.line([(0.34 * WIDTH, y), (0.66 * WIDTH, y)], fill=_darker(fill, 0.8), width=3)
    if brand:
        font = _font(72)
        box = pen.textbbox((0, 0), brand, font=font)
        text_w, text_h = box[2] - box[0], box[3] - box[1]
        # On the item, mid-height: the dashboard's square thumbnails crop the top and the bottom.
        middle = 0.6 if shape in ("bag", "shoe") else 0.44
        left, top = (WIDTH - text_w) / 2, HEIGHT * middle - text_h / 2
        pen.rounded_rectangle(
            (left - 24, top - 16, left + text_w + 24, top + text_h + 28),
            radius=14,
            fill=(255, 255, 255),
            outline=(90, 90, 90),
            width=2,
        )
        pen.text((left, top), brand, fill=(40, 40, 40), font=font)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def make_photo(shape: str, brand: str | None, color: str, hex_color: str, rng: random.Random) -> Photo:
    data = draw(shape, brand, hex_color, rng)
    processed = process_image(data, max_bytes=len(data) + 1, max_pixels=WIDTH * HEIGHT)
    return Photo(shape=shape, brand=brand, color=color, processed=processed)
