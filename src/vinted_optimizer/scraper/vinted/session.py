"""Vinted sessions: the anonymous one from the home page, a member's one, and the refresh of its chain.

- Anonymous: a GET of ``/`` sets ``access_token_web`` (a JWT) and ``anon_id``; search wants both
  (``Authorization: Bearer`` and ``x-anon-id``).
- A member: ``access_token_web`` + ``refresh_token_web``. The access token lives about 2 hours; the
  refresh token is single-use: ``POST /web/api/auth/refresh`` (with both cookies) sets a new pair, and a
  dead chain answers 400 with an empty body (``SessionDead``).

The JWT's ``exp`` is read without verifying the signature (we cannot, and only need to know when to
refresh). Parsers here are pure; the client (``client.py``) sends the requests.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from vinted_optimizer.scraper.errors import SessionDead, VintedChanged
from vinted_optimizer.scraper.vinted.transport import Reply, Request

ACCESS_COOKIE = "access_token_web"
REFRESH_COOKIE = "refresh_token_web"
ANON_COOKIE = "anon_id"
REFRESH_PATH = "/web/api/auth/refresh"
# Refresh this long before the access token expires (it lives ~2 hours).
REFRESH_MARGIN = timedelta(minutes=10)


def jwt_claims(token: str) -> dict[str, object]:
    """The claims of a JWT, unverified; empty when the token is not a JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, binascii.Error):
        return {}
    return claims if isinstance(claims, dict) else {}


def jwt_claim(token: str, name: str) -> object:
    """One claim of a JWT, unverified (None when absent)."""
    return jwt_claims(token).get(name)


def jwt_expiry(token: str) -> datetime | None:
    """The ``exp`` claim of a JWT, unverified; None when the token is not a JWT or has no ``exp``."""
    exp = jwt_claim(token, "exp")
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        return None
    try:
        return datetime.fromtimestamp(exp, UTC)
    except (OverflowError, ValueError, OSError):
        return None


@dataclass(frozen=True)
class VintedSession:
    access_token: str
    refresh_token: str | None = None  # None: an anonymous session (search only)
    anon_id: str | None = None

    @property
    def is_member(self) -> bool:
        return self.refresh_token is not None

    @property
    def expires_at(self) -> datetime | None:
        return jwt_expiry(self.access_token)

    def needs_refresh(self, now: datetime | None = None, *, margin: timedelta = REFRESH_MARGIN) -> bool:
        """True when the access token expires within ``margin``. A token whose expiry cannot be read is
        not refreshed ahead (each refresh spends the single-use token): its 401 will say when."""
        expires = self.expires_at
        return expires is not None and expires - margin <= (now or datetime.now(UTC))

    def cookies(self) -> dict[str, str]:
        out = {ACCESS_COOKIE: self.access_token}
        if self.refresh_token is not None:
            out[REFRESH_COOKIE] = self.refresh_token
        if self.anon_id is not None:
            out[ANON_COOKIE] = self.anon_id
        return out

    def __repr__(self) -> str:  # never log the tokens
        kind = "member" if self.is_member else "anonymous"
        return f"VintedSession({kind}, expires_at={self.expires_at})"


def home_request() -> Request:
    return Request("GET", "site", "/", expect="html")


def parse_home(reply: Reply) -> VintedSession:
    """The anonymous session the home page's cookies carry."""
    access = reply.cookies.get(ACCESS_COOKIE)
    if not access:
        raise VintedChanged(endpoint="session", detail=f"the home page set no {ACCESS_COOKIE} cookie")
    return VintedSession(access_token=access, anon_id=reply.cookies.get(ANON_COOKIE) or None)


def refresh_request() -> Request:
    return Request("POST", "site", REFRESH_PATH, expect="any")


def parse_refresh(session: VintedSession, reply: Reply) -> VintedSession:
    """The new pair a refresh set; ``SessionDead`` for a dead chain (400, empty body)."""
    if reply.status == 400 and not reply.body.strip():
        raise SessionDead()
    if reply.status in (400, 401):
        # The refresh token refused in another way: the chain cannot be continued either.
        raise SessionDead()
    access = reply.cookies.get(ACCESS_COOKIE)
    refresh = reply.cookies.get(REFRESH_COOKIE)
    if not access or not refresh:
        raise VintedChanged(endpoint="session.refresh", detail="the refresh answer set no new token pair")
    return replace(session, access_token=access, refresh_token=refresh)
