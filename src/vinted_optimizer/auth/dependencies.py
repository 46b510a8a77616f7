"""Authorisation as typed dependencies: CurrentUser, CurrentMember, FamilyAdmin, InstanceAdmin.

``CurrentMember`` and ``FamilyAdmin`` yield a ``kit.principal.Member`` (its ``family_id`` is never None);
``CurrentUser`` and ``InstanceAdmin`` the account row, for the endpoints about the account itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

from vinted_optimizer.auth.lockout import LoginThrottle
from vinted_optimizer.auth.service import AuthTools, SessionStates
from vinted_optimizer.kit.context import client_ip
from vinted_optimizer.kit.db import DbSession
from vinted_optimizer.kit.email import smtp_configured
from vinted_optimizer.kit.error_handlers import error_response, outage_response
from vinted_optimizer.kit.errors import DomainError, Forbidden, Unauthorized
from vinted_optimizer.kit.outages import REDIS_ERRORS
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.kit.ratelimit import Limit
from vinted_optimizer.kit.security import AccessClaims, ExpiredAccessToken, InvalidAccessToken
from vinted_optimizer.models import User
from vinted_optimizer.resources import Res, Resources
from vinted_optimizer.users import service as users

# The scheme the OpenAPI document names on every operation that needs the access token (kit.openapi):
# the gate itself reads the header, so no dependency of a request parses it twice.
bearer = HTTPBearer(auto_error=False, description="Access token from /auth/login or /auth/refresh")


@dataclass(frozen=True, slots=True)
class Gate:
    """What the request gate found: the bearer token's claims (or why there are none), and the cached
    session state and member profile read in the same Redis round trip as the limits."""

    claims: AccessClaims | None
    token_offered: bool
    token_expired: bool
    session_state: bytes | None
    signed_in: bytes | None


def _bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


async def open_gate(resources: Resources, ip: str | None, token: str | None) -> Gate:
    """The per-IP limit, and with a valid access token the per-member limit and the reads authentication
    needs, in one Redis command: for a request (``request_gate``) and a WebSocket (``socket_member``)."""
    rate_limits = resources.rate_limits
    limits = [Limit("ip", rate_limits.per_ip, ip or "unknown")]
    claims, expired, reads = None, False, []
    if token is not None:
        try:
            claims = resources.tokens.decode(token)
        except ExpiredAccessToken:
            expired = True
        except InvalidAccessToken:
            pass
    if claims is not None:
        limits.append(Limit("user", rate_limits.per_user, str(claims.user_id)))
        reads = SessionStates.keys(claims)
    values = await rate_limits.gate.passes(limits, reads)
    if claims is None:
        return Gate(None, token is not None, expired, None, None)
    return Gate(claims, True, False, values[0], values[1])


async def request_gate(request: Request) -> Gate:
    """The request's gate, opened once (by RequestGateMiddleware, before routing) and kept in the request's
    state, where the authentication dependencies find it without a dependency level of their own
    (FastAPI 0.163 spends about ten microseconds on each level, every request)."""
    state = request.scope.setdefault("state", {})
    gate: Gate | None = state.get(_GATE)
    if gate is None:
        gate = state[_GATE] = await open_gate(
            request.app.state.resources, client_ip(request), _bearer_token(request)
        )
    return gate


_GATE = "vo.gate"


class RequestGateMiddleware:
    """Every HTTP request under ``prefix`` passes the gate (limits, and the reads authentication needs)
    before it is routed: no route under it can be left out, an unknown path included, and no route pays
    a dependency level for it. A limit reached is the 429, a Redis that cannot be reached the 503, as the
    app's error handlers would write them. WebSockets check the gate themselves (``socket_member``)."""

    def __init__(self, app: ASGIApp, *, prefix: str) -> None:
        self.app = app
        self.under = prefix + "/"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.under):
            try:
                await request_gate(Request(scope))
            except DomainError as error:
                await error_response(error)(scope, receive, send)
                return
            except REDIS_ERRORS as error:
                response = outage_response(error, scope["path"])
                assert response is not None  # every Redis error is an outage
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def auth_tools(resources: Res) -> AuthTools:
    return AuthTools(
        passwords=resources.passwords,
        tokens=resources.tokens,
        sessions=SessionStates(resources.redis, resources.tokens),
        rate_limits=resources.rate_limits,
        throttle=LoginThrottle(resources.redis, resources.rate_limits),
        devices=resources.devices,
        secret_box=resources.secret_box,
        registration=resources.settings.registration,
        signup_by_email=smtp_configured(resources.settings),
        refresh_days=resources.settings.refresh_token_days,
    )


Tools = Annotated[AuthTools, Depends(auth_tools)]


def _session_states(resources: Resources) -> SessionStates:
    return SessionStates(resources.redis, resources.tokens)


async def _active_claims(
    resources: Resources, sessions: async_sessionmaker[AsyncSession], gate: Gate
) -> AccessClaims:
    """The gate's claims if their session is still active; the database is asked only when the gate
    found nothing cached about the session."""
    if gate.claims is None:
        if gate.token_expired:
            # Only a token we signed ourselves is worth refreshing: the dashboard refreshes on this header.
            raise Unauthorized("Token scaduto.", headers={"X-Token-Expired": "1"})
        if not gate.token_offered:
            raise Unauthorized("Accedi per continuare.")
        raise Unauthorized("Token non valido.")
    if not await _session_states(resources).is_active(sessions, gate.claims, gate.session_state):
        raise Unauthorized("Sessione revocata o scaduta: accedi di nuovo.")
    return gate.claims


async def _member_of(
    resources: Resources,
    sessions: async_sessionmaker[AsyncSession],
    claims: AccessClaims,
    cached: bytes | None,
) -> Member:
    """From the gate's cached read of the member; the user row only when nothing is cached."""
    signed_in = await _session_states(resources).signed_in(sessions, claims.user_id, cached)
    if signed_in is None:
        raise Unauthorized("Account non più attivo.")
    member = signed_in.member(claims.user_id)
    if member is None:
        raise Forbidden("Questa funzione è per i membri di una famiglia.")
    return member


async def access_claims(request: Request) -> AccessClaims:
    """The claims of the request's access token, its session still active (the gate read the token)."""
    state = request.app.state
    return await _active_claims(state.resources, state.read_sessionmaker, await request_gate(request))


Claims = Annotated[AccessClaims, Depends(access_claims)]


async def current_user(session: DbSession, claims: Claims) -> User:
    """The account row itself, for the endpoints about the account (a query; members use the cache)."""
    user = await users.get(session, claims.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("Account non più attivo.")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def current_member(request: Request) -> Member:
    """The signed-in family member, from what the gate read."""
    state = request.app.state
    gate = await request_gate(request)
    claims = await _active_claims(state.resources, state.read_sessionmaker, gate)
    return await _member_of(state.resources, state.read_sessionmaker, claims, gate.signed_in)


# What the OpenAPI document marks as needing the access token (401, the bearer scheme).
AUTHENTICATION = (access_claims, current_member)


CurrentMember = Annotated[Member, Depends(current_member)]
# For endpoints about the account row itself that are only for family members.
RequireMember = Depends(current_member)


async def family_admin(member: CurrentMember) -> Member:
    if not member.is_family_admin:
        raise Forbidden("Solo l'amministratore della famiglia può farlo.")
    return member


FamilyAdmin = Annotated[Member, Depends(family_admin)]


async def instance_admin(user: CurrentUser) -> User:
    if not user.is_instance_admin:
        raise Forbidden("Solo l'amministratore dell'istanza può farlo.")
    return user


InstanceAdmin = Annotated[User, Depends(instance_admin)]


async def socket_member(
    resources: Resources, sessions: async_sessionmaker[AsyncSession], token: str | None, ip: str | None
) -> tuple[Member, AccessClaims]:
    """The same checks as a request's (the token, the per-IP and per-member limits, revocation, the
    member), for a WebSocket, whose token comes in its ``Sec-WebSocket-Protocol`` header."""
    gate = await open_gate(resources, ip, token)
    claims = await _active_claims(resources, sessions, gate)
    return await _member_of(resources, sessions, claims, gate.signed_in), claims
