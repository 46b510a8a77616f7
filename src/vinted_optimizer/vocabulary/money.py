"""Money is ``Decimal`` with two places, as ``Numeric(10, 2)`` stores it; never a float.

``Money`` is for amounts a person types (the API refuses 12.345 rather than guess); ``RoundedMoney`` is
for amounts a model or a calculation produces, rounded half up to the cent instead of refused.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import BeforeValidator, Field

CENT = Decimal("0.01")
# The largest amount Numeric(10, 2) holds.
MONEY_MAX = Decimal("99999999.99")


def to_cents(value: object) -> object:
    """Round a number (or its text) half up to the cent; anything else is left for validation to refuse."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | str | Decimal):
        try:
            return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
        except ArithmeticError:
            return value
    return value


Money = Annotated[Decimal, Field(ge=0, le=MONEY_MAX, max_digits=10, decimal_places=2)]
RoundedMoney = Annotated[
    Decimal, BeforeValidator(to_cents), Field(ge=0, le=MONEY_MAX, max_digits=10, decimal_places=2)
]
