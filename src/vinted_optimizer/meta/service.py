"""The server's vocabulary and limits, from the modules that enforce them (never a copy)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer import __version__
from vinted_optimizer.config import Settings
from vinted_optimizer.images import processing as photos
from vinted_optimizer.kit.email import smtp_configured
from vinted_optimizer.kit.errors import NotFound
from vinted_optimizer.listings import schemas as listing_fields
from vinted_optimizer.meta.schemas import (
    CatalogFields,
    CatalogList,
    CatalogNode,
    CatalogQuery,
    ChatLimits,
    ColorInfo,
    ConditionInfo,
    Limits,
    ListingLimits,
    MaterialInfo,
    Meta,
    PackageSizeInfo,
    PhotoHintThresholds,
    Registration,
    SizeInfo,
    UploadLimits,
    Vocabulary,
)
from vinted_optimizer.users import service as users
from vinted_optimizer.users.policy import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from vinted_optimizer.vocabulary import (
    ANALYSIS_STATUSES,
    CONDITION_LABELS_IT,
    CONDITION_STATUS_IDS,
    CONDITIONS,
    LISTING_STATUSES,
    VINTED_COLORS,
    Catalog,
    load_catalogs,
)
from vinted_optimizer.vocabulary.catalog import children_of, is_leaf, search_catalogs
from vinted_optimizer.vocabulary.materials import VINTED_MATERIALS
from vinted_optimizer.vocabulary.packages import PACKAGE_SIZES, suggested_package_size
from vinted_optimizer.vocabulary.sizes import sizes_for


async def meta(session: AsyncSession, settings: Settings) -> Meta:
    first_family = settings.registration == "invite" and await users.first_family_open(session)
    return Meta(
        version=__version__,
        vocabulary=Vocabulary(
            conditions=[
                ConditionInfo(
                    value=condition,
                    label_it=CONDITION_LABELS_IT[condition],
                    vinted_status_id=CONDITION_STATUS_IDS[condition],
                )
                for condition in CONDITIONS
            ],
            colors=[ColorInfo(id=color.id, name=color.name, hex=color.hex) for color in VINTED_COLORS],
            materials=[
                MaterialInfo(id=material.id, name=material.name)
                for material in sorted(VINTED_MATERIALS, key=lambda material: material.name)
            ],
            package_sizes=[
                PackageSizeInfo(id=size.id, title=size.title_it, hint=size.hint_it) for size in PACKAGE_SIZES
            ],
            listing_statuses=list(LISTING_STATUSES),
            analysis_statuses=list(ANALYSIS_STATUSES),
        ),
        limits=Limits(
            upload=UploadLimits(
                max_files=settings.max_files_per_upload,
                max_file_bytes=settings.max_upload_bytes,
                max_image_pixels=settings.max_image_pixels,
                hints=PhotoHintThresholds(
                    measure_side=photos.THUMB_SIDE,
                    dark_below=photos.HINT_DARK_BELOW,
                    bright_above=photos.HINT_BRIGHT_ABOVE,
                    blurry_below=photos.HINT_BLURRY_BELOW,
                    small_below=photos.HINT_SMALL_BELOW,
                ),
            ),
            listing=ListingLimits(
                title=listing_fields.TITLE_MAX,
                description=listing_fields.DESCRIPTION_MAX,
                category=listing_fields.CATEGORY_MAX,
                brand=listing_fields.BRAND_MAX,
                size=listing_fields.SIZE_MAX,
                material=listing_fields.MATERIAL_MAX,
                colors=listing_fields.COLORS_MAX,
                tags=listing_fields.TAGS_MAX,
                word=listing_fields.WORD_MAX,
                search=listing_fields.SEARCH_MAX,
                bulk=listing_fields.BULK_MAX,
                page=listing_fields.PAGE_MAX,
            ),
            chat=ChatLimits(message=settings.chat_message_max_chars, sessions=settings.chat_sessions_max),
            password_min=PASSWORD_MIN_LENGTH,
            password_max=PASSWORD_MAX_LENGTH,
        ),
        registration=Registration(mode=settings.registration, first_family=first_family),
        email_enabled=smtp_configured(settings),
    )


class CatalogNotFound(NotFound):
    default_detail = "Categoria non trovata."


def _node(catalog: Catalog) -> CatalogNode:
    return CatalogNode(
        id=catalog.id,
        title=catalog.title_it,
        path=catalog.path_it,
        parent_id=catalog.parent,
        leaf=is_leaf(catalog),
    )


def catalogs(query: CatalogQuery) -> CatalogList:
    """The category picker: the best matches of ``q`` (within ``parent`` when given), or the children of
    ``parent`` (the roots without it)."""
    parent = None
    if query.parent is not None:
        parent = load_catalogs().get(query.parent)
        if parent is None:
            raise CatalogNotFound()
    words = (query.q or "").strip()
    if words:
        found = search_catalogs(words, limit=query.limit, within=parent)
    else:
        found = list(children_of(parent.id if parent else None))
    return CatalogList(parent=_node(parent) if parent else None, items=[_node(c) for c in found])


def catalog_fields(catalog_id: int) -> CatalogFields:
    catalog = load_catalogs().get(catalog_id)
    if catalog is None:
        raise CatalogNotFound()
    return CatalogFields(
        catalog=_node(catalog),
        sizes=[SizeInfo(id=size.id, title=size.title_it) for size in sizes_for(catalog)],
        suggested_package_size_id=suggested_package_size(catalog).id,
        material=catalog.material,
        brand=catalog.brand,
        color=catalog.color,
        new_only=catalog.new_only,
    )
