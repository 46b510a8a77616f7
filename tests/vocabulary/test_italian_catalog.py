"""Every catalog of the tree has its Italian title (taxonomy/titles_it.json), and the Italian paths can
stand for the catalogs the way the English ones do: one path, one catalog."""

from __future__ import annotations

import json
from collections import Counter
from importlib import resources

from vinted_optimizer.vocabulary.catalog import SEPARATOR, italian_titles, load_catalogs


def _recorded_ids() -> set[int]:
    data = resources.files("vinted_optimizer.vocabulary.taxonomy").joinpath("catalogs.json")
    return {row["id"] for row in json.loads(data.read_text("utf-8"))}


def test_every_catalog_id_has_an_italian_title() -> None:
    titles = italian_titles()
    assert set(titles) == _recorded_ids()  # the orphan included: nothing missing, nothing extra
    for catalog_id, title in titles.items():
        assert title == title.strip() and title, catalog_id
        assert SEPARATOR.strip() not in title, (catalog_id, title)  # would break the paths


def test_the_roots_and_a_known_path_read_as_on_vinted_it() -> None:
    catalogs = load_catalogs()
    roots = {c.title: c.title_it for c in catalogs.values() if c.parent is None}
    assert roots == {
        "Women": "Donna",
        "Men": "Uomo",
        "Kids": "Bambini",
        "Home": "Casa",
        "Entertainment": "Intrattenimento",
        "Pet care": "Animali",
    }
    assert catalogs[1908].path_it == "Donna > Abbigliamento > Capispalla > Giacche"


def test_italian_paths_follow_the_tree_and_are_unique() -> None:
    catalogs = load_catalogs()
    for catalog in catalogs.values():
        parent = catalogs[catalog.parent] if catalog.parent is not None else None
        expected = catalog.title_it if parent is None else parent.path_it + SEPARATOR + catalog.title_it
        assert catalog.path_it == expected
        assert catalog.path_it.count(SEPARATOR) == catalog.path.count(SEPARATOR)
    repeated = [path for path, n in Counter(c.path_it.casefold() for c in catalogs.values()).items() if n > 1]
    assert repeated == []


def test_italian_titles_are_not_left_in_english() -> None:
    """A title may stay as it is (a brand, "Jeans", "T-shirt"), but the tree as a whole is translated."""
    catalogs = load_catalogs().values()
    unchanged = [c for c in catalogs if c.title_it == c.title]
    assert len(unchanged) < len(catalogs) // 10, [c.title for c in unchanged][:40]
