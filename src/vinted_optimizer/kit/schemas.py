"""The base of every request body and query model: text that PostgreSQL (and people) can store.

A NUL character makes PostgreSQL refuse a text or jsonb value, and other control characters are never
part of what a person types: both are refused with a 422 naming the field, before anything reaches the
database. Tab, newline and carriage return stay allowed (descriptions have paragraphs).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

# The largest value of a PostgreSQL `integer` column.
INT4_MAX = 2_147_483_647

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_CHARACTERS_MESSAGE = (
    "Il testo contiene caratteri di controllo non ammessi (per esempio il carattere NUL)."
)


def has_control_characters(value: object) -> bool:
    """Whether a value, or any string nested in its lists and dictionaries (keys too), has one."""
    if isinstance(value, str):
        return _CONTROL.search(value) is not None
    if isinstance(value, dict):
        return any(has_control_characters(k) or has_control_characters(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(has_control_characters(item) for item in value)
    return False


def strip_control_characters(value: str) -> str:
    return _CONTROL.sub("", value)


class Input(BaseModel):
    """Every model the API reads from a request (body, query, form) inherits from this one."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        if has_control_characters(value):
            raise PydanticCustomError("control_characters", CONTROL_CHARACTERS_MESSAGE)
        return value
