from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.auth.factories import register
from tests.images.factories import photo, stored_files, upload
from tests.listings.factories import create_listing
from tests.users.factories import invite_and_join
from vinted_optimizer.models import AuditLog, Listing


async def test_create_get_update_a_manual_listing(client):
    member = await register(client)
    listing = await create_listing(
        client,
        member=member,
        description="Levi's, taglia M",
        brand="Levi's",
        condition="very_good",
        size="M",
        colors=["Blu", "blu", " Azzurro "],
        tags=["Jeans", "giacca", "jeans"],
        purchase_cost="8.5",
    )
    assert listing["price"] == "25.00" and listing["purchase_cost"] == "8.50"
    assert listing["colors"] == ["Blu", "Azzurro"]
    assert listing["tags"] == ["jeans", "giacca"]
    assert listing["status"] == "draft" and listing["analysis_status"] == "none"
    assert listing["owner_username"] == member.username
    assert listing["analysis_attempts"] == 0 and listing["next_analysis_at"] is None
    fetched = await client.get(f"/api/v1/listings/{listing['id']}", headers=member.headers)
    assert fetched.json()["title"] == "Giacca di jeans"
    patched = await client.patch(
        f"/api/v1/listings/{listing['id']}", json={"price": "22.5", "status": "ready"}, headers=member.headers
    )
    assert patched.status_code == 200
    assert patched.json()["price"] == "22.50" and patched.json()["status"] == "ready"
    assert patched.json()["title"] == "Giacca di jeans"


@pytest.mark.parametrize(
    "payload",
    [
        {"price": "-1"},
        {"price": "12.345"},
        {"price": "abc"},
        {"status": "venduto"},
        {"condition": "come nuovo"},
        {"title": "x" * 201},
        {"owner": "someone"},
        {"colors": ["Blu", "Rosso", "Verde"]},
        {"colors": ["Blu notte"]},
        {"size_id": 999999},
        {"package_size_id": 4},
    ],
)
async def test_invalid_listing_payloads_are_422(client, payload):
    member = await register(client)
    listing = await create_listing(client, member=member)
    created = await client.post("/api/v1/listings", json={"title": "x", **payload}, headers=member.headers)
    assert created.status_code == 422, payload
    patched = await client.patch(f"/api/v1/listings/{listing['id']}", json=payload, headers=member.headers)
    assert patched.status_code == 422, payload


async def test_list_filters_sort_and_paginate(client):
    admin = await register(client)
    member = await invite_and_join(client, admin=admin)
    await create_listing(
        client,
        member=admin,
        title="Giacca Levi's",
        price="30",
        brand="Levi's",
        condition="good",
        size="M",
        status="ready",
    )
    await create_listing(
        client, member=admin, title="Scarpe Nike", price="45", brand="Nike", condition="very_good", size="42"
    )
    await create_listing(
        client,
        member=member,
        title="Borsa di pelle",
        price="15",
        description="Borsa 100% pelle_vera",
        status="ready",
    )
    await create_listing(client, member=member, title="Maglione", price=None)

    async def titles(**params):
        response = await client.get("/api/v1/listings", params=params, headers=admin.headers)
        assert response.status_code == 200, response.text
        return [item["title"] for item in response.json()["items"]]

    assert await titles(sort="price") == ["Borsa di pelle", "Giacca Levi's", "Scarpe Nike", "Maglione"]
    assert await titles(sort="-price") == ["Scarpe Nike", "Giacca Levi's", "Borsa di pelle", "Maglione"]
    assert await titles(sort="title") == ["Borsa di pelle", "Giacca Levi's", "Maglione", "Scarpe Nike"]
    assert await titles(status="ready", sort="title") == ["Borsa di pelle", "Giacca Levi's"]
    assert await titles(brand="nike") == ["Scarpe Nike"]
    assert await titles(condition=["good", "very_good"], sort="title") == ["Giacca Levi's", "Scarpe Nike"]
    assert await titles(size="m") == ["Giacca Levi's"]
    assert await titles(price_min="20", price_max="40") == ["Giacca Levi's"]
    assert await titles(member=member.id, sort="title") == ["Borsa di pelle", "Maglione"]
    assert await titles(q="PELLE") == ["Borsa di pelle"]
    assert await titles(q="100%") == ["Borsa di pelle"]  # LIKE wildcards are literal
    assert await titles(q="_vera") == ["Borsa di pelle"]
    page = (
        await client.get(
            "/api/v1/listings", params={"limit": 2, "offset": 2, "sort": "title"}, headers=admin.headers
        )
    ).json()
    assert page["total"] == 4 and [i["title"] for i in page["items"]] == ["Maglione", "Scarpe Nike"]
    bad = await client.get(
        "/api/v1/listings", params={"price_min": 50, "price_max": 10}, headers=admin.headers
    )
    assert bad.status_code == 400
    assert (
        await client.get("/api/v1/listings", params={"sort": "random()"}, headers=admin.headers)
    ).status_code == 422
    assert (
        await client.get("/api/v1/listings", params={"limit": 1000}, headers=admin.headers)
    ).status_code == 422


async def test_another_family_sees_nothing(client):
    owner = await register(client)
    stranger = await register(client)
    listing = await create_listing(client, member=owner)
    assert (await client.get("/api/v1/listings", headers=stranger.headers)).json()["total"] == 0
    for method, path, body in [
        ("GET", f"/api/v1/listings/{listing['id']}", None),
        ("PATCH", f"/api/v1/listings/{listing['id']}", {"price": "1"}),
        ("DELETE", f"/api/v1/listings/{listing['id']}", None),
        ("POST", f"/api/v1/listings/{listing['id']}/duplicate", None),
        ("GET", f"/api/v1/listings/similar/{listing['id']}", None),
    ]:
        response = await client.request(method, path, json=body, headers=stranger.headers)
        assert response.status_code == 404, (method, path)
    assert (await client.get(f"/api/v1/listings/{listing['id']}", headers=owner.headers)).json()[
        "price"
    ] == "25.00"


async def test_family_members_share_the_inventory(client):
    admin = await register(client)
    member = await invite_and_join(client, admin=admin)
    listing = await create_listing(client, member=admin)
    response = await client.patch(
        f"/api/v1/listings/{listing['id']}", json={"status": "ready"}, headers=member.headers
    )
    assert response.status_code == 200


async def test_delete_removes_the_photos_from_storage(client, session, settings):
    member = await register(client)
    listing_id = (
        await upload(client, member=member, files=[("a.jpg", photo()), ("b.jpg", photo(seed=2))])
    ).json()["listing"]["id"]
    assert len(stored_files(settings)) == 4
    response = await client.delete(f"/api/v1/listings/{listing_id}", headers=member.headers)
    assert response.status_code == 204
    assert stored_files(settings) == []
    assert await session.get(Listing, listing_id) is None
    assert await session.scalar(select(AuditLog).where(AuditLog.action == "listing.deleted")) is not None


async def test_duplicate_copies_fields_and_photos(client, settings):
    member = await register(client)
    body = (await upload(client, member=member, files=[("a.jpg", photo())])).json()
    listing_id = body["listing"]["id"]
    await client.patch(
        f"/api/v1/listings/{listing_id}",
        json={"title": "Borsa", "price": "12", "status": "ready"},
        headers=member.headers,
    )
    response = await client.post(f"/api/v1/listings/{listing_id}/duplicate", headers=member.headers)
    assert response.status_code == 201, response.text
    copy = response.json()
    assert copy["id"] != listing_id
    assert (copy["title"], copy["price"], copy["status"]) == ("Borsa (copia)", "12.00", "draft")
    assert len(copy["images"]) == 1 and copy["images"][0]["id"] != body["images"][0]["id"]
    assert len(stored_files(settings)) == 4
    # The copy's photos are its own: deleting the original leaves them.
    await client.delete(f"/api/v1/listings/{listing_id}", headers=member.headers)
    assert (await client.get(copy["images"][0]["url"])).status_code == 200


async def test_a_long_titles_copy_keeps_its_suffix(client):
    """The title is shortened, not the " (copia)": an original and its copy never read the same."""
    member = await register(client)
    body = (await upload(client, member=member, files=[("a.jpg", photo())])).json()
    listing_id = body["listing"]["id"]
    long_title = "Giacca di jeans Levi's " + "vintage " * 30
    response = await client.patch(
        f"/api/v1/listings/{listing_id}", json={"title": long_title[:200]}, headers=member.headers
    )
    assert response.status_code == 200, response.text
    original = response.json()["title"]
    assert len(original) == 200
    response = await client.post(f"/api/v1/listings/{listing_id}/duplicate", headers=member.headers)
    assert response.status_code == 201, response.text
    title = response.json()["title"]
    assert len(title) <= 200
    assert title.endswith(" (copia)"), title
    assert original.startswith(title.removesuffix(" (copia)")), title


async def test_bulk_is_all_or_nothing(client, session, settings):
    owner = await register(client)
    stranger = await register(client)
    mine = [await create_listing(client, member=owner, title=f"Capo {i}") for i in range(3)]
    theirs = await create_listing(client, member=stranger)
    ids = [item["id"] for item in mine]

    mixed = await client.post(
        "/api/v1/listings/bulk",
        json={"ids": [*ids, theirs["id"]], "action": "set_status", "status": "hidden"},
        headers=owner.headers,
    )
    assert mixed.status_code == 404
    statuses = await session.scalars(select(Listing.status).where(Listing.family_id == owner.family_id))
    assert set(statuses) == {"draft"}

    status = await client.post(
        "/api/v1/listings/bulk",
        json={"ids": ids, "action": "set_status", "status": "ready"},
        headers=owner.headers,
    )
    assert status.json() == {"action": "set_status", "affected": 3}
    price = await client.post(
        "/api/v1/listings/bulk",
        json={"ids": ids[:2], "action": "set_price", "price": "9.90"},
        headers=owner.headers,
    )
    assert price.json()["affected"] == 2
    prices = await session.scalars(select(Listing.price).where(Listing.id.in_(ids)).order_by(Listing.title))
    assert list(prices) == [Decimal("9.90"), Decimal("9.90"), Decimal("25.00")]
    missing_value = await client.post(
        "/api/v1/listings/bulk", json={"ids": ids, "action": "set_price"}, headers=owner.headers
    )
    assert missing_value.status_code == 422
    deleted = await client.post(
        "/api/v1/listings/bulk", json={"ids": ids, "action": "delete"}, headers=owner.headers
    )
    assert deleted.json()["affected"] == 3
    assert (
        await session.scalar(
            select(func.count()).select_from(Listing).where(Listing.family_id == owner.family_id)
        )
        == 0
    )
    assert await session.scalar(select(func.count()).select_from(Listing)) == 1  # the stranger's


async def test_photos_reorder_set_primary_and_delete(client, settings):
    member = await register(client)
    body = (
        await upload(
            client,
            member=member,
            files=[("a.jpg", photo(seed=1)), ("b.jpg", photo(seed=2)), ("c.jpg", photo(seed=3))],
        )
    ).json()
    listing_id = body["listing"]["id"]
    a, b, c = (image["id"] for image in body["images"])
    primary = await client.post(f"/api/v1/images/{c}/set-primary", headers=member.headers)
    assert primary.status_code == 200
    assert [i["id"] for i in primary.json()["images"] if i["is_primary"]] == [c]
    assert [i["id"] for i in primary.json()["images"]] == [c, a, b]  # the cover moves to the front
    order = await client.put(
        f"/api/v1/images/order/{listing_id}", json={"image_ids": [b, c, a]}, headers=member.headers
    )
    assert order.status_code == 200
    # One order: the display order, and the cover is its first photo.
    assert [i["id"] for i in order.json()["images"]] == [b, c, a]
    assert [i["id"] for i in order.json()["images"] if i["is_primary"]] == [b]
    assert [i["display_order"] for i in order.json()["images"]] == [0, 1, 2]
    incomplete = await client.put(
        f"/api/v1/images/order/{listing_id}", json={"image_ids": [b, c]}, headers=member.headers
    )
    assert incomplete.status_code == 400
    assert (await client.delete(f"/api/v1/images/{c}", headers=member.headers)).status_code == 204
    listing = (await client.get(f"/api/v1/listings/{listing_id}", headers=member.headers)).json()
    assert [i["id"] for i in listing["images"] if i["is_primary"]] == [b]
    assert len(stored_files(settings)) == 4


async def test_image_bytes_need_a_valid_signature(client):
    owner = await register(client)
    stranger = await register(client)
    image = (await upload(client, member=owner, files=[("a.jpg", photo())])).json()["images"][0]
    assert (await client.get(image["url"])).status_code == 200
    tampered = image["url"].replace("variant=processed", "variant=thumbnail")
    assert (await client.get(tampered)).status_code == 403
    bare = f"/api/v1/images/{image['id']}/file?variant=processed&expires=9999999999&signature={'0' * 32}"
    assert (await client.get(bare)).status_code == 403
    expired = f"/api/v1/images/{image['id']}/file?variant=processed&expires=1000&signature={'0' * 32}"
    assert (await client.get(expired)).status_code == 403
    assert (await client.get(f"/api/v1/images/{image['id']}", headers=stranger.headers)).status_code == 404
    assert (await client.get(f"/api/v1/images/{image['id']}", headers=owner.headers)).status_code == 200


async def test_similar_is_empty_without_an_embedding(client):
    member = await register(client)
    listing = await create_listing(client, member=member)
    response = await client.get(f"/api/v1/listings/similar/{listing['id']}", headers=member.headers)
    assert response.status_code == 200 and response.json() == []
