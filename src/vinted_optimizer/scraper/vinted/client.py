"""Every request to Vinted goes through ``VintedClient.call``: the pacing gate, the session's headers,
the transport, the classification of the answer, and the two retries Vinted allows:

- 401 code 100: refresh the session once (a member's chain, or a new anonymous session) and retry once;
  a second 401 is ``AuthExpired``.
- 403 code 106 on a write: fetch the CSRF token once more and retry once; a second one is
  ``CsrfMissing`` (and counts as a 403 at the gate).

Nothing else is retried here: a challenge closes the gate for its cool-down, a 429 closes it until
``Retry-After``, and both are raised at once. What Vinted answered is told to the gate, so every caller
of every process sees it (``PacingGate.status``).

A member's refresh token is single-use: refreshes are serialised, a caller that failed with a session
already replaced retries with the new one instead of refreshing again, and each new pair is handed to
``on_session`` so it can be stored (encrypted) before anything else uses it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, Literal, TypeVar

import structlog

from vinted_optimizer.scraper.errors import (
    AuthExpired,
    Challenge,
    CsrfMissing,
    PaceKind,
    RateLimited,
    VintedChanged,
    VintedRefused,
)
from vinted_optimizer.scraper.pacing import PacingGate
from vinted_optimizer.scraper.vinted.csrf import csrf_request, parse_csrf
from vinted_optimizer.scraper.vinted.session import (
    VintedSession,
    home_request,
    parse_home,
    parse_refresh,
    refresh_request,
)
from vinted_optimizer.scraper.vinted.transport import Reply, Request, Transport, classify, is_challenge

log = structlog.get_logger(__name__)

Auth = Literal["bearer", "cookies", "none"]
T = TypeVar("T")


class VintedClient:
    def __init__(
        self,
        transport: Transport,
        gate: PacingGate | None,
        *,
        session: VintedSession | None = None,
        on_session: Callable[[VintedSession], Awaitable[None]] | None = None,
    ) -> None:
        self.transport = transport
        self.gate = gate
        self._session = session
        self._on_session = on_session
        self._csrf: str | None = None
        self._refreshing = asyncio.Lock()

    @property
    def session(self) -> VintedSession | None:
        return self._session

    async def _set_session(self, session: VintedSession) -> None:
        self._session = session
        if self._on_session is not None:
            await self._on_session(session)

    # --- the gate's view of an answer --------------------------------------------------------------

    async def _told(self, endpoint: str, error: Exception) -> None:
        if isinstance(error, Challenge):
            until = await self.gate.challenge(error.source) if self.gate else None
            log.warning("vinted.challenge", endpoint=endpoint, source=error.source, closed_until=until)
        elif isinstance(error, RateLimited):
            until = await self.gate.retry_after(error.retry_after) if self.gate else None
            log.warning(
                "vinted.rate_limited", endpoint=endpoint, retry_after=error.retry_after, closed_until=until
            )
        elif isinstance(error, VintedChanged):
            if self.gate:
                await self.gate.changed(error.endpoint, error.problem)
            log.error("vinted.changed", endpoint=error.endpoint, problem=error.problem)
        elif isinstance(error, CsrfMissing) or (isinstance(error, VintedRefused) and error.status == 403):
            until = await self.gate.forbidden() if self.gate else None
            log.warning("vinted.forbidden", endpoint=endpoint, cooldown_until=until)

    async def _paced_send(self, request: Request, kind: PaceKind, cookies: dict[str, str] | None) -> Reply:
        if self.gate is not None:
            await self.gate.acquire(kind)
        return await self.transport.send(request, cookies=cookies)

    async def _exchange(
        self, endpoint: str, request: Request, kind: PaceKind, cookies: dict[str, str] | None
    ) -> Reply:
        reply = await self._paced_send(request, kind, cookies)
        try:
            return classify(endpoint, request, reply)
        except (Challenge, RateLimited, VintedChanged, VintedRefused) as error:
            await self._told(endpoint, error)
            raise

    # --- session and CSRF -----------------------------------------------------------------------

    async def bootstrap(self) -> VintedSession:
        """A new anonymous session from the home page (search needs one)."""
        reply = await self._exchange("session", home_request(), "read", None)
        session = parse_home(reply)
        await self._set_session(session)
        return session

    async def ensure_session(self) -> VintedSession:
        if self._session is None:
            return await self.bootstrap()
        return self._session

    async def refresh(self, stale: VintedSession | None = None) -> VintedSession:
        """Continue the member's chain (or take a new anonymous session). ``stale``: the session a request
        failed with; when it was replaced meanwhile, the replacement is the answer (no second refresh)."""
        async with self._refreshing:
            current = self._session
            if stale is not None and current is not None and current is not stale:
                return current
            if current is None or not current.is_member:
                return await self.bootstrap()
            reply = await self._paced_send(refresh_request(), "read", current.cookies())
            if is_challenge(reply) is None and reply.status in (400, 401):
                log.warning("vinted.session_dead", status=reply.status)
                fresh = parse_refresh(current, reply)  # raises SessionDead
            else:
                try:
                    fresh = parse_refresh(current, classify("session.refresh", refresh_request(), reply))
                except (Challenge, RateLimited, VintedChanged, VintedRefused) as error:
                    await self._told("session.refresh", error)
                    raise
            await self._set_session(fresh)
            log.info("vinted.session_refreshed", expires_at=fresh.expires_at)
            return fresh

    async def csrf_token(self, *, again: bool = False) -> str:
        """The CSRF token, fetched once and kept (``again``: it was refused, fetch it anew)."""
        if self._csrf is None or again:
            session = await self.ensure_session()
            reply = await self._exchange("csrf", csrf_request(), "read", session.cookies())
            try:
                self._csrf = parse_csrf(reply.body)
            except VintedChanged as error:
                await self._told("csrf", error)
                raise
        return self._csrf

    # --- a request ------------------------------------------------------------------------------

    def _prepared(
        self, request: Request, session: VintedSession | None, auth: Auth
    ) -> tuple[Request, dict[str, str] | None]:
        headers = dict(request.headers)
        cookies: dict[str, str] | None = None
        if session is not None and auth == "bearer":
            headers["Authorization"] = f"Bearer {session.access_token}"
            if session.anon_id:
                headers["x-anon-id"] = session.anon_id
        elif session is not None and auth == "cookies":
            cookies = session.cookies()
            if session.anon_id:
                headers["x-anon-id"] = session.anon_id
        if self._csrf is not None and request.method != "GET":
            headers["X-CSRF-Token"] = self._csrf
        return replace(request, headers=headers), cookies

    async def call(self, endpoint: str, request: Request, *, kind: PaceKind, auth: Auth = "cookies") -> Reply:
        """``auth``: "bearer" (search: an anonymous session is enough), "cookies" (a member's endpoints:
        a linked session is required), "none" (public pages)."""
        if auth == "cookies" and (self._session is None or not self._session.is_member):
            raise AuthExpired("Nessun account Vinted collegato: collegalo dalle Impostazioni.")
        session = await self.ensure_session() if auth != "none" else None
        if session is not None and session.is_member and session.needs_refresh():
            session = await self.refresh(session)
        needs_csrf = request.method != "GET" and auth == "cookies"
        refreshed = csrf_again = False
        while True:
            try:
                if needs_csrf and self._csrf is None:
                    await self.csrf_token()  # inside: a 401 on the form's page refreshes too
                prepared, cookies = self._prepared(request, session, auth)
                return await self._exchange(endpoint, prepared, kind, cookies)
            except AuthExpired:
                if refreshed or session is None:
                    raise
                refreshed = True
                session = await self.refresh(session)
            except CsrfMissing as error:
                if csrf_again:
                    await self._told(endpoint, error)
                    raise
                csrf_again = True
                self._csrf = None  # fetched again at the top of the loop

    async def json(
        self,
        endpoint: str,
        request: Request,
        parse: Callable[[Any], T],
        *,
        kind: PaceKind,
        auth: Auth = "cookies",
    ) -> T:
        """``call``, then the answer's JSON through ``parse``; a shape ``parse`` rejects is recorded."""
        reply = await self.call(endpoint, request, kind=kind, auth=auth)
        return await self.parsed(endpoint, parse, reply.json(endpoint))

    async def parsed(self, endpoint: str, parse: Callable[[Any], T], data: Any) -> T:
        try:
            return parse(data)
        except VintedChanged as error:
            await self._told(endpoint, error)
            raise

    async def aclose(self) -> None:
        await self.transport.aclose()
