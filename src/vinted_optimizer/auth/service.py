"""Registration, login, refresh-token rotation with reuse detection, logout and session revocation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.auth import repository
from vinted_optimizer.auth.schemas import LoginRequest, RegisterRequest
from vinted_optimizer.kit import audit
from vinted_optimizer.kit.context import RequestContext
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.kit.errors import BadRequest, Conflict, Gone, NotFound, Unauthorized
from vinted_optimizer.kit.resources import Resources
from vinted_optimizer.kit.security import new_opaque_token, token_hash
from vinted_optimizer.models import AuthSession, Family, Invitation, RefreshToken, User

REVOKED_SESSION_KEY = "vo:revoked-session:{}"


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


@dataclass
class IssuedTokens:
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_at: datetime
    session_id: uuid.UUID


async def mark_sessions_revoked(resources: Resources, session_ids: list[uuid.UUID]) -> None:
    """Access tokens are stateless for 15 minutes; this Redis marker makes revocation immediate."""
    if not session_ids:
        return
    ttl = resources.tokens.lifetime_seconds + 60
    async with resources.redis.pipeline(transaction=False) as pipe:
        for session_id in session_ids:
            pipe.set(REVOKED_SESSION_KEY.format(session_id), b"1", ex=ttl)
        await pipe.execute()


async def is_session_revoked(resources: Resources, session_id: uuid.UUID) -> bool:
    return bool(await resources.redis.exists(REVOKED_SESSION_KEY.format(session_id)))


async def _new_refresh_token(
    session: AsyncSession, resources: Resources, auth_session: AuthSession, now: datetime
) -> tuple[str, datetime]:
    raw = new_opaque_token()
    expires = min(now + timedelta(days=resources.settings.refresh_token_days), auth_session.expires_at)
    session.add(
        RefreshToken(
            session_id=auth_session.id, token_hash=token_hash(raw), issued_at=now, expires_at=expires
        )
    )
    return raw, expires


async def start_session(
    session: AsyncSession, resources: Resources, user: User, context: RequestContext
) -> IssuedTokens:
    now = utcnow()
    auth_session = AuthSession(
        user_id=user.id,
        created_at=now,
        last_used_at=now,
        expires_at=now + timedelta(days=resources.settings.refresh_token_days),
        ip=context.ip,
        user_agent=context.user_agent,
    )
    session.add(auth_session)
    await session.flush()
    refresh, refresh_expires = await _new_refresh_token(session, resources, auth_session, now)
    await session.flush()
    return IssuedTokens(
        access_token=resources.tokens.issue(user.id, auth_session.id, now=now),
        expires_in=resources.tokens.lifetime_seconds,
        refresh_token=refresh,
        refresh_expires_at=refresh_expires,
        session_id=auth_session.id,
    )


async def usable_invitation(session: AsyncSession, raw_token: str) -> Invitation:
    invitation = await repository.invitation_by_token_hash(session, token_hash(raw_token))
    if invitation is None:
        raise NotFound("Invito non valido.")
    if invitation.accepted_at is not None or invitation.expires_at <= utcnow():
        raise Gone("Questo invito è già stato usato o è scaduto: chiedine uno nuovo.")
    return invitation


async def preview_invitation(session: AsyncSession, raw_token: str) -> tuple[Invitation, Family]:
    invitation = await usable_invitation(session, raw_token)
    family = await session.get(Family, invitation.family_id)
    assert family is not None
    return invitation, family


async def register(
    session: AsyncSession, resources: Resources, data: RegisterRequest, context: RequestContext
) -> tuple[User, IssuedTokens]:
    await resources.rate_limits.hit(
        resources.rate_limits.register,
        "register",
        context.ip or "unknown",
        message="Troppe registrazioni da questa rete: riprova tra {seconds} secondi.",
    )
    if await repository.email_taken(session, data.email):
        raise Conflict("Esiste già un account con questa e-mail.")
    if await repository.username_taken(session, data.username):
        raise Conflict("Questo nome utente è già in uso.")

    invitation = None
    if data.invite_token:
        invitation = await usable_invitation(session, data.invite_token)
        if invitation.email.lower() != data.email.lower():
            raise BadRequest("Questo invito è per un altro indirizzo e-mail.")
        family_id, role = invitation.family_id, invitation.role
    else:
        family = Family(name=data.family_name or f"Famiglia di {data.username}")
        session.add(family)
        await session.flush()
        family_id, role = family.id, "admin"

    user = User(
        family_id=family_id,
        email=str(data.email),
        username=data.username,
        password_argon2=await resources.passwords.hash(data.password),
        role=role,
        preferences={"language": "it"},
    )
    session.add(user)
    await session.flush()
    if invitation is not None:
        invitation.accepted_at = utcnow()
        invitation.accepted_by_id = user.id
    await audit.record(
        session,
        "auth.register",
        context=context,
        user_id=user.id,
        family_id=family_id,
        resource_type="user",
        resource_id=user.id,
        metadata={"via_invitation": invitation is not None, "role": role},
    )
    tokens = await start_session(session, resources, user, context)
    loaded = await repository.user_by_id(session, user.id)
    assert loaded is not None
    return loaded, tokens


async def login(
    session: AsyncSession, resources: Resources, data: LoginRequest, context: RequestContext
) -> tuple[User, IssuedTokens]:
    limits = resources.rate_limits
    account_key = data.login.strip().lower()
    ip_key = context.ip or "unknown"
    message = "Troppi tentativi di accesso falliti: riprova tra {seconds} secondi."
    await limits.check(limits.login_failures, "login-account", account_key, message=message)
    await limits.check(limits.login_failures, "login-ip", ip_key, message=message)

    user = await repository.user_by_login(session, data.login)
    valid = await resources.passwords.verify(user.password_argon2 if user else None, data.password)
    if not valid or user is None or not user.is_active:
        await limits.count(limits.login_failures, "login-account", account_key)
        await limits.count(limits.login_failures, "login-ip", ip_key)
        await audit.record(
            session,
            "auth.login_failed",
            context=context,
            user_id=user.id if user else None,
            family_id=user.family_id if user else None,
            resource_type="user",
            resource_id=user.id if user else None,
            metadata={"reason": "inactive" if user and valid else "bad_credentials"},
        )
        raise InvalidCredentials()
    if resources.passwords.needs_rehash(user.password_argon2):
        user.password_argon2 = await resources.passwords.hash(data.password)
    tokens = await start_session(session, resources, user, context)
    await audit.record(
        session,
        "auth.login",
        context=context,
        user_id=user.id,
        family_id=user.family_id,
        resource_type="session",
        resource_id=tokens.session_id,
    )
    return user, tokens


async def refresh(
    session: AsyncSession, resources: Resources, raw_token: str | None, context: RequestContext
) -> IssuedTokens:
    if not raw_token:
        raise InvalidRefreshToken("Manca il refresh token.")
    now = utcnow()
    stored = await repository.refresh_token_for_update(session, token_hash(raw_token))
    if stored is None:
        raise InvalidRefreshToken()
    auth_session = await repository.auth_session(session, stored.session_id)
    assert auth_session is not None
    if stored.used_at is not None:
        # A refresh token is single-use: seeing it twice means it was copied. Revoke the whole chain.
        if auth_session.revoked_at is None:
            auth_session.revoked_at = now
            auth_session.revoked_reason = "refresh_reuse"
        await mark_sessions_revoked(resources, [auth_session.id])
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
    user = await repository.user_by_id(session, auth_session.user_id)
    if user is None or not user.is_active:
        raise InvalidRefreshToken()

    stored.used_at = now
    auth_session.last_used_at = now
    if context.ip:
        auth_session.ip = context.ip
    new_raw, new_expires = await _new_refresh_token(session, resources, auth_session, now)
    await session.flush()
    return IssuedTokens(
        access_token=resources.tokens.issue(user.id, auth_session.id, now=now),
        expires_in=resources.tokens.lifetime_seconds,
        refresh_token=new_raw,
        refresh_expires_at=new_expires,
        session_id=auth_session.id,
    )


async def session_of_refresh_token(session: AsyncSession, raw_token: str) -> AuthSession | None:
    stored = await repository.refresh_token_for_update(session, token_hash(raw_token))
    if stored is None:
        return None
    return await repository.auth_session(session, stored.session_id)


async def revoke_session(
    session: AsyncSession,
    resources: Resources,
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
    await mark_sessions_revoked(resources, [auth_session.id])
    await audit.record(
        session,
        action,
        context=context,
        user_id=auth_session.user_id,
        family_id=family_id,
        resource_type="session",
        resource_id=auth_session.id,
    )


async def revoke_my_session(
    session: AsyncSession, resources: Resources, user: User, session_id: uuid.UUID, context: RequestContext
) -> None:
    auth_session = await repository.auth_session(session, session_id)
    # Someone else's session is reported exactly like a missing one.
    if auth_session is None or auth_session.user_id != user.id or auth_session.revoked_at is not None:
        raise NotFound("Sessione non trovata.")
    await revoke_session(
        session,
        resources,
        auth_session,
        action="auth.session_revoked",
        reason="revoked",
        context=context,
        family_id=user.family_id,
    )


async def revoke_all_other_sessions(
    session: AsyncSession, resources: Resources, user: User, *, keep: uuid.UUID | None, reason: str
) -> None:
    revoked = await repository.revoke_sessions(session, user.id, utcnow(), reason, keep=keep)
    await mark_sessions_revoked(resources, revoked)
