"""Derive ``sizes.json`` (next to this file) from the recorded Vinted sizes.

The source is the fixture ``shared/fixtures/vinted/vinted-rs-sizes.up.sql`` (ThalosES/vinted-rs, 552 sizes
scraped in 2023 from vinted.es, .fr and .co.uk): ``(id, title_es, title_fr, title_en, size_type_es,
size_type_fr, size_type_en, root catalog id)``. It does not say which of Vinted's *size groups* (the
``size_group_ids`` of a catalog) a size belongs to, only its type ("Men's shoes") and root. The table
``GROUP_TYPES`` below joins the two: each size group used by the catalog tree, named by the catalogs that
use it (group 7 is every women's shoe catalog, group 38 every men's one), is matched with the size type of
the same root that fits those catalogs. Group 72 (women's socks) has no recorded type: its catalogs get a
free-text size.

A group made of two types (men's clothes and trousers) lists a repeated title once, with the first type's
id. Italian titles: vinted.it shows the continental sizes, as vinted.fr does (shoes in EU sizes, not the UK
sizes of the English titles), so the Italian title is the French one with its few words translated
(``_WORDS``). When two sizes of a group would read the same (men's shoes 39 for UK 5 and for UK 5.5,
gloves 5 and 5.5), the English title is added in brackets so the member can tell them apart.

Regenerate after updating the fixture (from the repository's root, with .venv/bin on the PATH):

    python -m vinted_optimizer.vocabulary.taxonomy.build_sizes \
        ../shared/fixtures/vinted/vinted-rs-sizes.up.sql
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).with_name("sizes.json")

# size group id → (root catalog id, size types in the order Vinted's form lists them).
GROUP_TYPES: dict[int, tuple[int, tuple[str, ...]]] = {
    4: (1904, ("Women's items",)),
    7: (1904, ("Footwear",)),
    30: (1904, ("Maternity support belts",)),
    52: (1904, ("Rings",)),
    53: (1904, ("Bras",)),
    60: (1904, ("Adult hats",)),
    61: (1904, ("Adult gloves",)),
    62: (1904, ("Watches",)),
    64: (1904, ("Women's Belts",)),
    14: (5, ("Men's sizes", "Men's trousers")),
    38: (5, ("Men's shoes",)),
    63: (5, ("Men's belts",)),
    73: (5, ("Men's socks",)),
    74: (5, ("Men's shirts",)),
    75: (5, ("Men's suit jackets",)),
    26: (1193, ("Diapers",)),
    27: (1193, ("Baby car seats",)),
    29: (1193, ("Baby age",)),
    31: (1193, ("Children's shoe sizes",)),
    32: (1193, ("up to 44cm", "Babies and children sizes")),
    43: (
        1193,
        (
            "12 inches",
            "15 inches",
            "17 inches",
            "18 inches",
            "19 inches",
            "20 inches",
            "21 inches",
            "22 inches",
            "23 inches",
            "Kids hats",
        ),
    ),
    68: (1193, ("Baby bedding",)),
    55: (1918, ("Bedding",)),
    59: (1918, ("Cushion dimensions",)),
    65: (1918, ("Curtain length",)),
    66: (1918, ("Pillowcase dimensions",)),
    67: (1918, ("Blanket dimensions",)),
    69: (1918, ("Duvet size",)),
    57: (2093, ("Dog items",)),
}

# French words of the size titles, in Italian (longest first when applied).
_WORDS: dict[str, str] = {
    "Taille unique": "Taglia unica",
    "One size": "Taglia unica",
    "Universel": "Taglia unica",
    "Autre": "Altro",
    "Ajustable": "Regolabile",
    "Peu importe": "Qualsiasi",
    "Naissance": "Neonato",
    "Prématurés": "Prematuro",
    "Prématuré": "Prematuro",
    "Jusqu'à": "Fino a",
    "et plus": "e oltre",
    "et moins": "e meno",
    "et +": "e oltre",
    "et": "e",
    "mois": "mesi",
    "ans": "anni",
    "Simple": "Singolo",
    "Double": "Matrimoniale",
    "Berceau": "Culla",
    "Lit nouveau né": "Minilettino",
    "Lit de voyage bébé": "Lettino da viaggio",
    "Lit bébé": "Lettino",
}
_WORD_PATTERN = re.compile(
    "|".join(rf"(?<!\w){re.escape(word)}(?!\w)" for word in sorted(_WORDS, key=len, reverse=True)),
    re.IGNORECASE,
)
_WORDS_FOLDED = {word.casefold(): italian for word, italian in _WORDS.items()}
# Groups whose French titles lost a half size (gloves 5 and 5.5 are both "5"): the English title is exact.
_ENGLISH_TITLES = frozenset({61})
# Groups where two sizes share an EU size and differ in the UK one (men's shoes).
_UK_SUFFIX = frozenset({38})
# Two spellings of one size, for the repeated-title check above.
_SAME_SIZE = {"2XL": "XXL", "3XL": "XXXL"}
_ROW = re.compile(
    r"\(\s*(\d+),\s*'((?:[^']|'')*)',\s*'((?:[^']|'')*)',\s*'((?:[^']|'')*)',"
    r"\s*'((?:[^']|'')*)',\s*'((?:[^']|'')*)',\s*'((?:[^']|'')*)',\s*(\d+)\s*\)"
)


def _text(value: str) -> str:
    return " ".join(value.replace("''", "'").split())


def italian(title_fr: str) -> str:
    text = _WORD_PATTERN.sub(lambda match: _WORDS_FOLDED[match.group(0).casefold()], title_fr)
    text = text[:1].upper() + text[1:]
    # Plurals after the number 1 ("Fino a 1 mesi") read wrong.
    text = re.sub(r"(?<![\d.])1 anni\b", "1 anno", text)
    return re.sub(r"(?<![\d.])1 mesi\b", "1 mese", text)


def parse(sql: str) -> list[dict[str, Any]]:
    rows = []
    for match in _ROW.finditer(sql):
        size_id, _es, title_fr, title_en, _type_es, _type_fr, type_en, root = match.groups()
        rows.append(
            {
                "id": int(size_id),
                "fr": _text(title_fr),
                "en": _text(title_en),
                "type": _text(type_en),
                "root": int(root),
            }
        )
    return rows


def derive(rows: list[dict[str, Any]]) -> dict[str, Any]:
    sizes: dict[int, dict[str, str]] = {}
    groups: dict[str, list[int]] = {}
    for group_id, (root, types) in sorted(GROUP_TYPES.items()):
        members = [row for kind in types for row in rows if row["root"] == root and row["type"] == kind]
        if not members:
            raise SystemExit(f"size group {group_id}: no recorded size of types {types} under root {root}")
        titles = [italian(row["en"] if group_id in _ENGLISH_TITLES else row["fr"]) for row in members]
        # A group made of two types lists a title once (men's trousers repeat the letter sizes of men's
        # clothes: the first type's id is kept, so "M" is one choice, not two that look the same).
        earlier: set[str] = set()  # the titles of the group's previous types
        kept = []
        for kind in types:
            of_kind = [
                (row, title) for row, title in zip(members, titles, strict=True) if row["type"] == kind
            ]
            kept += [(row, title) for row, title in of_kind if _SAME_SIZE.get(title, title) not in earlier]
            earlier |= {_SAME_SIZE.get(title, title) for _, title in of_kind}
        members, titles = [row for row, _ in kept], [title for _, title in kept]
        for row, title in zip(members, titles, strict=True):
            if titles.count(title) > 1 and row["en"] != title:
                title = f"{title} (UK {row['en']})" if group_id in _UK_SUFFIX else f"{title} ({row['en']})"
            sizes[row["id"]] = {"it": title, "en": row["en"]}
        groups[str(group_id)] = [row["id"] for row in members]
    return {
        "groups": groups,
        "sizes": {str(size_id): sizes[size_id] for size_id in sorted(sizes)},
    }


def render(data: dict[str, Any]) -> str:
    groups = ",\n".join(f'    "{key}": {json.dumps(ids)}' for key, ids in data["groups"].items())
    sizes = ",\n".join(
        f'    "{key}": {json.dumps(value, ensure_ascii=False)}' for key, value in data["sizes"].items()
    )
    return '{\n  "groups": {\n' + groups + '\n  },\n  "sizes": {\n' + sizes + "\n  }\n}\n"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        raise SystemExit("usage: python -m vinted_optimizer.vocabulary.taxonomy.build_sizes <sizes.up.sql>")
    data = derive(parse(Path(args[0]).read_text(encoding="utf-8")))
    OUTPUT.write_text(render(data), encoding="utf-8")
    print(f"{len(data['sizes'])} sizes in {len(data['groups'])} groups written to {OUTPUT}")


if __name__ == "__main__":
    main()
