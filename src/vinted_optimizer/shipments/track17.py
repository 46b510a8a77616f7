"""The 17TRACK API v2.2 client (shared/contracts/tracking17.md): register, gettrackinfo, getquota.

Every call is ``POST {base}/track/v2.2/<operation>`` with the ``17token`` header and a JSON array of at
most 40 numbers. 17TRACK allows 3 requests a second per key: every call first waits its turn (``pace``,
a moving window shared by the processes through Redis); a 429 all the same waits ``Retry-After`` (or a
second) and is tried again, a few times. A 5xx, a timeout, a refused connection or a success that is not
17TRACK's JSON (not JSON, ``data`` not an object, a quota without its counts) is ``Track17Unavailable``:
the cron job's next run tries again, the quota endpoint answers 503. Per-number refusals come back in
``Batch.rejected``; the caller decides what each means (already registered is a success; a spent quota
stops the run).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import httpx
import structlog

from vinted_optimizer.kit.tracing import instrument_httpx

log = structlog.get_logger(__name__)

MAX_BATCH = 40
MAX_RATE_LIMITED_TRIES = 5
TIMEOUT_SECONDS = 15.0

ALREADY_REGISTERED = -18019901
NOT_REGISTERED = -18019902
CARRIER_NOT_DETECTED = -18019903
DAILY_LIMIT = -18019907
QUOTA_EXHAUSTED = -18019908
NO_INFO_YET = -18019909
WRONG_CARRIER = -18019910
INVALID_NUMBER = -18010012
# The account can register nothing more today (or this month): stop, and leave the rest for a later run.
STOP_CODES = frozenset({DAILY_LIMIT, QUOTA_EXHAUSTED})

# Why a number was refused, as the dashboard shows it beside the parcel.
REJECTIONS_IT = {
    CARRIER_NOT_DETECTED: "17TRACK non riconosce il corriere di questo codice di tracciamento.",
    WRONG_CARRIER: "Il corriere indicato non corrisponde a questo codice di tracciamento.",
    INVALID_NUMBER: "Il codice di tracciamento non ha un formato valido.",
    NOT_REGISTERED: "Il codice non risulta registrato su 17TRACK.",
}


class Track17Error(Exception):
    """17TRACK refused the request as a whole (envelope ``code``); ``code`` says why."""

    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(f"17TRACK {code}: {message}"[:300])
        self.code = code


class Track17Unavailable(Exception):
    """17TRACK did not answer usefully (5xx, timeout, connection, rate limited too often)."""

    def __init__(self, reason: str, *, retry_after: int = 60) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Rejection:
    number: str
    code: int
    message: str

    @property
    def stops(self) -> bool:
        return self.code in STOP_CODES

    def reason_it(self) -> str:
        return REJECTIONS_IT.get(self.code, f"17TRACK ha rifiutato il codice ({self.code}).")[:200]


@dataclass
class Batch:
    accepted: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


@dataclass(frozen=True)
class Quota:
    quota_total: int
    quota_used: int
    quota_remain: int
    today_used: int


QUOTA_FIELDS = ("quota_total", "quota_used", "quota_remain", "today_used")


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(0.1, float(response.headers.get("Retry-After", "1")))
    except ValueError:
        return 1.0


class Track17Client:
    def __init__(
        self,
        api_key: str,
        base_url: str,
        *,
        pace: Callable[[], Awaitable[None]] | None = None,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self._pace = pace
        self._http = instrument_httpx(
            httpx.AsyncClient(
                base_url=base_url.rstrip("/") + "/track/v2.2/",
                headers={"17token": api_key, "Content-Type": "application/json"},
                timeout=timeout,
            )
        )
        self.requests = 0  # sent, for the logs

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _post(self, operation: str, body: Any) -> Any:
        for _ in range(MAX_RATE_LIMITED_TRIES):
            if self._pace is not None:
                await self._pace()
            self.requests += 1
            try:
                response = await self._http.post(operation, json=body)
            except httpx.HTTPError as error:
                raise Track17Unavailable(f"{operation}: {type(error).__name__}") from error
            if response.status_code == 429:
                wait = _retry_after(response)
                log.warning("track17.rate_limited", operation=operation, wait_seconds=wait)
                await asyncio.sleep(wait)
                continue
            if response.status_code >= 500:
                raise Track17Unavailable(f"{operation}: HTTP {response.status_code}")
            try:
                envelope = response.json()
            except ValueError as error:
                raise Track17Unavailable(f"{operation}: HTTP {response.status_code}, not JSON") from error
            code = envelope.get("code") if isinstance(envelope, dict) else None
            if response.status_code != 200 or code != 0:
                raise Track17Error(
                    int(code) if isinstance(code, int) else response.status_code, _message(envelope)
                )
            data = envelope.get("data")
            if data is not None and not isinstance(data, dict):  # every operation's data is an object
                raise Track17Unavailable(f"{operation}: HTTP 200, data is not an object")
            return data
        raise Track17Unavailable(f"{operation}: rate limited {MAX_RATE_LIMITED_TRIES} times", retry_after=5)

    async def _batch(self, operation: str, items: Sequence[dict[str, Any]]) -> Batch:
        if len(items) > MAX_BATCH:
            raise ValueError(f"17TRACK takes at most {MAX_BATCH} numbers a request")
        if not items:
            return Batch()
        data = await self._post(operation, list(items)) or {}
        batch = Batch(accepted=[item for item in _list(data.get("accepted")) if isinstance(item, dict)])
        for item in _list(data.get("rejected")):
            if not isinstance(item, dict):
                continue
            error = item.get("error")
            if not isinstance(error, dict):
                error = {}
            batch.rejected.append(
                Rejection(str(item.get("number")), _int(error.get("code")), str(error.get("message") or ""))
            )
        return batch

    async def register(self, items: Sequence[dict[str, Any]]) -> Batch:
        """``[{"number", "carrier"?}]``: 17TRACK follows these numbers from now on (one quota unit each)."""
        return await self._batch("register", items)

    async def gettrackinfo(self, items: Sequence[dict[str, Any]]) -> Batch:
        """``[{"number", "carrier"?}]``: each accepted item carries its ``track_info``."""
        return await self._batch("gettrackinfo", items)

    async def getquota(self) -> Quota:
        data = await self._post("getquota", []) or {}
        try:
            return Quota(**{name: int(data[name]) for name in QUOTA_FIELDS})
        except (KeyError, TypeError, ValueError) as error:  # never a made-up quota
            raise Track17Unavailable("getquota: HTTP 200, not the quota") from error


def _int(value: Any) -> int:
    """A code as 17TRACK sends it (an int, or digits in a string); 0 for anything else."""
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _message(envelope: Any) -> str:
    if not isinstance(envelope, dict):
        return ""
    errors = (envelope.get("data") or {}).get("errors") if isinstance(envelope.get("data"), dict) else None
    if errors and isinstance(errors[0], dict):
        return str(errors[0].get("message") or "")
    return ""
