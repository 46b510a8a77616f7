from __future__ import annotations

from typing import Annotated

from fastapi import Query

from vinted_optimizer.kit.db import DbSession
from vinted_optimizer.kit.errors import NotFound, responses
from vinted_optimizer.kit.routing import DomainRouter
from vinted_optimizer.meta import service
from vinted_optimizer.meta.schemas import CatalogList, CatalogQuery, Meta
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


@router.get(
    "/catalogs",
    operation_id="meta:catalogs",
    response_model=CatalogList,
    responses=responses(NotFound),
    summary="Vinted's catalog tree in Italian for the category picker: browse a level, or search as typed",
)
async def get_catalogs(query: Annotated[CatalogQuery, Query()]) -> CatalogList:
    return service.catalogs(query)
