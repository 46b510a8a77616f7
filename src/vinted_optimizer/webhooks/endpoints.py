"""The webhook routes (no access token: each delivery is signed over its raw body; the request gate still
limits them per IP, and the body size limit of WEBHOOK_MAX_BYTES applies, see app.py), and the 17TRACK
quota under /shipments/tracking (its own small router here: shipments/endpoints.py is the Sendcloud side's,
and this package is where the project talks with the tracking services)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header, Request

from vinted_optimizer.auth.dependencies import FamilyAdmin
from vinted_optimizer.kit.db import DbSession
from vinted_optimizer.kit.errors import Forbidden, PayloadTooLarge, responses
from vinted_optimizer.kit.queue import JobsAfterCommit
from vinted_optimizer.kit.routing import DomainRouter
from vinted_optimizer.resources import Res, Resources
from vinted_optimizer.shipments import progress, tracking
from vinted_optimizer.shipments.progress import Effects
from vinted_optimizer.webhooks import service
from vinted_optimizer.webhooks.schemas import TrackingQuota, WebhookAck

router = DomainRouter(prefix="/webhooks", tags=["webhooks"])
tracking_router = DomainRouter(prefix="/shipments/tracking", tags=["shipments"])

_JSON_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object", "additionalProperties": True}}},
    }
}


def _announce_after_commit(jobs: JobsAfterCommit, resources: Resources, effects: list[Effects]) -> None:
    for outcome in effects:

        async def announce(outcome: Effects = outcome) -> None:
            await progress.announce(outcome, resources.events, resources.queue)

        jobs.call_after_commit(announce)


@router.post(
    "/sendcloud/{token}",
    operation_id="webhooks:sendcloud",
    response_model=WebhookAck,
    responses=responses(service.WebhookRefused, service.NotJson, PayloadTooLarge),
    summary="Sendcloud's parcel_status_changed, signed with the family's key (Sendcloud-Signature)",
    openapi_extra=_JSON_BODY,
)
async def sendcloud_webhook(
    token: str,
    request: Request,
    session: DbSession,
    resources: Res,
    jobs: JobsAfterCommit,
    signature: Annotated[str | None, Header(alias="Sendcloud-Signature")] = None,
) -> WebhookAck:
    raw = await request.body()
    ack, effects = await service.receive_sendcloud(session, resources.secret_box, token, raw, signature)
    _announce_after_commit(jobs, resources, [effects] if effects else [])
    return ack


@router.post(
    "/track17",
    operation_id="webhooks:track17",
    response_model=WebhookAck,
    responses=responses(service.WebhookRefused, service.NotJson, PayloadTooLarge),
    summary="17TRACK's TRACKING_UPDATED, signed with the API key (sign)",
    openapi_extra=_JSON_BODY,
)
async def track17_webhook(
    request: Request,
    session: DbSession,
    resources: Res,
    jobs: JobsAfterCommit,
    sign: Annotated[str | None, Header()] = None,
) -> WebhookAck:
    raw = await request.body()
    ack, effects = await service.receive_track17(session, resources.settings, raw, sign)
    _announce_after_commit(jobs, resources, effects)
    return ack


@tracking_router.get(
    "/quota",
    operation_id="shipments:tracking_quota",
    response_model=TrackingQuota,
    responses=responses(Forbidden, tracking.TrackingNotConfigured, tracking.Track17Down),
    summary="17TRACK's registrations: total, used, left, used today (family admin)",
)
async def tracking_quota(member: FamilyAdmin, resources: Res) -> TrackingQuota:
    quota = await tracking.quota(resources.settings, resources.rate_limits)
    return TrackingQuota(**vars(quota))
