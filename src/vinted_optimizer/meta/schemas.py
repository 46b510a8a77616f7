from __future__ import annotations

from pydantic import BaseModel, Field

from vinted_optimizer.config import RegistrationMode
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
