"""Finding 6 and 8 of the hardening review: no input produces a 500, and JSON is JSON in UTF-8.

Every refusal is a 4xx with the field named, and nothing half-written stays behind.
"""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import func, select

from tests.auth.factories import register
from tests.images.factories import photo, upload
from tests.listings.factories import create_listing
from vinted_optimizer.models import AuditLog, Listing

NUL = "\u0000"


async def listing_count(session) -> int:
    return await session.scalar(select(func.count()).select_from(Listing)) or 0


def fields_of(response) -> list[str]:
    return [field["field"] for field in response.json()["fields"]]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": f"giacca{NUL}"}, "title"),
        ({"description": f"riga uno\n{NUL}"}, "description"),
        ({"tags": ["ok", f"x{NUL}y"]}, "tags"),
        ({"brand": "Levi\x07s"}, "brand"),
        ({"size": f"M{NUL}"}, "size"),
        ({"category_id": 2**31}, "category_id"),
        ({"category_id": True}, "category_id"),  # JSON true is not the number 1 (found by schemathesis)
    ],
)
async def test_a_bad_text_or_number_in_a_new_listing_is_a_422_naming_it(client, session, payload, field):
    member = await register(client)
    before = await listing_count(session)
    response = await client.post(
        "/api/v1/listings", json={"title": "Giacca", **payload}, headers=member.headers
    )
    assert response.status_code == 422, response.text
    assert fields_of(response) == [field]
    assert "Value error" not in response.text
    assert await listing_count(session) == before


async def test_newlines_and_tabs_stay_allowed(client):
    member = await register(client)
    listing = await create_listing(client, member=member, description="Riga uno\n\tRiga due\r\n")
    assert listing["description"] == "Riga uno\n\tRiga due"


@pytest.mark.parametrize("field", ["status", "title", "description", "colors", "tags"])
async def test_null_where_a_listing_needs_a_value_is_a_422(client, field):
    member = await register(client)
    listing = await create_listing(client, member=member)
    response = await client.patch(
        f"/api/v1/listings/{listing['id']}", json={field: None}, headers=member.headers
    )
    assert response.status_code == 422
    assert fields_of(response) == [field]
    again = await client.get(f"/api/v1/listings/{listing['id']}", headers=member.headers)
    assert again.json()[field] == listing[field]


async def test_null_clears_a_field_that_may_be_empty(client):
    member = await register(client)
    listing = await create_listing(client, member=member, brand="Levi's")
    response = await client.patch(
        f"/api/v1/listings/{listing['id']}", json={"brand": None}, headers=member.headers
    )
    assert response.status_code == 200 and response.json()["brand"] is None


@pytest.mark.parametrize("name", ["q", "brand", "size", "category"])
async def test_a_nul_in_a_filter_is_a_422(client, name):
    member = await register(client)
    response = await client.get("/api/v1/listings", params={name: f"a{NUL}b"}, headers=member.headers)
    assert response.status_code == 422
    assert fields_of(response) == [name]


@pytest.mark.parametrize(
    "preferences",
    [{f"lingua{NUL}": "it"}, {"lingua": f"it{NUL}"}, {"nested": {"deep": [f"x{NUL}"]}}],
)
async def test_a_nul_in_preferences_keys_or_values_is_a_422(client, preferences):
    member = await register(client)
    response = await client.patch(
        "/api/v1/users/me", json={"preferences": preferences}, headers=member.headers
    )
    assert response.status_code == 422
    assert fields_of(response) == ["preferences"]
    me = await client.get("/api/v1/users/me", headers=member.headers)
    assert me.json()["preferences"] == {"language": "it"}


async def test_a_nul_in_the_login_is_a_422_and_no_audit_row(client, session):
    response = await client.post("/api/v1/auth/login", json={"login": f"a{NUL}@example.it", "password": "x"})
    assert response.status_code == 422 and fields_of(response) == ["login"]
    assert await session.scalar(select(func.count()).select_from(AuditLog)) == 0


@pytest.mark.parametrize("signature", ["à" * 32, "g" * 32, "0" * 31, "0" * 33])
async def test_a_malformed_photo_signature_is_refused_without_a_500(client, signature):
    member = await register(client)
    image = (await upload(client, member=member, files=[("a.jpg", photo())])).json()["images"][0]
    url = f"/api/v1/images/{image['id']}/file?variant=processed&expires=9999999999&signature={signature}"
    response = await client.get(url)
    assert response.status_code == 422
    assert fields_of(response) == ["signature"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/shipments/track/RR12%003456IT"),  # a text parameter PostgreSQL refuses (was a 500)
        ("POST", "/api/v1/webhooks/sendcloud/token%00"),  # looked up before the signature (was a 500)
        ("GET", "/api/v1/listings/%0A"),
        ("DELETE", "/api/v1/chat/sessions/%7F"),  # DEL, on another method
    ],
)
async def test_a_control_character_in_the_path_is_a_422_naming_it_before_any_route(client, method, path):
    member = await register(client)
    response = await client.request(method, path, json={}, headers=member.headers)
    assert response.status_code == 422, response.text
    assert fields_of(response) == ["path"] and "caratteri di controllo" in response.json()["detail"]
    assert response.headers["X-Request-ID"] and response.headers["X-Content-Type-Options"] == "nosniff"
    unharmed = await client.get("/api/v1/shipments/track/RR123456IT", headers=member.headers)
    assert unharmed.status_code == 404  # the same route without it: routed, no such shipment


async def test_control_characters_in_a_file_name_or_user_agent_are_dropped(client, session):
    member = await register(client)
    response = await upload(client, member=member, files=[("foto\x1b.txt", b"not an image")])
    assert response.status_code == 415
    assert "foto.txt" in response.json()["detail"]
    await client.post(
        "/api/v1/auth/login",
        json={"login": member.email, "password": "Sbagliata-123"},
        headers={"User-Agent": "Browser\x01 1.0"},
    )
    entry = await session.scalar(select(AuditLog).where(AuditLog.action == "auth.login_failed"))
    assert entry.user_agent == "Browser 1.0"


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json; charset=utf-16",
        "application/vnd.api+json",
        "text/plain",
        "application/x-www-form-urlencoded",
        None,
    ],
)
async def test_only_utf8_json_is_json(client, session, content_type):
    member = await register(client)
    body = json.dumps({"title": "Giacca"})
    encoded = body.encode("utf-16") if content_type and "utf-16" in content_type else body.encode()
    headers = {**member.headers}
    if content_type:
        headers["Content-Type"] = content_type
    before = await listing_count(session)
    response = await client.post("/api/v1/listings", content=encoded, headers=headers)
    assert response.status_code == 415, response.text
    assert response.json()["error"] == "unsupported_media_type"
    assert await listing_count(session) == before


async def test_json_that_is_not_utf8_is_a_400_even_when_labelled_utf8(client, session):
    member = await register(client)
    before = await listing_count(session)
    response = await client.post(
        "/api/v1/listings",
        content=json.dumps({"title": "Giacca"}).encode("utf-16"),
        headers={**member.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "UTF-8" in response.json()["detail"]
    assert await listing_count(session) == before


async def test_utf8_json_with_its_charset_is_accepted(client):
    member = await register(client)
    response = await client.post(
        "/api/v1/listings",
        content=json.dumps({"title": "Maglione però"}).encode(),
        headers={**member.headers, "Content-Type": "application/json; charset=UTF-8"},
    )
    assert response.status_code == 201 and response.json()["title"] == "Maglione però"


async def test_an_unexpected_error_is_a_500_with_the_security_headers_and_a_request_id(app, client, caplog):
    async def boom() -> None:
        raise RuntimeError("a bug, with a secret in its message")

    app.add_api_route("/api/v1/boom-for-the-test", boom, methods=["GET"])
    caplog.set_level(logging.ERROR)
    response = await client.get("/api/v1/boom-for-the-test")
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "internal_error" and "secret" not in response.text
    assert body["request_id"] == response.headers["X-Request-ID"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] and response.headers["Cache-Control"] == "no-store"


async def test_every_response_carries_a_request_id(client):
    first = await client.get("/api/health")
    second = await client.get("/api/v1/listings")
    assert len({first.headers["X-Request-ID"], second.headers["X-Request-ID"]}) == 2
    echoed = await client.get("/api/health", headers={"X-Request-ID": "proxy-id-1234"})
    assert echoed.headers["X-Request-ID"] == "proxy-id-1234"
    forged = await client.get("/api/health", headers={"X-Request-ID": "<script>"})
    assert forged.headers["X-Request-ID"] != "<script>"
