"""Password reset links: the rules of the reset table (a part of the users service, split by topic).

A link is single-use and expires; only its token's SHA-256 is stored, and a new link replaces the
account's older ones. It reaches its owner by e-mail (when SMTP is configured: the worker makes the link
and sends it, so the request itself does the same work whether or not the address has an account) or by
hand, from the family admin who created it. Using it signs every device out: that is ``auth``'s part
(``auth.service.reset_password``), which calls ``use_link`` here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.audit import service as audit
from vinted_optimizer.config import Settings
from vinted_optimizer.kit.context import RequestContext
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.kit.email import send_email
from vinted_optimizer.kit.errors import Gone, NotFound
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.kit.security import Passwords, new_opaque_token, token_hash
from vinted_optimizer.models import PasswordReset, User
from vinted_optimizer.users import repository
from vinted_optimizer.users.policy import enforce_password_policy
from vinted_optimizer.users.schemas import PasswordResetLink

SEND_RESET_JOB = "users.send_password_reset_email"
RESET_PAGE = "/reimposta-password"


class InvalidResetLink(Gone):
    """Unknown, used, expired or of a deactivated account: one answer for all of them."""

    code = "reset_link_invalid"
    default_detail = "Questo link per reimpostare la password non è valido o è scaduto: chiedine uno nuovo."


class MemberNotFound(NotFound):
    default_detail = "Membro non trovato."


def reset_url(settings: Settings, raw_token: str) -> str:
    return f"{settings.public_url.rstrip('/')}{RESET_PAGE}?token={raw_token}"


async def _new_link(
    session: AsyncSession, user: User, *, via: str, created_by: uuid.UUID | None, lifetime: timedelta
) -> tuple[str, PasswordReset]:
    # One live link per account: a new one replaces the older ones.
    await repository.delete_password_resets(session, user.id)
    raw = new_opaque_token()
    now = utcnow()
    link = PasswordReset(
        user_id=user.id,
        token_hash=token_hash(raw),
        via=via,
        created_by_id=created_by,
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(link)
    await session.flush()
    return raw, link


@dataclass(frozen=True)
class EmailedLink:
    email: str
    raw_token: str
    expires_at: datetime


async def link_for_email(
    session: AsyncSession, settings: Settings, email: str, context: RequestContext | None
) -> EmailedLink | None:
    """The worker's half of a request by e-mail: a link for the active account with this address, or
    None (nothing is written and nothing is sent: the requester was told the same either way)."""
    user = await repository.user_by_email(session, email)
    if user is None or not user.is_active:
        return None
    raw, link = await _new_link(
        session,
        user,
        via="email",
        created_by=None,
        lifetime=timedelta(minutes=settings.password_reset_minutes),
    )
    await audit.record(
        session,
        "user.password_reset_requested",
        context=context,
        user_id=user.id,
        family_id=user.family_id,
        resource_type="user",
        resource_id=user.id,
        metadata={"via": "email"},
    )
    return EmailedLink(email=user.email, raw_token=raw, expires_at=link.expires_at)


async def send_reset_email(settings: Settings, link: EmailedLink) -> None:
    minutes = settings.password_reset_minutes
    validity = "un'ora" if minutes == 60 else f"{minutes} minuti"
    text = (
        "Ciao!\n\nQualcuno (speriamo tu) ha chiesto di reimpostare la password del tuo account su "
        f"Vinted Optimizer. Apri questo link per sceglierne una nuova (vale {validity}, una sola volta):\n\n"
        f"{reset_url(settings, link.raw_token)}\n\n"
        "Quando la password cambia, tutti i dispositivi collegati al tuo account vengono disconnessi.\n"
        "Se non sei stato tu, ignora questa e-mail: la tua password resta quella di prima.\n"
    )
    await send_email(settings, to=link.email, subject="Reimposta la password di Vinted Optimizer", text=text)


async def link_for_member(
    session: AsyncSession, settings: Settings, admin: Member, user_id: uuid.UUID, context: RequestContext
) -> PasswordResetLink:
    """The family admin's link for a member of their own family, shown once; another family's member
    (or an unknown id) is a 404, never "exists elsewhere"."""
    user = await repository.user(session, user_id)
    if user is None or user.family_id != admin.family_id:
        raise MemberNotFound()
    raw, link = await _new_link(
        session,
        user,
        via="family_admin",
        created_by=admin.id,
        lifetime=timedelta(hours=settings.password_reset_link_hours),
    )
    await audit.record(
        session,
        "family.password_reset_link",
        context=context,
        user_id=admin.id,
        family_id=admin.family_id,
        resource_type="user",
        resource_id=user.id,
    )
    return PasswordResetLink(
        user_id=user.id, reset_url=reset_url(settings, raw), token=raw, expires_at=link.expires_at
    )


async def use_link(
    session: AsyncSession,
    passwords: Passwords,
    raw_token: str,
    new_password: str,
    context: RequestContext,
    *,
    now: datetime | None = None,
) -> User:
    """Set the password the link allows and spend the link. ``now``: the clock (tests move it)."""
    now = now or utcnow()
    link = await repository.password_reset_by_token_hash(session, token_hash(raw_token))
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise InvalidResetLink()
    user = await repository.user(session, link.user_id)
    if user is None or not user.is_active:
        raise InvalidResetLink()
    enforce_password_policy(new_password, email=user.email, username=user.username, field="password")
    user.password_argon2 = await passwords.hash(new_password)
    link.used_at = now
    await session.flush()
    # Any other link still out there for this account is void too; this one stays, spent.
    await repository.delete_password_resets(session, user.id, keep=link.id)
    await audit.record(
        session,
        "user.password_reset_completed",
        context=context,
        user_id=user.id,
        family_id=user.family_id,
        resource_type="user",
        resource_id=user.id,
        metadata={"via": link.via},
    )
    return user


async def drop_stale_links(session: AsyncSession, *, older_than: timedelta) -> int:
    return await repository.delete_stale_password_resets(session, utcnow() - older_than)
