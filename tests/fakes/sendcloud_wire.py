"""Sendcloud v3 wire format for the stand-in: the account's shipping options, JSON:API errors, the request
checks with their field pointers, and webhook signing. The server itself is ``tests/fakes/sendcloud.py``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx
from starlette.responses import JSONResponse

PUBLIC_KEY = "sc-public-key"
SECRET_KEY = "sc-secret-key"
WEBHOOK_SECRET = "sc-webhook-signature-key"
OPERATIONS = ("shipping-options", "announce", "shipments:list", "shipments:get", "documents")
MIME_TYPES = ("application/pdf", "application/zpl", "image/png")
WEIGHT_UNITS = {
    "kg": Decimal(1),
    "g": Decimal("0.001"),
    "lbs": Decimal("0.45359237"),
    "oz": Decimal("0.0283495"),
}
ADDRESS_FIELDS = ("name", "address_line_1", "house_number", "postal_code", "city", "country_code")
EU = ("IT", "AT", "BE", "DE", "ES", "FR", "NL", "PT")
# Parcel status ids (v2 numbering, also in webhooks) with their messages, from the contract.
PARCEL_STATUSES = {
    1: "Announced",
    3: "En route to sorting center",
    4: "Delivery delayed",
    5: "Sorted",
    6: "Not sorted",
    7: "Being sorted",
    8: "Delivery attempt failed",
    11: "Delivered",
    12: "Awaiting customer pickup",
    13: "Announced: not collected",
    15: "Error collecting",
    22: "Shipment picked up by driver",
    80: "Unable to deliver",
    91: "Parcel en route",
    92: "Driver en route",
    93: "Shipment collected by customer",
    999: "No label",
    1000: "Ready to send",
    1001: "Being announced",
    1002: "Announcement failed",
    1337: "Unknown status - check carrier track & trace page for more insights",
    1998: "Cancelled upstream",
    1999: "Cancellation requested",
    2000: "Cancelled",
    2001: "Submitting cancellation request",
}
GENERIC_ERRORS = {
    400: ("invalid", "The request is invalid."),
    401: ("unauthorized", "Invalid username/password."),
    404: ("not_found", "Not found."),
    406: ("not_acceptable", "The requested document format is not available."),
    412: ("precondition_failed", "Your account is not fully configured: add a sender address and billing."),
    422: ("unprocessable_entity", "The request could not be processed."),
    429: ("too_many_requests", "Request was throttled."),
    500: ("internal_server_error", "A server error occurred."),
    502: ("bad_gateway", "Bad gateway."),
    503: ("service_unavailable", "The service is temporarily unavailable."),
    504: ("gateway_timeout", "Gateway timeout."),
}


@dataclass(frozen=True)
class ShippingOption:
    code: str
    name: str
    carrier_code: str
    carrier_name: str
    from_countries: tuple[str, ...]
    to_countries: tuple[str, ...]
    prices: tuple[tuple[str, str], ...]  # (up to kg, EUR) in ascending weight
    label_formats: tuple[str, ...] = ("application/pdf",)
    lead_time_hours: int = 48

    @property
    def max_kg(self) -> Decimal:
        return Decimal(self.prices[-1][0])

    def price_for(self, kg: Decimal) -> Decimal | None:
        return next((Decimal(price) for limit, price in self.prices if kg <= Decimal(limit)), None)


DEFAULT_OPTIONS = (  # fmt: skip
    ShippingOption(
        "poste_italiane:crono/home_address_only",
        "Poste Italiane Crono",
        "poste_italiane",
        "Poste Italiane",
        ("IT",),
        ("IT",),
        (("2", "6.90"), ("5", "8.90"), ("20", "15.90")),
    ),
    ShippingOption(
        "brt:standard",
        "BRT Standard",
        "brt",
        "BRT",
        ("IT",),
        ("IT",),
        (("1", "5.49"), ("3", "6.49"), ("10", "8.99"), ("25", "12.49")),
        ("application/pdf", "application/zpl"),
        24,
    ),
    ShippingOption(
        "dhl_parcel:europlus",
        "DHL Parcel Europlus",
        "dhl_parcel",
        "DHL Parcel",
        ("IT",),
        EU,
        (("2", "12.90"), ("5", "16.90"), ("31.5", "24.90")),
        MIME_TYPES,
        72,
    ),
)


def error(status: int, code: str, detail: str, pointer: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"status": str(status), "code": code, "detail": detail}
    if pointer is not None:
        item["source"] = {"pointer": pointer}
    return item


def errors_response(status: int, errors: list[dict[str, Any]] | None = None, **headers: str) -> JSONResponse:
    if not errors:
        code, detail = GENERIC_ERRORS.get(status, ("error", "Error."))
        errors = [error(status, code, detail)]
    return JSONResponse({"errors": errors}, status_code=status, headers=headers or None)


def to_kg(weight: Any, pointer: str, errors: list[dict[str, Any]]) -> Decimal | None:
    """The weight object ``{"value": "1.320", "unit": "kg"}`` in kg, or None with the errors appended."""
    if not isinstance(weight, dict):
        errors.append(error(400, "required", "This field is required.", pointer))
        return None
    value, unit = weight.get("value"), weight.get("unit")
    if unit not in WEIGHT_UNITS:
        errors.append(
            error(400, "invalid_choice", f"Unit must be one of {sorted(WEIGHT_UNITS)}.", f"{pointer}/unit")
        )
    try:
        amount = Decimal(str(value)) if isinstance(value, str | int | float) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0:
        errors.append(error(400, "invalid", "A positive decimal number is required.", f"{pointer}/value"))
        return None
    return amount * WEIGHT_UNITS[unit] if unit in WEIGHT_UNITS else None


def check_address(address: Any, pointer: str, errors: list[dict[str, Any]]) -> None:
    if not isinstance(address, dict):
        errors.append(error(400, "required", "This field is required.", pointer))
        return
    for name in ADDRESS_FIELDS:
        value = address.get(name)
        if not isinstance(value, str) or not value.strip():
            errors.append(error(400, "required", "This field is required.", f"{pointer}/{name}"))
    country = address.get("country_code")
    if isinstance(country, str) and country.strip() and (len(country) != 2 or not country.isupper()):
        errors.append(error(400, "invalid", "Use an ISO 3166-1 alpha-2 code.", f"{pointer}/country_code"))


def option_json(option: ShippingOption, weights: list[Decimal] | None) -> dict[str, Any]:
    quotes = None
    if weights is not None:
        total = sum((option.price_for(w) or Decimal(0) for w in weights or [Decimal("0.001")]), Decimal(0))
        value = {"value": f"{total:.2f}", "currency": "EUR"}
        quotes = [
            {
                "weight": {"min": "0.001", "max": f"{option.max_kg:.3f}", "unit": "kg"},
                "price": {
                    "breakdown": [{"type": "price_without_insurance", "label": "Label", "price": value}],
                    "total": value,
                },
                "lead_time": option.lead_time_hours,
            }
        ]
    return {
        "code": option.code,
        "name": option.name,
        "carrier": {"code": option.carrier_code, "name": option.carrier_name},
        "product": {"code": option.code.split("/")[0], "name": option.name},
        "functionalities": {"tracked": True, "signature": False, "last_mile": "home_delivery"},
        "weight": {
            "min": {"value": "0.001", "unit": "kg"},
            "max": {"value": f"{option.max_kg:.3f}", "unit": "kg"},
        },
        "requirements": {"fields": [], "export_documents": False},
        "quotes": quotes,
    }


def check_announce(body: dict[str, Any]) -> tuple[list[dict[str, Any]], list[Decimal]]:
    errors: list[dict[str, Any]] = []
    check_address(body.get("to_address"), "/to_address", errors)
    check_address(body.get("from_address"), "/from_address", errors)
    ship_with = body.get("ship_with")
    if not isinstance(ship_with, dict):
        errors.append(error(400, "required", "This field is required.", "/ship_with"))
    else:
        if ship_with.get("type") != "shipping_option_code":
            errors.append(error(400, "invalid_choice", 'Must be "shipping_option_code".', "/ship_with/type"))
        code = (ship_with.get("properties") or {}).get("shipping_option_code")
        if not isinstance(code, str) or not code:
            pointer = "/ship_with/properties/shipping_option_code"
            errors.append(error(400, "required", "This field is required.", pointer))
    parcels = body.get("parcels")
    weights: list[Decimal] = []
    if not isinstance(parcels, list) or not parcels:
        errors.append(error(400, "required", "At least one parcel is required.", "/parcels"))
    else:
        for index, parcel in enumerate(parcels):
            weight = parcel.get("weight") if isinstance(parcel, dict) else None
            kg = to_kg(weight, f"/parcels/{index}/weight", errors)
            if kg is not None:
                weights.append(kg)
    mime_type = (body.get("label_details") or {}).get("mime_type", "application/pdf")
    if mime_type not in MIME_TYPES:
        errors.append(
            error(400, "invalid_choice", f"Must be one of {list(MIME_TYPES)}.", "/label_details/mime_type")
        )
    order_number = body.get("order_number")
    if not isinstance(order_number, str) or not order_number:
        errors.append(error(400, "required", "This field is required.", "/order_number"))
    return errors, weights


def check_option(
    options: list[ShippingOption], body: dict[str, Any], weights: list[Decimal]
) -> tuple[ShippingOption | None, list[dict[str, Any]]]:
    code = body["ship_with"]["properties"]["shipping_option_code"]
    option = next((o for o in options if o.code == code), None)
    pointer = "/ship_with/properties/shipping_option_code"
    if option is None:
        return None, [error(422, "invalid", f"Shipping option {code!r} is not available.", pointer)]
    problems = []
    if body["from_address"]["country_code"] not in option.from_countries:
        problems.append(
            error(
                422,
                "invalid",
                "The option does not ship from this country.",
                "/from_address/country_code",
            )
        )
    if body["to_address"]["country_code"] not in option.to_countries:
        problems.append(
            error(422, "invalid", "The option does not ship to this country.", "/to_address/country_code")
        )
    for index, kg in enumerate(weights):
        if kg > option.max_kg:
            detail = f"The weight exceeds the maximum of {option.max_kg} kg for this option."
            problems.append(error(422, "invalid", detail, f"/parcels/{index}/weight/value"))
    mime_type = (body.get("label_details") or {}).get("mime_type", "application/pdf")
    if mime_type not in option.label_formats:
        detail = f"{option.carrier_name} does not offer labels as {mime_type}."
        problems.append(error(422, "invalid", detail, "/label_details/mime_type"))
    return option, problems


# --- webhooks -------------------------------------------------------------------------------------


def sign_webhook(body: bytes, secret: str = WEBHOOK_SECRET) -> str:
    """``Sendcloud-Signature``: hex HMAC-SHA256 of the raw body with the integration's secret."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def post_webhook(
    url: str, payload: dict[str, Any] | bytes, *, secret: str = WEBHOOK_SECRET, signature: str | None = None
) -> httpx.Response:
    """POST a webhook as Sendcloud does; ``signature`` overrides the correct one (to test a forgery)."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "Sendcloud-Signature": signature if signature is not None else sign_webhook(body, secret),
        "User-Agent": "Sendcloud-Webhook/1.0",
    }
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(url, content=body, headers=headers)
