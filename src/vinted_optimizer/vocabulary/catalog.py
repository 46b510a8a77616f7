"""Vinted's catalog tree (a 2023 snapshot, English titles): id, title, path from the root, parent."""

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

    @property
    def root(self) -> str:
        return self.path.split(SEPARATOR, 1)[0]

    @property
    def depth(self) -> int:
        return self.path.count(SEPARATOR)


@cache
def load_catalogs() -> dict[int, Catalog]:
    """The committed taxonomy (see ``taxonomy/build_catalogs.py``), orphans left out."""
    data = resources.files("vinted_optimizer.vocabulary.taxonomy").joinpath("catalogs.json")
    raw = json.loads(data.read_text("utf-8"))
    return {
        row["id"]: Catalog(row["id"], row["title"], row["path"], row["parent"])
        for row in raw
        if not row.get("orphan")
    }
