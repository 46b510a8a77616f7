"""Vinted's sizes (ids and Italian titles) and the size groups a catalog's form offers
(``taxonomy/sizes.json``, built by ``taxonomy/build_sizes.py`` from a 2023 recording)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from vinted_optimizer.vocabulary.catalog import Catalog
from vinted_optimizer.vocabulary.text import fold


@dataclass(frozen=True)
class VintedSize:
    id: int
    title_it: str
    title_en: str


@cache
def _data() -> tuple[dict[int, VintedSize], dict[int, tuple[int, ...]]]:
    raw = json.loads(
        resources.files("vinted_optimizer.vocabulary.taxonomy").joinpath("sizes.json").read_text("utf-8")
    )
    sizes = {
        int(key): VintedSize(int(key), str(value["it"]), str(value["en"]))
        for key, value in raw["sizes"].items()
    }
    groups = {int(key): tuple(int(size_id) for size_id in ids) for key, ids in raw["groups"].items()}
    return sizes, groups


def size_by_id(size_id: int) -> VintedSize | None:
    return _data()[0].get(size_id)


def sizes_for(catalog: Catalog) -> tuple[VintedSize, ...]:
    """The sizes Vinted's form offers for this catalog, in its order (its groups one after the other, a
    size listed once); empty when the form has no size for it or its group was not recorded."""
    sizes, groups = _data()
    seen: set[int] = set()
    found: list[VintedSize] = []
    for group in catalog.size_groups:
        for size_id in groups.get(group, ()):
            if size_id not in seen:
                seen.add(size_id)
                found.append(sizes[size_id])
    return tuple(found)


def _size_key(text: str) -> str:
    return fold(text).replace(" ", "").replace(",", ".")


def match_size(catalog: Catalog, text: str) -> VintedSize | None:
    """The size of this catalog a written size names ("M", "taglia 38", "EU 42", "Taglia unica"): the one
    whose Italian title is it, or whose title's first part is it ("M" → "M / 38 / 10"); None when no size
    of the catalog matches or several different ones would."""
    wanted = _size_key(text)
    offered = sizes_for(catalog)
    exact = [size for size in offered if _size_key(size.title_it) == wanted]
    if exact:
        return exact[0]
    for prefix in ("taglia", "tg.", "tg", "size", "eu", "it"):
        if wanted.startswith(prefix) and len(wanted) > len(prefix):
            wanted = wanted[len(prefix) :]
            break
    if not wanted:
        return None
    parts = [
        size
        for size in offered
        if wanted in {_size_key(part) for part in size.title_it.replace("|", "/").split("/")}
        or _size_key(size.title_it.split(" (", 1)[0]) == wanted
    ]
    # Two sizes that differ only in their bracketed UK size ("42 (UK 8)", "42 (UK 8.5)"): the first.
    if parts and len({size.title_it.split(" (", 1)[0] for size in parts}) == 1:
        return parts[0]
    return None
