"""The preview of a photo the browser cannot show itself (HEIC on a desktop): checked as an upload is,
oriented, small, without metadata, and nothing stored."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.auth.factories import register
from tests.images.factories import heic_photo, photo, row_counts, stored_files


async def preview(client, member, name: str, content: bytes, field: str = "file"):
    return await client.post(
        "/api/v1/images/preview",
        files=[(field, (name, content, "application/octet-stream"))],
        headers=member.headers,
    )


async def test_a_heic_photo_comes_back_as_a_small_jpeg_and_nothing_is_kept(client, session, settings):
    member = await register(client)
    response = await preview(client, member, "IMG_0001.HEIC", heic_photo(1600, 1200))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["cache-control"] == "no-store"
    picture = Image.open(io.BytesIO(response.content))
    assert picture.format == "JPEG" and picture.size == (640, 480)
    # The factory's HEIC is a plain red: the preview is the photo, not a placeholder.
    red, green, blue = picture.convert("RGB").getpixel((320, 240))
    assert red > 150 and green < 80 and blue < 80
    assert stored_files(settings) == []
    assert await row_counts(session) == (0, 0)


async def test_the_preview_is_oriented_and_carries_no_metadata(client):
    member = await register(client)
    response = await preview(client, member, "telefono.jpg", photo(1200, 900, orientation=6, gps=True))
    assert response.status_code == 200, response.text
    picture = Image.open(io.BytesIO(response.content))
    assert picture.size == (480, 640)  # stored landscape, meant portrait
    assert dict(picture.getexif()) == {}
    assert b"GPS" not in response.content


@pytest.mark.parametrize(
    ("name", "content", "status", "code"),
    [
        ("testo.heic", b"non sono una foto" * 10, 415, "unsupported_media_type"),
        ("vuota.heic", b"", 422, "empty_file"),
        ("troncata.heic", heic_photo(800, 600)[:400], 422, "invalid_image"),
    ],
    ids=["not-an-image", "empty", "truncated"],
)
async def test_bad_files_get_an_italian_reason_naming_the_file(client, name, content, status, code):
    member = await register(client)
    response = await preview(client, member, name, content)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code
    assert body["detail"].startswith(f"{name}: ")


@pytest.mark.parametrize("settings_overrides", [{"max_upload_bytes": 200_000}])
async def test_a_file_over_the_upload_limit_is_413(client, settings):
    member = await register(client)
    response = await preview(client, member, "enorme.jpg", photo(1200, 900, quality=95))
    assert response.status_code == 413
    assert response.json()["error"] == "file_too_large"


async def test_no_file_is_a_422_naming_the_field(client):
    member = await register(client)
    response = await preview(client, member, "foto.jpg", photo(200, 150), field="files")
    assert response.status_code == 422
    assert [entry["field"] for entry in response.json()["fields"]] == ["file"]
