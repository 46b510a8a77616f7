from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from vinted_optimizer.listings.schemas import ImageRead, ListingRead


class DuplicateWarning(BaseModel):
    file: str
    similar_image_id: uuid.UUID
    listing_id: uuid.UUID
    distance: int = Field(description="Perceptual-hash distance; 0 is the same picture")


class UploadResult(BaseModel):
    listing: ListingRead
    images: list[ImageRead]
    created_listing: bool
    duplicates: list[DuplicateWarning]


class ImageOrder(BaseModel):
    image_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=50, description="The listing's photos, in order"
    )
