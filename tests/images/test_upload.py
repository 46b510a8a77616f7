"""Uploads: what is accepted, what is refused (by content), and that a refused upload leaves nothing."""

from __future__ import annotations

import hashlib
import io
import zlib

import pytest
from PIL import Image

from tests.auth.factories import register
from tests.images.factories import heic_photo, photo, row_counts, stored_files, upload
from vinted_optimizer.models import Image as ImageRow


async def test_upload_creates_a_draft_with_processed_photos(client, session, settings):
    member = await register(client)
    response = await upload(
        client,
        member=member,
        files=[("giacca.jpg", photo(4000, 3000, seed=1)), ("retro.png", photo(900, 700, fmt="PNG", seed=2))],
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["created_listing"] is True
    listing = body["listing"]
    assert listing["status"] == "draft"
    assert listing["analysis_status"] == "pending"
    assert listing["colors"]  # computed locally, no AI needed
    assert [img["is_primary"] for img in body["images"]] == [True, False]
    first = body["images"][0]
    assert (first["width"], first["height"]) == (1000, 750)  # ≤ 1024 px
    assert len(stored_files(settings)) == 4  # processed + thumbnail per photo

    # The bytes are served through the signed URL...
    processed = await client.get(first["url"])
    assert processed.status_code == 200 and processed.headers["content-type"] == "image/jpeg"
    picture = Image.open(io.BytesIO(processed.content))
    assert picture.format == "JPEG" and max(picture.size) <= 1024
    row = await session.get(ImageRow, first["id"])
    assert row.sha256 == hashlib.sha256(processed.content).hexdigest()
    thumb = Image.open(io.BytesIO((await client.get(first["thumbnail_url"])).content))
    assert max(thumb.size) <= 320


async def test_exif_orientation_applied_and_all_metadata_stripped(client, session):
    member = await register(client)
    # Stored landscape, meant to be seen portrait (orientation 6 = rotate 90°), with GPS coordinates.
    response = await upload(
        client, member=member, files=[("telefono.jpg", photo(1200, 900, orientation=6, gps=True))]
    )
    assert response.status_code == 201, response.text
    image = response.json()["images"][0]
    assert (image["width"], image["height"]) == (768, 1024)
    content = (await client.get(image["url"])).content
    stored = Image.open(io.BytesIO(content))
    assert dict(stored.getexif()) == {}
    assert b"Exif" not in content and b"GPS" not in content
    row = await session.get(ImageRow, image["id"])
    assert "gps" not in str(row.meta).lower() and "exif" not in str(row.meta).lower()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("foto.webp", photo(800, 600, fmt="WEBP")),
        ("foto.heic", heic_photo()),
        ("senza-estensione", photo(800, 600)),  # the name does not matter, the bytes do
    ],
)
async def test_webp_heic_and_names_are_judged_by_content(client, name, content):
    member = await register(client)
    response = await upload(client, member=member, files=[(name, content)])
    assert response.status_code == 201, response.text


def _png_bomb(width: int = 12_000, height: int = 12_000) -> bytes:
    """A tiny PNG that claims 144 megapixels."""
    import struct

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" + b"\x00" * (width * 3), 9) * 1
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def _gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (50, 50), (1, 2, 3)).save(buffer, "GIF")
    return buffer.getvalue()


BAD_UPLOADS = [
    ("testo.jpg", b"Questo non e' una foto, e' un file di testo.", 415, "unsupported_media_type"),
    ("animazione.gif", _gif(), 415, "unsupported_media_type"),
    ("script.png", b"<?php echo 1; ?>" * 10, 415, "unsupported_media_type"),
    ("vuota.jpg", b"", 422, "empty_file"),
    ("troncata.jpg", photo(1600, 1200)[:30_000], 422, "invalid_image"),
    ("bomba.png", _png_bomb(), 422, "image_too_large"),
    ("header-rotto.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 200, 422, "invalid_image"),
]


@pytest.mark.parametrize(("name", "content", "status", "code"), BAD_UPLOADS, ids=[b[0] for b in BAD_UPLOADS])
async def test_bad_uploads_are_refused_and_leave_nothing(
    client, session, settings, name, content, status, code
):
    member = await register(client)
    before = await row_counts(session)
    response = await upload(client, member=member, files=[("buona.jpg", photo(seed=3)), (name, content)])
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code
    assert body["detail"].startswith(f"{name}:")
    assert await row_counts(session) == before
    assert stored_files(settings) == []


@pytest.mark.parametrize("settings_overrides", [{"max_upload_bytes": 200_000}])
async def test_a_photo_over_the_size_limit_is_413(client, session, settings):
    member = await register(client)
    response = await upload(client, member=member, files=[("enorme.jpg", photo(1200, 900, quality=95))])
    assert response.status_code == 413
    assert response.json()["error"] == "file_too_large"
    assert stored_files(settings) == []
    assert await row_counts(session) == (0, 0)


@pytest.mark.parametrize("settings_overrides", [{"max_upload_bytes": 100_000, "max_files_per_upload": 2}])
async def test_the_whole_request_is_bounded_too(client, settings):
    member = await register(client)
    too_big = b"\xff\xd8\xff" + b"0" * 400_000
    # 2 files × 100 KB + 1 MiB of form overhead is the ceiling; 1.6 MB is refused before it is read.
    response = await upload(client, member=member, files=[(f"{n}.jpg", too_big) for n in "abcd"])
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    assert stored_files(settings) == []


@pytest.mark.parametrize("settings_overrides", [{"max_files_per_upload": 2}])
async def test_too_many_files_is_400(client, settings):
    member = await register(client)
    response = await upload(
        client, member=member, files=[(f"{n}.jpg", photo(200, 150, seed=n)) for n in range(3)]
    )
    assert response.status_code == 400
    assert "2 foto" in response.json()["detail"]
    assert stored_files(settings) == []


async def test_missing_files_or_malformed_form(client):
    member = await register(client)
    empty = await client.post("/api/v1/images/upload", data={"x": "1"}, headers=member.headers)
    assert empty.status_code == 422
    garbage = await client.post(
        "/api/v1/images/upload",
        content=b"--x\r\nnot really multipart",
        headers={**member.headers, "Content-Type": "multipart/form-data; boundary=x"},
    )
    assert garbage.status_code in (400, 422)
    assert set(garbage.json()) >= {"error", "detail"}


async def test_upload_to_an_existing_listing_and_duplicate_warning(client, session):
    member = await register(client)
    first = (await upload(client, member=member, files=[("a.jpg", photo(seed=7))])).json()
    listing_id = first["listing"]["id"]
    again = await upload(
        client,
        member=member,
        files=[("a-bis.jpg", photo(seed=7)), ("altra.jpg", photo(colour=(200, 20, 20), seed=8))],
        listing_id=listing_id,
    )
    assert again.status_code == 201, again.text
    body = again.json()
    assert body["created_listing"] is False
    assert len(body["listing"]["images"]) == 3
    assert [d["file"] for d in body["duplicates"]] == ["a-bis.jpg"]
    assert body["duplicates"][0]["listing_id"] == listing_id


async def test_cannot_upload_into_another_familys_listing(client, session, settings):
    owner = await register(client)
    stranger = await register(client)
    listing_id = (await upload(client, member=owner, files=[("a.jpg", photo())])).json()["listing"]["id"]
    files_before = len(stored_files(settings))
    response = await upload(client, member=stranger, files=[("b.jpg", photo(seed=4))], listing_id=listing_id)
    assert response.status_code == 404
    assert len(stored_files(settings)) == files_before


async def test_quality_hints_for_dark_photos(client):
    member = await register(client)
    dark = photo(colour=(5, 5, 5), seed=5)
    dark_image = Image.open(io.BytesIO(dark)).point(lambda v: v // 6)
    buffer = io.BytesIO()
    dark_image.save(buffer, "JPEG")
    body = (await upload(client, member=member, files=[("buio.jpg", buffer.getvalue())])).json()
    assert "too_dark" in body["images"][0]["quality_hints"]
