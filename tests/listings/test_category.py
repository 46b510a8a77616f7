"""A listing's category: Vinted's catalog id and its Italian name always agree (publishing sends the id)."""

from __future__ import annotations

from tests.auth.factories import register
from tests.listings.factories import create_listing

JACKETS = 1908
JACKETS_IT = "Donna > Abbigliamento > Capispalla > Giacche"


async def _patch(client, member, listing_id, body):
    return await client.patch(f"/api/v1/listings/{listing_id}", json=body, headers=member.headers)


async def test_a_catalog_id_brings_its_italian_name(client):
    member = await register(client)
    created = await create_listing(client, member=member, category_id=JACKETS, category="anything")
    assert (created["category_id"], created["category"]) == (JACKETS, JACKETS_IT)  # the id wins
    sneakers = (await _patch(client, member, created["id"], {"category_id": 1242})).json()
    assert (sneakers["category_id"], sneakers["category"]) == (1242, "Uomo > Scarpe > Sneakers")


async def test_a_name_alone_is_a_catalog_only_when_it_is_one_s_italian_path(client):
    member = await register(client)
    listing = await create_listing(client, member=member, category="uomo > scarpe > SNEAKERS")
    assert listing["category_id"] == 1242
    typed = (await _patch(client, member, listing["id"], {"category": "giacca della nonna"})).json()
    assert (typed["category_id"], typed["category"]) == (None, "giacca della nonna")
    cleared = (await _patch(client, member, listing["id"], {"category": None})).json()
    assert (cleared["category_id"], cleared["category"]) == (None, None)


async def test_an_unknown_catalog_id_is_an_italian_422_and_changes_nothing(client):
    member = await register(client)
    listing = await create_listing(client, member=member, category_id=JACKETS)
    for bad in (999_999, 0, True, "1908"):
        response = await _patch(client, member, listing["id"], {"category_id": bad})
        assert response.status_code == 422, bad
        assert [field["field"] for field in response.json()["fields"]] == ["category_id"], bad
        assert "Value error" not in response.text
    unknown = await _patch(client, member, listing["id"], {"category_id": 999_999})
    assert unknown.json()["fields"][0]["message"] == "Categoria Vinted sconosciuta: scegline una dall'elenco."
    again = (await client.get(f"/api/v1/listings/{listing['id']}", headers=member.headers)).json()
    assert (again["category_id"], again["category"]) == (JACKETS, JACKETS_IT)
