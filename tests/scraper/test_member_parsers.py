"""Parsers of the member's endpoints on HAND-WRITTEN answers in the contract's shape (no recorded answer
exists for the wardrobe, sold orders, transactions or uploads): they pin what we read, not what Vinted
sends. Replace them with recorded answers when the sync first sees real ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tests.fakes.vinted import orders_page, wardrobe_page
from vinted_optimizer.scraper.errors import VintedChanged
from vinted_optimizer.scraper.vinted.orders import parse_journey, parse_orders, parse_transaction
from vinted_optimizer.scraper.vinted.uploads import (
    NewItem,
    bare_number,
    item_payload,
    parse_created,
    parse_photo,
)
from vinted_optimizer.scraper.vinted.wardrobe import parse_wardrobe

SITE = "https://www.vinted.it"


def test_wardrobe_page() -> None:
    page = parse_wardrobe(wardrobe_page(1001, 1, 4, 7), base_url=SITE)  # hand-written
    assert (page.info.current_page, page.info.total_pages, page.info.total_entries) == (1, 2, 7)
    assert [item.id for item in page.rows] == [9_000_000_000, 9_000_000_001, 9_000_000_002, 9_000_000_003]
    third = page.rows[2]
    assert (third.is_closed, third.closing_action, third.sold) == (True, "sold", True)
    assert (third.price, third.currency) == (Decimal("12.50"), "EUR")
    assert third.url == "https://www.vinted.it/items/9000000002-articolo-2"
    assert [item.is_reserved for item in page.rows] == [False, False, False, False]
    assert not page.rows[0].sold and not page.rows[0].is_closed


def test_wardrobe_older_price_shape_and_missing_flags() -> None:
    data = wardrobe_page(1001, 1, 2, 2)
    data["items"][0]["price"] = "15.0"
    data["items"][0]["currency"] = "EUR"
    del data["items"][1]["is_hidden"]
    page = parse_wardrobe(data, base_url=SITE)
    assert (page.rows[0].price, page.rows[0].currency) == (Decimal("15.00"), "EUR")
    assert page.rows[1].is_hidden is False
    del data["items"][1]["is_closed"]  # what says whether it is still for sale: required
    with pytest.raises(VintedChanged) as raised:
        parse_wardrobe(data, base_url=SITE)
    assert (raised.value.endpoint, raised.value.problem) == ("wardrobe", "items[1].is_closed: missing")


def test_sold_orders_page() -> None:
    page = parse_orders(orders_page(1, 3, 5))  # hand-written
    assert (page.info.current_page, page.info.total_pages) == (1, 2)
    first = page.rows[0]
    assert (first.transaction_id, first.title, first.price, first.currency, first.status) == (
        7_000_000_000,
        "Venduto 0",
        Decimal("20.00"),
        "EUR",
        "Spedito",
    )
    assert first.date == datetime(2026, 11, 1, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    with pytest.raises(VintedChanged) as raised:
        parse_orders({"orders": [], "pagination": {}})
    assert raised.value.endpoint == "orders"


def test_transaction_and_journey() -> None:
    transaction = parse_transaction(
        {
            "transaction": {
                "id": 7_000_000_001,
                "status": 230,
                "item_id": 10051317969,
                "buyer": {"id": 5005, "login": "compratrice"},
                "shipment": {
                    "id": 42,
                    "status": 200,
                    "tracking_code": "3SVOPT123456",
                    "carrier": {"name": "BRT"},
                },
            }
        }
    )  # hand-written
    assert (transaction.id, transaction.status, transaction.item_ids) == (
        7_000_000_001,
        "230",
        (10051317969,),
    )
    assert (transaction.buyer_id, transaction.buyer_login) == (5005, "compratrice")
    assert transaction.shipment is not None
    assert (transaction.shipment.tracking_code, transaction.shipment.carrier) == ("3SVOPT123456", "BRT")
    journey = parse_journey(
        {
            "journey_summary": {
                "status": "in_transit",
                "steps": [{"status": "in_transit", "title": "In transito", "date": "2026-11-21T15:30:00Z"}],
            }
        }
    )
    assert journey.status == "in_transit"
    assert journey.steps[0].at == datetime(2026, 11, 21, 15, 30, tzinfo=UTC)
    with pytest.raises(VintedChanged):
        parse_transaction({"id": 1})


def test_item_payload_has_what_vinted_wants() -> None:
    item = NewItem(
        title="Giacca di jeans",
        description="Usata poche volte",
        catalog_id=1439,
        price=Decimal("12.50"),
        status_id=3,
        package_size_id=1,
        photo_ids=(501, 502),
        brand_id=53,
        brand="Nike",
        size_id=207,
        color_ids=(3,),
    )
    payload = item_payload(item, upload_session_id="s-1")
    body = payload["item"]
    assert body["price"] == 12.5 and isinstance(body["price"], float)  # a bare number, not "12.50"
    assert (body["size_id"], body["status_id"], body["package_size_id"]) == (207, 3, 1)
    assert body["item_attributes"] == [{"code": "size", "ids": [207]}, {"code": "condition", "ids": [3]}]
    assert body["assigned_photos"] == [{"id": 501, "orientation": 0}, {"id": 502, "orientation": 0}]
    assert (payload["push_up"], payload["upload_session_id"]) == (False, "s-1")
    assert bare_number(Decimal("20.00")) == 20 and isinstance(bare_number(Decimal("20.00")), int)
    assert bare_number(Decimal("19.99")) == 19.99


def test_upload_answers() -> None:
    assert parse_photo({"id": 11_000_000_001, "temp_uuid": "x"}) == 11_000_000_001
    assert parse_created({"item": {"id": 11_000_000_002}}) == 11_000_000_002
    with pytest.raises(VintedChanged) as raised:
        parse_created({"id": 3})
    assert raised.value.endpoint == "item.create"
