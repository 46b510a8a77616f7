"""Vinted's catalog tree (a 2023 snapshot): id, title and path from the root in English (as recorded) and
in Italian (as Vinted.it names them: ``taxonomy/titles_it.json``, one title per catalog id), parent."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

SEPARATOR = " > "


@dataclass(frozen=True)
class Catalog:
    id: int
    title: str
    path: str
    parent: int | None
    title_it: str
    path_it: str

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
        )
        for catalog_id, row in rows.items()
    }
