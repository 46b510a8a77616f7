from __future__ import annotations

from vinted_optimizer.kit.db import DbSession
from vinted_optimizer.kit.routing import DomainRouter
from vinted_optimizer.meta import service
from vinted_optimizer.meta.schemas import Meta
from vinted_optimizer.resources import Res

router = DomainRouter(prefix="/meta", tags=["meta"])


@router.get(
    "",
    operation_id="meta:get",
    response_model=Meta,
    summary="Vinted's vocabulary (conditions, colours, statuses) and the limits this server enforces",
)
async def get_meta(session: DbSession, resources: Res) -> Meta:
    return await service.meta(session, resources.settings)
