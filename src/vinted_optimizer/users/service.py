"""Accounts, families and invitations: who exists, who belongs where, and the profile rules.

This domain owns the users, families and invitations tables. Signing in, sessions and the revocation of
tokens belong to ``auth``, which calls this service; this service never calls ``auth``.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import EmailStr, TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.audit import service as audit
from vinted_optimizer.config import Settings
from vinted_optimizer.kit.context import RequestContext
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.kit.email import send_email, smtp_configured
from vinted_optimizer.kit.errors import BadRequest, Conflict, Forbidden, Gone, NotFound
from vinted_optimizer.kit.principal import FamilyRole, Member
from vinted_optimizer.kit.queue import Jobs
from vinted_optimizer.kit.ratelimit import RateLimits
from vinted_optimizer.kit.security import Passwords, SecretBox, new_opaque_token, token_hash
from vinted_optimizer.models import Family, Invitation, User
from vinted_optimizer.scraper.vinted.session import jwt_claim, jwt_expiry
from vinted_optimizer.users import repository
from vinted_optimizer.users.policy import check_password_policy, enforce_password_policy, normalise_username
from vinted_optimizer.users.schemas import (
    FamilyOverview,
    InvitationCreate,
    InvitationCreated,
    InvitationRead,
    MemberRead,
    NewFamilyInvitation,
    UserUpdate,
    VintedSessionLink,
)

SEND_INVITATION_JOB = "users.send_invitation_email"


class WrongPassword(Forbidden):
    code = "wrong_password"
    default_detail = "La password attuale non è corretta."


class UserNotFound(NotFound):
    default_detail = "Utente non trovato."


# --- who exists -------------------------------------------------------------------------------------


def member_of(user: User) -> Member | None:
    """The typed member a signed-in user is, or None for the instance administrator outside any family."""
    if user.family_id is None:
        return None
    role: FamilyRole = "admin" if user.role == "admin" else "member"
    return Member(id=user.id, family_id=user.family_id, role=role, username=user.username)


async def get(session: AsyncSession, user_id: uuid.UUID, *, lock: bool = False) -> User | None:
    return await repository.user(session, user_id, lock=lock)


async def require(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await repository.user(session, user_id)
    if user is None:
        raise UserNotFound()
    return user


async def by_login(session: AsyncSession, login: str) -> User | None:
    """The account an e-mail or username names (case-insensitive), or None."""
    return await repository.user_by_login(session, login)


# The username of a user id, as one column of other domains' read queries (the owner of a listing).
username_column = repository.username_of

InstanceUserRow = repository.InstanceUserRow


async def instance_users(
    session: AsyncSession,
    *,
    search: str | None,
    sort: str,
    limit: int,
    offset: int,
    last_activity: repository.UserColumn,
) -> tuple[list[InstanceUserRow], int]:
    """Every account of the instance, for its administrator (admin.service): no family scope, by design.
    ``sort`` is one of username, email, created_at, last_activity, family, ``-`` first for descending."""
    return await repository.instance_users(
        session, search=search, sort=sort, limit=limit, offset=offset, last_activity=last_activity
    )


async def usernames(session: AsyncSession, user_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    return await repository.usernames(session, user_ids)


async def family_member_names(session: AsyncSession, family_id: uuid.UUID) -> dict[uuid.UUID, str]:
    """The family's members: id → username."""
    return {user.id: user.username for user in await repository.family_members(session, family_id)}


async def family_ids(session: AsyncSession) -> list[uuid.UUID]:
    """Every family of the instance (for what concerns them all: new market data)."""
    return await repository.family_ids(session)


async def active_members(session: AsyncSession, family_id: uuid.UUID) -> list[User]:
    """The family's members who may sign in (a deactivated member is told nothing)."""
    return [user for user in await repository.family_members(session, family_id) if user.is_active]


def set_password_hash(user: User, password_hash: str) -> None:
    user.password_argon2 = password_hash


# --- new accounts -----------------------------------------------------------------------------------


async def usable_invitation(session: AsyncSession, raw_token: str) -> Invitation:
    invitation = await repository.invitation_by_token_hash(session, token_hash(raw_token))
    if invitation is None:
        raise NotFound("Invito non valido.")
    if invitation.accepted_at is not None or invitation.expires_at <= utcnow():
        raise Gone("Questo invito è già stato usato o è scaduto: chiedine uno nuovo.")
    return invitation


async def preview_invitation(session: AsyncSession, raw_token: str) -> tuple[Invitation, Family]:
    invitation = await usable_invitation(session, raw_token)
    family = await repository.family(session, invitation.family_id)
    if family is None:
        raise NotFound("Invito non valido.")
    return invitation, family


@dataclass(frozen=True)
class NewAccount:
    user: User
    via_invitation: bool


class RegistrationClosed(Forbidden):
    code = "registration_closed"
    default_detail = "Le iscrizioni sono solo su invito: chiedi a chi gestisce la famiglia di invitarti."


async def first_family_open(session: AsyncSession) -> bool:
    """Whether a visitor could create the first family now (shown by the sign-up page)."""
    return not await repository.any_family(session)


async def may_create_first_family(session: AsyncSession) -> bool:
    """A new instance: the first visitor creates the first family (the check holds a lock until the
    transaction ends, so two first visitors cannot both do it)."""
    return not await repository.any_family(session, lock=True)


async def create_account(
    session: AsyncSession,
    *,
    email: str,
    username: str,
    password_hash: str,
    family_name: str | None,
    invite_token: str | None,
) -> NewAccount:
    """A new family with this user as its admin, or a member joining through an invitation.

    The invitation is checked first: without a valid one nothing about existing accounts is told.
    """
    invitation = None
    if invite_token:
        invitation = await usable_invitation(session, invite_token)
        if invitation.email.lower() != email.lower():
            raise BadRequest("Questo invito è per un altro indirizzo e-mail.")
    if await repository.email_taken(session, email):
        raise Conflict("Con questa e-mail c'è già un account: accedi con quello.")
    if await repository.username_taken(session, username):
        raise Conflict("Questo nome utente è già in uso: scegline un altro.")

    if invitation is not None:
        family_id, role = invitation.family_id, invitation.role
    else:
        family = Family(name=family_name or f"Famiglia di {username}")
        session.add(family)
        await session.flush()
        family_id, role = family.id, "admin"

    user = User(
        family_id=family_id,
        email=email,
        username=username,
        password_argon2=password_hash,
        role=role,
        preferences={"language": "it"},
    )
    session.add(user)
    await session.flush()
    if invitation is not None:
        invitation.accepted_at = utcnow()
        invitation.accepted_by_id = user.id
    loaded = await repository.user(session, user.id)
    assert loaded is not None  # just inserted in this transaction
    return NewAccount(user=loaded, via_invitation=invitation is not None)


async def create_instance_admin(
    session: AsyncSession, passwords: Passwords, *, email: str, username: str, password: str
) -> User:
    """The instance administrator (``vinted-optimizer create-admin``), outside any family."""
    email = str(TypeAdapter(EmailStr).validate_python(email))
    username = normalise_username(username)
    check_password_policy(password, email=email, username=username)
    if await repository.email_taken(session, email) or await repository.username_taken(session, username):
        raise ValueError("E-mail o nome utente già in uso / e-mail or username already taken.")
    user = User(
        email=email,
        username=username,
        password_argon2=await passwords.hash(password),
        role="member",
        is_instance_admin=True,
        family_id=None,
    )
    session.add(user)
    await session.flush()
    await audit.record(
        session,
        "admin.created",
        context=None,
        user_id=user.id,
        resource_type="user",
        resource_id=user.id,
        metadata={"via": "cli"},
    )
    return user


# --- my profile -------------------------------------------------------------------------------------


async def require_password(passwords: Passwords, user: User, password: str | None) -> None:
    if not password or not await passwords.verify(user.password_argon2, password):
        raise WrongPassword()


async def update_me(
    session: AsyncSession, passwords: Passwords, user: User, data: UserUpdate, context: RequestContext
) -> bool:
    """Apply the changes sent; True when the password changed (the caller then signs out other devices)."""
    email_changes = data.email is not None and data.email.lower() != user.email.lower()
    if email_changes or data.new_password is not None:
        await require_password(passwords, user, data.current_password)

    if data.username is not None and data.username != user.username:
        if await repository.username_taken(session, data.username, exclude=user.id):
            raise Conflict("Questo nome utente è già in uso.")
        user.username = data.username
    if email_changes:
        assert data.email is not None  # email_changes says so
        if await repository.email_taken(session, data.email, exclude=user.id):
            raise Conflict("Esiste già un account con questa e-mail.")
        user.email = str(data.email)
        await _audit_self(session, "user.email_changed", user, context)
    if data.new_password is not None:
        enforce_password_policy(
            data.new_password, email=user.email, username=user.username, field="new_password"
        )
        user.password_argon2 = await passwords.hash(data.new_password)
        await _audit_self(session, "user.password_changed", user, context)
    if data.preferences is not None:
        user.preferences = merged_preferences(user.preferences, data.preferences.changes())
    await session.flush()
    return data.new_password is not None


def merged_preferences(stored: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Each key sent replaces the stored one, but ``notifications`` is merged kind by kind: turning one
    kind off leaves the others as they were."""
    merged = {**stored, **changes}
    if "notifications" in changes:
        before = stored.get("notifications")
        merged["notifications"] = {**(before if isinstance(before, dict) else {}), **changes["notifications"]}
    return merged


async def check_deletable(session: AsyncSession, passwords: Passwords, user: User, password: str) -> None:
    """The password is right, and the family keeps an administrator if others stay in it."""
    await require_password(passwords, user, password)
    if user.family_id is None or user.role != "admin":
        return
    members = await repository.family_members(session, user.family_id)
    if any(m.id != user.id for m in members):
        if await repository.count_family_admins(session, user.family_id, excluding=user.id) == 0:
            raise Conflict(
                "Sei l'unico amministratore della famiglia: "
                "nomina un altro amministratore prima di eliminare l'account."
            )


async def delete_account(session: AsyncSession, user: User, context: RequestContext) -> None:
    """Delete the user (cascades remove their sessions, listings, photos, sales and chats), and the
    family with them when nobody else is left in it. Call ``check_deletable`` first."""
    await _audit_self(session, "user.deleted", user, context)
    family_id = user.family_id
    await repository.delete_user(session, user.id)
    if family_id is not None and not await repository.family_members(session, family_id):
        await repository.delete_family(session, family_id)
    await session.flush()


@dataclass(frozen=True)
class StoredVintedSession:
    """A member's Vinted cookies as decrypted for the keep-alive; never logged (``repr`` hides them)."""

    user_id: uuid.UUID
    access_token_web: str
    refresh_token_web: str
    domain: str

    def __repr__(self) -> str:
        return f"StoredVintedSession(user_id={self.user_id}, domain={self.domain})"


UNKNOWN_EXPIRY_RECHECK = timedelta(hours=1)


def _subject_id(access_token: str) -> int | None:
    """Vinted's id of the account, when the access token's subject is one (a number)."""
    subject = jwt_claim(access_token, "sub")
    text = str(subject) if isinstance(subject, int | str) and not isinstance(subject, bool) else ""
    return int(text) if text.isdigit() and 0 < int(text) <= 2**53 else None


def store_vinted_session(
    secret_box: SecretBox, user: User, data: VintedSessionLink, *, linked_at: str | None = None
) -> None:
    """Seal the pair (MultiFernet) on the member's row, with when its access token expires."""
    payload = data.model_dump()
    payload["linked_at"] = linked_at or utcnow().isoformat()
    user.vinted_session_fernet = secret_box.encrypt_json(payload)
    # An expiry that cannot be read: look again within the hour (a chain left alone for a week dies).
    user.vinted_expires_at = jwt_expiry(data.access_token_web) or utcnow() + UNKNOWN_EXPIRY_RECHECK
    user.vinted_dead_at = None
    user.vinted_user_id = data.vinted_user_id or _subject_id(data.access_token_web)


async def link_vinted(
    session: AsyncSession,
    secret_box: SecretBox,
    user: User,
    data: VintedSessionLink,
    context: RequestContext,
    *,
    via: str = "manual",
) -> User:
    store_vinted_session(secret_box, user, data)
    await _audit_self(
        session, "user.vinted_linked", user, context, metadata={"domain": data.domain, "via": via}
    )
    await session.flush()
    return user


async def unlink_vinted(session: AsyncSession, user: User, context: RequestContext) -> User:
    if user.vinted_session_fernet is not None or user.vinted_dead_at is not None:
        user.vinted_session_fernet = None
        user.vinted_expires_at = None
        user.vinted_dead_at = None
        await _audit_self(session, "user.vinted_unlinked", user, context)
        await session.flush()
    return user


async def vinted_sessions_due(session: AsyncSession, before: datetime) -> list[uuid.UUID]:
    """The members whose stored access token expires before ``before`` (or whose expiry is unknown)."""
    return await repository.vinted_sessions_due(session, before)


async def vinted_linked_members(session: AsyncSession, family_id: uuid.UUID | None = None) -> list[uuid.UUID]:
    """The members with a linked Vinted account (the sales sync), of one family or of all."""
    return await repository.vinted_linked(session, family_id)


def open_vinted_session(secret_box: SecretBox, user: User) -> StoredVintedSession | None:
    """The member's stored pair, decrypted; None when none is stored or it cannot be read."""
    if user.vinted_session_fernet is None:
        return None
    try:
        payload = secret_box.decrypt_json(user.vinted_session_fernet)
        return StoredVintedSession(
            user_id=user.id,
            access_token_web=str(payload["access_token_web"]),
            refresh_token_web=str(payload["refresh_token_web"]),
            domain=str(payload.get("domain") or "it"),
        )
    except (ValueError, KeyError):
        return None


async def rotate_vinted_session(
    session: AsyncSession,
    secret_box: SecretBox,
    user: User,
    stored: StoredVintedSession,
    access: str,
    refresh: str,
) -> None:
    """Vinted rotated the pair: the new one replaces the old (the old refresh token is spent)."""
    data = VintedSessionLink(access_token_web=access, refresh_token_web=refresh, domain=stored.domain)  # type: ignore[arg-type]
    store_vinted_session(secret_box, user, data)
    await session.flush()


async def vinted_session_died(session: AsyncSession, user: User) -> bool:
    """Vinted refused the chain: the useless pair is dropped and the member must link again. False when
    it was already marked (a second run)."""
    if user.vinted_session_fernet is None:
        return False
    user.vinted_session_fernet = None
    user.vinted_expires_at = None
    user.vinted_dead_at = utcnow()
    await _audit_self(session, "user.vinted_session_dead", user, None)
    await session.flush()
    return True


async def _audit_self(
    session: AsyncSession,
    action: str,
    user: User,
    context: RequestContext | None,
    *,
    metadata: dict[str, str] | None = None,
) -> None:
    await audit.record(
        session,
        action,
        context=context,
        user_id=user.id,
        family_id=user.family_id,
        resource_type="user",
        resource_id=user.id,
        metadata=metadata,
    )


# --- the family and its invitations -----------------------------------------------------------------


async def family_overview(session: AsyncSession, admin: Member) -> FamilyOverview:
    family = await repository.family(session, admin.family_id)
    if family is None:
        raise NotFound("Famiglia non trovata.")
    members = await repository.family_members(session, family.id)
    invitations = await repository.pending_invitations(session, family.id, utcnow())
    return FamilyOverview(
        id=family.id,
        name=family.name,
        members=[MemberRead.model_validate(m) for m in members],
        pending_invitations=[InvitationRead.model_validate(i) for i in invitations],
    )


def invite_url(settings: Settings, raw_token: str) -> str:
    return f"{settings.public_url.rstrip('/')}/invito?token={raw_token}"


INVITATIONS_LIMIT_MESSAGE = "Troppi inviti in poco tempo: riprova tra {seconds} secondi."


async def invite(
    session: AsyncSession,
    settings: Settings,
    secret_box: SecretBox,
    limits: RateLimits,
    admin: Member,
    data: InvitationCreate,
    context: RequestContext,
    jobs: Jobs,
) -> InvitationCreated:
    """An invitation link, e-mailed when SMTP is configured. The answer is the same whether or not the
    address already has an account (that owner gets a notice instead of the link), so inviting cannot
    be used to learn who has one; the number of invitations per family and hour is limited."""
    await limits.hit(
        limits.invitations, "invite-family", str(admin.family_id), message=INVITATIONS_LIMIT_MESSAGE
    )
    return await _invitation(
        session,
        settings,
        secret_box,
        family_id=admin.family_id,
        invited_by=admin.id,
        email=str(data.email),
        role=data.role,
        context=context,
        jobs=jobs,
        action="family.invite",
    )


async def invite_new_family(
    session: AsyncSession,
    settings: Settings,
    secret_box: SecretBox,
    instance_admin: User | None,
    data: NewFamilyInvitation,
    context: RequestContext | None,
    jobs: Jobs | None,
) -> InvitationCreated:
    """The instance administrator (API) or the command line of a fresh install invites the first member
    of a new family: the family exists from now, its first member joins as its admin."""
    family = Family(name=data.family_name)
    session.add(family)
    await session.flush()
    return await _invitation(
        session,
        settings,
        secret_box,
        family_id=family.id,
        invited_by=instance_admin.id if instance_admin else None,
        email=str(data.email),
        role="admin",
        context=context,
        jobs=jobs,
        action="admin.family_invited",
    )


async def _invitation(
    session: AsyncSession,
    settings: Settings,
    secret_box: SecretBox,
    *,
    family_id: uuid.UUID,
    invited_by: uuid.UUID | None,
    email: str,
    role: FamilyRole,
    context: RequestContext | None,
    jobs: Jobs | None,
    action: str,
) -> InvitationCreated:
    if settings.registration == "closed":
        raise RegistrationClosed(
            "Le iscrizioni sono chiuse su questa istanza: un invito non si potrebbe usare."
        )
    # One live invitation per address: a new one replaces the old.
    await repository.delete_pending_invitations_for(session, family_id, email)
    raw = new_opaque_token()
    invitation = Invitation(
        family_id=family_id,
        email=email,
        role=role,
        token_hash=token_hash(raw),
        invited_by_id=invited_by,
        created_at=utcnow(),
        expires_at=utcnow() + timedelta(days=settings.invitation_days),
    )
    session.add(invitation)
    await session.flush()
    await audit.record(
        session,
        action,
        context=context,
        user_id=invited_by,
        family_id=family_id,
        resource_type="invitation",
        resource_id=invitation.id,
        metadata={"role": role},
    )
    emailed = smtp_configured(settings) and jobs is not None
    if emailed and jobs is not None:
        # The token travels through Redis sealed with Fernet, never in clear.
        sealed = secret_box.encrypt_json({"token": raw}).decode()
        jobs.enqueue_after_commit(
            SEND_INVITATION_JOB, str(invitation.id), sealed, job_id=f"{SEND_INVITATION_JOB}:{invitation.id}"
        )
    return InvitationCreated(
        **InvitationRead.model_validate(invitation).model_dump(),
        token=raw,
        invite_url=invite_url(settings, raw),
        emailed=emailed,
    )


async def revoke_invitation(
    session: AsyncSession, admin: Member, invitation_id: uuid.UUID, context: RequestContext
) -> None:
    invitation = await repository.invitation(session, admin.family_id, invitation_id)
    if invitation is None or invitation.accepted_at is not None:
        raise NotFound("Invito non trovato.")
    await session.delete(invitation)
    await audit.record(
        session,
        "family.invite_revoked",
        context=context,
        user_id=admin.id,
        family_id=admin.family_id,
        resource_type="invitation",
        resource_id=invitation_id,
    )
    await session.flush()


async def send_invitation_email(
    settings: Settings,
    secret_box: SecretBox,
    invitation: Invitation,
    family: Family | None,
    sealed: str,
    *,
    existing_account: bool,
) -> None:
    """The link; or, to an address that already has an account, a notice (an account belongs to one
    family, so the link could not be used: the inviter was told nothing about it)."""
    family_name = family.name if family else "una famiglia"
    if existing_account:
        text = (
            f"Ciao!\n\nQualcuno ti ha invitato a unirti a «{family_name}» su Vinted Optimizer, ma con "
            "questo indirizzo hai già un account, e un account appartiene a una sola famiglia.\n"
            "Accedi con il tuo account; se vuoi cambiare famiglia, parlane con chi ti ha invitato.\n\n"
            "Se non aspettavi questo invito, ignora questa e-mail.\n"
        )
    else:
        token = secret_box.decrypt_json(sealed.encode())["token"]
        text = (
            f"Ciao!\n\nSei stato invitato a unirti a «{family_name}» su Vinted Optimizer.\n"
            f"Apri questo link per creare il tuo account (valido fino al "
            f"{invitation.expires_at:%d/%m/%Y}):\n\n{invite_url(settings, token)}\n\n"
            "Se non aspettavi questo invito, ignora questa e-mail.\n"
        )
    await send_email(
        settings, to=invitation.email, subject=f"Invito a {family_name} su Vinted Optimizer", text=text
    )


# --- open sign-up, confirmed by e-mail ----------------------------------------------------------------

SEND_SIGNUP_JOB = "users.send_signup_email"
SIGNUP_LINK_SECONDS = 24 * 3600


def signup_url(settings: Settings, sealed: str) -> str:
    return f"{settings.public_url.rstrip('/')}/registrati?completa={sealed}"


async def send_signup_email(settings: Settings, email: str, sealed: str, *, existing_account: bool) -> None:
    """The link that completes an open sign-up; to an address that has an account, a notice instead."""
    if existing_account:
        text = (
            "Ciao!\n\nQualcuno ha chiesto di creare un account su Vinted Optimizer con questo indirizzo, "
            "che ne ha già uno. Se eri tu, accedi con il tuo account (o reimposta la password).\n\n"
            "Se non sei stato tu, ignora questa e-mail: nessun account è stato creato o cambiato.\n"
        )
    else:
        text = (
            "Ciao!\n\nPer completare la registrazione su Vinted Optimizer apri questo link "
            "(valido 24 ore):\n\n"
            f"{signup_url(settings, sealed)}\n\n"
            "Se non hai chiesto tu di registrarti, ignora questa e-mail.\n"
        )
    await send_email(settings, to=email, subject="La tua registrazione a Vinted Optimizer", text=text)


async def drop_stale_invitations(session: AsyncSession, *, older_than: timedelta) -> int:
    """Invitations never accepted and expired for longer than ``older_than`` (a clean-up job)."""
    return await repository.delete_stale_invitations(session, utcnow() - older_than)
