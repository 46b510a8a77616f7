"""An item's details from its public page ``/items/{id}``: the JSON-LD ``Product`` block.

``/api/v2/items/{id}`` answers 404 and ``…/details`` mostly 403, so the page is what is left. Seen on
vinted.it: ``offers.price`` a number (``6``) or text, ``itemCondition`` a bare name (``NewCondition``) or a
schema.org URL, ``category`` the Italian root and leaf run together (``"Donna Reggiseni sportivi"``), split
here against the catalog tree, ``color`` an Italian name (``"Grigio"``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from vinted_optimizer.scraper.vinted.client import VintedClient
from vinted_optimizer.scraper.vinted.shapes import Shape
from vinted_optimizer.scraper.vinted.transport import Request
from vinted_optimizer.vocabulary import COLOR_BY_NAME, Condition
from vinted_optimizer.vocabulary.catalog import Catalog, children_of, load_catalogs
from vinted_optimizer.vocabulary.text import fold

ENDPOINT = "item"
_SHAPE = Shape(ENDPOINT)
_LD_JSON = re.compile(
    r"<script[^>]*type=[\"']application/ld\+json[\"'][^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL
)
_ITEM_ID = re.compile(r"/items/(\d+)")

# schema.org's OfferItemCondition: what each says about Vinted's five conditions.
SCHEMA_CONDITIONS: dict[str, tuple[Condition, ...]] = {
    "NewCondition": ("new_with_tags", "new_without_tags"),  # the page does not say whether tags are on
    "UsedCondition": ("very_good", "good", "satisfactory"),
    "RefurbishedCondition": ("very_good",),
    "DamagedCondition": ("satisfactory",),
}


@dataclass(frozen=True)
class ItemDetails:
    id: int | None
    url: str | None
    name: str
    description: str
    brand: str | None
    price: Decimal
    currency: str | None
    availability: str | None  # "InStock", bare
    item_condition: str | None  # "NewCondition", bare
    conditions: tuple[Condition, ...]  # the Vinted conditions that item_condition allows
    category: str | None  # as the page has it: "Donna Reggiseni sportivi"
    category_root: str | None  # "Donna"
    category_leaf: str | None  # "Reggiseni sportivi"
    catalog_ids: tuple[int, ...]  # the leaves of that title below that root (one when unambiguous)
    color: str | None
    color_ids: tuple[int, ...]

    @property
    def catalog_id(self) -> int | None:
        return self.catalog_ids[0] if len(self.catalog_ids) == 1 else None


def _bare(value: str | None) -> str | None:
    """``https://schema.org/NewCondition`` → ``NewCondition``."""
    if not value:
        return None
    return value.rstrip("/").rsplit("/", 1)[-1]


@cache
def _leaves_by_title() -> dict[tuple[int, str], tuple[int, ...]]:
    """(root id, folded Italian title) → the catalogs below that root with that title, leaves first."""
    found: dict[tuple[int, str], list[Catalog]] = {}
    roots = {root.title_it: root.id for root in children_of(None)}
    for catalog in load_catalogs().values():
        root_id = roots.get(catalog.path_it.split(" > ", 1)[0])
        if root_id is not None and catalog.id != root_id:
            found.setdefault((root_id, fold(catalog.title_it)), []).append(catalog)
    return {
        key: tuple(c.id for c in sorted(matches, key=lambda c: (bool(children_of(c.id)), c.id)))
        for key, matches in found.items()
    }


@cache
def _roots_longest_first() -> tuple[tuple[str, str, int], ...]:
    roots = sorted(children_of(None), key=lambda c: -len(c.title_it))
    return tuple((fold(root.title_it), root.title_it, root.id) for root in roots)


def split_category(text: str) -> tuple[str | None, str, tuple[int, ...]]:
    """``"Donna Reggiseni sportivi"`` → ("Donna", "Reggiseni sportivi", (1439,)): the root whose Italian
    title starts the text, and the catalogs below it titled as the rest (leaves first)."""
    folded = fold(text)
    for prefix, title, root_id in _roots_longest_first():
        if folded == prefix or folded.startswith(prefix + " "):
            leaf = text.strip()[len(title) :].strip()
            return title, leaf, _leaves_by_title().get((root_id, fold(leaf)), ())
    return None, text.strip(), ()


def _product(blocks: list[Any]) -> dict[str, Any] | None:
    queue = list(blocks)
    while queue:
        block = queue.pop(0)
        if isinstance(block, list):
            queue.extend(block)
        elif isinstance(block, dict):
            kind = block.get("@type")
            if kind == "Product" or (isinstance(kind, list) and "Product" in kind):
                return block
            if isinstance(block.get("@graph"), list):
                queue.extend(block["@graph"])
    return None


def _name_of(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, str):
        return value.strip() or None
    return None


def parse_item_page(html: bytes | str) -> ItemDetails:
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    blocks: list[Any] = []
    for found in _LD_JSON.finditer(text):
        try:
            blocks.append(json.loads(found.group(1)))
        except ValueError:
            continue  # a broken block that is not the product's
    product = _product(blocks)
    if product is None:
        raise _SHAPE.fail("$", "no JSON-LD Product on the item page")
    offers = product.get("offers")
    if isinstance(offers, list):
        offers = offers[0] if offers else None
    offer = _SHAPE.obj(offers, "offers")
    price = _SHAPE.decimal(_SHAPE.field(offer, "price", "offers"), "offers.price")
    condition = _bare(_SHAPE.opt_text(offer, "itemCondition", "offers"))
    url = _SHAPE.opt_text(offer, "url", "offers")
    item_id = _ITEM_ID.search(url) if url else None
    category = _SHAPE.opt_text(product, "category", "$")
    root, leaf, catalog_ids = split_category(category) if category else (None, None, ())
    color = _SHAPE.opt_text(product, "color", "$")
    color_names = [part.strip() for part in (color or "").split(",") if part.strip()]
    return ItemDetails(
        id=int(item_id.group(1)) if item_id else None,
        url=url,
        name=_SHAPE.text(product, "name", "$"),
        description=_SHAPE.opt_text(product, "description", "$") or "",
        brand=_name_of(product.get("brand")),
        price=price,
        currency=_SHAPE.opt_text(offer, "priceCurrency", "offers"),
        availability=_bare(_SHAPE.opt_text(offer, "availability", "offers")),
        item_condition=condition,
        conditions=SCHEMA_CONDITIONS.get(condition or "", ()),
        category=category,
        category_root=root,
        category_leaf=leaf,
        catalog_ids=catalog_ids,
        color=color,
        color_ids=tuple(COLOR_BY_NAME[name].id for name in color_names if name in COLOR_BY_NAME),
    )


def item_request(item_id: int) -> Request:
    return Request("GET", "site", f"/items/{item_id}", expect="html")


async def item_details(client: VintedClient, item_id: int) -> ItemDetails:
    reply = await client.call(ENDPOINT, item_request(item_id), kind="read", auth="none")
    return await client.parsed(ENDPOINT, parse_item_page, reply.body)
