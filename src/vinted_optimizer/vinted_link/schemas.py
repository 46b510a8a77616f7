from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

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
