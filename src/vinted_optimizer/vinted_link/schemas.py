from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from vinted_optimizer.kit.schemas import Input
from vinted_optimizer.users.schemas import VintedSessionLink

# No 0/O, no 1/I/L: a code read on a phone and typed on a computer.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8

PairingState = Literal["waiting", "linked", "expired"]


def normalise_code(value: str) -> str:
    """What the member typed, as stored: capitals, without spaces or dashes."""
    return "".join(ch for ch in value.upper() if ch not in " -\t")


class PairingCreated(BaseModel):
    """A new pairing code: shown once, to type into the extension before it expires."""

    id: uuid.UUID
    code: str = Field(description=f"{CODE_LENGTH} characters, single use; shown once")
    expires_at: datetime


class PairingStatus(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    state: PairingState
    expires_at: datetime
    redeemed_at: datetime | None


class PairingRedeem(VintedSessionLink):
    """What the browser extension sends: the code shown in the app and the vinted.it cookies."""

    code: str = Field(min_length=1, max_length=32, description="The pairing code shown in the app")

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        code = normalise_code(value)
        if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
            raise ValueError(f"Il codice è di {CODE_LENGTH} lettere e numeri, come lo mostra l'app.")
        return code


class PairingRedeemed(BaseModel):
    status: Literal["linked"] = "linked"


# --- the sales sync (issue 12 item 7) ------------------------------------------------------------------

SyncState = Literal["queued", "running", "done", "stopped", "failed"]


class SyncAsk(Input):
    all: StrictBool = Field(  # 0 or "yes" is refused, not taken for a boolean
        default=False, description="A family admin: every linked member of the family, not only me"
    )


class SyncQueued(BaseModel):
    queued: list[uuid.UUID] = Field(description="The members whose sync is queued")


class SyncReport(BaseModel):
    """The last sales sync of one member: what ran, when, what it found, and why it stopped (Italian)."""

    user_id: uuid.UUID
    username: str
    state: SyncState = Field(
        description="queued, running; done (everything read), stopped (part way: the next run continues), "
        "failed (nothing read)"
    )
    trigger: Literal["button", "cron"]
    queued_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    orders_seen: int = 0
    new_sales: int = 0
    updated_sales: int = 0
    listings_created: int = 0
    listings_updated: int = 0
    labels_fetched: int = 0
    reason: str | None = Field(default=None, description="Why it stopped or failed, in Italian")
    notes: list[str] = Field(default_factory=list, description="What the member should know, in Italian")
    summary: str = Field(default="", description="One Italian sentence for the dashboard")


class SyncReports(BaseModel):
    items: list[SyncReport]
