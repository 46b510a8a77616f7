"""A model's words mapped onto Vinted's vocabulary (``vinted_optimizer.vocabulary``; colours: ``colors.py``).

Small vision models answer in free Italian or English ("usato in buone condizioni", "like new", "navy
blue"); Vinted accepts only its own values. Everything here maps words to those values, or to None when
unsure — a wrong value on a listing costs more than an empty field the user fills in.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from vinted_optimizer.ai.colors import normalise_colors
from vinted_optimizer.ai.schemas import MAX_TAGS, SuggestedPrice
from vinted_optimizer.vocabulary import CONDITION_STATUS_IDS, Condition
from vinted_optimizer.vocabulary.text import fold

__all__ = [
    "fold",
    "normalise_brand",
    "normalise_colors",
    "normalise_condition",
    "normalise_tags",
    "parse_price",
]


# --- conditions -------------------------------------------------------------------------------------

# Checked in order, each phrase matched at the start of a word: specific before generic ("nuovo senza
# cartellino" before "nuovo"), worse before better when both appear ("usato, discrete condizioni").
_CONDITION_RULES: list[tuple[Condition, tuple[str, ...]]] = [
    ("new_without_tags", ("senza cartellin", "senza etichett", "without tag", "no tag", "new without")),
    (
        "new_with_tags",
        (
            "con cartellin",
            "con etichett",
            "with tag",
            "nwt",
            "bnwt",
            "sigillat",
            "mai apert",
            "ancora incartat",
            "in confezione originale",
        ),
    ),
    (
        "new_without_tags",
        (
            "mai usat",
            "mai indossat",
            "mai mess",
            "never worn",
            "never used",
            "unworn",
            "come nuov",
            "like new",
            "as new",
            "pari al nuovo",
            "nuovissim",
        ),
    ),
    (
        "satisfactory",
        (
            "discret",
            "satisfactory",
            "fair",
            "accettabil",
            "evidenti segni",
            "segni di usura",
            "molto usat",
            "rovinat",
            "poor",
            "damaged",
            "danneggiat",
        ),
    ),
    (
        "very_good",
        (
            "ottim",
            "very good",
            "excellent",
            "eccellent",
            "perfett",
            "pochissimo usat",
            "poco usat",
            "usato poco",
            "usata poco",
            "indossat poche",
            "indossato poche",
        ),
    ),
    ("good", ("buon", "good", "usat", "used", "worn", "normale usura", "normali segni")),
    ("new_without_tags", ("nuov", "new", "brand new")),
]
_CONDITION_PATTERNS = [
    (condition, re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + ")"))
    for condition, phrases in _CONDITION_RULES
]
_CONDITION_CODES: dict[str, Condition] = {
    **{code: code for code in CONDITION_STATUS_IDS},
    **{str(status): code for code, status in CONDITION_STATUS_IDS.items()},
}


def normalise_condition(value: object) -> Condition | None:
    """Map a model's wording (Italian or English, Vinted's long or short form, a status id) to a code.

    "New" alone becomes "new_without_tags" and "used" alone "good": claiming tags or an excellent state
    that the photo does not show would mislead a buyer.
    """
    if value is None or isinstance(value, bool):
        return None
    raw = str(value).strip().lower()
    if raw in _CONDITION_CODES:
        return _CONDITION_CODES[raw]
    text = fold(raw).replace("-", " ")
    for condition, pattern in _CONDITION_PATTERNS:
        if pattern.search(text):
            return condition
    return None


# --- brand, tags, price -----------------------------------------------------------------------------

_NO_BRAND = {
    "",
    "unknown",
    "sconosciuto",
    "sconosciuta",
    "nessuno",
    "nessuna",
    "none",
    "null",
    "n a",
    "na",
    "non visibile",
    "non specificato",
    "non specificata",
    "non indicato",
    "sconosciuto marca",
    "generic",
    "generico",
    "no brand",
    "senza marca",
    "brand",
    "marca",
    "not visible",
    "unbranded",
    "n d",
    "nd",
}


def normalise_brand(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    brand = " ".join(value.strip().strip("\"'“”«»").split())
    if fold(brand) in _NO_BRAND or len(brand) > 60:
        return None
    return brand


def normalise_tags(value: object) -> list[str]:
    raw: list[str] = []
    if isinstance(value, str):
        raw = re.split(r"[,;#\n]+", value)
    elif isinstance(value, list | tuple):
        raw = [str(v) for v in value if isinstance(v, str | int | float)]
    out: list[str] = []
    for item in raw:
        tag = " ".join(item.strip().strip("#\"'").lower().split())
        if 1 < len(tag) <= 40 and tag not in out:
            out.append(tag)
    return out[:MAX_TAGS]


PRICE_FLOOR = Decimal("0.50")
PRICE_CEILING = Decimal("5000")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


def _numbers(value: object) -> list[Decimal]:
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int | float | Decimal):
        return [Decimal(str(value))]
    if isinstance(value, str):
        # "1.200 €" is rare for second-hand goods: a dot or comma is read as the decimal separator.
        return [n for n in (_number(m) for m in _NUMBER.findall(value)) if n is not None]
    if isinstance(value, dict):
        lowered = {fold(str(k)): v for k, v in value.items()}
        low = next((lowered[k] for k in ("min", "minimo", "da", "from", "low") if k in lowered), None)
        high = next((lowered[k] for k in ("max", "massimo", "a", "to", "high") if k in lowered), None)
        bounds = _numbers(low)[:1] + _numbers(high)[:1]
        return bounds or _numbers(lowered.get("price") or lowered.get("prezzo"))
    if isinstance(value, list | tuple):
        return [n for v in value for n in _numbers(v)][:2]
    return []


def _clamp(value: Decimal) -> Decimal:
    return min(max(value, PRICE_FLOOR), PRICE_CEILING)


def parse_price(*values: object) -> SuggestedPrice | None:
    """A price range from "25€", "20-30", {"min": 20, "max": 30}, [20, 30] or separate min/max values.

    One number gives min = max (no invented spread); a reversed range is swapped; all is clamped to
    0.50–5000 €.
    Zero and negative numbers are dropped (a model writes 0 when it does not know).
    """
    numbers = [n for v in values for n in _numbers(v) if n > 0][:2]
    if not numbers:
        return None
    low, high = min(numbers), max(numbers)
    return SuggestedPrice(min=_clamp(low), max=_clamp(high))
