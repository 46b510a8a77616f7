from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    computed_field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from vinted_optimizer.images.schemas import DuplicateWarning, ImageRead
from vinted_optimizer.kit.pagination import Page
from vinted_optimizer.kit.schemas import INT4_MAX, Input
from vinted_optimizer.scraper.schemas import MarketComparison, MarketPosition
from vinted_optimizer.vocabulary import (
    COLOR_BY_NAME,
    AnalysisStatus,
    Condition,
    ListingStatus,
    Money,
    load_catalogs,
)
from vinted_optimizer.vocabulary.packages import PACKAGE_SIZE_BY_ID
from vinted_optimizer.vocabulary.sizes import size_by_id

SortKey = Literal[
    "created_at", "-created_at", "price", "-price", "title", "-title", "updated_at", "-updated_at"
]

# Field limits, shared with the dashboard through GET /api/v1/meta.
TITLE_MAX = 200
DESCRIPTION_MAX = 5000
CATEGORY_MAX = 200
BRAND_MAX = 120
SIZE_MAX = 40
MATERIAL_MAX = 60
COLORS_MAX = 2  # Vinted takes two colours at most
COLORS_SENT_MAX = 10  # names sent, before repeats are dropped
TAGS_MAX = 20
WORD_MAX = 40
SEARCH_MAX = 200
BULK_MAX = 200
PAGE_MAX = 100
# The fields an analysis fills, in the order of the form.
AI_FIELDS = ("title", "description", "category", "brand", "condition", "size", "colors", "material", "price")
# Fields a listing always has: an update may change them, never set them to null.
NOT_NULLABLE = ("title", "description", "colors", "tags", "status")


def _clean_words(values: list[str], *, limit: int, max_length: int) -> list[str]:
    """Trim, fold spaces, drop case-insensitive repeats, cap the count."""
    seen: list[str] = []
    for value in values:
        word = " ".join(value.split())[:max_length]
        if word and word.lower() not in (s.lower() for s in seen):
            seen.append(word)
    return seen[:limit]


_COLOR_BY_FOLDED = {name.casefold(): name for name in COLOR_BY_NAME}


def _vinted_colors(values: list[str]) -> list[str]:
    """Vinted's own colour names (any case, spaces folded), each once, in the order given."""
    names: list[str] = []
    for value in values:
        name = _COLOR_BY_FOLDED.get(" ".join(value.split()).casefold())
        if name is None:
            raise ValueError(f"Colore sconosciuto: «{value[:WORD_MAX]}». Scegli tra i colori di Vinted.")
        if name not in names:
            names.append(name)
    if len(names) > COLORS_MAX:
        raise ValueError(f"Al massimo {COLORS_MAX} colori: Vinted non ne accetta di più.")
    return names


Colors = Annotated[
    list[str],
    Field(
        max_length=COLORS_SENT_MAX,
        description='At most two of Vinted\'s colour names (GET /meta: colors), e.g. "Blu navy"',
    ),
    AfterValidator(_vinted_colors),
]
Tags = Annotated[
    list[str],
    Field(max_length=TAGS_MAX),
    AfterValidator(
        lambda value: _clean_words([v.lower() for v in value], limit=TAGS_MAX, max_length=WORD_MAX)
    ),
]


FieldSource = Literal["model", "label", "pixels"]


class DraftMarket(MarketComparison):
    """The comparables the draft's range was checked against, and where its price sat."""

    position: MarketPosition | None = None
    percentile: int | None = None


class AISuggestion(BaseModel):
    suggested_price_min: Decimal | None = None
    suggested_price_max: Decimal | None = None
    model_price_min: Decimal | None = Field(
        default=None, description="The model's own range, when the market moved it"
    )
    model_price_max: Decimal | None = None
    market: DraftMarket | None = Field(default=None, description="The comparables at the time of the draft")
    price_explanation: str | None = Field(
        default=None, description="One Italian sentence on the range: the comparables, or why there are none"
    )
    confidence: float | None = None
    model: str | None = None
    title: str | None = None
    description: str | None = None
    category: str | None = None
    brand: str | None = None
    condition: str | None = None
    size: str | None = None
    colors: list[str] | None = None
    material: str | None = None
    price: Decimal | None = Field(default=None, description="The price the draft was given from the range")
    sources: dict[str, FieldSource] = Field(
        default_factory=dict,
        description="Where each proposed value came from: the model, a label, the pixels",
    )


def _known_catalog(value: int | None) -> int | None:
    if value is not None and value not in load_catalogs():
        raise ValueError("Categoria Vinted sconosciuta: scegline una dall'elenco.")
    return value


CatalogId = Annotated[
    StrictInt | None, Field(ge=1, le=INT4_MAX), AfterValidator(_known_catalog)
]  # true is not 1


def _known_size(value: int | None) -> int | None:
    if value is not None and size_by_id(value) is None:
        raise ValueError("Taglia Vinted sconosciuta: scegline una dall'elenco della categoria.")
    return value


SizeId = Annotated[StrictInt | None, Field(ge=1, le=INT4_MAX), AfterValidator(_known_size)]


def _known_package(value: int | None) -> int | None:
    if value is not None and value not in PACKAGE_SIZE_BY_ID:
        raise ValueError("Dimensione del pacco sconosciuta: scegli Piccolo, Medio o Grande.")
    return value


PackageSizeId = Annotated[StrictInt | None, AfterValidator(_known_package)]


class ListingBase(Input):
    model_config = ConfigDict(str_strip_whitespace=True)

    title: str = Field(default="", max_length=TITLE_MAX)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    price: Money | None = None
    purchase_cost: Money | None = None
    category: str | None = Field(default=None, max_length=CATEGORY_MAX)
    category_id: CatalogId = Field(default=None, description="Vinted's catalog id (GET /meta/catalogs)")
    brand: str | None = Field(default=None, max_length=BRAND_MAX)
    condition: Condition | None = None
    size: str | None = Field(default=None, max_length=SIZE_MAX)
    size_id: SizeId = Field(
        default=None, description="Vinted's size id, one of the category's (GET /meta/catalogs/{id}/fields)"
    )
    package_size_id: PackageSizeId = Field(default=None, description="Vinted's parcel size: 1, 2 or 3")
    material: str | None = Field(default=None, max_length=MATERIAL_MAX)
    colors: Colors = Field(default_factory=list)
    tags: Tags = Field(default_factory=list)
    status: ListingStatus = "draft"


class ListingCreate(ListingBase):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class ListingUpdate(Input):
    """All optional: only the fields sent change. ``null`` clears a field, except where the listing must
    have a value (title, description, colours, tags, status): there it is refused."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    title: str | None = Field(default=None, max_length=TITLE_MAX)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    price: Money | None = None
    purchase_cost: Money | None = None
    category: str | None = Field(default=None, max_length=CATEGORY_MAX)
    category_id: CatalogId = Field(
        default=None, description="Vinted's catalog id (GET /meta/catalogs); the category's name follows it"
    )
    brand: str | None = Field(default=None, max_length=BRAND_MAX)
    condition: Condition | None = None
    size: str | None = Field(default=None, max_length=SIZE_MAX)
    size_id: SizeId = Field(
        default=None, description="Vinted's size id, one of the category's; the size's name follows it"
    )
    package_size_id: PackageSizeId = Field(default=None, description="Vinted's parcel size: 1, 2 or 3")
    material: str | None = Field(default=None, max_length=MATERIAL_MAX)
    colors: Colors | None = None
    tags: Tags | None = None
    status: ListingStatus | None = None

    @field_validator(*NOT_NULLABLE, mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise PydanticCustomError("not_nullable", "Questo campo non può essere vuoto (null).")
        return value


PublishState = Literal["queued", "publishing", "published", "failed", "unpublishing", "reposting"]
PublishOperation = Literal["publish", "unpublish", "repost"]


class Publishing(BaseModel):
    """Where the listing's publishing on Vinted is (``vinted_data.publish``): a queued job, running, done or
    failed. While queued after a refusal to go now (Vinted's pace, a check, the home side away), ``error``
    says why it waits and ``not_before`` when it goes."""

    state: PublishState
    operation: PublishOperation = Field(description="What was asked: publish, unpublish or repost")
    error: str | None = Field(default=None, description="Why it failed, or why it waits (Italian)")
    batch_id: str | None = Field(default=None, description="The bulk publish it is part of")
    queued_at: datetime | None = None
    updated_at: datetime | None = None
    not_before: datetime | None = Field(default=None, description="When a queued job starts")
    step: str | None = Field(default=None, description="What it is doing, e.g. «Invio di 4 foto»")
    attempts: int = 0


class ListingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    user_id: uuid.UUID
    owner_username: str | None = Field(default=None, description="The family member who added it")
    title: str
    description: str
    price: Decimal | None
    purchase_cost: Decimal | None
    category: str | None
    category_id: int | None
    brand: str | None
    condition: Condition | None
    size: str | None
    size_id: int | None
    colors: list[str]
    color_ids: list[int] = Field(description="Vinted's ids of the colours, in their order")
    status_id: int | None = Field(description="Vinted's status id of the condition")
    package_size_id: int | None
    material: str | None
    material_id: int | None
    tags: list[str]
    status: ListingStatus
    vinted_id: str | None
    vinted_url: str | None
    published_by_hand: bool = Field(default=False, description="Marked published by hand (it can be undone)")
    publishing: Publishing | None = Field(
        default=None, description="The publishing on Vinted asked from the app, while it runs and after"
    )
    analysis_status: AnalysisStatus
    analysis_error: str | None
    analysis_attempts: int
    next_analysis_at: datetime | None = Field(description="When a pending analysis is tried again")
    ai_analyzed_at: datetime | None
    ai_suggestion: AISuggestion
    embedding_model: str | None
    created_at: datetime
    updated_at: datetime
    images: list[ImageRead] = Field(default_factory=list)

    @field_validator("ai_suggestion", mode="before")
    @classmethod
    def _suggestion(cls, value: Any) -> Any:
        return value or {}

    @computed_field(description="The fields whose value is still the one the AI proposed")  # type: ignore[prop-decorator]
    @property
    def ai_fields(self) -> list[str]:
        proposed = self.ai_suggestion
        return [
            name
            for name in AI_FIELDS
            if (value := getattr(proposed, name)) not in (None, "", []) and getattr(self, name) == value
        ]


class ListingMarket(BaseModel):
    """The Mercato panel: the listing's price among the comparables. Without a category there is nothing
    to compare: ``comparison`` is None and ``reason`` is "no_category" (the sentence says so)."""

    listing_id: uuid.UUID
    price: Decimal | None
    comparison: MarketComparison | None
    position: MarketPosition | None = None
    percentile: int | None = None
    explanation: str
    reason: Literal["no_category"] | None = None


class ListingPage(Page[ListingRead]):
    pass


class UploadResult(BaseModel):
    listing: ListingRead
    images: list[ImageRead]
    created_listing: bool
    duplicates: list[DuplicateWarning]


class SimilarListing(BaseModel):
    listing: ListingRead
    similarity: float = Field(description="Cosine similarity of the description embeddings, 0..1")


class BulkRequest(Input):
    model_config = ConfigDict(extra="forbid")

    ids: list[uuid.UUID] = Field(min_length=1, max_length=BULK_MAX)
    action: Literal["set_status", "set_price", "delete"]
    status: ListingStatus | None = None
    price: Money | None = None

    @model_validator(mode="after")
    def _value_for_action(self) -> BulkRequest:
        if self.action == "set_status" and self.status is None:
            raise ValueError("Per cambiare stato indica 'status'.")
        if self.action == "set_price" and self.price is None:
            raise ValueError("Per cambiare prezzo indica 'price'.")
        return self


class BulkResult(BaseModel):
    action: str
    affected: int


class ListingFilters(Input):
    model_config = ConfigDict(extra="forbid")

    status: list[ListingStatus] = Field(default_factory=list)
    category: str | None = Field(default=None, max_length=CATEGORY_MAX)
    brand: str | None = Field(default=None, max_length=BRAND_MAX)
    condition: list[Condition] = Field(default_factory=list)
    size: str | None = Field(default=None, max_length=SIZE_MAX)
    price_min: Money | None = None
    price_max: Money | None = None
    member: uuid.UUID | None = None
    q: str | None = Field(default=None, max_length=SEARCH_MAX)
    analysis_status: AnalysisStatus | None = None
    sort: SortKey = "-created_at"
    limit: int = Field(default=24, ge=1, le=PAGE_MAX)
    offset: int = Field(default=0, ge=0, le=100_000)


# --- copy to Vinted by hand -------------------------------------------------------------------------

VINTED_URL_MAX = 500
# Vinted's sites (``www.vinted.<tld>``); the project sells on vinted.it, a link from another one is valid too.
VINTED_HOSTS = frozenset(
    f"{prefix}vinted.{tld}"
    for prefix in ("", "www.")
    for tld in (
        "it", "fr", "es", "de", "at", "be", "nl", "lu", "pt", "pl", "cz", "sk", "lt", "lv", "ee", "hu",
        "ro", "hr", "si", "gr", "fi", "se", "dk", "ie", "co.uk", "com",
    )
)  # fmt: skip
VINTED_ITEM_PATH = re.compile(r"/items/(?P<id>[0-9]{1,20})(?P<slug>-[a-z0-9-]{0,200})?/?", re.IGNORECASE)
VINTED_URL_MESSAGE = (
    "Incolla il link di un annuncio Vinted, come https://www.vinted.it/items/1234567890-giacca."
)


@dataclass(frozen=True)
class VintedItemLink:
    url: str
    item_id: str


def parse_vinted_item_url(text: str) -> VintedItemLink:
    """A Vinted item link as the member copies it (from the app's share sheet or the address bar): https,
    a Vinted site, ``/items/<id>[-slug]``; normalised to ``https://www.vinted.<tld>/items/<id>[-slug]``
    without query or fragment (tracking parameters). Raises ``ValueError`` (Italian) otherwise."""
    text = text.strip()
    if "://" not in text:
        text = f"https://{text}"
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        raise ValueError(VINTED_URL_MESSAGE) from None
    if parts.scheme.lower() != "https" or host not in VINTED_HOSTS or port not in (None, 443):
        raise ValueError(VINTED_URL_MESSAGE)
    if parts.username or parts.password:
        raise ValueError(VINTED_URL_MESSAGE)
    path = VINTED_ITEM_PATH.fullmatch(parts.path)
    if path is None:
        raise ValueError(VINTED_URL_MESSAGE)
    item_id = str(int(path["id"]))  # no leading zeros: one id, one spelling
    if item_id == "0":
        raise ValueError(VINTED_URL_MESSAGE)
    site = host.removeprefix("www.")
    slug = (path["slug"] or "").lower().rstrip("-")
    return VintedItemLink(url=f"https://www.{site}/items/{item_id}{slug}", item_id=item_id)


class PublishedByHand(Input):
    """The link of the item the member published on Vinted themselves."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    vinted_url: str = Field(
        min_length=1,
        max_length=VINTED_URL_MAX,
        description="The item's page on Vinted, e.g. https://www.vinted.it/items/1234567890-giacca",
        examples=["https://www.vinted.it/items/1234567890-giacca-di-jeans"],
    )

    @field_validator("vinted_url")
    @classmethod
    def _vinted_item(cls, value: str) -> str:
        return parse_vinted_item_url(value).url

    @property
    def link(self) -> VintedItemLink:
        return parse_vinted_item_url(self.vinted_url)


BRANDS_PAGE_MAX = 20


class BrandQuery(Input):
    model_config = ConfigDict(extra="forbid")

    q: str = Field(
        default="", max_length=BRAND_MAX, description="The brand as typed so far (empty: the most used)"
    )
    limit: int = Field(default=8, ge=1, le=BRANDS_PAGE_MAX)


class BrandSuggestion(BaseModel):
    name: str
    source: Literal["family", "market"] = Field(
        description="family: on the family's own listings; market: seen in Vinted's market data"
    )


class BrandList(BaseModel):
    items: list[BrandSuggestion] = Field(description="The family's brands first, then the market's")


# --- publishing on Vinted from the app ------------------------------------------------------------

PUBLISH_BATCH_MAX = 50


class RepostRequest(Input):
    """A repost deletes the item on Vinted and creates it again: the member confirms it."""

    model_config = ConfigDict(extra="forbid")

    confirm: Literal[True] = Field(description="Must be true: the item is deleted and created again")


class BulkPublishRequest(Input):
    model_config = ConfigDict(extra="forbid")

    ids: list[uuid.UUID] = Field(min_length=1, max_length=PUBLISH_BATCH_MAX)


class PublishRefusal(BaseModel):
    id: uuid.UUID
    field: str = Field(description="What to fix (a listing's field, or id / user_id)")
    message: str


class BulkPublishResult(BaseModel):
    batch_id: str
    queued: list[uuid.UUID] = Field(description="Accepted, in the order they will go")
    refused: list[PublishRefusal]
    estimated_minutes: int = Field(description="Until the last one is done, within the write budget")


class PublishBatchItem(BaseModel):
    id: uuid.UUID
    title: str
    publishing: Publishing
    vinted_url: str | None


class PublishBatch(BaseModel):
    batch_id: str
    total: int
    counts: dict[str, int] = Field(description="Listings of the batch in each publishing state")
    items: list[PublishBatchItem]
