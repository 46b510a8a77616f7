"""Shipments as the API reads and writes them: a parcel, its label, the carriers' options, the account."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, EmailStr, Field, SecretStr
from pydantic_core import PydanticCustomError

from vinted_optimizer.kit.pagination import Page
from vinted_optimizer.kit.schemas import Input
from vinted_optimizer.vocabulary import Money, ShipmentStatus

PAGE_MAX = 100
BULK_MAX = 50
KEY_MAX = 200

LabelFormat = Literal["pdf", "zpl", "png"]
LabelLayout = Literal["a4", "thermal"]
ShipmentSource = Literal["sendcloud", "other", "vinted"]
SortKey = Literal["created_at", "-created_at", "status_at", "-status_at"]

_COUNTRY = re.compile(r"[A-Za-z]{2}")
_TRACKING = re.compile(r"[A-Z0-9]{6,40}")


def _country(value: object) -> object:
    if isinstance(value, str):
        if not _COUNTRY.fullmatch(value.strip()):
            raise PydanticCustomError(
                "country_code", "Scrivi il paese con il codice di due lettere, per esempio IT."
            )
        return value.strip().upper()
    return value


def _tracking(value: object) -> object:
    if isinstance(value, str):
        code = re.sub(r"[\s-]", "", value).upper()
        if not _TRACKING.fullmatch(code):
            raise PydanticCustomError(
                "tracking_code",
                "Il codice di tracciamento ha da 6 a 40 lettere o cifre (spazi e trattini si possono "
                "omettere).",
            )
        return code
    return value


Country = Annotated[str, BeforeValidator(_country)]
TrackingCode = Annotated[str, BeforeValidator(_tracking)]
Weight = Annotated[Decimal, Field(gt=0, le=Decimal("70"), max_digits=6, decimal_places=3)]
Centimetres = Annotated[Decimal, Field(gt=0, le=Decimal("300"), max_digits=5, decimal_places=1)]
OptionCode = Annotated[str, Field(min_length=1, max_length=120)]


class Address(Input):
    """An address as Sendcloud takes it (the buyer's, or the family's as the sender)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=75)
    company_name: str | None = Field(default=None, max_length=75)
    address_line_1: str = Field(min_length=1, max_length=150, description="The street")
    house_number: str = Field(min_length=1, max_length=20)
    address_line_2: str | None = Field(default=None, max_length=150)
    postal_code: str = Field(min_length=2, max_length=12)
    city: str = Field(min_length=1, max_length=80)
    country_code: Country = Field(description="ISO 3166-1 alpha-2, e.g. IT")
    email: EmailStr | None = None
    phone_number: str | None = Field(default=None, min_length=5, max_length=20, pattern=r"^\+?[0-9 ]+$")


class Dimensions(Input):
    model_config = ConfigDict(extra="forbid")

    length_cm: Centimetres
    width_cm: Centimetres
    height_cm: Centimetres


class ShipmentCreate(Input):
    model_config = ConfigDict(extra="forbid")

    sale_id: uuid.UUID
    shipping_option_code: OptionCode = Field(description="A code from GET /carriers, e.g. brt:standard")
    weight_kg: Weight
    dimensions: Dimensions | None = None
    to_address: Address = Field(description="The buyer's address")


class ShipmentFollow(Input):
    """A parcel sent with another label (Vinted's own): only its tracking code, followed by 17TRACK."""

    model_config = ConfigDict(extra="forbid")

    sale_id: uuid.UUID
    tracking_code: TrackingCode
    carrier: str | None = Field(default=None, min_length=1, max_length=60)


class TrackingEvent(BaseModel):
    at: datetime | None = None
    status: str | None = None
    description: str | None = None
    location: str | None = None
    source: Literal["sendcloud", "17track"] | None = None


class EstimatedDelivery(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: datetime | None = Field(default=None, alias="from", serialization_alias="from")
    to: datetime | None = None


class ShipmentRead(BaseModel):
    id: uuid.UUID
    sale_id: uuid.UUID
    user_id: uuid.UUID | None = Field(description="The member who bought the label or entered the code")
    source: ShipmentSource
    title: str = Field(description="The sale's title")
    buyer_username: str | None
    carrier: str | None = Field(description="The carrier's name, to show (BRT)")
    carrier_code: str | None
    shipping_option_code: str | None
    tracking_code: str | None
    tracking_url: str | None
    shipping_cost: Decimal | None
    weight_kg: Decimal | None
    status: ShipmentStatus
    status_message: str | None
    status_at: datetime | None
    delivered_at: datetime | None
    label_formats: list[LabelFormat] = Field(description="The label's formats; [] when there is no label")
    events: list[TrackingEvent] = Field(description="Newest first")
    estimated_delivery: EstimatedDelivery | None
    tracking_error: str | None = Field(description="Why the tracking service refused the code, if it did")
    created_at: datetime
    updated_at: datetime


class ShipmentPage(Page[ShipmentRead]):
    pass


class ShipmentFilters(Input):
    model_config = ConfigDict(extra="forbid")

    status: list[ShipmentStatus] = Field(default_factory=list)
    trouble: bool | None = Field(default=None, description="true: only parcels in trouble; false: none")
    open: bool | None = Field(default=None, description="true: parcels still moving; false: finished ones")
    sale_id: uuid.UUID | None = None
    sort: SortKey = "-created_at"
    limit: int = Field(default=50, ge=1, le=PAGE_MAX)
    offset: int = Field(default=0, ge=0, le=100_000)


class LabelQuery(Input):
    model_config = ConfigDict(extra="forbid")

    format: LabelFormat = "pdf"


class BulkLabels(Input):
    model_config = ConfigDict(extra="forbid")

    shipment_ids: list[uuid.UUID] = Field(min_length=1, max_length=BULK_MAX)
    layout: LabelLayout = Field(
        default="a4", description="a4: four labels on each A4 sheet; thermal: one label a page, as printed"
    )


# --- the family's shipping account --------------------------------------------------------------------


class AccountRead(BaseModel):
    sender_address: Address | None
    has_sendcloud_keys: bool
    sendcloud_webhook_url: str | None = Field(description="What to paste in Sendcloud's integration settings")
    default_option_code: str | None


class AccountUpdate(Input):
    """What the family admin changes; the keys are written, never read back."""

    model_config = ConfigDict(extra="forbid")

    sender_address: Address | None = None
    sendcloud_public_key: SecretStr | None = Field(default=None, min_length=8, max_length=KEY_MAX)
    sendcloud_secret_key: SecretStr | None = Field(default=None, min_length=8, max_length=KEY_MAX)
    default_option_code: OptionCode | None = None


# --- carriers ------------------------------------------------------------------------------------------


class CarrierOption(BaseModel):
    code: str = Field(description="The shipping_option_code to send to POST /shipments")
    name: str
    carrier_code: str
    carrier_name: str
    price: Money | None = Field(description="For the parcel asked about; null when Sendcloud gives none")
    currency: Literal["EUR"] = "EUR"
    label_formats: list[LabelFormat] = Field(
        description="Formats known before buying (PDF); ZPL and PNG are checked on the label once bought"
    )
    min_weight_kg: Decimal | None
    max_weight_kg: Decimal | None


class CarrierList(BaseModel):
    items: list[CarrierOption] = Field(description="Cheapest first")


class CarrierQuery(Input):
    model_config = ConfigDict(extra="forbid")

    to_country: Country | None = Field(default=None, description="Default: the sender's country")
    weight_kg: Weight = Decimal("1.000")


class QuoteRequest(Input):
    model_config = ConfigDict(extra="forbid")

    to_country: Country
    to_postal_code: str | None = Field(default=None, min_length=2, max_length=12)
    from_country: Country | None = Field(default=None, description="Default: the sender's country")
    from_postal_code: str | None = Field(default=None, min_length=2, max_length=12)
    weight_kg: Weight
    dimensions: Dimensions | None = None
