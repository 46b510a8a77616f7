"""The parsers on the recorded answers (tests/fixtures/vinted/: exact values from the files), and on small
variants of them: a changed shape is ``VintedChanged`` naming the endpoint, never a KeyError."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from vinted_optimizer.scraper.errors import VintedChanged
from vinted_optimizer.scraper.vinted.csrf import parse_csrf
from vinted_optimizer.scraper.vinted.items import parse_item_page, split_category
from vinted_optimizer.scraper.vinted.search import SearchQuery, parse_search, split_second_line
from vinted_optimizer.scraper.vinted.session import VintedSession, jwt_expiry

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vinted"
SITE = "https://www.vinted.it"
QUERY = SearchQuery(search_text="nike air max", per_page=5, page=1, order="relevance")


def search_fixture() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "search-it.json").read_bytes())
    return data


def test_search_items_exactly_as_recorded() -> None:
    page = parse_search(search_fixture(), query=QUERY, base_url=SITE)
    assert [item.id for item in page.items] == [
        10051317969,
        10035663984,
        10051526753,
        10026693491,
        10015383004,
    ]
    assert all(item.id > 2**32 for item in page.items)  # more than 32 bits
    first = page.items[0]
    assert first.title == "Brassière de sport Nike"
    assert (first.price, first.currency) == (Decimal("6.00"), "EUR")
    assert (first.service_fee, first.total_item_price) == (Decimal("1.00"), Decimal("7.00"))
    assert first.favourite_count == 25
    assert first.url == "https://www.vinted.it/items/10051317969-brassiere-de-sport-nike"
    assert (first.user_id, first.user_login, first.user_business) == (1001, "seller1", False)
    assert first.photo_url == (
        "https://images1.vinted.net/t/06_0082b_FgHcZi296vwTGmKyGM3kBxsu/f800/7d959cfd.webp"
        "?s=f34e4ddf830f012135cccc1f93b2fe95a359ec98"
    )
    assert (first.brand, first.size, first.condition, first.status_id) == (
        "Nike Air",
        "L",
        "new_without_tags",
        1,
    )
    second = page.items[1]
    assert second.title == "Nike Air Max 1 \u201cGrey Gum\u201d"
    assert (second.brand, second.size, second.condition_label, second.condition) == (
        "Nike",
        "41",
        "Buone",
        "good",
    )
    assert (second.price, second.service_fee, second.total_item_price) == (
        Decimal("55.00"),
        Decimal("3.45"),
        Decimal("58.45"),
    )
    assert [item.promoted for item in page.items] == [False, True, True, False, False]
    assert [item.size for item in page.items] == ["L", "41", "43", "36.5", "39"]
    assert [item.condition for item in page.items] == [
        "new_without_tags",
        "good",
        "good",
        "very_good",
        "very_good",
    ]
    # Buyer Protection in Italy: 0.70 + 5 % of the price, and the total is price + fee.
    for item in page.items:
        assert item.service_fee == (Decimal("0.70") + item.price * Decimal("0.05")).quantize(Decimal("0.01"))
        assert item.total_item_price == item.price + item.service_fee


def test_search_pagination_and_what_was_honoured() -> None:
    page = parse_search(search_fixture(), query=QUERY, base_url=SITE)
    assert page.pagination.current_page == 1
    assert (page.pagination.per_page, page.pagination.total_entries, page.pagination.total_pages) == (
        5,
        960,
        192,
    )
    assert page.pagination.time == datetime(2026, 9, 19, 9, 2, 59, tzinfo=UTC)
    assert page.honoured == {"page": True, "per_page": True}
    assert page.record() == {
        "asked": {"search_text": "nike air max", "page": 1, "per_page": 5, "order": "relevance"},
        "page": 1,
        "per_page": 5,
        "items": 5,
        "total_entries": 960,
        "total_pages": 192,
        "time": "2026-09-19T09:02:59+00:00",
        "honoured": {"page": True, "per_page": True},
    }
    json.dumps(page.record())  # plain JSON values


def test_search_records_filters_it_ignored() -> None:
    query = SearchQuery(
        search_text="nike",
        page=2,
        per_page=5,
        price_to=Decimal("50"),
        status_ids=(3,),
        brand_ids=(53,),
        order="price_low_to_high",
    )
    page = parse_search(search_fixture(), query=query, base_url=SITE)  # the answer is for page 1
    assert page.honoured == {
        "page": False,  # page 1 came back for page 2
        "per_page": True,
        "price_to": False,  # 55, 75, 58 are above 50
        "status_ids": False,  # "Ottime" and "Nuovo senza cartellino" are not 3
        "brand_ids": None,  # the answer carries no brand id: cannot tell
        "order": False,  # 6, 58, 30 is not ascending
    }
    only_good = parse_search(
        search_fixture(), query=SearchQuery(per_page=5, status_ids=(3, 2, 1)), base_url=SITE
    )
    assert only_good.honoured["status_ids"] is True


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("41 \u00b7 Buone", ("41", "Buone", "good")),
        ("36.5 \u00b7 Ottime", ("36.5", "Ottime", "very_good")),
        ("L \u00b7 Nuovo senza cartellino", ("L", "Nuovo senza cartellino", "new_without_tags")),
        ("M \u00b7 Buone condizioni", ("M", "Buone condizioni", "good")),  # the long form
        ("XS \u00b7 discrete", ("XS", "discrete", "satisfactory")),
        ("Nuovo con cartellino", (None, "Nuovo con cartellino", "new_with_tags")),  # no size
        ("42 \u00b7 Come nuovo", ("42", "Come nuovo", None)),  # an unknown label is kept, not guessed
        ("", (None, None, None)),
        (None, (None, None, None)),
    ],
)
def test_second_line(line: str | None, expected: tuple[str | None, str | None, str | None]) -> None:
    assert split_second_line(line) == expected


def test_search_without_item_box_has_no_brand_size_condition() -> None:
    data = search_fixture()
    del data["items"][0]["item_box"]
    data["items"][0]["photo"] = None
    first = parse_search(data, query=QUERY, base_url=SITE).items[0]
    assert (first.brand, first.size, first.condition, first.photo_url) == (None, None, None, None)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d.pop("items"), "$.items"),
        (lambda d: d.update(items={"0": {}}), "items"),
        (lambda d: d["items"][2].pop("price"), "items[2].price"),
        (lambda d: d["items"][0]["price"].update(amount="sei"), "items[0].price.amount"),
        (lambda d: d["items"][1].update(id="10035663984x"), "items[1].id"),
        (lambda d: d["items"][3]["user"].pop("login"), "items[3].user.login"),
        (lambda d: d.pop("pagination"), "$.pagination"),
        (lambda d: d["pagination"].update(total_pages=None), "pagination.total_pages"),
    ],
)
def test_search_changed_shape_names_the_endpoint(change: Any, where: str) -> None:
    data = copy.deepcopy(search_fixture())
    change(data)
    with pytest.raises(VintedChanged) as raised:
        parse_search(data, query=QUERY, base_url=SITE)
    assert raised.value.endpoint == "search"
    assert raised.value.problem.startswith(where)
    assert "Vinted ha cambiato" in raised.value.detail


def test_item_page_json_ld_exactly_as_recorded() -> None:
    item = parse_item_page((FIXTURES / "item-it.html").read_bytes())
    assert item.id == 10051317969
    assert item.url == "https://www.vinted.it/items/10051317969-brassiere-de-sport-nike"
    assert (item.name, item.description, item.brand) == (
        "Brassière de sport Nike",
        "Jamais porté",
        "Nike Air",
    )
    assert (item.price, item.currency) == (Decimal("6.00"), "EUR")
    assert (item.availability, item.item_condition) == ("InStock", "NewCondition")
    assert item.conditions == ("new_with_tags", "new_without_tags")  # the page does not say which
    assert (item.category, item.category_root, item.category_leaf) == (
        "Donna Reggiseni sportivi",
        "Donna",
        "Reggiseni sportivi",
    )
    assert item.catalog_ids == (1439,) and item.catalog_id == 1439
    assert (item.color, item.color_ids) == ("Grigio", (3,))


def test_item_page_variants() -> None:
    html = (FIXTURES / "item-it.html").read_text("utf-8")
    # A price as text and the condition as a schema.org URL (both seen in the wild).
    variant = html.replace('"price":6,', '"price":"6.50",').replace(
        '"itemCondition":"NewCondition"', '"itemCondition":"https://schema.org/UsedCondition"'
    )
    item = parse_item_page(variant)
    assert item.price == Decimal("6.50")
    assert item.item_condition == "UsedCondition"
    assert item.conditions == ("very_good", "good", "satisfactory")
    with pytest.raises(VintedChanged) as raised:
        parse_item_page(html.replace('"@type":"Product"', '"@type":"Thing"'))
    assert raised.value.endpoint == "item"
    with pytest.raises(VintedChanged):
        parse_item_page(html.replace('"price":6,', ""))


def test_split_category_against_the_catalog() -> None:
    assert split_category("Donna Reggiseni sportivi") == ("Donna", "Reggiseni sportivi", (1439,))
    # The same leaf title under each root: the root decides.
    assert split_category("Uomo Scarpe sportive") == ("Uomo", "Scarpe sportive", (1452,))
    assert split_category("Donna Scarpe sportive") == ("Donna", "Scarpe sportive", (2630,))
    # Under Bambini there are two (girls' and boys'): both are kept, none is chosen.
    assert split_category("Bambini Scarpe sportive") == ("Bambini", "Scarpe sportive", (2693, 2724))
    assert split_category("Qualcosa di nuovo") == (None, "Qualcosa di nuovo", ())


@pytest.mark.parametrize(
    "html",
    [
        '<script>self.__next_f.push([1,"{\\"CSRF_TOKEN\\":\\"75f6c9fa-dc8e-4e52-a000-e09dd4084b3e\\"}"])</script>',
        '<script>window.x = {"CSRF_TOKEN":"75f6c9fa-dc8e-4e52-a000-e09dd4084b3e"};</script>',
        '<head><meta name="csrf-token" content="75f6c9fa-dc8e-4e52-a000-e09dd4084b3e"></head>',
    ],
)
def test_csrf_token_in_the_forms_seen(html: str) -> None:
    assert parse_csrf(html.encode()) == "75f6c9fa-dc8e-4e52-a000-e09dd4084b3e"


def test_csrf_missing_is_a_change() -> None:
    with pytest.raises(VintedChanged) as raised:
        parse_csrf((FIXTURES / "item-it.html").read_bytes())  # the trimmed page has none
    assert raised.value.endpoint == "csrf"


def test_jwt_expiry_read_without_verifying() -> None:
    # {"alg":"RS256"} . {"sub":"x","exp":1789808579} . a signature nobody checks
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4IiwiZXhwIjoxNzg5ODA4NTc5fQ.c2ln"
    assert jwt_expiry(token) == datetime(2026, 9, 19, 9, 2, 59, tzinfo=UTC)
    assert jwt_expiry("not-a-jwt") is None
    assert jwt_expiry("a.!!!.c") is None
    assert jwt_expiry("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.") is None  # no exp
    member = VintedSession(access_token=token, refresh_token="r")
    assert member.needs_refresh(datetime(2026, 9, 19, 8, 53, tzinfo=UTC))  # 10 minutes before
    assert not member.needs_refresh(datetime(2026, 9, 19, 8, 52, tzinfo=UTC))
    # An expiry we cannot read is not refreshed ahead: each refresh spends the single-use token.
    assert not VintedSession(access_token="opaque", refresh_token="r").needs_refresh()
