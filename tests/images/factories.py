"""Photos for tests, made on the fly with real encoders and real metadata (orientation, GPS), and the
upload helper that sends them through the API.

Keyword-only after the client: ``await upload(client, member=member, files=[("a.jpg", photo())])``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import httpx
import numpy as np
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.auth.factories import Member
from vinted_optimizer.config import Settings
from vinted_optimizer.models import Image as ImageRow
from vinted_optimizer.models import Listing

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


async def upload(
    client: httpx.AsyncClient,
    *,
    member: Member,
    files: Sequence[tuple[str, bytes]],
    listing_id: str | None = None,
) -> httpx.Response:
    """POST /images/upload; the response is returned as it is, so tests can check refusals too."""
    data = {"listing_id": listing_id} if listing_id else None
    return await client.post(
        "/api/v1/images/upload",
        files=[("files", (name, content, "application/octet-stream")) for name, content in files],
        data=data,
        headers=member.headers,
    )


def stored_files(settings: Settings) -> list[Path]:
    """Every object the storage holds (the local folder of the test's data directory)."""
    root = settings.data_dir / "objects"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def row_counts(session: AsyncSession) -> tuple[int, int]:
    """(listings, images) in the database."""
    listings = await session.scalar(select(func.count()).select_from(Listing)) or 0
    images = await session.scalar(select(func.count()).select_from(ImageRow)) or 0
    return listings, images
