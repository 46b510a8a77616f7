"""What an Italian question about the member's numbers asks: the figure, the period and whose.

Pure functions over text (no database): ``parse("quanto ho guadagnato a ottobre?", today)`` is an
``Intent(metric="profit", period=1–31 October, family=False)``. A follow-up that names only a period or a
scope ("e nel 2025?", "e la famiglia?") takes the rest from the previous question. Nothing recognised:
None, and the model answers from the context alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from vinted_optimizer.vocabulary.text import fold

Metric = Literal[
    "revenue",
    "profit",
    "sales_count",
    "average_price",
    "average_days",
    "best_brand",
    "best_category",
    "shipments_in_transit",
    "shipments_trouble",
    "shipments_delivered",
    "listings",
    "dac7",
]

MONTHS = (
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
)
LISTING_STATUS_WORDS: tuple[tuple[str, str], ...] = (
    ("bozz", "draft"),
    ("pront", "ready"),
    ("pubblicat", "published"),
    ("in vendita", "published"),
    ("online", "published"),
    ("riservat", "reserved"),
    ("vendut", "sold"),
    ("nascost", "hidden"),
)
_FAMILY = re.compile(r"\b(abbiamo|famiglia|noi|insieme|tutti|nostr[aeio]|\w+iamo)\b")
_YEAR = re.compile(r"\b(20\d\d)\b")
_MONTH = re.compile(r"\b(" + "|".join(MONTHS) + r")\b(?:\s+(?:del\s+|dello\s+)?(20\d\d))?(\s+scors[oa])?")
_LAST_DAYS = re.compile(r"\bultimi\s+(\d{1,3})\s+giorni\b")


@dataclass(frozen=True)
class Period:
    start: date | None  # first day, Italian time
    end: date | None  # last day, included
    label: str  # "a ottobre 2026", "nel 2025", "da sempre"

    @property
    def whole_time(self) -> bool:
        return self.start is None and self.end is None


ALL_TIME = Period(None, None, "da sempre")


@dataclass(frozen=True)
class Intent:
    metric: Metric
    period: Period
    family: bool  # the family's figures ("abbiamo", "la famiglia"), else the member's own
    listing_status: str | None = None
    explicit_period: bool = False


def month_label(month: int, year: int) -> str:
    return f"{MONTHS[month - 1]} {year}"


def italian_date(day: date) -> str:
    """3 ottobre 2026."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _month(year: int, month: int, today: date) -> tuple[date, date]:
    start = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return start, min(following - timedelta(days=1), today) if start <= today else following - timedelta(
        days=1
    )


def period_of(text: str, today: date) -> Period | None:
    """The period a folded question names, or None."""
    if "oggi" in text:
        return Period(today, today, "oggi")
    if re.search(r"\bieri\b", text):
        day = today - timedelta(days=1)
        return Period(day, day, "ieri")
    if found := _LAST_DAYS.search(text):
        days = max(1, int(found.group(1)))
        return Period(today - timedelta(days=days - 1), today, f"negli ultimi {days} giorni")
    monday = today - timedelta(days=today.weekday())
    if re.search(r"\bsettimana (scorsa|passata)\b", text):
        start = monday - timedelta(days=7)
        end = monday - timedelta(days=1)
        return Period(start, end, f"la settimana scorsa (dal {italian_date(start)} al {italian_date(end)})")
    if re.search(r"\b(questa settimana|settimana corrente)\b", text):
        return Period(monday, today, f"questa settimana (dal {italian_date(monday)})")
    if re.search(r"\bmese (scorso|passato)\b", text):
        year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        start, end = _month(year, month, today)
        return Period(start, end, f"il mese scorso ({month_label(month, year)})")
    if re.search(r"\b(questo mese|mese corrente|quest mese)\b", text):
        start, end = _month(today.year, today.month, today)
        return Period(start, end, f"questo mese ({month_label(today.month, today.year)})")
    if found := _MONTH.search(text):
        month = MONTHS.index(found.group(1)) + 1
        if found.group(2):
            year = int(found.group(2))
        elif found.group(3):  # "ottobre scorso": the last October before this month
            year = today.year if month < today.month else today.year - 1
        else:  # a bare month: the latest one not in the future
            year = today.year if month <= today.month else today.year - 1
        start, end = _month(year, month, today)
        return Period(start, end, f"a {month_label(month, year)}")
    if re.search(r"\banno (scorso|passato)\b", text):
        year = today.year - 1
        return Period(date(year, 1, 1), date(year, 12, 31), f"l'anno scorso ({year})")
    if re.search(r"\b(quest anno|questo anno|anno corrente)\b", text):
        return Period(date(today.year, 1, 1), today, f"quest'anno ({today.year})")
    if found := _YEAR.search(text):
        year = int(found.group(1))
        last = date(year, 12, 31) if year != today.year else today
        return Period(date(year, 1, 1), last, f"nel {year}")
    if re.search(r"\b(da sempre|in totale|in tutto|finora)\b", text):
        return ALL_TIME
    return None


def _has(text: str, *words: str) -> bool:
    return any(word in text for word in words)


def metric_of(text: str) -> tuple[Metric, str | None] | None:
    """The figure a folded question asks for (and, for listings, the status), or None."""
    if _has(text, "dac7", "dac 7", "soglia", "soglie"):
        return "dac7", None
    if _has(text, "pacc", "spedizion", "spedit"):
        if _has(text, "problem", "bloccat", "difficolt", "guai", "ritard", "non consegnat", "respint"):
            return "shipments_trouble", None
        if "consegnat" in text:
            return "shipments_delivered", None
        return "shipments_in_transit", None
    if _has(text, "annunc", "bozz"):
        status = next((value for word, value in LISTING_STATUS_WORDS if word in text), None)
        return "listings", status
    if _has(text, "marca", "marche", "brand"):
        return "best_brand", None
    if "categori" in text:
        return "best_category", None
    if "giorni" in text or ("tempo" in text and "vend" in text):
        return "average_days", None
    if "prezzo medio" in text or ("media" in text and "prezz" in text) or "in media" in text:
        return "average_price", None
    if _has(text, "guadagn", "profitt", "utile", "netto"):
        return "profit", None
    if _has(text, "incass", "ricav", "fattur", "entrat", "quanto ho venduto", "quanto abbiamo venduto"):
        return "revenue", None
    if "quant" in text and _has(text, "vendit", "vendut", "venduto"):
        return "sales_count", None
    return None


def parse(question: str, today: date, earlier: Sequence[str] = ()) -> Intent | None:
    """The intent of ``question``; ``earlier`` are the member's previous questions, oldest first."""
    text = fold(question)
    period = period_of(text, today)
    family = bool(_FAMILY.search(text))
    found = metric_of(_LAST_DAYS.sub(" ", text))  # "ultimi 30 giorni" is a period, not a duration
    if found is not None:
        metric, status = found
        return Intent(metric, period or ALL_TIME, family, status, explicit_period=period is not None)
    # A follow-up ("e nel 2025?", "e la famiglia?"): short, naming a period or a scope, nothing else.
    if (period is None and not family) or len(text.split()) > 8:
        return None
    for before in reversed(earlier):
        previous = parse(before, today)
        if previous is not None:
            return replace(
                previous,
                period=period or previous.period,
                family=family or previous.family,
                explicit_period=period is not None or previous.explicit_period,
            )
    return None
