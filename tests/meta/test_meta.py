"""GET /api/v1/meta: the vocabulary and limits the dashboard uses come from the modules that enforce them."""

from __future__ import annotations

import pytest

from tests.auth.factories import register
from vinted_optimizer.listings.schemas import ListingCreate
from vinted_optimizer.vocabulary import CONDITION_LABELS_IT, CONDITIONS, LISTING_STATUSES, VINTED_COLORS


@pytest.fixture
def settings_overrides():
    return {"max_files_per_upload": 3, "max_upload_bytes": 2 * 1024 * 1024}


async def test_meta_is_public_and_speaks_vinted_vocabulary(client):
    response = await client.get("/api/v1/meta")
    assert response.status_code == 200
    vocabulary = response.json()["vocabulary"]
    assert [c["value"] for c in vocabulary["conditions"]] == list(CONDITIONS)
    assert vocabulary["conditions"][0]["label_it"] == CONDITION_LABELS_IT["new_with_tags"]
    assert vocabulary["conditions"][0]["vinted_status_id"] == 6
    assert [c["name"] for c in vocabulary["colors"]] == [c.name for c in VINTED_COLORS]
    assert vocabulary["listing_statuses"] == list(LISTING_STATUSES)


async def test_limits_follow_the_settings_and_the_schemas(client):
    limits = (await client.get("/api/v1/meta")).json()["limits"]
    assert limits["upload"] == {
        "max_files": 3,
        "max_file_bytes": 2 * 1024 * 1024,
        "max_image_pixels": 40_000_000,
        # The checks the server makes, for the dashboard to repeat before the upload.
        "hints": {
            "measure_side": 320,
            "dark_below": 55.0,
            "bright_above": 235.0,
            "blurry_below": 40.0,
            "small_below": 600,
        },
    }
    title = ListingCreate.model_fields["title"]
    title_max = next(rule.max_length for rule in title.metadata if hasattr(rule, "max_length"))
    assert limits["listing"]["title"] == title_max == 200
    assert limits["password_min"] == 10
    assert limits["chat"] == {"message": 2000, "sessions": 100}  # the settings' defaults, enforced by chat


async def test_the_upload_limit_in_meta_is_the_one_enforced(client):
    member = await register(client)
    limit = (await client.get("/api/v1/meta")).json()["limits"]["upload"]["max_files"]
    files = [("files", (f"{i}.jpg", b"x", "image/jpeg")) for i in range(limit + 1)]
    response = await client.post("/api/v1/images/upload", files=files, headers=member.headers)
    assert response.status_code == 400
    assert f"Al massimo {limit} foto" in response.json()["detail"]
