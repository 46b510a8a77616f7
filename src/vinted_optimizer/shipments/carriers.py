"""Which carriers can take a parcel, and at what price: Sendcloud's shipping options, cheapest first.

The answers are kept a few minutes in Redis per family and question: a seller trying weights on the
sale's page asks the same few questions again and again, and Sendcloud counts shipping-options among
its writes (100 a minute).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

import structlog
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.kit.principal import Member
from vinted_optimizer.shipments.account import Ready, SenderMissing, Tools, ready
from vinted_optimizer.shipments.schemas import (
    CarrierList,
    CarrierOption,
    CarrierQuery,
    Dimensions,
    QuoteRequest,
)

CACHE_PREFIX = "vo:carriers:"
CACHE_SECONDS = 600

log = structlog.get_logger(__name__)


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def _kg(weight: Any) -> Decimal | None:
    if not isinstance(weight, dict):
        return None
    amount = _decimal(weight.get("value"))
    return (
        amount.quantize(Decimal("0.001")) if amount is not None and weight.get("unit", "kg") == "kg" else None
    )


def option_of(item: dict[str, Any]) -> CarrierOption | None:
    carrier = item.get("carrier") or {}
    code = item.get("code")
    if not isinstance(code, str) or not isinstance(carrier, dict):
        return None
    price = None
    quotes = item.get("quotes") or []
    if isinstance(quotes, list) and quotes and isinstance(quotes[0], dict):
        total = (quotes[0].get("price") or {}).get("total") or {}
        if total.get("currency", "EUR") == "EUR":
            price = _decimal(total.get("value"))
    weight = item.get("weight") or {}
    return CarrierOption(
        code=code,
        name=str(item.get("name") or code),
        carrier_code=str(carrier.get("code") or code.split(":")[0]),
        carrier_name=str(carrier.get("name") or carrier.get("code") or ""),
        price=price.quantize(Decimal("0.01")) if price is not None else None,
        label_formats=["pdf"],
        min_weight_kg=_kg(weight.get("min")),
        max_weight_kg=_kg(weight.get("max")),
    )


def cheapest_first(items: list[dict[str, Any]]) -> CarrierList:
    options = [option for option in map(option_of, items) if option is not None]
    options.sort(key=lambda o: (o.price is None, o.price or Decimal(0), o.name))
    return CarrierList(items=options)


def _parcel(weight_kg: Decimal, dimensions: Dimensions | None) -> dict[str, Any]:
    parcel: dict[str, Any] = {"weight": {"value": f"{weight_kg:.3f}", "unit": "kg"}}
    if dimensions is not None:
        parcel["dimensions"] = {
            "length": f"{dimensions.length_cm}",
            "width": f"{dimensions.width_cm}",
            "height": f"{dimensions.height_cm}",
            "unit": "cm",
        }
    return parcel


def _address(country: str, postal_code: str | None) -> dict[str, str]:
    address = {"country_code": country}
    if postal_code:
        address["postal_code"] = postal_code
    return address


def _cache_key(family_id: uuid.UUID, keys_of: str, body: dict[str, Any]) -> str:
    question = hashlib.sha256(f"{keys_of}\n{json.dumps(body, sort_keys=True)}".encode()).hexdigest()
    return f"{CACHE_PREFIX}{family_id}:{question[:32]}"


async def _options(member: Member, tools: Tools, account: Ready, body: dict[str, Any]) -> CarrierList:
    """Sendcloud's answer to ``body``, from the cache when it was asked in the last minutes. Other keys
    are another question (the public key is part of the cache key); Redis down only skips the cache."""
    key = _cache_key(member.family_id, account.keys.public_key, body)
    try:
        cached = await tools.redis.get(key)
    except RedisError:
        log.warning("carriers.cache_unavailable")
        cached = None
    if cached is not None:
        return CarrierList.model_validate_json(cached)
    async with tools.sendcloud(account.keys) as sendcloud:
        options = cheapest_first(await sendcloud.shipping_options(body))
    try:
        await tools.redis.set(key, options.model_dump_json(), ex=CACHE_SECONDS)
    except RedisError:
        log.warning("carriers.cache_unavailable")
    return options


async def for_sender(session: AsyncSession, member: Member, tools: Tools, query: CarrierQuery) -> CarrierList:
    """The options from the family's sender address."""
    account = await ready(session, member, tools)
    assert account.sender is not None
    sender = account.sender
    body = {
        "from_address": _address(sender.country_code, sender.postal_code),
        "to_address": _address(query.to_country or sender.country_code, None),
        "parcels": [_parcel(query.weight_kg, None)],
        "calculate_quotes": True,
    }
    return await _options(member, tools, account, body)


async def quote(session: AsyncSession, member: Member, tools: Tools, data: QuoteRequest) -> CarrierList:
    account = await ready(session, member, tools, sender=data.from_country is None)
    if data.from_country is None and account.sender is None:  # pragma: no cover - ready() refused it
        raise SenderMissing()
    from_country = data.from_country or (account.sender.country_code if account.sender else "IT")
    from_postal = data.from_postal_code or (
        account.sender.postal_code if account.sender and data.from_country is None else None
    )
    body = {
        "from_address": _address(from_country, from_postal),
        "to_address": _address(data.to_country, data.to_postal_code),
        "parcels": [_parcel(data.weight_kg, data.dimensions)],
        "calculate_quotes": True,
    }
    return await _options(member, tools, account, body)
