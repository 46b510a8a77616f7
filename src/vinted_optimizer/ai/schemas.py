"""What the AI service returns: an item analysis in Vinted's own vocabulary, and text embeddings.

The values are already normalised (category path from Vinted's taxonomy, one of the five conditions,
Vinted colour names), so callers can fill a listing draft without translating anything.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from vinted_optimizer.ai.chat_schemas import Passage
from vinted_optimizer.kit.schemas import Input
from vinted_optimizer.vocabulary import Condition, RoundedMoney

EmbedKind = Literal["document", "query"]
# Where a field's value came from: the vision model, the text of a label in a photo, or the photo's pixels.
FieldSource = Literal["model", "label", "pixels"]
SOURCED_FIELDS = (
    "title", "description", "category", "brand", "condition", "size", "material", "colors", "price"
)  # fmt: skip

MAX_TITLE_CHARS = 80
MAX_TAGS = 10
MAX_COLORS = 2  # Vinted takes two colours per listing
MAX_SIZE_CHARS = 40
MAX_EMBED_TEXTS = 64
MAX_EMBED_TEXT_CHARS = 8000


class SuggestedPrice(BaseModel):
    min: RoundedMoney
    max: RoundedMoney

    @model_validator(mode="after")
    def _ordered(self) -> SuggestedPrice:
        if self.min > self.max:
            raise ValueError("min must not exceed max")
        return self


class Analysis(BaseModel):
    """One item as the vision model saw it, normalised to Vinted's vocabulary."""

    title: str = Field(max_length=MAX_TITLE_CHARS)
    # Path root → leaf in Vinted's (English) taxonomy, e.g. "Women > Clothes > Outerwear > Jackets".
    category: str | None = None
    category_id: int | None = None
    brand: str | None = None
    condition: Condition | None = None
    description: str = ""  # Italian
    suggested_price: SuggestedPrice | None = None
    tags: list[str] = Field(default_factory=list, max_length=MAX_TAGS)
    colors: list[str] = Field(default_factory=list, max_length=MAX_COLORS)  # Vinted's names ("Blu navy")
    size: str | None = Field(default=None, max_length=MAX_SIZE_CHARS)  # "M", "42", "IT 44", "Taglia unica"
    material: str | None = None  # the dominant material's Vinted name in Italian ("Cotone")
    # For each filled field of SOURCED_FIELDS ("price" is suggested_price), where its value came from.
    sources: dict[str, FieldSource] = Field(default_factory=dict)
    confidence: float = Field(ge=0, le=1)
    model: str


class AnalyzeResult(Analysis):
    cached: bool = False
    # SHA-256 hex of the image bytes; for several photos, SHA-256 of their hex digests concatenated in order.
    image_hash: str
    images_analysed: int = Field(ge=0)


class CachedAnalysis(BaseModel):
    """What the analysis cache keeps of photos: the model's merged answer and the text their labels bear
    (the slow parts). The brands a caller knows are matched against that text on every hit, so a family's
    growing list of brands never makes the same photos miss."""

    merged: Analysis
    model_brands: list[str | None]  # each photo's answer's brand: the label's spelling candidates first
    label_lines: list[list[str]]  # per photo, the lines read
    images_analysed: int = Field(ge=0)


class EmbedRequest(Input):
    texts: list[Annotated[str, Field(max_length=MAX_EMBED_TEXT_CHARS)]] = Field(
        min_length=1, max_length=MAX_EMBED_TEXTS
    )
    kind: EmbedKind = "document"


class EmbedResult(BaseModel):
    # Vectors are comparable only with vectors of the same model: store the name next to each vector.
    model: str
    dimensions: int
    vectors: list[list[float]]


MAX_DOCUMENTS_PER_CALL = 500
MAX_DOCUMENT_IDS_PER_CALL = 2000


class DocumentsIndexRequest(Input):
    """A family's own texts (listings, sales…) to keep in the retrieval index; upserted by id."""

    family_id: uuid.UUID
    documents: list[Passage] = Field(max_length=MAX_DOCUMENTS_PER_CALL)


class DocumentsDeleteRequest(Input):
    family_id: uuid.UUID
    ids: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        max_length=MAX_DOCUMENT_IDS_PER_CALL
    )


class DocumentsResult(BaseModel):
    count: int
