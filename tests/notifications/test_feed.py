"""The family's activity feed: recorded once per happening, newest first, paginated, the family's own."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from tests.auth.factories import register
from tests.listings.factories import create_listing
from tests.notifications.factories import feed
from tests.sales.factories import record_sale
from vinted_optimizer.models import Notification
from vinted_optimizer.notifications.service import Note, notify


async def test_the_same_happening_is_recorded_once(client, session):
    member = await register(client)
    family_id = uuid.UUID(member.family_id)
    note = Note(
        family_id=family_id, kind="parcel_delivered", title="Consegnato", dedupe_key="parcel_delivered:1"
    )
    first = await notify(session, note)
    again = await notify(session, Note(**{**note.__dict__, "title": "Consegnato (di nuovo)"}))
    assert isinstance(first, uuid.UUID) and again is None
    rows = (await session.scalars(select(Notification).where(Notification.family_id == family_id))).all()
    assert [(row.id, row.title) for row in rows] == [(first, "Consegnato")]
    # The key is the family's: another family's same key is its own happening.
    other = await register(client)
    assert (
        await notify(session, Note(**{**note.__dict__, "family_id": uuid.UUID(other.family_id)})) is not None
    )


async def test_the_feed_is_newest_first_paginated_and_the_familys_own(client, session):
    member = await register(client)
    stranger = await register(client)
    titles = ["Maglione", "Borsa", "Scarpe"]
    for title in titles:
        listing = await create_listing(client, member=member, status="published", title=title)
        await record_sale(client, member=member, listing_id=listing["id"])
    theirs = await record_sale(client, member=stranger)

    page = await feed(client, member=member, limit=2)
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 0)
    assert [item["title"] for item in page["items"]] == [
        "Venduto: Scarpe a 20,00 €",
        "Venduto: Borsa a 20,00 €",
    ]
    rest = await feed(client, member=member, limit=2, offset=2)
    assert [item["title"] for item in rest["items"]] == ["Venduto: Maglione a 20,00 €"] and rest["total"] == 3
    beyond = await feed(client, member=member, offset=10)
    assert beyond["items"] == [] and beyond["total"] == 3

    item = page["items"][0]
    assert set(item) == {"id", "kind", "title", "body", "data", "user_id", "created_at", "link"}
    assert item["kind"] == "sale_recorded" and item["user_id"] == member.id
    # Another family's entries are not there, and mine are not in theirs.
    listed = {entry["data"]["sale_id"] for entry in (await feed(client, member=member))["items"]}
    assert theirs["id"] not in listed
    (their_entry,) = (await feed(client, member=stranger))["items"]
    assert their_entry["data"]["sale_id"] == theirs["id"]
    count = await session.scalar(select(func.count()).select_from(Notification))
    assert count == 4


async def test_a_bad_page_is_an_italian_422(client):
    member = await register(client)
    for params, field in (({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"offset": -1}, "offset")):
        response = await client.get("/api/v1/notifications", params=params, headers=member.headers)
        assert response.status_code == 422
        assert [error["field"] for error in response.json()["fields"]] == [field]


def test_a_notification_leads_to_its_own_thing_or_else_to_its_page():
    import uuid as _uuid

    from vinted_optimizer.notifications.schemas import link_of

    sale, parcel = _uuid.uuid4(), _uuid.uuid4()
    assert link_of("sale_recorded", {"sale_id": str(sale)}) == f"/vendite?id={sale}"
    assert link_of("parcel_delivered", {"shipment_id": str(parcel)}) == f"/spedizioni?id={parcel}"
    assert link_of("parcel_trouble", {"shipment_id": str(parcel)}) == f"/spedizioni?id={parcel}"
    # An id that is missing or not an id never reaches the address.
    assert link_of("parcel_trouble", {}) == "/spedizioni"
    assert link_of("sale_recorded", {"sale_id": "../admin"}) == "/vendite"
    assert link_of("vinted_relink", {}) == "/impostazioni#vinted"
