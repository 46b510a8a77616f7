"""The instance administrator's endpoints (not a family admin's)."""

from __future__ import annotations

from fastapi import status

from vinted_optimizer.auth.dependencies import InstanceAdmin
from vinted_optimizer.kit.context import Context
from vinted_optimizer.kit.db import DbSession
from vinted_optimizer.kit.errors import Forbidden, responses
from vinted_optimizer.kit.queue import JobsAfterCommit
from vinted_optimizer.kit.routing import DomainRouter
from vinted_optimizer.resources import Res
from vinted_optimizer.users import service as users
from vinted_optimizer.users.schemas import InvitationCreated, NewFamilyInvitation

router = DomainRouter(prefix="/admin", tags=["admin"])


@router.post(
    "/invitations",
    operation_id="admin:invite_family",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitationCreated,
    responses=responses(Forbidden),
    summary="Invite the first member (and admin) of a new family to this instance",
)
async def invite_family(
    data: NewFamilyInvitation,
    session: DbSession,
    resources: Res,
    admin: InstanceAdmin,
    context: Context,
    jobs: JobsAfterCommit,
) -> InvitationCreated:
    return await users.invite_new_family(
        session, resources.settings, resources.secret_box, admin, data, context, jobs
    )
