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


class Vocabulary(BaseModel):
    conditions: list[ConditionInfo] = Field(description="From new to worn")
    colors: list[ColorInfo]
    listing_statuses: list[ListingStatus]
    analysis_statuses: list[AnalysisStatus]


class UploadLimits(BaseModel):
    max_files: int = Field(description="Photos per upload")
    max_file_bytes: int
    max_image_pixels: int


class ListingLimits(BaseModel):
    title: int
    description: int
    category: int
    brand: int
    size: int
    colors: int = Field(description="How many colours a listing may have")
    tags: int
    word: int = Field(description="Characters of one colour or tag")
    search: int
    bulk: int = Field(description="Listings in one bulk action")
    page: int = Field(description="Listings in one page")


class Limits(BaseModel):
    upload: UploadLimits
    listing: ListingLimits
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
