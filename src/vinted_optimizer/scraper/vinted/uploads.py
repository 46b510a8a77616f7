"""Writes: a photo upload, an item's creation and its deletion (each a member's explicit action, on the
write budget, with ``X-CSRF-Token``).

- ``POST /api/v2/photos``, multipart ``photo[file]``, ``photo[type]=item``, ``photo[temp_uuid]`` → ``id``.
- ``POST /api/v2/item_upload/items`` ``{item: {…}, push_up: false, upload_session_id}``: the price a bare
  number, size and condition both in ``item_attributes`` and as flat ``size_id``/``status_id``,
  ``package_size_id`` required (without it: 400 code 99) → ``item.id``.
- ``DELETE /api/v2/items/{id}``, falling back to ``POST /api/v2/items/{id}/delete`` when DELETE is refused
  as unknown (404/405).

The contract gives the requests; the answers' shapes (``{"id"}``, ``{"item": {"id"}}``) are small and the
tests use hand-written ones.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from vinted_optimizer.scraper.errors import VintedRefused
from vinted_optimizer.scraper.vinted.client import VintedClient
from vinted_optimizer.scraper.vinted.shapes import Shape
from vinted_optimizer.scraper.vinted.transport import Request, Upload

PHOTO = "photo.upload"
CREATE = "item.create"
DELETE = "item.delete"


@dataclass(frozen=True)
class NewItem:
    title: str
    description: str
    catalog_id: int
    price: Decimal
    status_id: int  # the condition (vocabulary.CONDITION_STATUS_IDS)
    package_size_id: int  # 1, 2, 3 (vocabulary.packages)
    photo_ids: tuple[int, ...]
    currency: str = "EUR"
    brand_id: int | None = None
    brand: str | None = None
    size_id: int | None = None
    color_ids: tuple[int, ...] = ()


def bare_number(amount: Decimal) -> int | float:
    """Vinted wants ``"price": 12.5``, not ``"12.50"``. A two-place amount's float prints as typed."""
    quantized = amount.quantize(Decimal("0.01"))
    return int(quantized) if quantized == quantized.to_integral_value() else float(quantized)


def item_payload(item: NewItem, *, upload_session_id: str) -> dict[str, Any]:
    attributes: list[dict[str, Any]] = []
    if item.size_id is not None:
        attributes.append({"code": "size", "ids": [item.size_id]})
    attributes.append({"code": "condition", "ids": [item.status_id]})
    return {
        "item": {
            "id": None,
            "title": item.title,
            "description": item.description,
            "brand_id": item.brand_id,
            "brand": item.brand,
            "catalog_id": item.catalog_id,
            "price": bare_number(item.price),
            "currency": item.currency,
            "color_ids": list(item.color_ids),
            "assigned_photos": [{"id": photo_id, "orientation": 0} for photo_id in item.photo_ids],
            "package_size_id": item.package_size_id,
            "size_id": item.size_id,
            "status_id": item.status_id,
            "item_attributes": attributes,
            "is_unisex": False,
            "shipment_prices": {"domestic": None, "international": None},
        },
        "push_up": False,
        "upload_session_id": upload_session_id,
    }


def parse_photo(data: Any) -> int:
    shape = Shape(PHOTO)
    return shape.integer(shape.obj(data, "$"), "id", "$")


def parse_created(data: Any) -> int:
    shape = Shape(CREATE)
    body = shape.obj(data, "$")
    return shape.integer(shape.obj(shape.field(body, "item", "$"), "item"), "id", "item")


async def upload_photo(
    client: VintedClient, content: bytes, *, filename: str = "photo.jpg", temp_uuid: str | None = None
) -> int:
    request = Request(
        "POST",
        "site",
        "/api/v2/photos",
        multipart=(
            Upload("photo[type]", "item"),
            Upload("photo[temp_uuid]", temp_uuid or str(uuid.uuid4())),
            Upload("photo[file]", content, filename=filename, content_type="image/jpeg"),
        ),
    )
    return await client.json(PHOTO, request, parse_photo, kind="write")


async def create_item(client: VintedClient, item: NewItem, *, upload_session_id: str | None = None) -> int:
    """The new item's Vinted id."""
    if item.package_size_id not in (1, 2, 3):
        raise ValueError("package_size_id is required (Vinted answers 400 code 99 without it)")
    if not item.photo_ids:
        raise ValueError("an item needs at least one uploaded photo")
    payload = item_payload(item, upload_session_id=upload_session_id or str(uuid.uuid4()))
    request = Request("POST", "site", "/api/v2/item_upload/items", json_body=payload)
    return await client.json(CREATE, request, parse_created, kind="write")


async def delete_item(client: VintedClient, item_id: int) -> None:
    try:
        await client.call(
            DELETE, Request("DELETE", "site", f"/api/v2/items/{item_id}", expect="any"), kind="write"
        )
    except VintedRefused as refused:
        if refused.status not in (404, 405):
            raise
        fallback = Request("POST", "site", f"/api/v2/items/{item_id}/delete", expect="any")
        await client.call(DELETE, fallback, kind="write")
