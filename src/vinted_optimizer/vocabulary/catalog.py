"""Vinted's catalog tree (a 2023 snapshot): id, title and path from the root in English (as recorded) and
in Italian (as Vinted.it names them: ``taxonomy/titles_it.json``, one title per catalog id), parent."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from vinted_optimizer.vocabulary.text import fold

SEPARATOR = " > "


@dataclass(frozen=True)
class Catalog:
    id: int
    title: str
    path: str
    parent: int | None
    title_it: str
    path_it: str
    # What Vinted's form asks for an item of this catalog (see taxonomy/build_catalogs.py).
    size_groups: tuple[int, ...] = ()
    package_group: int = 0
    material: bool = False
    brand: bool = True
    color: bool = True
    new_only: bool = False

    @property
    def root(self) -> str:
        return self.path.split(SEPARATOR, 1)[0]

    @property
    def depth(self) -> int:
        return self.path.count(SEPARATOR)


def _taxonomy(name: str) -> object:
    data = resources.files("vinted_optimizer.vocabulary.taxonomy").joinpath(name)
    return json.loads(data.read_text("utf-8"))


@cache
def italian_titles() -> dict[int, str]:
    """Every catalog's Italian title, by id (the data file, orphans included)."""
    raw = _taxonomy("titles_it.json")
    assert isinstance(raw, dict)
    return {int(key): str(value) for key, value in raw.items()}


@cache
def load_catalogs() -> dict[int, Catalog]:
    """The committed taxonomy (see ``taxonomy/build_catalogs.py``), orphans left out."""
    raw = _taxonomy("catalogs.json")
    assert isinstance(raw, list)
    rows = {row["id"]: row for row in raw if not row.get("orphan")}
    titles = italian_titles()

    def italian_path(catalog_id: int) -> str:
        parts: list[str] = []
        current: int | None = catalog_id
        while current is not None:
            parts.append(titles[current])
            current = rows[current]["parent"]
        return SEPARATOR.join(reversed(parts))

    return {
        catalog_id: Catalog(
            catalog_id,
            row["title"],
            row["path"],
            row["parent"],
            title_it=titles[catalog_id],
            path_it=italian_path(catalog_id),
            size_groups=tuple(row.get("size_groups", ())),
            package_group=row.get("package_group", 0),
            material=row.get("material", False),
            brand=row.get("brand", True),
            color=row.get("color", True),
            new_only=row.get("new_only", False),
        )
        for catalog_id, row in rows.items()
    }


_WORD = re.compile(r"\w+")
# Words that say nothing about a category ("scarpe da ginnastica" is about "scarpe" and "ginnastica").
_FILLERS = frozenset({"a", "al", "alla", "con", "da", "del", "della", "di", "e", "in", "per", "su"})


def _stem(word: str) -> str:
    """A word without its Italian ending, so singular and plural meet: giacca/giacche → giacc,
    maglione/maglioni → maglion, scarpa/scarpe → scarp."""
    return re.sub(r"h?[aeiou]$", "", word) or word


def _words(text: str) -> tuple[str, ...]:
    return tuple(_stem(word) for word in _WORD.findall(fold(text)) if word not in _FILLERS)


OTHER_IT = "Altro"


@cache
def _children() -> dict[int | None, tuple[Catalog, ...]]:
    """Each catalog's children (None: the roots), in Italian alphabetical order, "Altro" last."""
    grouped: dict[int | None, list[Catalog]] = {}
    for catalog in load_catalogs().values():
        grouped.setdefault(catalog.parent, []).append(catalog)
    return {
        parent: tuple(sorted(found, key=lambda c: (c.title_it == OTHER_IT, fold(c.title_it))))
        for parent, found in grouped.items()
    }


def children_of(parent: int | None) -> tuple[Catalog, ...]:
    """The catalogs right below ``parent`` (None: the six roots); empty for a leaf."""
    return _children().get(parent, ())


def is_leaf(catalog: Catalog) -> bool:
    """Vinted files an item only under a catalog with no children."""
    return not children_of(catalog.id)


@cache
def _index() -> tuple[tuple[Catalog, tuple[str, ...], tuple[str, ...]], ...]:
    """Each catalog with the folded words of its Italian title and of its whole Italian path."""
    return tuple(
        (catalog, _words(catalog.title_it), _words(catalog.path_it)) for catalog in load_catalogs().values()
    )


def search_catalogs(query: str, *, limit: int, within: Catalog | None = None) -> list[Catalog]:
    """The catalogs whose Italian path has every word of ``query`` (each as the start of a word, singular
    or plural, accents ignored: "giacca don" finds "Donna > … > Giacche"), as you type. First those where
    Vinted can file an item (leaves), then those whose own title has more of the words, then those whose
    title starts with one of them, then the shorter paths. ``within``: only below that catalog."""
    words = _words(query)
    if not words:
        return []
    branch = within.path_it + SEPARATOR if within else ""
    found: list[tuple[tuple[int, int, int, int, str], Catalog]] = []
    for catalog, title_words, path_words in _index():
        if catalog.path_it.startswith(branch) and all(
            any(word.startswith(w) for word in path_words) for w in words
        ):
            in_title = sum(1 for w in words if any(word.startswith(w) for word in title_words))
            leading = 0 if title_words and any(title_words[0].startswith(w) for w in words) else 1
            leaf = 0 if is_leaf(catalog) else 1
            found.append(((leaf, -in_title, leading, catalog.depth, fold(catalog.path_it)), catalog))
    found.sort(key=lambda pair: pair[0])
    return [catalog for _, catalog in found[:limit]]


@cache
def _by_italian_path() -> dict[str, int]:
    return {fold(catalog.path_it): catalog.id for catalog in load_catalogs().values()}


def catalog_by_italian_path(path: str) -> int | None:
    """The id of the catalog whose Italian path this is (case and accents aside), else None."""
    return _by_italian_path().get(fold(path.strip()))
