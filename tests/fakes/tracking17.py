"""A stand-in for 17TRACK API v2.2 speaking its wire format (shared/contracts/tracking17.md), scriptable.

Every operation is ``POST /track/v2.2/<operation>`` with the ``17token`` header and a JSON array of at
most 40 items; answers use the envelope ``{"code": 0, "data": {"accepted": [...], "rejected": [...]}}``
with per-number ``error.code`` values (-18019901 already registered, -18019902 not registered, -18019903
carrier not detected, -18019909 no information yet, ...). A wrong key is HTTP 401 with -18010002, more than
40 numbers is envelope code -18010014, and more than 3 requests in a second (on ``fake.clock``) is HTTP 429.
Operations: register, gettrackinfo, getquota, stoptrack, retrack (once per number), deletetrack.

Scripting: ``fake.script("gettrackinfo", Reply(status=503), Reply(delay=3))`` answers the next calls of
an operation in order; ``fake.rejections[number] = -18019907`` rejects one number on every call;
``fake.add_event(number, ...)`` advances a parcel (its status, sub-status, milestones and events) and
``post_webhook(url, fake.webhook_payload(number))`` pushes it signed as 17TRACK signs. ``fake.calls``
records every request; ``fake.registrations`` counts registrations per number (quota spent).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import threading
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.limits import DEFAULT_CLOCK, Clock, SlidingWindow, admit
from tests.fakes.tracking17_wire import (
    API_KEY,
    CARRIERS,
    KEY_STAGES,
    MAX_ITEMS,
    NUMBER_FORMAT,
    OPERATIONS,
    RATE_LIMITED,
    STATUSES,
    Parcel,
    detect_carrier,
    envelope_error,
    message_for,
    post_webhook,
    sign_webhook,
    times,
    track_info_json,
)

__all__ = [
    "API_KEY",
    "KEY_STAGES",
    "STATUSES",
    "Call",
    "FakeTrack17",
    "Reply",
    "post_webhook",
    "sign_webhook",
]


@dataclass
class Reply:
    status: int = 200  # != 200: answer this HTTP status with ``code`` in the envelope
    code: int = -18010003  # the envelope code for an error reply
    delay: float = 0.0  # seconds before answering (longer than the client's timeout: a slow 17TRACK)
    headers: dict[str, str] = field(default_factory=dict)
    as_error: bool = True  # False with status 200: only the delay, then the normal answer


@dataclass(frozen=True)
class Call:
    operation: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    json: Any


def rate_limited() -> JSONResponse:
    """HTTP 429 over 3 requests/s (17TRACK documents the status, not the body; no Retry-After)."""
    return JSONResponse(
        {"code": 429, "data": {"errors": [{"code": 429, "message": RATE_LIMITED}]}}, status_code=429
    )


class FakeTrack17:
    def __init__(self, *, api_key: str = API_KEY, quota_total: int = 100) -> None:
        self.api_key = api_key
        self._quota_total = quota_total
        self._lock = threading.Lock()
        self.reset()
        self.app = Starlette(routes=[Route("/track/v2.2/{operation}", self._dispatch, methods=["POST"])])

    # --- scripting, controls and assertions -----------------------------------------------------------

    def reset(self) -> None:
        with self._lock:
            self.clock: Clock = DEFAULT_CLOCK  # a ManualClock holds the rate limit's time still
            self.rate_limit = SlidingWindow(3, 1.0)
            self.quota_total = self._quota_total
            self.account_disabled = False
            self.parcels: dict[str, Parcel] = {}
            self.registrations: Counter[str] = Counter()
            self.today_used = 0
            self.rejections: dict[str, int] = {}
            self.calls: list[Call] = []
            self._scripts: dict[str, deque[Reply]] = defaultdict(deque)

    def script(self, operation: str, *replies: Reply) -> None:
        if operation not in OPERATIONS:
            raise ValueError(f"unknown operation {operation!r}; one of {OPERATIONS}")
        with self._lock:
            self._scripts[operation].extend(replies)

    def calls_to(self, operation: str) -> list[Call]:
        return [call for call in self.calls if call.operation == operation]

    def add_event(
        self,
        number: str,
        description: str,
        *,
        status: str,
        sub_status: str | None = None,
        stage: str | None = None,
        location: str | None = None,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        """A new carrier event on a registered parcel; it becomes the latest status and event."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        if stage is not None and stage not in KEY_STAGES:
            raise ValueError(f"unknown stage {stage!r}")
        with self._lock:
            parcel = self.parcels[number]
            moment = at or (parcel.registered_at + timedelta(hours=len(parcel.events) + 1))
            time_iso, time_utc = times(moment)
            event = {
                "time_iso": time_iso,
                "time_utc": time_utc,
                "description": description,
                "location": location,
                "stage": stage or "",
                "sub_status": sub_status or f"{status}_Other",
                "address": {"country": "IT" if location else None, "city": location},
            }
            parcel.events.insert(0, event)
            parcel.events.sort(key=lambda item: item["time_utc"], reverse=True)
            parcel.status, parcel.sub_status = status, sub_status or f"{status}_Other"
            return event

    def set_status(self, number: str, status: str, sub_status: str, descr: str | None = None) -> None:
        """Change the latest status without an event (17TRACK's own status, e.g. ``Expired_Other``)."""
        if status not in STATUSES or not sub_status.startswith(status):
            raise ValueError(f"{status!r}/{sub_status!r} is not a 17TRACK status and sub-status")
        with self._lock:
            parcel = self.parcels[number]
            parcel.status, parcel.sub_status, parcel.sub_status_descr = status, sub_status, descr

    def track_info(self, number: str) -> dict[str, Any]:
        return track_info_json(self.parcels[number])

    def webhook_payload(self, number: str) -> dict[str, Any]:
        parcel = self.parcels[number]
        return {
            "event": "TRACKING_UPDATED",
            "data": {
                "number": number,
                "carrier": parcel.carrier,
                "tag": parcel.tag,
                "track_info": self.track_info(number),
            },
        }

    # --- the request pipeline: record, rate limit, authenticate, script, check the batch -------------

    async def _dispatch(self, request: Request) -> Response:
        operation = request.path_params["operation"]
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        with self._lock:
            self.calls.append(Call(operation, {k.lower(): v for k, v in request.headers.items()}, raw, body))
            wait = admit((self.rate_limit,), self.clock())
        if wait is not None:
            return rate_limited()
        if not hmac.compare_digest(request.headers.get("17token", "").encode(), self.api_key.encode()):
            return envelope_error(-18010002, status=401)
        if self.account_disabled:
            return envelope_error(-18010004, status=401)
        if operation not in OPERATIONS:
            return Response("Not Found", status_code=404)
        with self._lock:
            reply = self._scripts[operation].popleft() if self._scripts[operation] else None
        if reply is not None:
            if reply.delay:
                await asyncio.sleep(reply.delay)
            if reply.as_error:
                answer = (
                    rate_limited() if reply.status == 429 else envelope_error(reply.code, status=reply.status)
                )
                answer.headers.update(reply.headers)
                return answer
        if operation == "getquota":
            return self._getquota()
        if not isinstance(body, list) or not all(
            isinstance(i, dict) and isinstance(i.get("number"), str) for i in body
        ):
            return envelope_error(-18010013)
        if len(body) > MAX_ITEMS:
            return envelope_error(-18010014)
        handler = {
            "register": self._register,
            "gettrackinfo": self._gettrackinfo,
            "stoptrack": self._stoptrack,
            "retrack": self._retrack,
            "deletetrack": self._deletetrack,
        }[operation]
        with self._lock:
            accepted, rejected = [], []
            for item in body:
                good, bad = handler(item)
                if good is not None:
                    accepted.append(good)
                if bad is not None:
                    rejected.append(bad)
        return JSONResponse({"code": 0, "data": {"accepted": accepted, "rejected": rejected}})

    @staticmethod
    def _rejected(number: str, code: int, value: object = None) -> dict[str, Any]:
        return {"number": number, "error": {"code": code, "message": message_for(code, value or number)}}

    def _register(self, item: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        number, carrier = item["number"], item.get("carrier")
        if number in self.rejections:
            return None, self._rejected(number, self.rejections[number])
        if not NUMBER_FORMAT.match(number):
            return None, self._rejected(number, -18010012)
        if number in self.parcels:
            return None, self._rejected(number, -18019901)
        if carrier is not None and carrier not in CARRIERS:
            return None, self._rejected(number, -18019910, carrier)
        detected = carrier if carrier is not None else detect_carrier(number)
        if detected is None:
            return None, self._rejected(number, -18019903)
        if sum(self.registrations.values()) >= self.quota_total:
            return None, self._rejected(number, -18019908)
        self.parcels[number] = Parcel(number, detected, item.get("tag"))
        self.registrations[number] += 1
        self.today_used += 1
        accepted: dict[str, Any] = {
            "origin": 1 if carrier is not None else 2,
            "number": number,
            "carrier": detected,
        }
        if item.get("tag") is not None:
            accepted["tag"] = item["tag"]
        return accepted, None

    def _gettrackinfo(self, item: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        parcel, problem = self._registered(item)
        if parcel is None:
            return None, problem
        if not parcel.events and parcel.status == "NotFound":
            return None, self._rejected(parcel.number, -18019909)
        info = track_info_json(parcel)
        return {
            "number": parcel.number,
            "carrier": parcel.carrier,
            "param": None,
            "tag": parcel.tag,
            "track_info": info,
        }, None

    def _registered(self, item: dict[str, Any]) -> tuple[Parcel | None, dict[str, Any] | None]:
        number, carrier = item["number"], item.get("carrier")
        if number in self.rejections:
            return None, self._rejected(number, self.rejections[number])
        parcel = self.parcels.get(number)
        if parcel is None or (carrier is not None and carrier != parcel.carrier):
            return None, self._rejected(number, -18019902)
        return parcel, None

    def _stoptrack(self, item: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        parcel, problem = self._registered(item)
        if parcel is None:
            return None, problem
        if parcel.stopped:
            return None, self._rejected(parcel.number, -18019906)
        parcel.stopped = True
        return {"number": parcel.number, "carrier": parcel.carrier}, None

    def _retrack(self, item: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        parcel, problem = self._registered(item)
        if parcel is None:
            return None, problem
        if not parcel.stopped:
            return None, self._rejected(parcel.number, -18019904)
        if parcel.retracked:
            return None, self._rejected(parcel.number, -18019905)
        parcel.stopped, parcel.retracked = False, True
        return {"number": parcel.number, "carrier": parcel.carrier}, None

    def _deletetrack(self, item: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        parcel, problem = self._registered(item)
        if parcel is None:
            return None, problem
        del self.parcels[parcel.number]  # the registration's quota is not given back
        return {"number": parcel.number, "carrier": parcel.carrier}, None

    def _getquota(self) -> Response:
        with self._lock:
            used = sum(self.registrations.values())
            data = {
                "quota_total": self.quota_total,
                "quota_used": used,
                "quota_remain": max(0, self.quota_total - used),
                "today_used": self.today_used,
            }
        return JSONResponse({"code": 0, "data": data})
