"""A member's wardrobe: ``GET /api/v2/users/{id}/items?page=&per_page=``, every page.

Each item says whether it is still for sale: ``is_closed`` (sold or removed), ``is_hidden``,
``is_reserved``, and ``item_closing_action`` (``"sold"`` when a sale closed it). The contract gives these
fields and no recorded answer: the tests use a small hand-written one in that shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urljoin

from vinted_optimizer.scraper.vinted.client import VintedClient
from vinted_optimizer.scraper.vinted.pages import Page, every_page, page_info
from vinted_optimizer.scraper.vinted.shapes import Shape
from vinted_optimizer.scraper.vinted.transport import Request

ENDPOINT = "wardrobe"
PER_PAGE = 96
_SHAPE = Shape(ENDPOINT)


@dataclass(frozen=True)
class WardrobeItem:
    id: int
    title: str
    price: Decimal | None
    currency: str | None
    url: str | None
    is_closed: bool
    is_hidden: bool
    is_reserved: bool
    closing_action: str | None  # "sold", …

    @property
    def sold(self) -> bool:
        return self.closing_action == "sold"


def _price(item: dict[str, Any], where: str) -> tuple[Decimal | None, str | None]:
    value = item.get("price")
    if value is None:
        return None, None
    if isinstance(value, dict):
        return _SHAPE.money(item, "price", where)
    # The older shape: "price": "12.0" beside "currency": "EUR".
    return _SHAPE.decimal(value, f"{where}.price"), _SHAPE.opt_text(item, "currency", where)


def parse_wardrobe(data: Any, *, base_url: str) -> Page[WardrobeItem]:
    body = _SHAPE.obj(data, "$")
    rows = []
    for n, raw in enumerate(_SHAPE.array(_SHAPE.field(body, "items", "$"), "items")):
        where = f"items[{n}]"
        item = _SHAPE.obj(raw, where)
        price, currency = _price(item, where)
        url = _SHAPE.opt_text(item, "url", where)
        rows.append(
            WardrobeItem(
                id=_SHAPE.integer(item, "id", where),
                title=_SHAPE.text(item, "title", where),
                price=price,
                currency=currency,
                url=urljoin(base_url.rstrip("/") + "/", url) if url else None,
                is_closed=_SHAPE.flag(item, "is_closed", where),
                is_hidden=_SHAPE.flag(item, "is_hidden", where, default=False),
                is_reserved=_SHAPE.flag(item, "is_reserved", where, default=False),
                closing_action=_SHAPE.opt_text(item, "item_closing_action", where),
            )
        )
    return Page(tuple(rows), page_info(_SHAPE, body))


def wardrobe_request(user_id: int, page: int, per_page: int = PER_PAGE) -> Request:
    return Request(
        "GET", "site", f"/api/v2/users/{user_id}/items", params={"page": page, "per_page": per_page}
    )


async def wardrobe(client: VintedClient, user_id: int, *, per_page: int = PER_PAGE) -> list[WardrobeItem]:
    """Every item of the member's wardrobe (the member's session, one read a page)."""
    base_url = client.transport.base_urls["site"]

    async def fetch(page: int) -> Page[WardrobeItem]:
        return await client.json(
            ENDPOINT,
            wardrobe_request(user_id, page, per_page),
            lambda data: parse_wardrobe(data, base_url=base_url),
            kind="read",
        )

    return await every_page(fetch)
