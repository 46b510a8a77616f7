"""Signing in and staying signed in: registration, login, refresh-token rotation with reuse detection,
logout, session revocation, and the account changes that must sign devices out.

This domain owns the sessions and refresh tokens; the accounts themselves belong to ``users``, whose
service it calls.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from pydantic import ValidationError
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.audit import service as audit
from vinted_optimizer.auth import repository
from vinted_optimizer.auth.lockout import LoginThrottle
from vinted_optimizer.auth.schemas import (
    AccountSnapshot,
    LoginRequest,
    PasswordResetConfirm,
    RegisterRequest,
    SignupClaim,
    SignupCompletion,
)
from vinted_optimizer.config import RegistrationMode
from vinted_optimizer.kit.context import RequestContext
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.kit.errors import Conflict, Gone, NotFound, Unauthorized
from vinted_optimizer.kit.queue import JobQueue, Jobs
from vinted_optimizer.kit.ratelimit import RateLimits
from vinted_optimizer.kit.security import (
    AccessClaims,
    AccessTokens,
    Passwords,
    SecretBox,
    new_opaque_token,
    token_hash,
)
from vinted_optimizer.kit.signing import DeviceCookies
from vinted_optimizer.models import AuthSession, RefreshToken, User
from vinted_optimizer.users import password_reset
from vinted_optimizer.users import service as users
from vinted_optimizer.users.schemas import UserUpdate

SESSION_STATE_KEY = "vo:sess:{}"
SESSION_STATE_PATTERN = "vo:sess:*"
MEMBER_KEY = "vo:member:{}"
REVOKED = b"revoked"
MEMBER_CHANGED = b"changed"
# Sessions just revoked, comma-separated ids: each API process closes those sessions' live sockets.
SESSIONS_REVOKED_CHANNEL = "vo:sessions:revoked"
# How long a session found active in PostgreSQL is believed without asking again. A revocation overwrites
# the entry at once; this bound only matters if Redis comes back from disk with an entry written before
# a revocation it missed (the embedded Redis is cleared of these entries when serve restarts it).
ACTIVE_CACHE_SECONDS = 30
# A member's profile is forgotten the moment it changes; the expiry is only a safety net.
MEMBER_CACHE_SECONDS = 120
# Longer than any request takes: a request that read the old profile cannot cache it afterwards.
MEMBER_TOMBSTONE_SECONDS = 60
REGISTER_LIMIT_MESSAGE = "Troppe registrazioni da questa rete: riprova tra {seconds} secondi."


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"
    default_detail = "E-mail/nome utente o password non corretti."
    persist = True  # the audit row of the failure must survive the 401


class RefreshTokenReused(Unauthorized):
    code = "refresh_token_reused"
    default_detail = "Sessione revocata per sicurezza: accedi di nuovo."
    persist = True  # the revocation of the whole chain must survive the 401


class InvalidRefreshToken(Unauthorized):
    code = "invalid_refresh_token"
    default_detail = "Sessione scaduta: accedi di nuovo."


# A user's last activity, as a column of another domain's query (admin's list of users): the newest
# ``last_used_at`` of their sessions. It is written at sign-in and at each refresh of the access token,
# not at every request (the request gate reads sessions from Redis). An access token lives
# ``access_token_minutes``, and a request needs one issued at most that long before it, so the user's
# newest request falls between this time and this time plus the access token's lifetime.
last_activity_column = repository.last_used_of


# Opens a database session (a sessionmaker): the session states reach the database only on a cache miss.
Sessions = Callable[[], AbstractAsyncContextManager[AsyncSession]]


class SessionStates:
    """Whether a session may still be used, and who its member is. The truth is PostgreSQL; Redis only
    remembers the answers for a moment, so losing Redis costs a query, never lets a revoked token in.

    Entries, read by the request gate in the same round trip as the rate limits (``keys``):

    - ``vo:sess:<session id>``: ``active:<user id>`` (for ACTIVE_CACHE_SECONDS, written only if absent)
      or ``revoked`` (for the lifetime of an access token, written over anything);
    - ``vo:member:<user id>``: the member's family, role and username (for MEMBER_CACHE_SECONDS, written
      only if absent), or ``changed`` (for MEMBER_TOMBSTONE_SECONDS, written over anything) when any of
      them changes: ``forget_member`` runs in the changing unit of work, before it commits, so a request
      that read the old values just before cannot cache them afterwards.
    """

    def __init__(self, redis: Redis, tokens: AccessTokens) -> None:
        self._redis = redis
        self._revoked_ttl = tokens.lifetime_seconds + 60

    @staticmethod
    def keys(claims: AccessClaims) -> list[str]:
        return list(_keys_of(claims))

    async def mark_revoked(self, session_ids: list[uuid.UUID]) -> None:
        """Called in the revoking unit of work, before it commits: a request that read the session as
        active just before cannot cache it afterwards (its write is "only if absent")."""
        if not session_ids:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for session_id in session_ids:
                pipe.set(SESSION_STATE_KEY.format(session_id), REVOKED, ex=self._revoked_ttl)
            await pipe.execute()
        # Their live sockets (kit.events.EventHub) close at once.
        await self._redis.publish(SESSIONS_REVOKED_CHANNEL, ",".join(f"session:{s}" for s in session_ids))

    async def forget_member(self, user_id: uuid.UUID) -> None:
        """The member's username, role, family or active flag is changing (call before the commit)."""
        await self._redis.set(MEMBER_KEY.format(user_id), MEMBER_CHANGED, ex=MEMBER_TOMBSTONE_SECONDS)

    async def reconnect_sockets(self, user_id: uuid.UUID) -> None:
        """The member's live sockets close and reconnect, reading the member again (its family may have
        changed). After any revocation of the same change, so revoked sockets learn they are revoked."""
        await self._redis.publish(SESSIONS_REVOKED_CHANNEL, f"user:{user_id}")

    async def is_active(self, sessions: Sessions, claims: AccessClaims, cached: bytes | None) -> bool:
        """``cached``: the session's entry as the request gate read it. ``sessions`` opens a database
        session, only when nothing is cached."""
        if cached == REVOKED:
            return False
        if cached is not None:
            return bool(cached == _active_value(claims.user_id))
        key = SESSION_STATE_KEY.format(claims.session_id)
        async with sessions() as session:
            stored = await repository.auth_session(session, claims.session_id)
        if stored is None or stored.revoked_at is not None or stored.expires_at <= utcnow():
            await self._redis.set(key, REVOKED, ex=self._revoked_ttl)
            return False
        if stored.user_id != claims.user_id:
            return False  # a forged pairing: the session itself is fine for its owner
        await self._redis.set(key, _active_value(claims.user_id), ex=ACTIVE_CACHE_SECONDS, nx=True)
        return True

    async def signed_in(
        self, sessions: Sessions, user_id: uuid.UUID, cached: bytes | None
    ) -> AccountSnapshot | None:
        """Who the (active) account is; None when it no longer exists or was deactivated."""
        if cached is not None and cached != MEMBER_CHANGED:
            snapshot = _snapshot_of(cached)
            if snapshot is not None:
                return snapshot
            # else an entry of another version: read it again
        async with sessions() as session:
            user = await users.get(session, user_id)
        if user is None or not user.is_active:
            return None
        member = users.member_of(user)
        found = AccountSnapshot(
            family_id=user.family_id, role=member.role if member else None, username=user.username
        )
        # Only if absent: never over a "changed" written by a change that has not committed yet.
        await self._redis.set(
            MEMBER_KEY.format(user_id), found.model_dump_json(), ex=MEMBER_CACHE_SECONDS, nx=True
        )
        return found


# Every request of a session reads the same keys and the same cached values: what they take to build
# or parse is remembered (claims are per token, the cached bytes change when the member does).
@lru_cache(maxsize=4096)
def _keys_of(claims: AccessClaims) -> tuple[str, str]:
    return SESSION_STATE_KEY.format(claims.session_id), MEMBER_KEY.format(claims.user_id)


@lru_cache(maxsize=4096)
def _active_value(user_id: uuid.UUID) -> bytes:
    return f"active:{user_id}".encode()


@lru_cache(maxsize=4096)
def _snapshot_of(cached: bytes) -> AccountSnapshot | None:
    try:
        return AccountSnapshot.model_validate_json(cached)
    except ValidationError:
        return None


@dataclass(frozen=True)
class AuthTools:
    """What signing in needs, handed over by ``auth.dependencies``."""

    passwords: Passwords
    tokens: AccessTokens
    sessions: SessionStates
    rate_limits: RateLimits
    throttle: LoginThrottle
    devices: DeviceCookies
    secret_box: SecretBox
    registration: RegistrationMode
    signup_by_email: bool  # open sign-ups are confirmed by e-mail (SMTP is configured)
    refresh_days: int


@dataclass
class IssuedTokens:
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_at: datetime
    session_id: uuid.UUID


def _new_refresh_token(
    session: AsyncSession, tools: AuthTools, auth_session: AuthSession, now: datetime
) -> tuple[str, datetime]:
    raw = new_opaque_token()
    expires = min(now + timedelta(days=tools.refresh_days), auth_session.expires_at)
    session.add(
        RefreshToken(
            session_id=auth_session.id, token_hash=token_hash(raw), issued_at=now, expires_at=expires
        )
    )
    return raw, expires


def _issued(
    tools: AuthTools,
    user_id: uuid.UUID,
    auth_session: AuthSession,
    refresh: str,
    expires: datetime,
    now: datetime,
) -> IssuedTokens:
    return IssuedTokens(
        access_token=tools.tokens.issue(user_id, auth_session.id, now=now),
        expires_in=tools.tokens.lifetime_seconds,
        refresh_token=refresh,
        refresh_expires_at=expires,
        session_id=auth_session.id,
    )


async def start_session(
    session: AsyncSession, tools: AuthTools, user: User, context: RequestContext
) -> IssuedTokens:
    now = utcnow()
    auth_session = AuthSession(
        user_id=user.id,
        created_at=now,
        last_used_at=now,
        expires_at=now + timedelta(days=tools.refresh_days),
        ip=context.ip,
        user_agent=context.user_agent,
    )
    session.add(auth_session)
    await session.flush()
    refresh, refresh_expires = _new_refresh_token(session, tools, auth_session, now)
    await session.flush()
    return _issued(tools, user.id, auth_session, refresh, refresh_expires, now)


@dataclass(frozen=True)
class SignupStarted:
    """An open sign-up: completed by the link e-mailed to the address (or a notice, if it has an account)."""


async def register(
    session: AsyncSession,
    tools: AuthTools,
    data: RegisterRequest,
    context: RequestContext,
    jobs: Jobs,
) -> SignedIn | SignupStarted:
    """By the sign-up policy (``VO_REGISTRATION``, README "Accounts"):

    - with an invitation (``invite`` and ``open``): the member joins the inviting family;
    - ``invite`` without one: only the first visitor of a new instance, who creates the first family;
    - ``open`` without one: nothing is created now; the e-mail completes it, and the answer is the same
      whether or not the e-mail or the username exists (in development without SMTP the account is
      created at once, and the server warned at start that this reveals which addresses exist);
    - ``closed``: no new accounts.
    """
    limits = tools.rate_limits
    await limits.hit(limits.register, "register", context.ip or "unknown", message=REGISTER_LIMIT_MESSAGE)
    mode = tools.registration
    if mode == "closed":
        raise users.RegistrationClosed("Le iscrizioni sono chiuse su questa istanza.")
    # Hashed in every case: no branch answers measurably faster than another.
    password_hash = await tools.passwords.hash(data.password)
    if data.invite_token is None:
        if mode == "open" and tools.signup_by_email:
            claim = SignupClaim(
                email=str(data.email),
                username=data.username,
                password_hash=password_hash,
                family_name=data.family_name,
            )
            sealed = tools.secret_box.encrypt_json(claim.model_dump()).decode()
            jobs.enqueue_after_commit(users.SEND_SIGNUP_JOB, sealed)
            return SignupStarted()
        if mode == "invite" and not await users.may_create_first_family(session):
            raise users.RegistrationClosed()
    return await _new_account(
        session,
        tools,
        context,
        email=str(data.email),
        username=data.username,
        password_hash=password_hash,
        family_name=data.family_name,
        invite_token=data.invite_token,
    )


async def complete_signup(
    session: AsyncSession, tools: AuthTools, data: SignupCompletion, context: RequestContext
) -> SignedIn:
    """The link of an open sign-up was opened: create the account (once; a second time is a 409)."""
    if tools.registration != "open":
        raise users.RegistrationClosed()
    try:
        claim = SignupClaim.model_validate(
            tools.secret_box.decrypt_json(data.token.encode(), ttl=users.SIGNUP_LINK_SECONDS)
        )
    except (ValueError, ValidationError):  # forged, expired, or sealed by us for something else
        raise Gone("Questo link di registrazione non è valido o è scaduto: registrati di nuovo.") from None
    return await _new_account(
        session,
        tools,
        context,
        email=claim.email,
        username=data.username or claim.username,
        password_hash=claim.password_hash,
        family_name=claim.family_name,
        invite_token=None,
    )


async def _new_account(
    session: AsyncSession,
    tools: AuthTools,
    context: RequestContext,
    *,
    email: str,
    username: str,
    password_hash: str,
    family_name: str | None,
    invite_token: str | None,
) -> SignedIn:
    account = await users.create_account(
        session,
        email=email,
        username=username,
        password_hash=password_hash,
        family_name=family_name,
        invite_token=invite_token,
    )
    user = account.user
    await audit.record(
        session,
        "auth.register",
        context=context,
        user_id=user.id,
        family_id=user.family_id,
        resource_type="user",
        resource_id=user.id,
        metadata={"via_invitation": account.via_invitation, "role": user.role},
    )
    tokens = await start_session(session, tools, user, context)
    return SignedIn(user, tokens, tools.devices.issue(user.id))


@dataclass
class SignedIn:
    user: User
    tokens: IssuedTokens
    device_cookie: str  # vo_device: this device has signed in to this account (see lockout.py)


async def login(
    session: AsyncSession,
    tools: AuthTools,
    data: LoginRequest,
    context: RequestContext,
    *,
    device_cookie: str | None = None,
) -> SignedIn:
    user = await users.by_login(session, data.login)
    # The e-mail and the username of one account are one account; an unknown login is its own key.
    account = str(user.id) if user else data.login.strip().lower()
    device = tools.devices.device_of(device_cookie, user.id) if user else None
    ip = context.ip or "unknown"
    await tools.throttle.check(account, ip, device=device)

    valid = await tools.passwords.verify(user.password_argon2 if user else None, data.password)
    if not valid or user is None or not user.is_active:
        locks = await tools.throttle.failed(account, ip, device=device)

        async def record(action: str, metadata: dict[str, Any]) -> None:
            await audit.record(
                session,
                action,
                context=context,
                user_id=user.id if user else None,
                family_id=user.family_id if user else None,
                resource_type="user",
                resource_id=user.id if user else None,
                metadata=metadata,
            )

        await record("auth.login_failed", {"reason": "inactive" if user and valid else "bad_credentials"})
        for lock in locks:
            await record(
                "auth.login_locked", {"scope": lock.scope, "seconds": lock.seconds, "failures": lock.failures}
            )
        raise InvalidCredentials()
    await tools.throttle.succeeded(account)
    if tools.passwords.needs_rehash(user.password_argon2):
        users.set_password_hash(user, await tools.passwords.hash(data.password))
    tokens = await start_session(session, tools, user, context)
    await audit.record(
        session,
        "auth.login",
        context=context,
        user_id=user.id,
        family_id=user.family_id,
        resource_type="session",
        resource_id=tokens.session_id,
    )
    kept = device_cookie if device is not None and device_cookie else tools.devices.issue(user.id)
    return SignedIn(user, tokens, kept)


async def refresh(
    session: AsyncSession, tools: AuthTools, raw_token: str | None, context: RequestContext
) -> IssuedTokens:
    if not raw_token:
        raise InvalidRefreshToken("Manca il refresh token.")
    now = utcnow()
    stored = await repository.refresh_token_for_update(session, token_hash(raw_token))
    if stored is None:
        raise InvalidRefreshToken()
    auth_session = await repository.auth_session(session, stored.session_id)
    if auth_session is None:  # the foreign key cascades: a token never outlives its session
        raise InvalidRefreshToken()
    if stored.used_at is not None:
        # A refresh token is single-use: seeing it twice means it was copied. Revoke the whole chain.
        if auth_session.revoked_at is None:
            auth_session.revoked_at = now
            auth_session.revoked_reason = "refresh_reuse"
        await tools.sessions.mark_revoked([auth_session.id])
        await audit.record(
            session,
            "auth.refresh_reuse_detected",
            context=context,
            user_id=auth_session.user_id,
            resource_type="session",
            resource_id=auth_session.id,
        )
        raise RefreshTokenReused()
    if auth_session.revoked_at is not None or auth_session.expires_at <= now or stored.expires_at <= now:
        raise InvalidRefreshToken()
    user = await users.get(session, auth_session.user_id)
    if user is None or not user.is_active:
        raise InvalidRefreshToken()

    stored.used_at = now
    auth_session.last_used_at = now
    if context.ip:
        auth_session.ip = context.ip
    new_raw, new_expires = _new_refresh_token(session, tools, auth_session, now)
    await session.flush()
    return _issued(tools, user.id, auth_session, new_raw, new_expires, now)


async def session_of_refresh_token(session: AsyncSession, raw_token: str) -> AuthSession | None:
    stored = await repository.refresh_token_for_update(session, token_hash(raw_token))
    if stored is None:
        return None
    return await repository.auth_session(session, stored.session_id)


async def logout(
    session: AsyncSession,
    tools: AuthTools,
    *,
    refresh_token: str | None,
    access_token: str | None,
    context: RequestContext,
) -> None:
    """End the session named by the refresh token, else by the access token; unknown ones are ignored."""
    auth_session = await session_of_refresh_token(session, refresh_token) if refresh_token else None
    if auth_session is None and access_token is not None:
        claims = tools.tokens.decode_or_none(access_token)
        auth_session = await repository.auth_session(session, claims.session_id) if claims else None
    if auth_session is None:
        return
    user = await users.get(session, auth_session.user_id)
    await revoke_session(
        session,
        tools,
        auth_session,
        action="auth.logout",
        reason="logout",
        context=context,
        family_id=user.family_id if user else None,
    )


async def revoke_session(
    session: AsyncSession,
    tools: AuthTools,
    auth_session: AuthSession,
    *,
    action: str,
    reason: str,
    context: RequestContext,
    family_id: uuid.UUID | None,
) -> None:
    if auth_session.revoked_at is None:
        auth_session.revoked_at = utcnow()
        auth_session.revoked_reason = reason
    await tools.sessions.mark_revoked([auth_session.id])
    await audit.record(
        session,
        action,
        context=context,
        user_id=auth_session.user_id,
        family_id=family_id,
        resource_type="session",
        resource_id=auth_session.id,
    )


async def my_sessions(session: AsyncSession, user_id: uuid.UUID) -> list[AuthSession]:
    return await repository.active_sessions(session, user_id, utcnow())


async def revoke_my_session(
    session: AsyncSession, tools: AuthTools, user: User, session_id: uuid.UUID, context: RequestContext
) -> None:
    auth_session = await repository.auth_session(session, session_id)
    # Someone else's session is reported exactly like a missing one.
    if auth_session is None or auth_session.user_id != user.id or auth_session.revoked_at is not None:
        raise NotFound("Sessione non trovata.")
    await revoke_session(
        session,
        tools,
        auth_session,
        action="auth.session_revoked",
        reason="revoked",
        context=context,
        family_id=user.family_id,
    )


async def revoke_user_sessions(
    session: AsyncSession, tools: AuthTools, user_id: uuid.UUID, *, reason: str, keep: uuid.UUID | None = None
) -> None:
    revoked = await repository.revoke_sessions(session, user_id, utcnow(), reason, keep=keep)
    await tools.sessions.mark_revoked(revoked)


async def update_account(
    session: AsyncSession,
    tools: AuthTools,
    user: User,
    data: UserUpdate,
    context: RequestContext,
    *,
    current_session_id: uuid.UUID,
) -> User:
    """Profile changes (``users``); a new password also signs out every other device."""
    await tools.sessions.forget_member(user.id)
    if await users.update_me(session, tools.passwords, user, data, context):
        await revoke_user_sessions(
            session, tools, user.id, reason="password_changed", keep=current_session_id
        )
    await tools.sessions.reconnect_sockets(user.id)
    return user


async def delete_account(
    session: AsyncSession, tools: AuthTools, user: User, password: str, context: RequestContext
) -> None:
    """Confirmed by the password: every session is revoked, then the account and its data go."""
    await users.check_deletable(session, tools.passwords, user, password)
    await revoke_user_sessions(session, tools, user.id, reason="account_deleted")
    await tools.sessions.forget_member(user.id)
    await users.delete_account(session, user, context)


async def drop_dead_sessions(session: AsyncSession, *, retention: timedelta) -> dict[str, int]:
    """Expired refresh tokens, long-dead sessions and stale invitations (a clean-up job). Idempotent."""
    now = utcnow()
    return {
        "refresh_tokens": await repository.delete_expired_refresh_tokens(session, now - timedelta(days=1)),
        "sessions": await repository.delete_dead_sessions(session, now - retention),
        "invitations": await users.drop_stale_invitations(session, older_than=retention),
        "password_resets": await password_reset.drop_stale_links(session, older_than=timedelta(days=1)),
    }


# --- forgotten passwords ------------------------------------------------------------------------------

RESET_LIMIT_MESSAGE = "Troppe richieste per reimpostare la password: riprova tra {seconds} secondi."


class EmailNotConfigured(Conflict):
    code = "email_not_configured"
    default_detail = (
        "Su questo server l'invio di e-mail non è configurato: chiedi a chi gestisce la tua famiglia "
        "di creare un link per reimpostare la password."
    )


async def request_password_reset(
    tools: AuthTools, queue: JobQueue, *, email: str, email_enabled: bool, context: RequestContext
) -> None:
    """The same work and the same answer for any address: the limits (per IP, per address) and one
    sealed job. The worker finds the account, if any, makes the link and e-mails it
    (``users.password_reset``); nothing here looks the address up, and nothing is written here, so the
    job is queued at once (there is no commit to wait for)."""
    if not email_enabled:
        raise EmailNotConfigured()
    limits = tools.rate_limits
    ip = context.ip or "unknown"
    await limits.hit(limits.password_reset, "password-reset-ip", ip, message=RESET_LIMIT_MESSAGE)
    await limits.hit(
        limits.password_reset,
        "password-reset-address",
        token_hash(email.lower()),
        message=RESET_LIMIT_MESSAGE,
    )
    # The address travels through Redis sealed with Fernet, with who asked (for the audit row).
    sealed = tools.secret_box.encrypt_json(
        {"email": email, "ip": context.ip, "user_agent": context.user_agent}
    ).decode()
    await queue.enqueue(password_reset.SEND_RESET_JOB, sealed)


async def reset_password(
    session: AsyncSession, tools: AuthTools, data: PasswordResetConfirm, context: RequestContext
) -> None:
    """A reset link used: the new password is set, the link spent, and every session of the account
    revoked (whoever knew the old password is signed out everywhere)."""
    user = await password_reset.use_link(session, tools.passwords, data.token, data.password, context)
    await revoke_user_sessions(session, tools, user.id, reason="password_reset")
