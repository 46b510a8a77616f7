"""Photos of care labels and brand tags, made with Pillow as a phone would take them: a label sewn on a
fabric (texture and noise), slightly turned, lit unevenly, a little soft, saved as JPEG.

Text is drawn with Pillow's own scalable font, so the photos are the same on every machine. Used by the
OCR tests and by ``bench/ocr.py`` (with the facts each label states, to measure the extraction).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

CAMERA = (4000, 3000)  # a 12-megapixel phone photo, 4:3
SERVED = (1024, 768)  # what the server sends to the AI after processing (≤ 1024 px)


@dataclass(frozen=True)
class LabelSpec:
    lines: tuple[str, ...]
    brand: str | None = None
    size: str | None = None
    material: str | None = None
    fabric: tuple[int, int, int] = (40, 70, 150)
    ink: tuple[int, int, int] = (25, 25, 40)
    label: tuple[int, int, int] = (246, 244, 236)
    angle: float = 3.0


CARE_LABEL = LabelSpec(
    ("TAGLIA M", "80% COTONE", "20% POLIESTERE", "MADE IN ITALY"), size="M", material="Cotone"
)
BRAND_TAG = LabelSpec(
    ("LEVI'S", "STRAUSS & CO", "W32 L34"), brand="Levi's", fabric=(60, 90, 140), label=(200, 40, 40),
    ink=(250, 250, 250), angle=-2.0,
)  # fmt: skip
# The set bench/ocr.py measures: Italian, English and French labels, brand tags, shoe tongues.
LABEL_SET: tuple[LabelSpec, ...] = (
    CARE_LABEL,
    BRAND_TAG,
    LabelSpec(("ZARA", "EUR 38", "MEX 28", "USA 6"), brand="Zara", size="38", angle=1.5),
    LabelSpec(("100% COTTON", "SIZE L", "MADE IN BANGLADESH"), size="L", material="Cotone", angle=-4.0),
    LabelSpec(("H&M", "EUR M", "52% LIN 48% COTON"), brand="H&M", size="M", material="Lino", angle=2.0),
    LabelSpec(("TG. 42", "70% LANA", "30% POLIAMMIDE", "LAVARE A MANO"), size="42", material="Lana"),
    LabelSpec(
        ("NIKE", "EU 42", "UK 8", "US 9"),
        brand="Nike",
        size="42",
        fabric=(230, 230, 230),
        label=(20, 20, 20),
        ink=(245, 245, 245),
        angle=-3.0,
    ),  # fmt: skip
    LabelSpec(("XL",), size="XL", fabric=(20, 20, 20), angle=0.5),
    LabelSpec(
        ("BENETTON", "TAGLIA S", "100% LANA MERINO"), brand="Benetton", size="S", material="Lana merino"
    ),
    LabelSpec(
        ("ESTERNO 100% POLIESTERE", "FODERA 100% VISCOSA", "TAGLIA 44"),
        size="44",
        material="Poliestere",
        angle=-1.0,
    ),  # fmt: skip
    LabelSpec(
        ("TOMMY HILFIGER", "SIZE XS"),
        brand="Tommy Hilfiger",
        size="XS",
        label=(20, 40, 90),
        ink=(240, 240, 240),
    ),
    LabelSpec(("VERA PELLE", "MADE IN ITALY"), material="Pelle", fabric=(90, 50, 20), angle=2.5),
)


def label_photo(
    spec: LabelSpec, size: tuple[int, int] = SERVED, *, seed: int = 0, hard: bool = False
) -> bytes:
    """``hard``: a label further away and more turned, a softer and noisier photo (what bench/ocr.py also
    measures, to see how the reading holds up beyond the photos it was tuned on)."""
    width, height = size
    angle = spec.angle * 3 if hard else spec.angle
    rng = np.random.default_rng(seed)
    # The fabric: its colour, a weave, uneven light from one side.
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    light = 0.85 + 0.25 * (x / width) - 0.1 * (y / height)
    weave = 8 * np.sin(x * 0.9) * np.sin(y * 0.9)
    fabric = np.array(spec.fabric, dtype=np.float32)[None, None, :] * light[..., None] + weave[..., None]
    image = Image.fromarray(np.clip(fabric, 0, 255).astype(np.uint8))

    # The label: a strip about half the photo wide, the text filling it as a close-up does.
    unit = height / 768 * (0.6 if hard else 1.0)
    fonts = [ImageFont.load_default(size=int((46 if i == 0 else 36) * unit)) for i in range(len(spec.lines))]
    widest = max(font.getlength(text) for font, text in zip(fonts, spec.lines, strict=True))
    label_w, line_h = int(max(width * 0.4, widest + 80 * unit)), int(64 * unit)
    label_h = int(line_h * (len(spec.lines) + 1.2))
    label = Image.new("RGB", (label_w, label_h), spec.label)
    draw = ImageDraw.Draw(label)
    for index, (text, font) in enumerate(zip(spec.lines, fonts, strict=True)):
        text_w = draw.textlength(text, font=font)
        draw.text(((label_w - text_w) / 2, line_h * (0.6 + index)), text, fill=spec.ink, font=font)
    turned = label.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC, fillcolor=(0, 0, 0))
    mask = Image.new("L", label.size, 255).rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    image.paste(turned, ((width - turned.width) // 2, (height - turned.height) // 2), mask)

    # The camera: a little soft, sensor noise, JPEG.
    image = image.filter(ImageFilter.GaussianBlur(radius=(1.4 if hard else 0.9) * height / 768))
    noisy = np.asarray(image, dtype=np.float32) + rng.normal(0, 12 if hard else 6, size=(height, width, 3))
    buffer = io.BytesIO()
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()
