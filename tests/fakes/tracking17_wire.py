"""17TRACK v2.2 wire format for the stand-in: statuses, error codes and messages, carrier detection, the
``track_info`` object and webhook signing. The server itself is ``tests/fakes/tracking17.py``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from starlette.responses import JSONResponse

API_KEY = "17track-test-key"
MAX_ITEMS = 40
OPERATIONS = ("register", "gettrackinfo", "getquota", "stoptrack", "retrack", "deletetrack")
ROME = ZoneInfo("Europe/Rome")
STATUSES = (
    "NotFound", "InfoReceived", "InTransit", "Expired", "AvailableForPickup", "OutForDelivery",
    "DeliveryFailure", "Delivered", "Exception",
)  # fmt: skip
KEY_STAGES = (
    "InfoReceived", "PickedUp", "Departure", "Arrival", "AvailableForPickup", "OutForDelivery", "Delivered",
    "Returning", "Returned",
)  # fmt: skip
# Carrier codes this fake detects (17TRACK's numeric carrier keys for these carriers).
CARRIERS = {3011: "China Post", 8251: "Poste Italiane", 100026: "BRT", 7041: "DHL Paket"}
MESSAGES = {
    -18010002: "Invalid security key.",
    -18010003: "Internal service error. Please try again later.",
    -18010004: "Account is disabled.",
    -18010012: "The format of data '{0}' is invalid.",
    -18010013: "Invalid submitted data.",
    -18010014: "Tracking numbers exceed the 40 limit.",
    -18019901: "Tracking number {0} is already registered.",
    -18019902: "Tracking number {0} is not registered yet. Register first.",
    -18019903: "Carrier cannot be detected. Visit carrier info for carrier code and send as a parameter.",
    -18019904: "Only stopped numbers can be re-tracked.",
    -18019905: "Each tracking number can only be re-tracked once.",
    -18019906: "Only numbers being tracked can be stopped.",
    -18019907: "Exceeded the daily limit for tracking number {0}.",
    -18019908: "The quota is not enough.",
    -18019909: "No tracking information at this time.",
    -18019910: "The carrier's value {0} is not correct.",
}
RATE_LIMITED = "Request frequency exceeds the allowed limit."
NUMBER_FORMAT = re.compile(r"^[A-Za-z0-9-]{5,50}$")
S10 = re.compile(r"^[A-Z]{2}\d{9}([A-Z]{2})$")  # UPU S10: two letters, nine digits, the country


def detect_carrier(number: str) -> int | None:
    match = S10.match(number)
    if match:
        return {"CN": 3011, "IT": 8251}.get(match.group(1))
    if number.startswith("3SVOPT"):  # the Sendcloud stand-in's tracking numbers
        return 100026
    if number.isdigit() and len(number) in (12, 20):
        return 7041
    return None


def message_for(code: int, value: object = "") -> str:
    return MESSAGES.get(code, "Error.").format(value)


def envelope_error(code: int, status: int = 200, value: object = "") -> JSONResponse:
    body = {"code": code, "data": {"errors": [{"code": code, "message": message_for(code, value)}]}}
    return JSONResponse(body, status_code=status)


def times(moment: datetime) -> tuple[str, str]:
    """(time_iso in the parcel's local time with its offset, time_utc) as 17TRACK writes them."""
    return moment.astimezone(ROME).isoformat(), moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Parcel:
    number: str
    carrier: int
    tag: str | None = None
    status: str = "NotFound"
    sub_status: str = "NotFound_Other"
    sub_status_descr: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)  # newest first, as 17TRACK lists them
    estimated_delivery: tuple[str | None, str | None] = (None, None)
    registered_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    stopped: bool = False
    retracked: bool = False


def track_info_json(parcel: Parcel) -> dict[str, Any]:
    """The ``track_info`` object of gettrackinfo and the webhook, from a parcel's state."""
    events = parcel.events
    reached = {}
    for event in reversed(events):  # oldest first: the first time each stage was reached
        if event["stage"] and event["stage"] not in reached:
            reached[event["stage"]] = event
    first = events[-1]["time_utc"] if events else None
    transit_days = None
    if events:
        start = datetime.fromisoformat(events[-1]["time_utc"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(events[0]["time_utc"].replace("Z", "+00:00"))
        transit_days = (end - start).days
    return {
        "shipping_info": {"shipper_address": {"country": "IT"}, "recipient_address": {"country": "IT"}},
        "latest_status": {
            "status": parcel.status,
            "sub_status": parcel.sub_status,
            "sub_status_descr": parcel.sub_status_descr,
        },
        "latest_event": events[0] if events else None,
        "time_metrics": {
            "days_after_order": transit_days,
            "days_of_transit": transit_days,
            "days_of_transit_done": transit_days if parcel.status == "Delivered" else None,
            "days_after_last_update": 0 if events else None,
            "estimated_delivery_date": {
                "source": "Official" if any(parcel.estimated_delivery) else None,
                "from": parcel.estimated_delivery[0],
                "to": parcel.estimated_delivery[1],
            },
        },
        "milestone": [
            {
                "key_stage": stage,
                "time_iso": reached[stage]["time_iso"] if stage in reached else None,
                "time_utc": reached[stage]["time_utc"] if stage in reached else None,
            }
            for stage in KEY_STAGES
        ],
        "misc_info": {"first_event_time_utc": first},
        "tracking": {
            "providers_hash": int(hashlib.sha256(json.dumps(events).encode()).hexdigest()[:8], 16),
            "providers": [
                {
                    "provider": {
                        "key": parcel.carrier,
                        "name": CARRIERS[parcel.carrier],
                        "country": "IT",
                    },
                    "service_type": None,
                    "latest_sync_status": "Success",
                    "latest_sync_time": times(datetime.now(UTC))[1],
                    "events_hash": len(events),
                    "events": list(events),
                }
            ],
        },
    }


# --- webhooks -------------------------------------------------------------------------------------------


def sign_webhook(body: bytes, api_key: str = API_KEY) -> str:
    """``sign``: lowercase hex SHA-256 of ``raw_body + "/" + api_key`` (a plain hash, not an HMAC)."""
    return hashlib.sha256(body + b"/" + api_key.encode()).hexdigest()


async def post_webhook(
    url: str, payload: dict[str, Any] | bytes, *, api_key: str = API_KEY, signature: str | None = None
) -> httpx.Response:
    """POST a webhook as 17TRACK does; ``signature`` overrides the correct one (to test a forgery)."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "sign": signature if signature is not None else sign_webhook(body, api_key),
    }
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(url, content=body, headers=headers)
