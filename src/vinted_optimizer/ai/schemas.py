"""What the AI service returns: an item analysis in Vinted's own vocabulary, and text embeddings.

The values are already normalised (category path from Vinted's taxonomy, one of the five conditions,
Vinted colour names), so callers can fill a listing draft without translating anything.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, model_validator

Condition = Literal["new_with_tags", "new_without_tags", "very_good", "good", "satisfactory"]
CONDITIONS: tuple[Condition, ...] = ("new_with_tags", "new_without_tags", "very_good", "good", "satisfactory")

# Vinted's status ids (ThalosES/vinted-rs `ArticleStatus`): the order of the ids is not the order of wear.
CONDITION_STATUS_IDS: dict[Condition, int] = {
    "new_with_tags": 6,
    "new_without_tags": 1,
    "very_good": 2,
    "good": 3,
    "satisfactory": 4,
}
CONDITION_LABELS_IT: dict[Condition, str] = {
    "new_with_tags": "Nuovo con cartellino",
    "new_without_tags": "Nuovo senza cartellino",
    "very_good": "Ottime condizioni",
    "good": "Buone condizioni",
    "satisfactory": "Discrete condizioni",
}

EmbedKind = Literal["document", "query"]

MAX_TITLE_CHARS = 80
MAX_TAGS = 10
MAX_EMBED_TEXTS = 64
MAX_EMBED_TEXT_CHARS = 8000

CENT = Decimal("0.01")


def _to_cents(value: object) -> object:
    """Money has two places: round half up instead of rejecting 12.345 from a model or a client."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | str | Decimal):
        try:
            return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
        except ArithmeticError:
            return value
    return value


Money = Annotated[Decimal, BeforeValidator(_to_cents), Field(ge=0, max_digits=10, decimal_places=2)]


class SuggestedPrice(BaseModel):
    min: Money
    max: Money

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
    colors: list[str] = Field(default_factory=list)  # Italian Vinted colour names ("Blu navy")
    confidence: float = Field(ge=0, le=1)
    model: str


class AnalyzeResult(Analysis):
    cached: bool = False
    # SHA-256 hex of the image bytes; for several photos, SHA-256 of their hex digests concatenated in order.
    image_hash: str
    images_analysed: int = Field(ge=0)


class EmbedRequest(BaseModel):
    texts: list[Annotated[str, Field(max_length=MAX_EMBED_TEXT_CHARS)]] = Field(
        min_length=1, max_length=MAX_EMBED_TEXTS
    )
    kind: EmbedKind = "document"


class EmbedResult(BaseModel):
    # Vectors are comparable only with vectors of the same model: store the name next to each vector.
    model: str
    dimensions: int
    vectors: list[list[float]]
