"""Sendcloud API v3 (shared/contracts/sendcloud.md) with one family's keys: shipping options, announcing a
shipment, looking one up by order number, the label documents.

Every answer that is not a success becomes a domain error with an Italian message:

- 400/422 with JSON:API ``source.pointer`` → 422 naming our request's fields (``/to_address/name`` →
  ``to_address.name``, ``/parcels/0/weight/value`` → ``weight_kg``…);
- 401 → 409 ``sendcloud_keys_rejected``: the family's keys are wrong. Not a 401, which the dashboard reads
  as "your own session expired" (and refreshes or signs out); not a 422, the request itself is right.
  The state of the family's account conflicts with the request, which is what 409 means here;
- 412 → 409 ``sendcloud_account_incomplete``: the Sendcloud account is not fully set up;
- 429 → 503 ``sendcloud_busy`` with Sendcloud's ``Retry-After``: it is the family's Sendcloud quota, not
  this client's request rate against us (which our own 429 means);
- 5xx, timeouts, connection errors → 503 ``upstream_unavailable`` with ``Retry-After``;
- a success whose body is not the JSON we read (not JSON, no ``data``) → the same 503: a garbled answer
  (a proxy's error page, a cut connection) is Sendcloud not answering usefully, never our 500.

Only what is safe is retried (tenacity): the reads (GETs, and the shipping options, a read sent as a
POST) on a timeout, a connection error or a 5xx. Announcing is never retried here: a lost answer may
mean a bought label, which the caller looks up by order number before announcing again.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import httpx
import structlog
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from vinted_optimizer.kit.errors import Conflict, InvalidFields, UpstreamUnavailable
from vinted_optimizer.kit.tracing import instrument_httpx

log = structlog.get_logger(__name__)

API = "/api/v3"
MIME_TYPES = {"pdf": "application/pdf", "zpl": "application/zpl", "png": "image/png"}
READ_ATTEMPTS = 3
RETRY_AFTER_SECONDS = 10
KEY_CHECK_ORDER = "VO-key-check"


@dataclass(frozen=True)
class Keys:
    public_key: str
    secret_key: str

    def __repr__(self) -> str:  # never in a log or a traceback
        return "Keys(***)"


class SendcloudUnavailable(UpstreamUnavailable):
    default_detail = "Sendcloud non risponde in questo momento: riprova tra qualche secondo."

    def __init__(self, detail: str | None = None, *, retry_after: int = RETRY_AFTER_SECONDS) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})


class SendcloudUnreadable(SendcloudUnavailable):
    default_detail = (
        "Sendcloud ha dato una risposta illeggibile: riprova tra qualche secondo (un'etichetta già "
        "acquistata viene ritrovata, non pagata di nuovo)."
    )


class SendcloudBusy(SendcloudUnavailable):
    code = "sendcloud_busy"
    default_detail = "Sendcloud riceve troppe richieste dal vostro account: riprova tra qualche secondo."


class SendcloudKeysRejected(Conflict):
    code = "sendcloud_keys_rejected"
    default_detail = (
        "Sendcloud ha rifiutato le chiavi API della famiglia: l'amministratore deve controllarle in "
        "Impostazioni → Spedizioni (campi sendcloud_public_key e sendcloud_secret_key)."
    )


class SendcloudAccountIncomplete(Conflict):
    code = "sendcloud_account_incomplete"
    default_detail = (
        "L'account Sendcloud della famiglia non è ancora configurato (indirizzo o dati di fatturazione "
        "mancanti su Sendcloud): completalo su panel.sendcloud.sc e riprova."
    )


class FormatNotOffered(Exception):
    """The carrier does not print labels in this format (Sendcloud's 406)."""


class _Transient(Exception):
    """A read that may succeed if tried again (timeout, connection, 5xx)."""

    def __init__(self, error: SendcloudUnavailable) -> None:
        super().__init__(error.detail)
        self.error = error


# --- error mapping -----------------------------------------------------------------------------------

# Sendcloud's pointers into the announce body → our request's fields (POST /shipments, /carriers/quote).
_POINTERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^/to_address/(\w+)$"), r"to_address.\1"),
    (re.compile(r"^/to_address$"), "to_address"),
    (re.compile(r"^/from_address/(\w+)$"), r"sender_address.\1"),
    (re.compile(r"^/from_address$"), "sender_address"),
    (re.compile(r"^/parcels/\d+/weight(/\w+)?$"), "weight_kg"),
    (re.compile(r"^/parcels/\d+/dimensions/length(/\w+)?$"), "dimensions.length_cm"),
    (re.compile(r"^/parcels/\d+/dimensions/width(/\w+)?$"), "dimensions.width_cm"),
    (re.compile(r"^/parcels/\d+/dimensions/height(/\w+)?$"), "dimensions.height_cm"),
    (re.compile(r"^/parcels/\d+/dimensions(/\w+)?$"), "dimensions"),
    (re.compile(r"^/ship_with(/.*)?$"), "shipping_option_code"),
    (re.compile(r"^/label_details(/.*)?$"), "shipping_option_code"),
    (re.compile(r"^/order_number$"), "sale_id"),
)


def field_of(pointer: str | None) -> str:
    if not pointer:
        return "body"
    for pattern, replacement in _POINTERS:
        if pattern.match(pointer):
            return pattern.sub(replacement, pointer)
    return pointer.strip("/").replace("/", ".") or "body"


_MAXIMUM = re.compile(r"maximum of ([0-9.]+)")


def italian(item: dict[str, Any], field: str) -> str:
    """Sendcloud's English for one field, in Italian."""
    code = str(item.get("code", ""))
    detail = str(item.get("detail", ""))
    sender = (
        " (indirizzo del mittente: correggilo in Impostazioni → Spedizioni)"
        if field.startswith("sender_address")
        else ""
    )
    if code == "required":
        return f"Campo obbligatorio per Sendcloud{sender}."
    if "country" in field:
        if "from this country" in detail:
            return "L'opzione di spedizione scelta non parte da questo paese."
        if "to this country" in detail:
            return "L'opzione di spedizione scelta non consegna in questo paese."
        return f"Usa il codice del paese di due lettere, per esempio IT{sender}."
    if field == "weight_kg":
        maximum = _MAXIMUM.search(detail)
        if maximum:
            return f"Il pacco pesa troppo per questa opzione: al massimo {maximum.group(1)} kg."
        return "Scrivi il peso in kg, un numero maggiore di zero."
    if field == "shipping_option_code":
        if "does not offer labels" in detail:
            return "Il corriere di questa opzione non stampa etichette in PDF: scegli un'altra opzione."
        return "Questa opzione di spedizione non è disponibile: scegline una tra quelle di /carriers."
    return f"Sendcloud non accetta questo valore{sender}."


def _errors(response: httpx.Response) -> list[dict[str, Any]]:
    try:
        body = response.json()
    except ValueError:
        return []
    errors = body.get("errors") if isinstance(body, dict) else None
    return [item for item in errors if isinstance(item, dict)] if isinstance(errors, list) else []


def _retry_after(response: httpx.Response) -> int:
    value = response.headers.get("Retry-After", "")
    return int(value) if value.isdigit() else RETRY_AFTER_SECONDS


def data_of(response: httpx.Response, operation: str, kind: type[dict[str, Any]] | type[list[Any]]) -> Any:
    """The ``data`` of a successful answer, of the kind expected; ``SendcloudUnreadable`` otherwise."""
    try:
        body = response.json()
    except ValueError:
        body = None
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, kind):
        log.warning("sendcloud.unreadable", operation=operation, status=response.status_code)
        raise SendcloudUnreadable()
    return data


def raise_for(response: httpx.Response, operation: str) -> None:
    """The domain error for a Sendcloud answer that is not a success."""
    status = response.status_code
    if status < 400:
        return
    log.warning("sendcloud.refused", operation=operation, status=status)
    if status == 401:
        raise SendcloudKeysRejected()
    if status == 412:
        raise SendcloudAccountIncomplete()
    if status == 429:
        raise SendcloudBusy(retry_after=_retry_after(response))
    if status >= 500:
        raise _Transient(SendcloudUnavailable(retry_after=_retry_after(response)))
    if status in (400, 422):
        problems = []
        for item in _errors(response):
            source = item.get("source") or {}
            pointer = source.get("pointer") if isinstance(source, dict) else None
            parameter = source.get("parameter") if isinstance(source, dict) else None
            field = field_of(pointer) if pointer or not parameter else str(parameter)
            problems.append((field, italian(item, field)))
        if problems:
            raise InvalidFields(problems)
    # Anything else (404 on an id we stored, 403…) is not something the member can fix.
    raise SendcloudUnavailable("Sendcloud ha dato una risposta inattesa: riprova più tardi.")


# --- the client ------------------------------------------------------------------------------------------


class Sendcloud:
    """One family's Sendcloud, for the length of a request (``async with``)."""

    def __init__(
        self,
        base_url: str,
        keys: Keys,
        *,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._client = instrument_httpx(
            httpx.AsyncClient(
                base_url=base_url.rstrip("/") + API,
                auth=httpx.BasicAuth(keys.public_key, keys.secret_key),
                timeout=httpx.Timeout(timeout),
                headers={"Accept": "application/json", "User-Agent": "vinted-optimizer"},
                transport=transport,
            )
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self._client.aclose()

    async def _send(self, operation: str, call: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
        try:
            return await call()
        except httpx.TimeoutException as error:
            log.warning("sendcloud.timeout", operation=operation)
            raise _Transient(SendcloudUnavailable()) from error
        except httpx.TransportError as error:
            log.warning("sendcloud.unreachable", operation=operation, error=type(error).__name__)
            raise _Transient(SendcloudUnavailable()) from error

    async def _read(
        self, operation: str, call: Callable[[], Awaitable[httpx.Response]], *, ok: tuple[int, ...] = ()
    ) -> httpx.Response:
        """A read, tried again on what may pass the next time; the last failure becomes a 503."""
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(READ_ATTEMPTS),
                wait=wait_exponential(multiplier=0.2, max=2),
                retry=retry_if_exception_type(_Transient),
                reraise=True,
            ):
                with attempt:
                    response = await self._send(operation, call)
                    if response.status_code not in ok:
                        raise_for(response, operation)
                    return response
        except _Transient as transient:
            raise transient.error from transient
        raise AssertionError("unreachable")  # pragma: no cover

    async def shipping_options(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        response = await self._read(
            "shipping-options", lambda: self._client.post("/shipping-options", json=body)
        )
        data = data_of(response, "shipping-options", list)
        return [item for item in data if isinstance(item, dict)]

    async def announce(self, body: dict[str, Any]) -> dict[str, Any]:
        """Buy the label (once: never retried here)."""
        try:
            response = await self._send(
                "announce", lambda: self._client.post("/shipments/announce", json=body)
            )
            raise_for(response, "announce")
        except _Transient as transient:
            raise transient.error from transient
        data: dict[str, Any] = data_of(response, "announce", dict)
        return data

    async def check_keys(self) -> None:
        """One cheap read, tried once: raises SendcloudKeysRejected on a 401 (and the other errors as
        they come); the order number asked for belongs to no sale."""
        try:
            response = await self._send(
                "keys:check",
                lambda: self._client.get("/shipments", params={"order_number": KEY_CHECK_ORDER}),
            )
            raise_for(response, "keys:check")
        except _Transient as transient:
            raise transient.error from transient

    async def find(self, order_number: str) -> dict[str, Any] | None:
        """The shipment announced with this order number, if one was (the newest)."""
        response = await self._read(
            "shipments:list", lambda: self._client.get("/shipments", params={"order_number": order_number})
        )
        data = data_of(response, "shipments:list", list)
        found = [item for item in data if isinstance(item, dict)]
        return found[-1] if found else None

    async def shipment(self, shipment_id: str) -> dict[str, Any]:
        response = await self._read("shipments:get", lambda: self._client.get(f"/shipments/{shipment_id}"))
        data: dict[str, Any] = data_of(response, "shipments:get", dict)
        return data

    async def label(self, parcel_id: str, label_format: str) -> bytes:
        """The parcel's label as PDF, ZPL or PNG; ``FormatNotOffered`` when the carrier has no such label."""
        mime_type = MIME_TYPES[label_format]
        response = await self._read(
            "documents",
            lambda: self._client.get(f"/parcels/{parcel_id}/documents/label", headers={"Accept": mime_type}),
            ok=(406,),
        )
        if response.status_code == 406:
            raise FormatNotOffered(label_format)
        return response.content
