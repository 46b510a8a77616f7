"""GET /api/v1/listings/brands: brand autocomplete from the family's own listings, then market data."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from tests.listings.factories import create_listing
from tests.users.factories import register

URL = "/api/v1/listings/brands"


async def test_the_family_s_brands_first_then_the_market_s_a_name_once(client, session):
    member = await register(client)
    stranger = await register(client)
    for brand in ("Levi's", "Levi's", "Lacoste", "Zara", " levi's "):
        await create_listing(client, member=member, brand=brand)
    await create_listing(client, member=stranger, brand="Lululemon")  # another family's: never shown
    await session.execute(
        text(
            "INSERT INTO trends (id, category_id, category_name, top_brands, scraped_at) VALUES "
            "(:id, 1908, 'Giacche', CAST(:brands AS jsonb), now())"
        ),
        {
            "id": uuid.uuid4(),
            "brands": '[{"name": "Levi\'s", "count": 90}, {"name": "Liu Jo", "count": 40},'
            ' {"name": "Lee", "count": 70}, {"name": "  "}, "not an object", {"name": "Max Mara", "count": 5}]',
        },
    )
    await session.commit()
    response = await client.get(URL, params={"q": "l"}, headers=member.headers)
    assert response.status_code == 200
    assert response.json()["items"] == [
        {"name": "Levi's", "source": "family"},
        {"name": "Lacoste", "source": "family"},
        {"name": "Lee", "source": "market"},
        {"name": "Liu Jo", "source": "market"},
    ]
    # A word of the name counts too ("mara" → "Max Mara"); a LIKE wildcard typed is a character.
    by_word = (await client.get(URL, params={"q": "mara"}, headers=member.headers)).json()["items"]
    assert by_word == [{"name": "Max Mara", "source": "market"}]
    wildcard = (await client.get(URL, params={"q": "%"}, headers=member.headers)).json()["items"]
    assert wildcard == []
    limited = (await client.get(URL, params={"q": "", "limit": 2}, headers=member.headers)).json()["items"]
    assert [item["name"] for item in limited] == ["Levi's", "Lacoste"]


async def test_brand_queries_are_validated_and_need_a_member(client):
    member = await register(client)
    for params in ({"limit": 0}, {"limit": 21}, {"q": "x" * 121}, {"other": "1"}):
        response = await client.get(URL, params=params, headers=member.headers)
        assert response.status_code == 422, params
    assert (await client.get(URL)).status_code == 401
