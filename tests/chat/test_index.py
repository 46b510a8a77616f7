"""The family's listing texts kept in the home side's index by the cron: changed listings indexed,
deleted ones removed, each family in its own index, and running twice changes nothing."""

from __future__ import annotations

import uuid

from tests.auth.factories import register
from tests.listings.factories import create_listing
from vinted_optimizer.chat import index, tasks


async def test_the_cron_indexes_changes_and_removes_deleted_listings(client, home, resources):
    rossi = await register(client, family_name="Rossi")
    verdi = await register(client, family_name="Verdi")
    jacket = await create_listing(client, member=rossi, title="Giacca di lana", description="Calda e morbida")
    bag = await create_listing(client, member=rossi, title="Borsa")
    theirs = await create_listing(client, member=verdi, title="Scarpe")
    await tasks.index_listings({"resources": resources})
    rossi_index = home.index[uuid.UUID(rossi.family_id)]
    assert set(rossi_index) == {f"listing:{jacket['id']}", f"listing:{bag['id']}"}
    assert set(home.index[uuid.UUID(verdi.family_id)]) == {f"listing:{theirs['id']}"}
    doc = rossi_index[f"listing:{jacket['id']}"]
    assert doc.kind == "listing" and doc.link == f"/annunci?id={jacket['id']}"
    assert "Calda e morbida" in doc.text and doc.title == "Annuncio «Giacca di lana»"
    snapshot = {family: dict(docs) for family, docs in home.index.items()}
    await tasks.index_listings({"resources": resources})  # idempotent
    assert home.index == snapshot and home.deleted == []

    edited = await client.patch(
        f"/api/v1/listings/{jacket['id']}", json={"title": "Giacca di lana merino"}, headers=rossi.headers
    )
    assert edited.status_code == 200
    assert (await client.delete(f"/api/v1/listings/{bag['id']}", headers=rossi.headers)).status_code == 204
    await tasks.index_listings({"resources": resources})
    assert set(rossi_index) == {f"listing:{jacket['id']}"}
    assert rossi_index[f"listing:{jacket['id']}"].title == "Annuncio «Giacca di lana merino»"
    assert home.deleted == [f"listing:{bag['id']}"]
    assert set(home.index[uuid.UUID(verdi.family_id)]) == {f"listing:{theirs['id']}"}


async def test_only_listings_changed_since_the_mark_are_sent_again(client, home, resources, session):
    rossi = await register(client, family_name="Rossi")
    await create_listing(client, member=rossi, title="Vecchio")
    family = uuid.UUID(rossi.family_id)
    await resources.redis.set(f"{index.MARK_KEY}{family}", "2999-01-01T00:00:00+00:00")
    indexed, deleted = await index.index_family(session, home, resources.redis, family)
    assert (indexed, deleted) == (0, 0) and family not in home.index


async def test_without_a_chat_home_side_the_cron_does_nothing(client, resources):
    await register(client, family_name="Rossi")
    assert await tasks.index_listings({"resources": resources}) == 0  # the in-process client has no chat
