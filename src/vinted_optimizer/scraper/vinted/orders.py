"""Sold orders and what Vinted knows of their shipping.

- ``GET /api/v2/my_orders?type=sold&status=all&page=&per_page=``, every page (Vinted drops order details
  after some weeks: the sync stores each one as soon as it is seen).
- ``GET /api/v2/transactions/{id}`` and ``…/shipment/journey_summary``: the sale and its parcel's journey.
- ``GET /api/v2/transactions/{id}/shipment/pdf_label``: Vinted's own prepaid label, a PDF (checked).

The contract names these endpoints but records no answer: the shapes parsed here (``my_orders[]`` with
``transaction_id``, ``title``, ``price``, ``status``, ``date``; ``transaction`` with ``id``, ``status``,
``buyer``, ``shipment``; ``journey_summary``) are what open-source clients read, and the tests use small
hand-written answers in that shape. What else comes is kept in ``raw``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from vinted_optimizer.scraper.vinted.client import VintedClient
from vinted_optimizer.scraper.vinted.pages import Page, every_page, page_info
from vinted_optimizer.scraper.vinted.shapes import Shape
from vinted_optimizer.scraper.vinted.transport import Request

ORDERS = "orders"
TRANSACTION = "transaction"
JOURNEY = "shipment.journey"
LABEL = "shipment.label"
PER_PAGE = 50


@dataclass(frozen=True)
class SoldOrder:
    transaction_id: int
    title: str
    price: Decimal | None
    currency: str | None
    status: str | None
    date: datetime | None
    raw: dict[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Shipment:
    id: int | None
    status: str | None
    tracking_code: str | None
    carrier: str | None


@dataclass(frozen=True)
class Transaction:
    id: int
    status: str | None
    item_ids: tuple[int, ...]
    buyer_id: int | None
    buyer_login: str | None
    shipment: Shipment | None
    raw: dict[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class JourneyStep:
    status: str | None
    title: str | None
    at: datetime | None


@dataclass(frozen=True)
class Journey:
    status: str | None
    tracking_code: str | None
    steps: tuple[JourneyStep, ...]
    raw: dict[str, Any] = field(repr=False, compare=False)


def _when(value: Any) -> datetime | None:
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def parse_orders(data: Any) -> Page[SoldOrder]:
    shape = Shape(ORDERS)
    body = shape.obj(data, "$")
    rows = []
    for n, raw in enumerate(shape.array(shape.field(body, "my_orders", "$"), "my_orders")):
        where = f"my_orders[{n}]"
        order = shape.obj(raw, where)
        money = shape.opt_money(order, "price", where) if isinstance(order.get("price"), dict) else None
        rows.append(
            SoldOrder(
                transaction_id=shape.integer(order, "transaction_id", where),
                title=shape.text(order, "title", where),
                price=money[0] if money else None,
                currency=money[1] if money else None,
                status=shape.opt_text(order, "status", where),
                date=_when(order.get("date")),
                raw=order,
            )
        )
    return Page(tuple(rows), page_info(shape, body))


def _name(value: Any) -> str | None:
    name = value.get("name") if isinstance(value, dict) else None
    return name if isinstance(name, str) else None


def _opt_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_transaction(data: Any) -> Transaction:
    shape = Shape(TRANSACTION)
    body = shape.obj(shape.field(shape.obj(data, "$"), "transaction", "$"), "transaction")
    raw_buyer = body.get("buyer")
    buyer: dict[str, Any] = raw_buyer if isinstance(raw_buyer, dict) else {}
    raw_shipment = body.get("shipment")
    shipment = None
    if isinstance(raw_shipment, dict):
        carrier = raw_shipment.get("carrier")
        shipment = Shipment(
            id=_opt_int(raw_shipment.get("id")),
            status=shape.opt_text(raw_shipment, "status", "transaction.shipment")
            if not isinstance(raw_shipment.get("status"), int)
            else str(raw_shipment["status"]),
            tracking_code=shape.opt_text(raw_shipment, "tracking_code", "transaction.shipment"),
            carrier=carrier if isinstance(carrier, str) else _name(carrier),
        )
    item_ids = body.get("item_ids")
    if not isinstance(item_ids, list):
        item_id = _opt_int(body.get("item_id"))
        item_ids = [item_id] if item_id is not None else []
    return Transaction(
        id=shape.integer(body, "id", "transaction"),
        status=str(body["status"]) if body.get("status") is not None else None,
        item_ids=tuple(i for i in item_ids if isinstance(i, int) and not isinstance(i, bool)),
        buyer_id=_opt_int(buyer.get("id")),
        buyer_login=buyer.get("login") if isinstance(buyer.get("login"), str) else None,
        shipment=shipment,
        raw=body,
    )


def parse_journey(data: Any) -> Journey:
    shape = Shape(JOURNEY)
    body = shape.obj(shape.field(shape.obj(data, "$"), "journey_summary", "$"), "journey_summary")
    raw_steps = body.get("steps") or body.get("events") or []
    steps = []
    for n, raw in enumerate(shape.array(raw_steps, "journey_summary.steps")):
        step = shape.obj(raw, f"journey_summary.steps[{n}]")
        steps.append(
            JourneyStep(
                status=step.get("status") if isinstance(step.get("status"), str) else None,
                title=step.get("title") if isinstance(step.get("title"), str) else None,
                at=_when(step.get("date") or step.get("time")),
            )
        )
    return Journey(
        status=body.get("status") if isinstance(body.get("status"), str) else None,
        tracking_code=body.get("tracking_code") if isinstance(body.get("tracking_code"), str) else None,
        steps=tuple(steps),
        raw=body,
    )


def orders_request(page: int, per_page: int = PER_PAGE) -> Request:
    return Request(
        "GET",
        "site",
        "/api/v2/my_orders",
        params={"type": "sold", "status": "all", "page": page, "per_page": per_page},
    )


async def sold_orders(client: VintedClient, *, per_page: int = PER_PAGE) -> list[SoldOrder]:
    """Every sold order of the member (their session, one read a page)."""

    async def fetch(page: int) -> Page[SoldOrder]:
        return await client.json(ORDERS, orders_request(page, per_page), parse_orders, kind="read")

    return await every_page(fetch)


async def transaction(client: VintedClient, transaction_id: int) -> Transaction:
    request = Request("GET", "site", f"/api/v2/transactions/{transaction_id}")
    return await client.json(TRANSACTION, request, parse_transaction, kind="read")


async def journey(client: VintedClient, transaction_id: int) -> Journey:
    request = Request("GET", "site", f"/api/v2/transactions/{transaction_id}/shipment/journey_summary")
    return await client.json(JOURNEY, request, parse_journey, kind="read")


async def prepaid_label(client: VintedClient, transaction_id: int) -> bytes:
    """Vinted's prepaid label as PDF bytes (``VintedChanged`` when the answer is not a PDF)."""
    request = Request(
        "GET", "site", f"/api/v2/transactions/{transaction_id}/shipment/pdf_label", expect="pdf"
    )
    reply = await client.call(LABEL, request, kind="read")
    return reply.body
