from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from vinted_optimizer.kit.db import DbSession
from vinted_optimizer.kit.errors import NotFound, responses
from vinted_optimizer.kit.routing import DomainRouter
from vinted_optimizer.kit.schemas import INT4_MAX
from vinted_optimizer.meta import service
from vinted_optimizer.meta.schemas import CatalogFields, CatalogList, CatalogQuery, Meta
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


@router.get(
    "/catalogs/{catalog_id}/fields",
    operation_id="meta:catalog_fields",
    response_model=CatalogFields,
    responses=responses(NotFound),
    summary="What Vinted's form asks for an item of this catalog: its sizes, the parcel size, material",
)
async def get_catalog_fields(catalog_id: Annotated[int, Path(ge=1, le=INT4_MAX)]) -> CatalogFields:
    return service.catalog_fields(catalog_id)
