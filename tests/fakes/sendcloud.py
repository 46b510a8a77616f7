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
import hmac
import json
import threading
import uuid
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.documents import render_label
from tests.fakes.limits import DEFAULT_CLOCK, Clock, SlidingWindow, admit, retry_after
from tests.fakes.sendcloud_wire import (
    DEFAULT_OPTIONS,
    MIME_TYPES,
    OPERATIONS,
    PARCEL_STATUSES,
    PUBLIC_KEY,
    SECRET_KEY,
    WEBHOOK_SECRET,
    ShippingOption,
    check_announce,
    check_option,
    error,
    errors_response,
    option_json,
    post_webhook,
    sign_webhook,
    to_kg,
)

__all__ = [
    "PUBLIC_KEY",
    "SECRET_KEY",
    "WEBHOOK_SECRET",
    "Call",
    "FakeSendcloud",
    "Reply",
    "ShippingOption",
    "error",
    "post_webhook",
    "sign_webhook",
]


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


class FakeSendcloud:
    def __init__(
        self,
        *,
        public_key: str = PUBLIC_KEY,
        secret_key: str = SECRET_KEY,
        options: tuple[ShippingOption, ...] = DEFAULT_OPTIONS,
    ) -> None:
        self._keys = (public_key, secret_key)
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
            self.public_key, self.secret_key = self._keys  # a test may change them: keys rotated
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
                return None, self._scripted_error(reply)
        return reply, None

    @staticmethod
    def _scripted_error(reply: Reply) -> Response:
        headers = dict(reply.headers)
        if reply.status == 429:  # Sendcloud always says when to come back
            headers.setdefault("Retry-After", "1")
        return errors_response(reply.status, reply.errors, **headers)

    def _authorised(self, header: str) -> bool:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(encoded, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return False
        public, _, secret = decoded.partition(":")
        same_public = hmac.compare_digest(public.encode(), self.public_key.encode())
        return same_public and hmac.compare_digest(secret.encode(), self.secret_key.encode())

    @staticmethod
    async def _answer(reply: Reply | None, response: Response) -> Response:
        if reply is not None and reply.work_first:
            await asyncio.sleep(reply.delay)
            if reply.status >= 400:
                return FakeSendcloud._scripted_error(reply)
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
            found.append(option_json(option, [w for w in weights if w is not None] if quoted else None))
        if not found:
            message = "We couldn't find any shipping options for this request."
            return await self._answer(reply, JSONResponse({"data": [], "message": message}))
        return await self._answer(reply, JSONResponse({"data": found}))

    # --- announcing -------------------------------------------------------------------------------

    async def _announce(self, request: Request) -> Response:
        reply, problem = await self._enter(request, "announce")
        if problem is not None:
            return problem
        body = request.state.json
        errors = self._json_object(body)
        if errors:
            return errors_response(400, errors)
        errors, weights = check_announce(body)
        if errors:
            return errors_response(400, errors)
        option, problems = check_option(self.options, body, weights)
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
                labels.append(render_label(mime_type, lines))
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
        dpi_text = request.query_params.get("dpi", "203")
        if not dpi_text.isdigit() or not 72 <= int(dpi_text) <= 600:
            problem_dpi = {
                **error(400, "invalid", "dpi must be a whole number from 72 to 600."),
                "source": {"parameter": "dpi"},
            }
            return errors_response(400, [problem_dpi])
        dpi = int(dpi_text)
        return await self._answer(reply, Response(render_label(mime_type, lines, dpi), media_type=mime_type))
