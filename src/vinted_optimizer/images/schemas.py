from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from vinted_optimizer.kit.schemas import Input

QualityHint = Literal["too_dark", "too_bright", "blurry", "low_resolution"]


class ImageRead(BaseModel):
    id: uuid.UUID
    listing_id: uuid.UUID
    url: str = Field(description="Processed photo (≤ 1024 px, no metadata); signed, valid for a limited time")
    thumbnail_url: str
    width: int | None
    height: int | None
    is_primary: bool = Field(description="The cover photo: always the first in display order")
    display_order: int
    quality_hints: list[QualityHint]
    colors: list[str]
    created_at: datetime


class DuplicateWarning(BaseModel):
    file: str
    similar_image_id: uuid.UUID
    listing_id: uuid.UUID
    distance: int = Field(description="Perceptual-hash distance; 0 is the same picture")


class ImageOrder(Input):
    image_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=50, description="The listing's photos, in order; the first is the cover"
    )
