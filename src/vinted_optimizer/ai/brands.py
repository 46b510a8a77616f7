"""Brands a label can name: a short list of brands common among second-hand clothes in Italy, plus the
ones the vision model proposed and the ones the caller knows (the family's own brands).

The list is deliberately small and plain: a brand read on a label is accepted only when it is one of
the known brands, so OCR noise ("MADEINITALY", "DRYCLEANONLY") never becomes a brand. Words that are
common on care labels ("Only", "Basic") are left out on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from vinted_optimizer.vocabulary.text import fold

COMMON_BRANDS: tuple[str, ...] = (
    "Zara", "H&M", "Mango", "Bershka", "Pull&Bear", "Stradivarius", "Massimo Dutti", "Oysho", "OVS",
    "Benetton", "Sisley", "Calzedonia", "Intimissimi", "Tezenis", "Yamamay", "Terranova", "Piazza Italia",
    "Alcott", "Kiabi", "Primark", "Uniqlo", "Gap", "Reserved", "Esprit", "Desigual", "Jack & Jones",
    "Vero Moda", "Tommy Hilfiger", "Ralph Lauren", "Lacoste", "Guess", "Liu Jo", "Pinko", "Twinset",
    "Patrizia Pepe", "Motivi", "Max Mara", "Diesel", "Levi's", "Calvin Klein", "Armani", "Hugo Boss",
    "Gucci", "Prada", "Moncler", "Stone Island", "Woolrich", "Napapijri", "Colmar", "The North Face",
    "Nike", "Adidas", "Puma", "New Balance", "Converse", "Vans", "Reebok", "Fila", "Kappa", "Champion",
    "Asics", "Superga", "Geox", "Timberland", "Dr. Martens", "Birkenstock", "Fred Perry", "Carhartt",
    "Decathlon", "Chicco", "Prénatal", "Original Marines", "Brums", "Furla", "Michael Kors", "Burberry",
)  # fmt: skip
# Other ways a label writes a brand (folded) → the name above.
_ALIASES = {
    "hm": "H&M",
    "pullbear": "Pull&Bear",
    "unitedcolorsofbenetton": "Benetton",
    "levis": "Levi's",
    "levistrauss": "Levi's",
    "emporioarmani": "Armani",
    "armaniexchange": "Armani",
    "boss": "Hugo Boss",
    "polo ralph lauren": "Ralph Lauren",
    "poloralphlauren": "Ralph Lauren",
    "tnf": "The North Face",
    "northface": "The North Face",
    "drmartens": "Dr. Martens",
    "jackjones": "Jack & Jones",
    "prenatal": "Prénatal",
    "maxmara": "Max Mara",
}
MIN_PREFIX_CHARS = 5  # a label line may run on after the brand ("LEVISTRAUSSCO"): only long brands


def compact(text: str) -> str:
    """Letters and digits only: OCR drops spaces and misreads apostrophes, so brands meet in this form.
    An "8" between two letters is OCR's usual reading of "&" ("H8M"), and is dropped like it."""
    letters = re.sub(r"[^a-z0-9]", "", fold(text.replace("&", "")))
    return re.sub(r"(?<=[a-z])8(?=[a-z])", "", letters)


def brand_on_label(lines: Iterable[str], candidates: Iterable[str]) -> str | None:
    """The first known brand that a label line names: the line is the brand (spaces and punctuation
    aside), or, for a brand of at least five letters, begins with it. Candidates are tried in order
    (the model's own proposals first), so their spelling is the one returned."""
    known: dict[str, str] = {}
    for name in candidates:
        key = compact(name)
        if len(key) >= 2:
            known.setdefault(key, name)
    for alias, target in _ALIASES.items():
        if compact(target) in known:
            known.setdefault(compact(alias), known[compact(target)])
    line_keys = [compact(line) for line in lines]
    for line in line_keys:
        if line in known:
            return known[line]
    for line in line_keys:
        for key, name in known.items():
            if len(key) >= MIN_PREFIX_CHARS and line.startswith(key):
                return name
    return None
