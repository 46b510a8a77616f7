from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from vinted_optimizer.config import RegistrationMode
from vinted_optimizer.kit.schemas import Input
from vinted_optimizer.vocabulary import AnalysisStatus, Condition, ListingStatus


class ConditionInfo(BaseModel):
    value: Condition
    label_it: str = Field(description="As vinted.it shows it")
    vinted_status_id: int


class ColorInfo(BaseModel):
    id: int = Field(description="Vinted's colour id")
    name: str = Field(description="Vinted's Italian name")
    hex: str | None = Field(description="A reference colour; none for Multicolore")


class PackageSizeInfo(BaseModel):
    id: int = Field(description="Vinted's package_size_id")
    title: str = Field(description="Vinted.it's Italian name: Piccolo, Medio, Grande")
    hint: str = Field(description="What fits in it, in Italian")


class MaterialInfo(BaseModel):
    id: int = Field(description="Vinted's material id")
    name: str = Field(description="Its Italian name")


class Vocabulary(BaseModel):
    conditions: list[ConditionInfo] = Field(description="From new to worn")
    colors: list[ColorInfo]
    package_sizes: list[PackageSizeInfo] = Field(description="From small to large")
    materials: list[MaterialInfo] = Field(description="Vinted's materials, for the categories that ask")
    listing_statuses: list[ListingStatus]
    analysis_statuses: list[AnalysisStatus]


class PhotoHintThresholds(BaseModel):
    """The server's photo quality checks (advice, never a refusal), which the dashboard repeats before the
    upload on a copy of the same size."""

    measure_side: int = Field(description="Long side, in pixels, of the copy the measures are taken on")
    dark_below: float = Field(description="Mean luminance (0-255) under which a photo is too dark")
    bright_above: float = Field(description="Mean luminance over which a photo is washed out")
    blurry_below: float = Field(description="Variance of the Laplacian under which a photo is blurred")
    small_below: int = Field(description="Pixels on the original's short side under which it is too small")


class UploadLimits(BaseModel):
    max_files: int = Field(description="Photos per upload")
    max_file_bytes: int = Field(description="Bytes per photo; the dashboard reduces a larger one first")
    max_image_pixels: int
    hints: PhotoHintThresholds


class ListingLimits(BaseModel):
    title: int
    description: int
    category: int
    brand: int
    size: int
    material: int
    colors: int = Field(description="How many colours a listing may have")
    tags: int
    word: int = Field(description="Characters of one colour or tag")
    search: int
    bulk: int = Field(description="Listings in one bulk action")
    page: int = Field(description="Listings in one page")


class ChatLimits(BaseModel):
    message: int = Field(description="Characters of one question to the assistant")
    sessions: int = Field(description="Conversations one member may keep")


class Limits(BaseModel):
    upload: UploadLimits
    listing: ListingLimits
    chat: ChatLimits
    password_min: int
    password_max: int


class Registration(BaseModel):
    mode: RegistrationMode = Field(
        description="invite: by invitation; open: anyone, confirmed by e-mail; closed"
    )
    first_family: bool = Field(description="A visitor may create this instance's first family now")


class Meta(BaseModel):
    """What the dashboard needs to know about this server: Vinted's vocabulary and the limits it enforces."""

    version: str
    vocabulary: Vocabulary
    limits: Limits
    registration: Registration
    email_enabled: bool = Field(
        description="SMTP is configured: reset links are e-mailed (else the family admin creates them)"
    )


CATALOG_QUERY_MAX = 100
CATALOG_PAGE_MAX = 50


class CatalogQuery(Input):
    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(
        default=None,
        max_length=CATALOG_QUERY_MAX,
        description="Words to find in the Italian paths, as typed (singular or plural, accents ignored)",
    )
    parent: int | None = Field(
        default=None, ge=1, description="Browse: the children of this catalog (none: the six roots)"
    )
    limit: int = Field(default=20, ge=1, le=CATALOG_PAGE_MAX, description="At most this many (a search)")


class CatalogNode(BaseModel):
    id: int = Field(description="Vinted's catalog id (what publishing sends)")
    title: str = Field(description="Vinted.it's Italian name")
    path: str = Field(description="The Italian path from the root, levels joined by ' > '")
    parent_id: int | None
    leaf: bool = Field(description="Vinted files an item only under a catalog without children")


class CatalogList(BaseModel):
    """A level of the tree (browse) or the best matches (search), for the category picker."""

    parent: CatalogNode | None = Field(description="The catalog browsed or searched within; null: all")
    items: list[CatalogNode]


class SizeInfo(BaseModel):
    id: int = Field(description="Vinted's size id (what publishing sends)")
    title: str = Field(description='As vinted.it\'s form shows it, e.g. "M / 38 / 10"')


class CatalogFields(BaseModel):
    """What Vinted's listing form asks for an item of this catalog."""

    catalog: CatalogNode
    sizes: list[SizeInfo] = Field(description="The sizes to choose from, in the form's order; empty: no size")
    suggested_package_size_id: int = Field(description="The parcel size that usually fits this category")
    material: bool = Field(description="The form asks for a material")
    brand: bool = Field(description="The form asks for a brand")
    color: bool = Field(description="The form asks for colours")
    new_only: bool = Field(description="Only new items with tags are accepted")
