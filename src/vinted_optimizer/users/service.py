"""Profile, account deletion, Vinted session link, family overview and invitations."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.auth import repository as auth_repository
from vinted_optimizer.auth.policy import check_password_policy
from vinted_optimizer.auth.service import mark_sessions_revoked, revoke_all_other_sessions
from vinted_optimizer.kit import audit
from vinted_optimizer.kit.context import RequestContext
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.kit.email import smtp_configured
from vinted_optimizer.kit.errors import BadRequest, Conflict, Forbidden, NotFound
from vinted_optimizer.kit.queue import Jobs
from vinted_optimizer.kit.resources import Resources
from vinted_optimizer.kit.security import new_opaque_token, token_hash
from vinted_optimizer.models import Invitation, User
from vinted_optimizer.users import repository
from vinted_optimizer.users.schemas import (
    FamilyOverview,
    InvitationCreate,
    InvitationCreated,
    InvitationRead,
    MemberRead,
    UserUpdate,
    VintedSessionLink,
)


class WrongPassword(Forbidden):
    code = "wrong_password"
    default_detail = "La password attuale non è corretta."


async def _require_password(resources: Resources, user: User, password: str | None) -> None:
    if not password or not await resources.passwords.verify(user.password_argon2, password):
        raise WrongPassword()


async def update_me(
    session: AsyncSession,
    resources: Resources,
    user: User,
    data: UserUpdate,
    context: RequestContext,
    *,
    current_session_id: uuid.UUID,
) -> User:
    changes = data.model_dump(exclude_unset=True)
    email_changes = data.email is not None and data.email.lower() != user.email.lower()
    if email_changes or data.new_password is not None:
        await _require_password(resources, user, data.current_password)

    if data.username is not None and data.username != user.username:
        if await auth_repository.username_taken(session, data.username, exclude=user.id):
            raise Conflict("Questo nome utente è già in uso.")
        user.username = data.username
    if email_changes:
        assert data.email is not None
        if await auth_repository.email_taken(session, data.email, exclude=user.id):
            raise Conflict("Esiste già un account con questa e-mail.")
        user.email = str(data.email)
        await audit.record(
            session,
            "user.email_changed",
            context=context,
            user_id=user.id,
            family_id=user.family_id,
            resource_type="user",
            resource_id=user.id,
        )
    if data.new_password is not None:
        try:
            check_password_policy(data.new_password, email=user.email, username=user.username)
        except ValueError as error:
            raise BadRequest(str(error)) from None
        user.password_argon2 = await resources.passwords.hash(data.new_password)
        # A new password signs out every other device.
        await revoke_all_other_sessions(
            session, resources, user, keep=current_session_id, reason="password_changed"
        )
        await audit.record(
            session,
            "user.password_changed",
            context=context,
            user_id=user.id,
            family_id=user.family_id,
            resource_type="user",
            resource_id=user.id,
        )
    if "preferences" in changes and data.preferences is not None:
        user.preferences = {**user.preferences, **data.preferences}
    await session.flush()
    return user


async def delete_me(
    session: AsyncSession, resources: Resources, user: User, password: str, context: RequestContext
) -> None:
    await _require_password(resources, user, password)
    if user.family_id is not None:
        members = await repository.family_members(session, user.family_id)
        others = [m for m in members if m.id != user.id]
        if others and user.role == "admin":
            if await repository.count_family_admins(session, user.family_id, excluding=user.id) == 0:
                raise Conflict(
                    "Sei l'unico amministratore della famiglia: "
                    "nomina un altro amministratore prima di eliminare l'account."
                )
    await audit.record(
        session,
        "user.deleted",
        context=context,
        user_id=user.id,
        family_id=user.family_id,
        resource_type="user",
        resource_id=user.id,
    )
    revoked = await auth_repository.revoke_sessions(session, user.id, utcnow(), "account_deleted")
    await mark_sessions_revoked(resources, revoked)
    family_id = user.family_id
    # Cascades remove the member's sessions, listings, photos, sales and chats.
    await repository.delete_user(session, user.id)
    if family_id is not None and not await repository.family_members(session, family_id):
        await repository.delete_family(session, family_id)
    await session.flush()


async def link_vinted(
    session: AsyncSession, resources: Resources, user: User, data: VintedSessionLink, context: RequestContext
) -> User:
    payload = data.model_dump()
    payload["linked_at"] = utcnow().isoformat()
    user.vinted_session_fernet = resources.secret_box.encrypt_json(payload)
    await audit.record(
        session,
        "user.vinted_linked",
        context=context,
        user_id=user.id,
        family_id=user.family_id,
        resource_type="user",
        resource_id=user.id,
        metadata={"domain": data.domain},
    )
    await session.flush()
    return user


async def unlink_vinted(session: AsyncSession, user: User, context: RequestContext) -> User:
    if user.vinted_session_fernet is not None:
        user.vinted_session_fernet = None
        await audit.record(
            session,
            "user.vinted_unlinked",
            context=context,
            user_id=user.id,
            family_id=user.family_id,
            resource_type="user",
            resource_id=user.id,
        )
        await session.flush()
    return user


async def family_overview(session: AsyncSession, admin: User) -> FamilyOverview:
    assert admin.family_id is not None
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


async def invite(
    session: AsyncSession,
    resources: Resources,
    admin: User,
    data: InvitationCreate,
    context: RequestContext,
    jobs: Jobs,
) -> InvitationCreated:
    assert admin.family_id is not None
    if await auth_repository.email_taken(session, data.email):
        raise Conflict("Questa e-mail ha già un account.")
    # One live invitation per address: a new one replaces the old.
    await repository.delete_pending_invitations_for(session, admin.family_id, data.email)
    raw = new_opaque_token()
    invitation = Invitation(
        family_id=admin.family_id,
        email=str(data.email),
        role=data.role,
        token_hash=token_hash(raw),
        invited_by_id=admin.id,
        created_at=utcnow(),
        expires_at=utcnow() + timedelta(days=resources.settings.invitation_days),
    )
    session.add(invitation)
    await session.flush()
    await audit.record(
        session,
        "family.invite",
        context=context,
        user_id=admin.id,
        family_id=admin.family_id,
        resource_type="invitation",
        resource_id=invitation.id,
        metadata={"role": data.role},
    )
    emailed = smtp_configured(resources.settings)
    if emailed:
        # The token travels through Redis sealed with Fernet, never in clear.
        sealed = resources.secret_box.encrypt_json({"token": raw}).decode()
        jobs.enqueue_after_commit("send_invitation_email", str(invitation.id), sealed)
    invite_url = f"{resources.settings.public_url.rstrip('/')}/invito?token={raw}"
    return InvitationCreated(
        **InvitationRead.model_validate(invitation).model_dump(),
        token=raw,
        invite_url=invite_url,
        emailed=emailed,
    )


async def revoke_invitation(
    session: AsyncSession, admin: User, invitation_id: uuid.UUID, context: RequestContext
) -> None:
    assert admin.family_id is not None
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
