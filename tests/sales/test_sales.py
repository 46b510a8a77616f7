"""Recording a sale, its life, the family's scope, and what happens to its listing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.auth.factories import register
from tests.listings.factories import create_listing, get_listing
from tests.sales.factories import record_sale
from tests.users.factories import invite_and_join
from vinted_optimizer.models import AuditLog, Sale


async def test_record_a_sale_by_hand(client, session):
    member = await register(client)
    listing = await create_listing(
        client, member=member, status="reserved", purchase_cost="6.00", category=None, brand="Zara"
    )
    sale = await record_sale(
        client,
        member=member,
        listing_id=listing["id"],
        sale_price="25.00",
        vinted_fees="2.05",
        shipping_cost="3.50",
        buyer_username="mario88",
        sold_at="2026-03-01T10:00:00",
    )
    assert sale["status"] == "pending" and sale["purchase_cost"] == "6.00"
    assert sale["net_profit"] == "13.45"  # 25 − 2.05 − 6 − 3.50
    assert sale["seller_username"] == member.username and sale["brand"] == "Zara"
    assert sale["sold_at"] == "2026-03-01T09:00:00Z"  # a time without a zone is Italian time
    assert (await get_listing(client, member=member, listing_id=listing["id"]))["status"] == "sold"
    fetched = await client.get(f"/api/v1/sales/{sale['id']}", headers=member.headers)
    assert fetched.status_code == 200 and fetched.json() == sale
    actions = (await session.scalars(select(AuditLog.action).where(AuditLog.resource_id == sale["id"]))).all()
    assert actions == ["sale.recorded"]


async def test_a_listing_sells_once(client, session):
    member = await register(client)
    sale = await record_sale(client, member=member)
    again = await client.post(
        "/api/v1/sales", json={"listing_id": sale["listing_id"], "sale_price": "9"}, headers=member.headers
    )
    assert again.status_code == 409
    assert "già venduto" in again.json()["detail"] and "listing_id" in again.json()["detail"]
    count = len((await session.scalars(select(Sale).where(Sale.listing_id == sale["listing_id"]))).all())
    assert count == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"sale_price": "-1"}, "sale_price"),
        ({"sale_price": "12.345"}, "sale_price"),
        ({"vinted_fees": "abc"}, "vinted_fees"),
        ({"shipping_cost": "-0.01"}, "shipping_cost"),
        ({"buyer_username": ""}, "buyer_username"),
        ({"sold_at": "domani"}, "sold_at"),
        ({"listing_id": "non-un-id"}, "listing_id"),
        ({"sconto": "1"}, "sconto"),
    ],
)
async def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(client, session, payload, field):
    member = await register(client)
    listing = await create_listing(client, member=member, status="published")
    body = {"listing_id": listing["id"], "sale_price": "10", **payload}
    response = await client.post("/api/v1/sales", json=body, headers=member.headers)
    assert response.status_code == 422, response.text
    assert any(field in error["field"] for error in response.json()["fields"]), response.json()
    assert (await get_listing(client, member=member, listing_id=listing["id"]))["status"] == "published"
    assert (await session.scalar(select(Sale.id).where(Sale.listing_id == listing["id"]))) is None


async def test_a_sale_in_the_future_is_refused(client):
    member = await register(client)
    listing = await create_listing(client, member=member, status="published")
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    response = await client.post(
        "/api/v1/sales",
        json={"listing_id": listing["id"], "sale_price": "10", "sold_at": tomorrow},
        headers=member.headers,
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "sold_at"
    assert "futuro" in response.json()["detail"]
    assert (await get_listing(client, member=member, listing_id=listing["id"]))["status"] == "published"


async def test_another_family_sees_nothing(client):
    member = await register(client)
    other = await register(client, family_name="Famiglia Verdi")
    sale = await record_sale(client, member=member)
    listing = await create_listing(client, member=member, status="published")
    assert (await client.get(f"/api/v1/sales/{sale['id']}", headers=other.headers)).status_code == 404
    patched = await client.patch(
        f"/api/v1/sales/{sale['id']}", json={"status": "shipped"}, headers=other.headers
    )
    assert patched.status_code == 404
    selling = await client.post(
        "/api/v1/sales", json={"listing_id": listing["id"], "sale_price": "5"}, headers=other.headers
    )
    assert selling.status_code == 404
    assert (await client.get("/api/v1/sales", headers=other.headers)).json()["total"] == 0
    stats = (await client.get("/api/v1/sales/stats", headers=other.headers)).json()
    assert stats["totals"]["sales"] == 0


async def test_members_of_a_family_share_its_sales(client):
    admin = await register(client)
    member = await invite_and_join(client, admin=admin)
    sale = await record_sale(client, member=member)
    assert sale["user_id"] == member.id
    assert (await client.get(f"/api/v1/sales/{sale['id']}", headers=admin.headers)).status_code == 200


async def test_the_transaction_life(client, session):
    member = await register(client)
    sale = await record_sale(client, member=member)
    url = f"/api/v1/sales/{sale['id']}"
    assert sale["next_statuses"] == ["shipped", "cancelled"]  # what the sale's page offers, forward first
    offered = {
        "shipped": ["delivered", "cancelled"],
        "delivered": ["completed", "refunded"],
        "completed": ["refunded"],
    }
    for status in ("shipped", "delivered", "completed"):
        response = await client.patch(url, json={"status": status}, headers=member.headers)
        assert response.status_code == 200 and response.json()["status"] == status
        assert response.json()["next_statuses"] == offered[status]
    back = await client.patch(url, json={"status": "pending"}, headers=member.headers)
    assert back.status_code == 409 and "status" in back.json()["detail"]
    assert "completata" in back.json()["detail"]
    refunded = await client.patch(url, json={"status": "refunded"}, headers=member.headers)
    assert refunded.status_code == 200 and refunded.json()["next_statuses"] == []
    closed = await client.patch(url, json={"sale_price": "1"}, headers=member.headers)
    assert closed.status_code == 409
    actions = (await session.scalars(select(AuditLog.action).where(AuditLog.resource_id == sale["id"]))).all()
    assert actions.count("sale.updated") == 4


@pytest.mark.parametrize(
    ("path", "target", "allowed"),
    [
        ((), "delivered", False),
        ((), "completed", False),
        ((), "refunded", False),
        ((), "cancelled", True),
        (("shipped",), "cancelled", True),
        (("shipped",), "refunded", False),
        (("shipped", "delivered"), "cancelled", False),
        (("shipped", "delivered"), "refunded", True),
    ],
)
async def test_only_vinted_s_transitions(client, path, target, allowed):
    member = await register(client)
    sale = await record_sale(client, member=member)
    url = f"/api/v1/sales/{sale['id']}"
    for status in path:
        assert (await client.patch(url, json={"status": status}, headers=member.headers)).status_code == 200
    response = await client.patch(url, json={"status": target}, headers=member.headers)
    assert response.status_code == (200 if allowed else 409), response.text


async def test_an_unknown_status_is_a_422(client):
    member = await register(client)
    sale = await record_sale(client, member=member)
    response = await client.patch(
        f"/api/v1/sales/{sale['id']}", json={"status": "paid"}, headers=member.headers
    )
    assert response.status_code == 422 and response.json()["fields"][0]["field"] == "status"


@pytest.mark.parametrize(
    ("before", "after"), [("published", "published"), ("reserved", "published"), ("hidden", "hidden")]
)
@pytest.mark.parametrize("ending", [("cancelled",), ("shipped", "delivered", "refunded")])
async def test_a_cancelled_or_refunded_sale_puts_the_listing_back_on_sale(client, before, after, ending):
    member = await register(client)
    listing = await create_listing(client, member=member, status=before)
    sale = await record_sale(client, member=member, listing_id=listing["id"])
    for status in ending:
        response = await client.patch(
            f"/api/v1/sales/{sale['id']}", json={"status": status}, headers=member.headers
        )
        assert response.status_code == 200
    assert (await get_listing(client, member=member, listing_id=listing["id"]))["status"] == after
    # Back on sale, it can sell again.
    await record_sale(client, member=member, listing_id=listing["id"])


async def test_correcting_a_sale_recomputes_the_profit(client):
    member = await register(client)
    sale = await record_sale(client, member=member, sale_price="20", vinted_fees="1", shipping_cost="0")
    response = await client.patch(
        f"/api/v1/sales/{sale['id']}",
        json={"sale_price": "30", "shipping_cost": "2.5", "buyer_username": "lucia"},
        headers=member.headers,
    )
    assert response.status_code == 200
    assert response.json()["net_profit"] == "21.50"  # 30 − 1 − 5 (purchase) − 2.5
    assert response.json()["buyer_username"] == "lucia"
    empty = await client.patch(
        f"/api/v1/sales/{sale['id']}", json={"sale_price": None}, headers=member.headers
    )
    assert empty.status_code == 422 and empty.json()["fields"][0]["field"] == "sale_price"


async def test_list_filters_pages_and_sorts(client):
    member = await register(client)
    other_member = await invite_and_join(client, admin=member)
    zara = await create_listing(client, member=member, status="published", brand="Zara")
    nike = await create_listing(client, member=other_member, status="published", brand="Nike")
    first = await record_sale(
        client, member=member, listing_id=zara["id"], sale_price="10", sold_at="2026-02-01T12:00:00Z"
    )
    second = await record_sale(
        client, member=other_member, listing_id=nike["id"], sale_price="30", sold_at="2026-03-01T12:00:00Z"
    )

    async def ids(query: str) -> list[str]:
        response = await client.get(f"/api/v1/sales?{query}", headers=member.headers)
        assert response.status_code == 200, response.text
        return [sale["id"] for sale in response.json()["items"]]

    assert await ids("") == [second["id"], first["id"]]
    assert await ids("sort=sale_price") == [first["id"], second["id"]]
    assert await ids("brand=zara") == [first["id"]]
    assert await ids(f"member={other_member.id}") == [second["id"]]
    assert await ids("date_from=2026-02-15") == [second["id"]]
    assert await ids("date_to=2026-02-01") == [first["id"]]
    assert await ids("status=shipped") == []
    assert await ids(f"listing_id={nike['id']}") == [second["id"]]
    assert await ids("listing_id=00000000-0000-4000-8000-000000000000") == []
    page = (await client.get("/api/v1/sales?limit=1&offset=1", headers=member.headers)).json()
    assert page["total"] == 2 and [s["id"] for s in page["items"]] == [first["id"]]
    wrong = await client.get("/api/v1/sales?date_from=2026-03-01&date_to=2026-02-01", headers=member.headers)
    assert wrong.status_code == 422 and wrong.json()["fields"][0]["field"] == "date_from"
    for day in ("0", "1700000000", "31/03/2026", "2026-3-1"):  # a number is not a Unix time, only YYYY-MM-DD
        for path in ("/api/v1/sales", "/api/v1/sales/stats", "/api/v1/sales/export"):
            refused = await client.get(f"{path}?date_to={day}", headers=member.headers)
            assert refused.status_code == 422, (path, day)
            assert refused.json()["fields"][0] == {
                "field": "date_to",
                "message": "Scrivi la data come AAAA-MM-GG, per esempio 2026-03-31.",
            }
    bad_sort = await client.get("/api/v1/sales?sort=prezzo", headers=member.headers)
    assert bad_sort.status_code == 422 and bad_sort.json()["fields"][0]["field"] == "sort"
