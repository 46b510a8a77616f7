"""A stand-in for Sendcloud API v3 speaking its wire format (shared/contracts/sendcloud.md), scriptable.

In-memory account: Basic authentication with one key pair (401 otherwise), shipping options with quotes
for a parcel between two addresses, synchronous announcing (a shipment, its parcels, a tracking number and
URL, the carrier, the price and the label as base64), shipments looked up by ``order_number`` or
``external_reference`` (so a client can check before announcing again), and the label document as PDF,
ZPL or PNG. Errors are JSON:API (``errors[].status/code/detail/source.pointer``); the rate limits
(GET 1000/min, writes 100/min with bursts of 15/s) answer 429 with ``Retry-After`` on ``fake.clock``.

Scripting: ``fake.script("announce", Reply(status=503), Reply(delay=3))`` answers the next calls of an
operation (``OPERATIONS``) in order, then the normal behaviour returns. ``Reply.bought_but_lost(3)`` buys
the label and only then waits: the shipment exists although the client timed out. ``fake.calls`` records
every request, ``fake.labels_bought[order_number]`` counts labels, ``sign_webhook``/``post_webhook``
deliver webhooks signed as Sendcloud signs them.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import json
import threading
import uuid
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.documents import label_pdf, label_png, label_zpl
from tests.fakes.limits import DEFAULT_CLOCK, Clock, SlidingWindow, admit, retry_after

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


@dataclass
class Reply:
    status: int = 200  # >= 400: answer this error instead of doing the work
    errors: list[dict[str, Any]] | None = None  # the JSON:API errors to send; a generic one otherwise
    delay: float = 0.0  # seconds before answering (longer than the client's timeout: a slow Sendcloud)
    work_first: bool = False  # do the work (buy the label), then wait ``delay``: the answer is lost
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def bought_but_lost(cls, delay: float = 3.0) -> Reply:
        return cls(delay=delay, work_first=True)


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    json: Any


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


class FakeSendcloud:
    def __init__(
        self,
        *,
        public_key: str = PUBLIC_KEY,
        secret_key: str = SECRET_KEY,
        options: tuple[ShippingOption, ...] = DEFAULT_OPTIONS,
    ) -> None:
        self.public_key, self.secret_key = public_key, secret_key
        self._initial_options = options
        self._lock = threading.Lock()
        self.reset()
        self.app = Starlette(
            routes=[
                Route("/api/v3/shipping-options", self._shipping_options, methods=["POST"]),
                Route("/api/v3/shipments/announce", self._announce, methods=["POST"]),
                Route("/api/v3/shipments", self._list_shipments, methods=["GET"]),
                Route("/api/v3/shipments/{shipment_id}", self._get_shipment, methods=["GET"]),
                Route("/api/v3/parcels/{parcel_id:int}/documents/{kind}", self._document, methods=["GET"]),
            ]
        )

    # --- scripting and assertions ---------------------------------------------------------------

    def reset(self) -> None:
        with self._lock:
            self.clock: Clock = DEFAULT_CLOCK  # a ManualClock holds the rate limits' time still
            self.options = list(self._initial_options)
            self.account_configured = True  # False: announcing answers 412
            self.calls: list[Call] = []
            self.labels_bought: Counter[str] = Counter()
            self.shipments: dict[str, dict[str, Any]] = {}
            self._parcels: dict[int, tuple[str, list[str], ShippingOption]] = {}
            self._scripts: dict[str, deque[Reply]] = defaultdict(deque)
            self._next_parcel_id = 400_000_001
            self.read_limit = SlidingWindow(1000, 60.0)
            self.write_limits = (SlidingWindow(15, 1.0), SlidingWindow(100, 60.0))

    def script(self, operation: str, *replies: Reply) -> None:
        if operation not in OPERATIONS:
            raise ValueError(f"unknown operation {operation!r}; one of {OPERATIONS}")
        with self._lock:
            self._scripts[operation].extend(replies)

    def calls_to(self, method: str, path: str) -> list[Call]:
        return [call for call in self.calls if call.method == method and call.path == path]

    def parcel(self, parcel_id: int) -> dict[str, Any]:
        shipment_id = self._parcels[parcel_id][0]
        return next(p for p in self.shipments[shipment_id]["parcels"] if p["id"] == parcel_id)

    def webhook_payload(self, parcel_id: int, status_id: int, *, timestamp: int) -> dict[str, Any]:
        """A ``parcel_status_changed`` body for a parcel this fake announced."""
        shipment = self.shipments[self._parcels[parcel_id][0]]
        parcel = self.parcel(parcel_id)
        return {
            "action": "parcel_status_changed",
            "timestamp": timestamp,
            "carrier_status_change_timestamp": timestamp,
            "parcel": {
                "id": parcel_id,
                "tracking_number": parcel["tracking_number"],
                "tracking_url": parcel["tracking_url"],
                "order_number": shipment["order_number"],
                "external_reference": shipment["external_reference"],
                "carrier": {"code": shipment["carrier"]["code"]},
                "status": {"id": status_id, "message": PARCEL_STATUSES[status_id]},
            },
        }

    # --- the request pipeline: record, rate limit, authenticate, script ---------------------------

    async def _enter(self, request: Request, operation: str) -> tuple[Reply | None, Response | None]:
        body = await request.body()
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        request.state.json = parsed
        with self._lock:
            self.calls.append(
                Call(
                    request.method,
                    request.url.path,
                    dict(request.query_params),
                    {k.lower(): v for k, v in request.headers.items()},
                    body,
                    parsed,
                )
            )
            now = self.clock()
            limits = (self.read_limit,) if request.method == "GET" else self.write_limits
            wait = admit(limits, now)
        if wait is not None:
            return None, errors_response(429, None, **{"Retry-After": retry_after(wait)})
        if not self._authorised(request.headers.get("authorization", "")):
            return None, errors_response(401, None, **{"WWW-Authenticate": 'Basic realm="api"'})
        with self._lock:
            reply = self._scripts[operation].popleft() if self._scripts[operation] else None
        if reply is not None and not reply.work_first:
            if reply.delay:
                await asyncio.sleep(reply.delay)
            if reply.status >= 400:
                return None, errors_response(reply.status, reply.errors, **reply.headers)
        return reply, None

    def _authorised(self, header: str) -> bool:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(encoded, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return False
        public, _, secret = decoded.partition(":")
        return hmac.compare_digest(public, self.public_key) and hmac.compare_digest(secret, self.secret_key)

    @staticmethod
    async def _answer(reply: Reply | None, response: Response) -> Response:
        if reply is not None and reply.work_first:
            await asyncio.sleep(reply.delay)
            if reply.status >= 400:
                return errors_response(reply.status, reply.errors, **reply.headers)
        return response

    @staticmethod
    def _json_object(request_body: Any) -> list[dict[str, Any]]:
        if isinstance(request_body, dict):
            return []
        return [error(400, "parse_error", "The body must be a JSON object.", "")]

    # --- shipping options -------------------------------------------------------------------------

    async def _shipping_options(self, request: Request) -> Response:
        reply, problem = await self._enter(request, "shipping-options")
        if problem is not None:
            return problem
        body = request.state.json
        errors = self._json_object(body)
        if errors:
            return errors_response(400, errors)
        legacy = any(key in body for key in ("from_country_code", "to_country_code"))
        if legacy and any(key in body for key in ("from_address", "to_address")):
            errors.append(
                error(400, "invalid", "Use either the addresses or the flat country fields.", "/from_address")
            )
        origin = (body.get("from_address") or {}).get("country_code") or body.get("from_country_code")
        destination = (body.get("to_address") or {}).get("country_code") or body.get("to_country_code")
        parcels = body.get("parcels") or []
        if not isinstance(parcels, list):
            errors.append(error(400, "invalid", "Expected a list of parcels.", "/parcels"))
            parcels = []
        weights = [
            to_kg(p.get("weight") if isinstance(p, dict) else None, f"/parcels/{i}/weight", errors)
            for i, p in enumerate(parcels)
        ]
        if errors:
            return errors_response(400, errors)
        carrier = body.get("carrier_code")
        quoted = bool(body.get("calculate_quotes")) and bool(origin) and bool(destination)
        found = []
        for option in self.options:
            if (origin and origin not in option.from_countries) or (
                destination and destination not in option.to_countries
            ):
                continue
            if (carrier and option.carrier_code != carrier) or any(
                w is not None and w > option.max_kg for w in weights
            ):
                continue
            found.append(self._option_json(option, [w for w in weights if w is not None] if quoted else None))
        if not found:
            message = "We couldn't find any shipping options for this request."
            return await self._answer(reply, JSONResponse({"data": [], "message": message}))
        return await self._answer(reply, JSONResponse({"data": found}))

    @staticmethod
    def _option_json(option: ShippingOption, weights: list[Decimal] | None) -> dict[str, Any]:
        quotes = None
        if weights is not None:
            total = sum(
                (option.price_for(w) or Decimal(0) for w in weights or [Decimal("0.001")]), Decimal(0)
            )
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

    # --- announcing -------------------------------------------------------------------------------

    def _check_announce(self, body: dict[str, Any]) -> tuple[list[dict[str, Any]], list[Decimal]]:
        errors: list[dict[str, Any]] = []
        check_address(body.get("to_address"), "/to_address", errors)
        check_address(body.get("from_address"), "/from_address", errors)
        ship_with = body.get("ship_with")
        if not isinstance(ship_with, dict):
            errors.append(error(400, "required", "This field is required.", "/ship_with"))
        else:
            if ship_with.get("type") != "shipping_option_code":
                errors.append(
                    error(400, "invalid_choice", 'Must be "shipping_option_code".', "/ship_with/type")
                )
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
                error(
                    400, "invalid_choice", f"Must be one of {list(MIME_TYPES)}.", "/label_details/mime_type"
                )
            )
        order_number = body.get("order_number")
        if not isinstance(order_number, str) or not order_number:
            errors.append(error(400, "required", "This field is required.", "/order_number"))
        return errors, weights

    def _check_option(
        self, body: dict[str, Any], weights: list[Decimal]
    ) -> tuple[ShippingOption | None, list[dict[str, Any]]]:
        code = body["ship_with"]["properties"]["shipping_option_code"]
        option = next((o for o in self.options if o.code == code), None)
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

    async def _announce(self, request: Request) -> Response:
        reply, problem = await self._enter(request, "announce")
        if problem is not None:
            return problem
        body = request.state.json
        errors = self._json_object(body)
        if errors:
            return errors_response(400, errors)
        errors, weights = self._check_announce(body)
        if errors:
            return errors_response(400, errors)
        option, problems = self._check_option(body, weights)
        if problems or option is None:
            return errors_response(422, problems)
        if not self.account_configured:
            return errors_response(412)
        shipment = self._buy(body, option, weights, str(request.base_url).rstrip("/"))
        return await self._answer(reply, JSONResponse({"data": shipment}, status_code=201))

    def _buy(
        self, body: dict[str, Any], option: ShippingOption, weights: list[Decimal], base: str
    ) -> dict[str, Any]:
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        mime_type = (body.get("label_details") or {}).get("mime_type", "application/pdf")
        to = body["to_address"]
        parcels, labels = [], []
        with self._lock:
            shipment_id = str(uuid.uuid4())
            for index, parcel_in in enumerate(body["parcels"]):
                parcel_id = self._next_parcel_id
                self._next_parcel_id += 1
                tracking = f"3SVOPT{parcel_id:010d}"
                lines = [
                    option.carrier_name,
                    f"Tracking {tracking}",
                    to["name"],
                    f"{to['address_line_1']} {to['house_number']}",
                    f"{to['postal_code']} {to['city']}",
                    to["country_code"],
                    f"Ordine {body['order_number']} collo {index + 1}/{len(weights)}",
                ]
                self._parcels[parcel_id] = (shipment_id, lines, option)
                labels.append(_render(mime_type, lines))
                parcels.append(
                    {
                        "id": parcel_id,
                        "tracking_number": tracking,
                        "tracking_url": (
                            f"https://tracking.eu-central-1-0.sendcloud.sc/forward?carrier={option.carrier_code}"
                            f"&code={tracking}&destination={to['country_code']}&lang=it-it"
                            f"&source={body['from_address']['country_code']}&type=parcel"
                            f"&verification={to['postal_code']}&created_at={now[:10]}"
                        ),
                        "status": {"code": "READY_TO_SEND", "message": "Ready to send"},
                        "documents": [
                            {
                                "type": "label",
                                "size": "a6",
                                "link": f"{base}/api/v3/parcels/{parcel_id}/documents/label",
                            }
                        ],
                        "weight": parcel_in["weight"],
                        "dimensions": parcel_in.get("dimensions"),
                        "created_at": now,
                        "announced_at": now,
                    }
                )
            total = sum((option.price_for(kg) or Decimal(0) for kg in weights), Decimal(0))
            shipment = {
                "id": shipment_id,
                "order_number": body["order_number"],
                "external_reference": body.get("external_reference"),
                "created_at": now,
                "from_address": body["from_address"],
                "to_address": to,
                "ship_with": body["ship_with"],
                "carrier": {"code": option.carrier_code, "name": option.carrier_name},
                "price": {"value": f"{total:.2f}", "currency": "EUR"},
                "parcels": parcels,
            }
            self.shipments[shipment_id] = shipment
            self.labels_bought[body["order_number"]] += len(parcels)
        answer = dict(shipment)
        if len(labels) == 1:
            answer["label_file"] = base64.b64encode(labels[0]).decode()
        return answer

    # --- looking shipments up and fetching documents -----------------------------------------------

    async def _list_shipments(self, request: Request) -> Response:
        reply, problem = await self._enter(request, "shipments:list")
        if problem is not None:
            return problem
        known = {"order_number", "external_reference", "tracking_number"}
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            problems = [
                {**error(400, "invalid", f"Unknown filter {name!r}."), "source": {"parameter": name}}
                for name in unknown
            ]
            return errors_response(400, problems)
        filters = dict(request.query_params)
        with self._lock:
            found = [
                shipment
                for shipment in self.shipments.values()
                if all(
                    any(p["tracking_number"] == value for p in shipment["parcels"])
                    if name == "tracking_number"
                    else shipment.get(name) == value
                    for name, value in filters.items()
                )
            ]
        return await self._answer(reply, JSONResponse({"data": found}))

    async def _get_shipment(self, request: Request) -> Response:
        reply, problem = await self._enter(request, "shipments:get")
        if problem is not None:
            return problem
        shipment = self.shipments.get(request.path_params["shipment_id"])
        if shipment is None:
            return errors_response(404, [error(404, "not_found", "No Shipment matches the given query.")])
        return await self._answer(reply, JSONResponse({"data": shipment}))

    async def _document(self, request: Request) -> Response:
        reply, problem = await self._enter(request, "documents")
        if problem is not None:
            return problem
        parcel_id, kind = request.path_params["parcel_id"], request.path_params["kind"]
        if parcel_id not in self._parcels or kind != "label":
            return errors_response(
                404, [error(404, "not_found", f"No {kind} document for parcel {parcel_id}.")]
            )
        _, lines, option = self._parcels[parcel_id]
        accept = request.headers.get("accept", "application/pdf").split(";")[0].strip()
        mime_type = "application/pdf" if accept in ("", "*/*") else accept
        if mime_type not in MIME_TYPES or mime_type not in option.label_formats:
            return errors_response(406)
        dpi = int(request.query_params.get("dpi", "203"))
        return await self._answer(reply, Response(_render(mime_type, lines, dpi), media_type=mime_type))


def _render(mime_type: str, lines: list[str], dpi: int = 203) -> bytes:
    if mime_type == "application/zpl":
        return label_zpl(lines)
    if mime_type == "image/png":
        return label_png(lines, dpi)
    return label_pdf(lines)


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
