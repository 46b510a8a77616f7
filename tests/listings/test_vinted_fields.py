"""A listing's Vinted fields: names and Vinted ids agree (size, parcel size, condition, colours), the
category decides which sizes are offered, and a member's choice Vinted would refuse is a 422 on its field."""

from __future__ import annotations

from tests.listings.factories import create_listing
from tests.users.factories import register

JACKETS = 1908  # Donna > Abbigliamento > Capispalla > Giacche
MEN_TRAINERS = 1242  # Uomo > Scarpe > Sneakers
SIZE_M_WOMEN = 4  # "M / 38 / 10"
SIZE_42_MEN_SHOES = 784  # "42 (UK 8)"


async def patch(client, member, listing, **fields):
    return await client.patch(f"/api/v1/listings/{listing['id']}", json=fields, headers=member.headers)


async def test_a_size_chosen_by_id_brings_its_name_and_the_category_a_parcel_size(client):
    member = await register(client)
    listing = await create_listing(client, member=member, category_id=JACKETS, size_id=SIZE_M_WOMEN)
    assert listing["size"] == "M / 38 / 10" and listing["size_id"] == SIZE_M_WOMEN
    assert listing["package_size_id"] == 1  # suggested from the category: the member can change it
    changed = await patch(client, member, listing, package_size_id=2)
    assert changed.status_code == 200 and changed.json()["package_size_id"] == 2


async def test_a_size_the_category_does_not_offer_is_refused_on_its_field(client):
    member = await register(client)
    listing = await create_listing(client, member=member, category_id=JACKETS)
    refused = await patch(client, member, listing, size_id=SIZE_42_MEN_SHOES)
    assert refused.status_code == 422
    assert refused.json()["fields"] == [
        {
            "field": "size_id",
            "message": "Questa taglia non è tra quelle della categoria scelta: sceglila dall'elenco.",
        }
    ]
    again = await client.get(f"/api/v1/listings/{listing['id']}", headers=member.headers)
    assert again.json()["size_id"] is None and again.json()["size"] is None  # nothing half-written


async def test_a_written_size_takes_the_category_s_id_and_follows_a_new_category(client):
    member = await register(client)
    listing = await create_listing(client, member=member, category_id=JACKETS, size="m")
    assert (listing["size"], listing["size_id"]) == ("M / 38 / 10", SIZE_M_WOMEN)
    # Words that name no size of the category stay as the member wrote them, without an id.
    odd = (await patch(client, member, listing, size="vestibilità ampia")).json()
    assert (odd["size"], odd["size_id"]) == ("vestibilità ampia", None)
    shoes = (await patch(client, member, listing, size="42", category_id=MEN_TRAINERS)).json()
    assert (shoes["size"], shoes["size_id"]) == ("42 (UK 8)", SIZE_42_MEN_SHOES)
    assert shoes["package_size_id"] == 1  # kept: the member's (or an earlier) choice is not replaced
    back = (await patch(client, member, listing, category_id=JACKETS)).json()
    assert back["size_id"] is None and back["size"] == "42 (UK 8)"  # no women's jacket size "42 (UK 8)"…
    cleared = (await patch(client, member, listing, size_id=None)).json()
    assert cleared["size"] is None and cleared["size_id"] is None


async def test_condition_and_colours_carry_vinted_s_ids(client):
    member = await register(client)
    listing = await create_listing(
        client, member=member, condition="very_good", colors=["blu navy", "Bianco"]
    )
    assert listing["status_id"] == 2
    assert listing["colors"] == ["Blu navy", "Bianco"] and listing["color_ids"] == [27, 12]
    changed = (await patch(client, member, listing, condition="new_with_tags", colors=["Rosso"])).json()
    assert changed["status_id"] == 6 and changed["color_ids"] == [7]
    too_many = await patch(client, member, listing, colors=["Rosso", "Verde", "Giallo"])
    assert too_many.status_code == 422
    assert too_many.json()["fields"][0] == {
        "field": "colors",
        "message": "Al massimo 2 colori: Vinted non ne accetta di più.",
    }
    unknown = await patch(client, member, listing, colors=["Fucsia"])
    assert unknown.status_code == 422 and "Fucsia" in unknown.json()["fields"][0]["message"]


async def test_a_category_for_new_items_only_refuses_a_worn_condition(client):
    from vinted_optimizer.vocabulary import load_catalogs

    make_up = next(c for c in load_catalogs().values() if c.new_only)
    member = await register(client)
    refused = await client.post(
        "/api/v1/listings",
        json={"title": "Rossetto", "category_id": make_up.id, "condition": "good"},
        headers=member.headers,
    )
    assert refused.status_code == 422 and refused.json()["fields"][0]["field"] == "condition"
    accepted = await create_listing(client, member=member, category_id=make_up.id, condition="new_with_tags")
    assert accepted["status_id"] == 6


async def test_a_copy_keeps_the_vinted_fields(client):
    member = await register(client)
    listing = await create_listing(
        client, member=member, category_id=JACKETS, size_id=SIZE_M_WOMEN, material="Cotone", colors=["Blu"]
    )
    copy = await client.post(f"/api/v1/listings/{listing['id']}/duplicate", headers=member.headers)
    body = copy.json()
    assert (body["size_id"], body["package_size_id"], body["material"], body["color_ids"]) == (
        SIZE_M_WOMEN,
        1,
        "Cotone",
        [9],
    )
