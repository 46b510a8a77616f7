"""Linking Vinted through the browser extension: a member's pairing code, its status, and the
extension's redeem (the only route here without a signed-in member, and the only one whose answers the
extensions' origins may read: ``REDEEM_PATH`` in ``kit.middleware.ExtensionCorsMiddleware``)."""

from __future__ import annotations

import uuid

from fastapi import status

from vinted_optimizer.auth.dependencies import CurrentMember
from vinted_optimizer.kit.context import Context
from vinted_optimizer.kit.db import DbSession
from vinted_optimizer.kit.errors import (
    Conflict,
    Forbidden,
    InvalidField,
    NotFound,
    TooManyRequests,
    responses,
)
from vinted_optimizer.kit.events import EventType
from vinted_optimizer.kit.queue import JobsAfterCommit
from vinted_optimizer.kit.routing import API_PREFIX, DomainRouter
from vinted_optimizer.resources import Res
from vinted_optimizer.vinted_link import sales_sync, service
from vinted_optimizer.vinted_link.schemas import (
    PairingCreated,
    PairingRedeem,
    PairingRedeemed,
    PairingStatus,
    SyncAsk,
    SyncQueued,
    SyncReports,
)

router = DomainRouter(prefix="/vinted-link", tags=["vinted-link"])
REDEEM_PATH = f"{API_PREFIX}/vinted-link/redeem"


@router.post(
    "/pairings",
    operation_id="vinted_link:create_pairing",
    status_code=status.HTTP_201_CREATED,
    response_model=PairingCreated,
    responses=responses(Forbidden, TooManyRequests),
    summary="A pairing code for the browser extension (8 characters, 10 minutes, single use; shown once)",
)
async def create_pairing(
    session: DbSession, resources: Res, member: CurrentMember, context: Context
) -> PairingCreated:
    return await service.create_pairing(session, resources.rate_limits, member, context)


@router.get(
    "/pairings/{pairing_id}",
    operation_id="vinted_link:pairing_status",
    response_model=PairingStatus,
    responses=responses(Forbidden, NotFound),
    summary="Whether the extension has used my pairing code yet",
)
async def pairing_status(pairing_id: uuid.UUID, session: DbSession, member: CurrentMember) -> PairingStatus:
    return await service.pairing_status(session, member, pairing_id)


@router.post(
    "/redeem",
    operation_id="vinted_link:redeem",
    response_model=PairingRedeemed,
    responses=responses(InvalidField, TooManyRequests),
    summary="The browser extension sends the pairing code and the vinted.it session (stored encrypted)",
)
async def redeem(
    data: PairingRedeem, session: DbSession, resources: Res, context: Context, jobs: JobsAfterCommit
) -> PairingRedeemed:
    done = await service.redeem(session, resources.rate_limits, resources.secret_box, data, context)
    if done.family_id is not None:
        jobs.publish_after_commit(
            done.family_id, EventType.vinted_link_changed, {"user_id": str(done.user_id), "status": "linked"}
        )
    return PairingRedeemed()


# --- the sales sync (issue 12 item 7) ------------------------------------------------------------------


@router.get(
    "/sync",
    operation_id="vinted_link:sync_reports",
    response_model=SyncReports,
    responses=responses(Forbidden),
    summary="The last sales sync of each member of my family",
)
async def sync_reports(session: DbSession, resources: Res, member: CurrentMember) -> SyncReports:
    return await sales_sync.last_reports(session, resources.redis, member)


@router.post(
    "/sync",
    operation_id="vinted_link:sync",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SyncQueued,
    responses=responses(Forbidden, Conflict, TooManyRequests),
    summary="Sync my sales with Vinted now (a family admin: every linked member with all=true)",
)
async def sync(
    session: DbSession, resources: Res, member: CurrentMember, data: SyncAsk | None = None
) -> SyncQueued:
    return await sales_sync.ask(session, resources.redis, resources.queue, member, data or SyncAsk())
