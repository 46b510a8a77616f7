from __future__ import annotations

import uuid

from fastapi import Response, status

from vinted_optimizer.auth import service as auth
from vinted_optimizer.auth.dependencies import Claims, CurrentUser, FamilyAdmin, RequireMember, Tools
from vinted_optimizer.kit.context import Context
from vinted_optimizer.kit.db import DbSession
from vinted_optimizer.kit.errors import Conflict, Forbidden, NotFound, TooManyRequests, responses
from vinted_optimizer.kit.queue import JobsAfterCommit
from vinted_optimizer.kit.routing import DomainRouter
from vinted_optimizer.resources import Res
from vinted_optimizer.users import password_reset, service
from vinted_optimizer.users.schemas import (
    AccountDelete,
    FamilyOverview,
    InvitationCreate,
    InvitationCreated,
    PasswordResetLink,
    UserRead,
    UserUpdate,
    VintedSessionLink,
)

router = DomainRouter(prefix="/users", tags=["users"])


@router.get("/me", operation_id="users:me", response_model=UserRead)
async def me(user: CurrentUser) -> UserRead:
    return UserRead.model_validate(user)


@router.patch(
    "/me",
    operation_id="users:update_me",
    response_model=UserRead,
    responses=responses(Forbidden, Conflict),
    summary="Edit my profile; e-mail and password changes need the current password",
)
async def update_me(
    data: UserUpdate, session: DbSession, tools: Tools, user: CurrentUser, claims: Claims, context: Context
) -> UserRead:
    updated = await auth.update_account(
        session, tools, user, data, context, current_session_id=claims.session_id
    )
    return UserRead.model_validate(updated)


@router.delete(
    "/me",
    operation_id="users:delete_me",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(Forbidden, Conflict),
    summary="Delete my account and my data; every session is revoked",
)
async def delete_me(
    data: AccountDelete, session: DbSession, tools: Tools, user: CurrentUser, context: Context
) -> Response:
    await auth.delete_account(session, tools, user, data.password, context)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/me/vinted",
    operation_id="users:link_vinted",
    response_model=UserRead,
    responses=responses(Forbidden),
    dependencies=[RequireMember],
    summary="Store my Vinted session (encrypted; never returned)",
)
async def link_vinted(
    data: VintedSessionLink, session: DbSession, resources: Res, user: CurrentUser, context: Context
) -> UserRead:
    return UserRead.model_validate(
        await service.link_vinted(session, resources.secret_box, user, data, context)
    )


@router.delete(
    "/me/vinted",
    operation_id="users:unlink_vinted",
    response_model=UserRead,
    responses=responses(Forbidden),
    dependencies=[RequireMember],
    summary="Forget my Vinted session",
)
async def unlink_vinted(session: DbSession, user: CurrentUser, context: Context) -> UserRead:
    return UserRead.model_validate(await service.unlink_vinted(session, user, context))


@router.get(
    "/family",
    operation_id="users:family",
    response_model=FamilyOverview,
    responses=responses(Forbidden),
    summary="My family's members and pending invitations (family admin only)",
)
async def family(session: DbSession, admin: FamilyAdmin) -> FamilyOverview:
    return await service.family_overview(session, admin)


@router.post(
    "/family/invite",
    operation_id="users:invite",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitationCreated,
    responses=responses(Forbidden, TooManyRequests),
    summary="Invite someone into my family (single-use link, e-mailed when SMTP is configured)",
)
async def invite(
    data: InvitationCreate,
    session: DbSession,
    resources: Res,
    admin: FamilyAdmin,
    context: Context,
    jobs: JobsAfterCommit,
) -> InvitationCreated:
    return await service.invite(
        session, resources.settings, resources.secret_box, resources.rate_limits, admin, data, context, jobs
    )


@router.delete(
    "/family/invitations/{invitation_id}",
    operation_id="users:revoke_invitation",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(Forbidden, NotFound),
)
async def revoke_invitation(
    invitation_id: uuid.UUID, session: DbSession, admin: FamilyAdmin, context: Context
) -> Response:
    await service.revoke_invitation(session, admin, invitation_id, context)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/family/members/{user_id}/password-reset",
    operation_id="users:member_password_reset",
    status_code=status.HTTP_201_CREATED,
    response_model=PasswordResetLink,
    responses=responses(Forbidden, NotFound),
    summary="A single-use link that sets a new password for a member of my family (shown once)",
)
async def member_password_reset(
    user_id: uuid.UUID, session: DbSession, resources: Res, admin: FamilyAdmin, context: Context
) -> PasswordResetLink:
    return await password_reset.link_for_member(session, resources.settings, admin, user_id, context)
