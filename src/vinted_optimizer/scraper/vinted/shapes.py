"""Reading Vinted's JSON defensively: each accessor names the endpoint and the path of what is missing,
so a changed answer fails loudly as ``VintedChanged`` instead of as a ``KeyError`` three layers up."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from vinted_optimizer.scraper.errors import VintedChanged
from vinted_optimizer.vocabulary import CENT


class Shape:
    """The answer of one endpoint: ``Shape("search").obj(data["items"][3]["user"], "items[3].user")``."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint

    def fail(self, where: str, what: str) -> VintedChanged:
        return VintedChanged(endpoint=self.endpoint, detail=f"{where}: {what}")

    def obj(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected an object, got {type(value).__name__}")
        return value

    def array(self, value: Any, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(where, f"expected a list, got {type(value).__name__}")
        return value

    def field(self, parent: dict[str, Any], key: str, where: str) -> Any:
        if key not in parent:
            raise self.fail(f"{where}.{key}", "missing")
        return parent[key]

    def integer(self, parent: dict[str, Any], key: str, where: str) -> int:
        value = self.field(parent, key, where)
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and value.isdigit():
                return int(value)
            raise self.fail(f"{where}.{key}", f"expected an integer, got {value!r:.40}")
        return value

    def text(self, parent: dict[str, Any], key: str, where: str) -> str:
        value = self.field(parent, key, where)
        if not isinstance(value, str):
            raise self.fail(f"{where}.{key}", f"expected text, got {type(value).__name__}")
        return value

    def opt_text(self, parent: dict[str, Any], key: str, where: str) -> str | None:
        value = parent.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(f"{where}.{key}", f"expected text, got {type(value).__name__}")
        return value

    def flag(self, parent: dict[str, Any], key: str, where: str, *, default: bool | None = None) -> bool:
        if key not in parent and default is not None:
            return default
        value = self.field(parent, key, where)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", f"expected true/false, got {value!r:.40}")
        return value

    def decimal(self, value: Any, where: str) -> Decimal:
        """A money amount: "6.00", 6 or 6.5 (never through a float), to the cent."""
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.fail(where, f"expected an amount, got {value!r:.40}")
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise self.fail(where, f"expected an amount, got {value!r:.40}") from exc
        if not amount.is_finite():
            raise self.fail(where, f"expected an amount, got {value!r:.40}")
        return amount.quantize(CENT)

    def money(self, parent: dict[str, Any], key: str, where: str) -> tuple[Decimal, str]:
        """``{"amount": "6.00", "currency_code": "EUR"}`` as (amount, currency)."""
        box = self.obj(self.field(parent, key, where), f"{where}.{key}")
        return self.decimal(self.field(box, "amount", f"{where}.{key}"), f"{where}.{key}.amount"), self.text(
            box, "currency_code", f"{where}.{key}"
        )

    def opt_money(self, parent: dict[str, Any], key: str, where: str) -> tuple[Decimal, str] | None:
        if parent.get(key) is None:
            return None
        return self.money(parent, key, where)
