"""Pure ASGI middleware: request ids, security headers and the last-resort error response in one, a body
size limit, and JSON bodies that are really JSON in UTF-8.

Order in the app (outermost first): Edge (request id, security headers, the 500 safety net) → CORS →
BodySizeLimit → JsonBody. Every response, a 500 included, so carries the request id and the security
headers.
"""

from __future__ import annotations

import codecs
import json
import re
import secrets
from typing import Any

import structlog
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vinted_optimizer.kit import tracing
from vinted_optimizer.kit.metrics import RequestMetrics

log = structlog.get_logger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Pages the dashboard serves: scripts only from this origin and the inline scripts whose hashes the page
# names (kit.webapp.page_csp); network only to this origin (its WebSocket included).
APP_CSP_TEMPLATE = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src {scripts}; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)
APP_CSP = APP_CSP_TEMPLATE.format(scripts="'self'")


Header = tuple[bytes, bytes]


def _encoded(headers: dict[str, str]) -> tuple[Header, ...]:
    return tuple((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items())


class SecurityHeaders:
    """The security headers of every response, computed once as raw headers: the API's (no caching, a
    policy that allows nothing) and the dashboard pages' (kit.webapp)."""

    def __init__(self, *, hsts: bool) -> None:
        common = {
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "strict-origin-when-cross-origin",
            "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
            "Cross-Origin-Opener-Policy": "same-origin",
        }
        if hsts:
            common["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        self.api = _encoded({**common, "Content-Security-Policy": API_CSP, "Cache-Control": "no-store"})
        self.app = _encoded({**common, "Content-Security-Policy": APP_CSP})

    def for_path(self, path: str) -> tuple[Header, ...]:
        return self.api if path.startswith("/api") else self.app


class BodySizeLimitMiddleware:
    """Refuse bodies over the limit with 413, by Content-Length up front and by counting while streaming.

    ``overrides`` maps path prefixes to larger limits (photo uploads).
    """

    def __init__(self, app: ASGIApp, *, default_limit: int, overrides: dict[str, int] | None = None) -> None:
        self.app = app
        self.default_limit = default_limit
        self.overrides = sorted((overrides or {}).items(), key=lambda item: -len(item[0]))

    def _limit_for(self, path: str) -> int:
        for prefix, limit in self.overrides:
            if path.startswith(prefix):
                return limit
        return self.default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope.get("path", ""))
        has_body = False
        for name, value in scope.get("headers", []):
            if name == b"transfer-encoding":
                has_body = True
            elif name == b"content-length":
                has_body = True
                try:
                    declared = int(value)
                except ValueError:
                    await _reject(send, 400, "bad_request", "Intestazione Content-Length non valida.")
                    return
                if declared > limit:
                    await _reject(send, 413, "payload_too_large", _too_large(limit))
                    return
        if not has_body:
            # No Content-Length and no Transfer-Encoding: HTTP/1.1 says there is no body to count.
            await self.app(scope, receive, send)
            return
        received = 0
        response_started = False
        rejected = False

        async def counting_receive() -> Message:
            nonlocal received, rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Answer 413 now; the app sees a disconnect and its own response is dropped.
                    rejected = True
                    if not response_started:
                        await _reject(send, 413, "payload_too_large", _too_large(limit))
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if rejected:
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        await self.app(scope, counting_receive, guarded_send)


def _too_large(limit: int) -> str:
    return f"La richiesta supera il limite di {limit // 1024} KB."


async def _reject(
    send: Send, status: int, code: str = "", detail: str = "", *, body: dict[str, Any] | None = None
) -> None:
    payload = json.dumps(body or {"error": code, "detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


_REQUEST_ID_NAME = REQUEST_ID_HEADER.lower().encode()
# C0 controls and DEL: never in an address of ours (an encoded NUL or newline in a path parameter).
_PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
PATH_CONTROL_DETAIL = (
    "L'indirizzo contiene caratteri di controllo non ammessi (per esempio il carattere NUL)."
)
PATH_CONTROL_BODY = {
    "error": "validation_error",
    "detail": f"path: {PATH_CONTROL_DETAIL}",
    "fields": [{"field": "path", "message": PATH_CONTROL_DETAIL}],
}


class EdgeMiddleware:
    """What every HTTP response carries, in one wrapper of ``send`` (each wrapper costs every request):

    - a request id (a trusted proxy's, when well-formed, else a new one), returned in ``X-Request-ID``
      and bound to every log line written while the request runs;
    - the security headers (``security``, when given), unless the response set the header itself (a page
      that names its own policy, with its script hashes, keeps it);
    - the safety net: an exception nothing else handled becomes a plain 500 with both, logged with its
      stack trace on the server only;
    - an API path with a control character (a NUL, decoded from ``%00``) is a 422 naming the path before
      any route sees it (the status every route with a path parameter documents for a value it refuses):
      PostgreSQL refuses a NUL in a text value, so a path parameter holding one would otherwise reach it
      as a 500 (the dashboard's files answer such a name with their own 404, tests/test_webapp.py);
    - for a path under ``/api``, its status and latency counted in ``metrics`` (kit.metrics: in memory,
      flushed to Redis by a task of the process, never on the request's path).
    """

    def __init__(
        self, app: ASGIApp, *, security: SecurityHeaders | None = None, metrics: RequestMetrics | None = None
    ) -> None:
        self.app = app
        self.security = security
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = b""
        for name, value in scope.get("headers", ()):
            if name == _REQUEST_ID_NAME:
                incoming = value
        request_id = incoming.decode("latin-1")
        if not _REQUEST_ID.match(request_id):
            request_id = secrets.token_hex(16)
        scope.setdefault("state", {})["request_id"] = request_id
        if tracing.active():  # the request's span (FastAPI's, around this middleware) names it
            tracing.set_attribute("http.request.id", request_id)
        own = (_REQUEST_ID_NAME, request_id.encode())
        path: str = scope.get("path", "")
        extra = self.security.for_path(path) if self.security else ()
        metrics = self.metrics if path.startswith("/api") else None
        began = metrics.clock() if metrics is not None else 0.0
        started = False
        status = 499  # no answer started (the client went away): nginx's "client closed request"

        async def send_with_headers(message: Message) -> None:
            nonlocal started, status
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                headers = [item for item in message.get("headers", ()) if item[0].lower() != own[0]]
                if extra:
                    present = {name.lower() for name, _ in headers}
                    headers.extend(header for header in extra if header[0] not in present)
                headers.append(own)
                message["headers"] = headers
            await send(message)

        # bind and reset by token: structlog's bound_contextvars copies the whole context to restore it
        bound = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            if path.startswith("/api") and _PATH_CONTROL.search(path):
                await _reject(send_with_headers, 422, body=PATH_CONTROL_BODY)
                return
            await self.app(scope, receive, send_with_headers)
        except ClientDisconnect:
            # The client went away while its body was read: no one to answer, nothing of ours failed.
            log.info("request.client_disconnected", path=scope.get("path"), method=scope.get("method"))
        except Exception:
            log.exception("request.unhandled_error", path=scope.get("path"), method=scope.get("method"))
            if started:
                return  # the client sees a cut response; there is nothing better to send
            body = {
                "error": "internal_error",
                "detail": "Errore interno: riprova più tardi.",
                "request_id": request_id,
            }
            await _reject(send_with_headers, 500, body=body)
        finally:
            structlog.contextvars.reset_contextvars(**bound)
            if metrics is not None:
                metrics.record(status, began)


BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


class JsonBodyMiddleware:
    """A request body under ``prefix`` is JSON (``application/json``, UTF-8) or, on the upload paths, a
    form (``multipart/form-data``); anything else is 415 before the app reads it, and a JSON body that is not
    valid UTF-8 is 400 (Python's json would otherwise guess UTF-16 or UTF-32)."""

    def __init__(self, app: ASGIApp, *, prefix: str, multipart_paths: tuple[str, ...] = ()) -> None:
        self.app = app
        self.prefix = prefix
        self.multipart_paths = multipart_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope.get("method") not in BODY_METHODS
            or not path.startswith(self.prefix)
        ):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        has_body = headers.get(b"content-length", b"0") not in (b"0", b"") or b"transfer-encoding" in headers
        if not has_body:
            await self.app(scope, receive, send)
            return
        media, _, params = headers.get(b"content-type", b"").decode("latin-1").partition(";")
        media = media.strip().lower()
        charset = _charset(params)
        if media in FORM_TYPES and path in self.multipart_paths:
            await self.app(scope, receive, send)
            return
        if media != "application/json" or charset not in (None, "utf-8"):
            await _reject(
                send,
                415,
                "unsupported_media_type",
                "Invia i dati come application/json in UTF-8"
                + (" (le foto come multipart/form-data)." if self.multipart_paths else "."),
            )
            return
        decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
        rejected = False

        async def checking_receive() -> Message:
            nonlocal rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                try:
                    decoder.decode(message.get("body", b""), final=not message.get("more_body", False))
                except UnicodeDecodeError:
                    rejected = True
                    await _reject(send, 400, "bad_request", "Il corpo della richiesta non è UTF-8 valido.")
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not rejected:
                await send(message)

        await self.app(scope, checking_receive, guarded_send)


def _charset(params: str) -> str | None:
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower() or None
    return None


# A browser extension's pages: chrome-extension://<32 letters a-p> (Chrome, Edge), moz-extension://<uuid>.
EXTENSION_ORIGIN = re.compile(r"^(chrome-extension://[a-p]{32}|moz-extension://[0-9a-f-]{36})$")


class ExtensionCorsMiddleware:
    """CORS for the browser extension on the few ``paths`` it calls, and nowhere else: a preflight from an
    extension's origin is answered here (POST, ``Content-Type``, no credentials), and the answer to its
    request names that origin. Any other origin or path goes on to the app's own CORS (the dashboard's
    allow-list), which never lists extensions."""

    def __init__(self, app: ASGIApp, *, paths: tuple[str, ...]) -> None:
        self.app = app
        self.paths = frozenset(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        origin = next((value for name, value in scope["headers"] if name == b"origin"), b"")
        if not EXTENSION_ORIGIN.match(origin.decode("latin-1")):
            await self.app(scope, receive, send)
            return
        allow: list[Header] = [(b"access-control-allow-origin", origin), (b"vary", b"Origin")]
        if scope["method"] == "OPTIONS":
            headers = [
                *allow,
                (b"access-control-allow-methods", b"POST"),
                (b"access-control-allow-headers", b"content-type"),
                (b"access-control-max-age", b"600"),
                (b"content-length", b"0"),
            ]
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_origin(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *allow]}
            await send(message)

        await self.app(scope, receive, send_with_origin)
