"""Catalogue search: ``GET api.vinted.<tld>/svc-catalogue/items`` with ``Authorization: Bearer`` and
``x-anon-id`` (the old ``/api/v2/catalog/items`` answers 404 code 104 since autumn 2026).

The answer no longer carries ``brand_title``, ``size_title``, ``status`` or ``catalog_id``: brand, size and
condition come from ``item_box`` (``first_line`` the brand, ``second_line`` "41 · Buone", size and
condition around a U+00B7 middle dot). The new search is reported to ignore some filters and to stop after
about ten pages, so each page records what it honoured (``SearchPage.honoured``): a filter is True when
every item agrees with it, False when one does not, None when the answer cannot tell (ids it does not
return).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import urljoin

from vinted_optimizer.scraper.vinted.client import VintedClient
from vinted_optimizer.scraper.vinted.shapes import Shape
from vinted_optimizer.scraper.vinted.transport import Request
from vinted_optimizer.vocabulary import CONDITION_STATUS_IDS, Condition, condition_from_label_it

ENDPOINT = "search"
SEARCH_PATH = "/svc-catalogue/items"
OLD_SEARCH_PATH = "/api/v2/catalog/items"
MIDDLE_DOT = " \u00b7 "
# Reports say the new search stops after about ten pages; asking for more only spends the budget.
MAX_PAGES = 10

Order = Literal["relevance", "newest_first", "price_low_to_high", "price_high_to_low"]
_SHAPE = Shape(ENDPOINT)


@dataclass(frozen=True)
class SearchQuery:
    search_text: str = ""
    page: int = 1
    per_page: int = 96
    order: Order = "newest_first"
    price_from: Decimal | None = None
    price_to: Decimal | None = None
    catalog_ids: tuple[int, ...] = ()
    brand_ids: tuple[int, ...] = ()
    size_ids: tuple[int, ...] = ()
    status_ids: tuple[int, ...] = ()
    color_ids: tuple[int, ...] = ()

    def params(self) -> dict[str, str | int]:
        out: dict[str, str | int] = {
            "search_text": self.search_text,
            "page": self.page,
            "per_page": self.per_page,
            "order": self.order,
        }
        if self.price_from is not None:
            out["price_from"] = str(self.price_from)
        if self.price_to is not None:
            out["price_to"] = str(self.price_to)
        for name in ("catalog_ids", "brand_ids", "size_ids", "status_ids", "color_ids"):
            ids: tuple[int, ...] = getattr(self, name)
            if ids:
                out[name] = ",".join(str(i) for i in ids)
        return out


@dataclass(frozen=True)
class SearchItem:
    id: int
    title: str
    price: Decimal
    currency: str
    service_fee: Decimal | None  # Buyer Protection, paid by the buyer (0.70 + 5 % in Italy)
    total_item_price: Decimal | None
    favourite_count: int
    view_count: int  # 0 in search answers: carries no information
    url: str  # absolute
    user_id: int
    user_login: str
    user_business: bool
    photo_url: str | None
    promoted: bool
    brand: str | None  # item_box.first_line: the brand as catalogued (can be a sub-brand, "Nike Air")
    size: str | None
    condition: Condition | None
    condition_label: str | None  # as shown ("Buone"), even when we do not know it

    @property
    def status_id(self) -> int | None:
        return CONDITION_STATUS_IDS[self.condition] if self.condition is not None else None


@dataclass(frozen=True)
class Pagination:
    current_page: int
    per_page: int
    total_entries: int
    total_pages: int
    time: datetime | None  # when Vinted computed the answer


@dataclass(frozen=True)
class SearchPage:
    query: SearchQuery
    items: tuple[SearchItem, ...]
    pagination: Pagination
    honoured: dict[str, bool | None] = field(default_factory=dict)

    def record(self) -> dict[str, object]:
        """What was asked and what came back, as plain JSON values: stored beside each raw snapshot, so
        trends are computed from what the search honoured, not from what it was asked."""
        return {
            "asked": self.query.params(),
            "page": self.pagination.current_page,
            "per_page": self.pagination.per_page,
            "items": len(self.items),
            "total_entries": self.pagination.total_entries,
            "total_pages": self.pagination.total_pages,
            "time": self.pagination.time.isoformat() if self.pagination.time else None,
            "honoured": dict(self.honoured),
        }


def split_second_line(text: str | None) -> tuple[str | None, str | None, Condition | None]:
    """``"41 · Buone"`` → ("41", "Buone", "good"); a line without a size (``"Ottime"``) has only the
    condition; an unknown label is kept as text with condition None."""
    if not text or not text.strip():
        return None, None, None
    parts = [part.strip() for part in text.split("\u00b7") if part.strip()]
    if not parts:
        return None, None, None
    last = parts[-1]
    condition = condition_from_label_it(last)
    if len(parts) == 1:
        return (None, last, condition) if condition is not None else (last, None, None)
    return MIDDLE_DOT.join(parts[:-1]), last, condition


def _item(raw: Any, where: str, base_url: str) -> SearchItem:
    item = _SHAPE.obj(raw, where)
    price, currency = _SHAPE.money(item, "price", where)
    fee = _SHAPE.opt_money(item, "service_fee", where)
    total = _SHAPE.opt_money(item, "total_item_price", where)
    user = _SHAPE.obj(_SHAPE.field(item, "user", where), f"{where}.user")
    box = _SHAPE.obj(item.get("item_box") or {}, f"{where}.item_box")
    size, label, condition = split_second_line(_SHAPE.opt_text(box, "second_line", f"{where}.item_box"))
    photo = item.get("photo")
    photo_url = (
        _SHAPE.opt_text(_SHAPE.obj(photo, f"{where}.photo"), "url", f"{where}.photo") if photo else None
    )
    return SearchItem(
        id=_SHAPE.integer(item, "id", where),
        title=_SHAPE.text(item, "title", where),
        price=price,
        currency=currency,
        service_fee=fee[0] if fee else None,
        total_item_price=total[0] if total else None,
        favourite_count=_SHAPE.integer(item, "favourite_count", where),
        view_count=_SHAPE.integer(item, "view_count", where) if "view_count" in item else 0,
        url=urljoin(base_url + "/", _SHAPE.text(item, "url", where)),
        user_id=_SHAPE.integer(user, "id", f"{where}.user"),
        user_login=_SHAPE.text(user, "login", f"{where}.user"),
        user_business=_SHAPE.flag(user, "business", f"{where}.user", default=False),
        photo_url=photo_url,
        promoted=_SHAPE.flag(item, "promoted", where, default=False),
        brand=(_SHAPE.opt_text(box, "first_line", f"{where}.item_box") or "").strip() or None,
        size=size,
        condition=condition,
        condition_label=label,
    )


def _pagination(raw: Any) -> Pagination:
    box = _SHAPE.obj(raw, "pagination")
    moment = box.get("time")
    return Pagination(
        current_page=_SHAPE.integer(box, "current_page", "pagination"),
        per_page=_SHAPE.integer(box, "per_page", "pagination"),
        total_entries=_SHAPE.integer(box, "total_entries", "pagination"),
        total_pages=_SHAPE.integer(box, "total_pages", "pagination"),
        time=datetime.fromtimestamp(moment, UTC)
        if isinstance(moment, int) and not isinstance(moment, bool)
        else None,
    )


def _all(values: list[bool | None]) -> bool | None:
    if any(value is False for value in values):
        return False
    if any(value is None for value in values):
        return None
    return True


def honoured(
    query: SearchQuery, items: tuple[SearchItem, ...], pagination: Pagination
) -> dict[str, bool | None]:
    """For the page and each filter asked for: did the answer follow it (see the module docstring)?"""
    out: dict[str, bool | None] = {
        "page": pagination.current_page == query.page,
        "per_page": pagination.per_page == query.per_page and len(items) <= query.per_page,
    }
    if query.price_from is not None:
        out["price_from"] = all(item.price >= query.price_from for item in items)
    if query.price_to is not None:
        out["price_to"] = all(item.price <= query.price_to for item in items)
    if query.status_ids:
        wanted = set(query.status_ids)
        out["status_ids"] = _all([None if i.status_id is None else i.status_id in wanted for i in items])
    for name in ("catalog_ids", "brand_ids", "size_ids", "color_ids"):
        if getattr(query, name):
            out[name] = None  # the answer carries no such ids: record that we could not check
    ranked = [item.price for item in items if not item.promoted]
    if query.order == "price_low_to_high":
        out["order"] = ranked == sorted(ranked)
    elif query.order == "price_high_to_low":
        out["order"] = ranked == sorted(ranked, reverse=True)
    return out


def parse_search(data: Any, *, query: SearchQuery, base_url: str) -> SearchPage:
    """A search answer (the decoded JSON) as a page; ``VintedChanged`` when its shape is not the known one."""
    body = _SHAPE.obj(data, "$")
    raw_items = _SHAPE.array(_SHAPE.field(body, "items", "$"), "items")
    items = tuple(_item(raw, f"items[{n}]", base_url.rstrip("/")) for n, raw in enumerate(raw_items))
    pagination = _pagination(_SHAPE.field(body, "pagination", "$"))
    return SearchPage(
        query=query, items=items, pagination=pagination, honoured=honoured(query, items, pagination)
    )


def search_request(query: SearchQuery) -> Request:
    return Request("GET", "api", SEARCH_PATH, params=query.params())


async def search(client: VintedClient, query: SearchQuery) -> SearchPage:
    """One page of results (anonymous session, read budget)."""
    base_url = client.transport.base_urls["site"]
    return await client.json(
        ENDPOINT,
        search_request(query),
        lambda data: parse_search(data, query=query, base_url=base_url),
        kind="read",
        auth="bearer",
    )


@dataclass(frozen=True)
class SearchRun:
    pages: tuple[SearchPage, ...]
    stopped: Literal["last_page", "empty_page", "max_pages", "page_ignored"]

    @property
    def items(self) -> tuple[SearchItem, ...]:
        return tuple(item for page in self.pages for item in page.items)


async def search_pages(client: VintedClient, query: SearchQuery, *, max_pages: int = MAX_PAGES) -> SearchRun:
    """Pages from ``query.page`` on, until the last one, an empty one, one that ignored the page asked
    for (Vinted answering page 1 again), or ``max_pages``; each page goes through the gate."""
    pages: list[SearchPage] = []
    current = query
    while True:
        page = await search(client, current)
        pages.append(page)
        if not page.honoured["page"]:
            return SearchRun(tuple(pages), "page_ignored")
        if not page.items:
            return SearchRun(tuple(pages), "empty_page")
        if page.pagination.current_page >= page.pagination.total_pages:
            return SearchRun(tuple(pages), "last_page")
        if len(pages) >= max_pages:
            return SearchRun(tuple(pages), "max_pages")
        current = replace(current, page=current.page + 1)
