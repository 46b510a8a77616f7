"""HTTP to Vinted with a browser's TLS fingerprint (curl_cffi), and what its failures mean.

One impersonation profile for the whole process: the TLS and HTTP/2 fingerprint, the User-Agent and the
``Sec-CH-UA`` headers all come from curl_cffi's ``chrome146`` (macOS, like the home iMac), so they always
agree with each other. Cookies are ours to send: curl's session jar is never filled
(``discard_cookies``), so one member's cookies never ride along another's request.

``classify`` turns an answer into the error it means (or lets it through):

| answer | error |
|---|---|
| 401 code 100 | ``AuthExpired`` (the client refreshes once and retries) |
| 403 with an HTML body, or any body with ``captcha-delivery`` | ``Challenge`` (never retried) |
| 403 code 106 on a write | ``CsrfMissing`` (the client fetches the token once and retries) |
| 404 code 104 | ``VintedChanged`` (the endpoint moved) |
| 429 | ``RateLimited`` with ``Retry-After`` |
| other 4xx | ``VintedRefused`` |
| 5xx, timeout, connection error | ``VintedUnavailable`` |
| not JSON where JSON was expected | ``VintedChanged`` |
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal

from curl_cffi import CurlMime
from curl_cffi.requests import AsyncSession
from curl_cffi.requests.exceptions import RequestException, Timeout

from vinted_optimizer.config import Settings
from vinted_optimizer.scraper.errors import (
    AuthExpired,
    Challenge,
    CsrfMissing,
    RateLimited,
    VintedChanged,
    VintedRefused,
    VintedUnavailable,
)

IMPERSONATE = "chrome146"
ACCEPT_LANGUAGE = "it-IT,it;q=0.9,en;q=0.8"
DEFAULT_RETRY_AFTER = 60.0

Host = Literal["site", "api"]
Expect = Literal["json", "html", "pdf", "any"]


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    cookies: Mapping[str, str]  # what the answer's Set-Cookie headers set
    url: str

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def json(self, endpoint: str) -> Any:
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise VintedChanged(
                endpoint=endpoint, detail=f"not JSON ({self.content_type or 'no type'})"
            ) from exc


@dataclass(frozen=True)
class Upload:
    """A multipart part: a file (``content``, ``filename``, ``content_type``) or a plain field."""

    name: str
    content: bytes | str
    filename: str | None = None
    content_type: str | None = None


@dataclass
class Request:
    method: Literal["GET", "POST", "PUT", "DELETE"]
    host: Host
    path: str
    params: Mapping[str, str | int] | None = None
    json_body: Any = None
    multipart: tuple[Upload, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    expect: Expect = "json"


def _vinted_code(body: bytes) -> int | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    code = data.get("code") if isinstance(data, dict) else None
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def _vinted_message(body: bytes) -> str | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if isinstance(data, dict):
        for key in ("message", "message_code", "error"):
            if isinstance(data.get(key), str):
                return str(data[key])
    return None


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float:
    """``Retry-After`` as seconds: a number or an HTTP date; missing or unreadable: 60 s."""
    if not value:
        return DEFAULT_RETRY_AFTER
    try:
        return max(1.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER
    return max(1.0, (moment - (now or datetime.now(UTC))).total_seconds())


def is_challenge(reply: Reply) -> Literal["cloudflare", "datadome"] | None:
    """A DataDome captcha (any status) or an HTML 403 (Cloudflare's block page)."""
    if b"captcha-delivery" in reply.body:
        return "datadome"
    if reply.status == 403:
        head = reply.body[:512].lstrip().lower()
        if reply.content_type == "text/html" or head.startswith((b"<!doctype html", b"<html")):
            return "cloudflare"
    return None


def classify(endpoint: str, request: Request, reply: Reply) -> Reply:
    """The answer, when it is one; otherwise the error it means (module docstring)."""
    challenge = is_challenge(reply)
    if challenge is not None:
        raise Challenge(endpoint=endpoint, source=challenge)
    status = reply.status
    if status == 429:
        raise RateLimited(retry_after_seconds(reply.headers.get("retry-after")))
    if status >= 500:
        raise VintedUnavailable(f"Vinted risponde con un errore ({status}): riprova più tardi.")
    code = _vinted_code(reply.body) if status >= 400 else None
    if status == 401 and code == 100:
        raise AuthExpired()
    if status == 403 and code == 106 and request.method != "GET":
        raise CsrfMissing()
    if status == 404 and code == 104:
        raise VintedChanged(endpoint=endpoint, detail=f"{request.path} answers 404 code 104 (moved)")
    if status >= 400:
        raise VintedRefused(
            endpoint=endpoint, status=status, vinted_code=code, message=_vinted_message(reply.body)
        )
    if request.expect == "json" and reply.content_type != "application/json":
        # Parse anyway: some answers are JSON under another type; what is not JSON is a change.
        reply.json(endpoint)
    if request.expect == "pdf" and not reply.body.startswith(b"%PDF"):
        raise VintedChanged(endpoint=endpoint, detail=f"not a PDF ({reply.content_type or 'no type'})")
    return reply


class Transport:
    """One curl_cffi session (connection reuse, one fingerprint) for the site and the API hosts."""

    def __init__(self, settings: Settings) -> None:
        self.base_urls: dict[Host, str] = {
            "site": settings.vinted_base_url.rstrip("/"),
            "api": settings.vinted_api_url.rstrip("/"),
        }
        # The whole exchange (connect, send, the answer): curl_cffi's (connect, read) pair does not bound a
        # server that accepts the request and then says nothing.
        self._timeout = settings.vinted_timeout_seconds
        self._http: AsyncSession[Any] = AsyncSession(
            impersonate=IMPERSONATE,
            timeout=self._timeout,
            headers={"Accept-Language": ACCEPT_LANGUAGE},
            allow_redirects=True,
            max_redirects=3,
        )

    def url(self, host: Host, path: str) -> str:
        return self.base_urls[host] + path

    async def send(self, request: Request, *, cookies: Mapping[str, str] | None = None) -> Reply:
        headers: dict[str, str | None] = {}
        if request.expect != "html":
            # What the site's own scripts send (a fetch from the page), not a navigation's headers.
            site = self.base_urls["site"]
            headers.update(
                {
                    "Accept": "application/json, text/plain, */*",
                    "Sec-Fetch-Dest": "empty",
                    "Sec-Fetch-Mode": "cors",
                    "Sec-Fetch-Site": "same-origin" if request.host == "site" else "same-site",
                    "Sec-Fetch-User": None,  # None: curl_cffi leaves the profile's header out
                    "Upgrade-Insecure-Requests": None,
                    "Origin": site,
                    "Referer": site + "/",
                }
            )
        headers.update(request.headers)
        if cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        multipart: CurlMime | None = None
        if request.multipart:
            multipart = CurlMime()
            for part in request.multipart:
                data = part.content.encode() if isinstance(part.content, str) else part.content
                multipart.addpart(
                    name=part.name, data=data, filename=part.filename, content_type=part.content_type
                )
        url = self.url(request.host, request.path)
        try:
            response = await self._http.request(
                request.method,
                url,
                params={k: str(v) for k, v in request.params.items()} if request.params else None,
                json=request.json_body,
                multipart=multipart,
                headers=headers,
                discard_cookies=True,
                # Plain http is only ever a local stand-in: curl would offer it an h2c upgrade (no browser
                # does) and uvicorn drops the body of such a request. Vinted itself is https (h2 by ALPN).
                http_version="v1" if url.startswith("http://") else None,
            )
        except Timeout as exc:
            raise VintedUnavailable("Vinted non ha risposto in tempo: riprova più tardi.") from exc
        except RequestException as exc:
            raise VintedUnavailable("Vinted non è raggiungibile: riprova più tardi.") from exc
        finally:
            if multipart is not None:
                multipart.close()
        return Reply(
            status=response.status_code,
            headers={name.lower(): value for name, value in response.headers.items() if value is not None},
            body=response.content,
            cookies={name: value for name, value in response.cookies.items() if value is not None},
            url=str(response.url),
        )

    async def aclose(self) -> None:
        await self._http.close()
