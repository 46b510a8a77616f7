"""Vinted's sizes and parcel sizes per catalog: the committed data, its Italian titles, and size matching."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from vinted_optimizer.vocabulary.catalog import is_leaf, load_catalogs, search_catalogs
from vinted_optimizer.vocabulary.packages import PACKAGE_SIZES, suggested_package_size
from vinted_optimizer.vocabulary.sizes import match_size, size_by_id, sizes_for
from vinted_optimizer.vocabulary.taxonomy import build_sizes

FIXTURE = Path(__file__).parents[3] / "shared" / "fixtures" / "vinted" / "vinted-rs-sizes.up.sql"
COMMITTED = Path(build_sizes.__file__).with_name("sizes.json")
# Women's socks: the recording has no size type for it (see build_sizes.py), so those get a free-text size.
UNRECORDED_GROUPS = {72}


def leaf(words: str):
    return search_catalogs(words, limit=1)[0]


@pytest.mark.skipif(not FIXTURE.exists(), reason="../shared/fixtures not beside the repository")
def test_the_committed_sizes_are_what_the_recording_gives():
    derived = build_sizes.derive(build_sizes.parse(FIXTURE.read_text(encoding="utf-8")))
    assert json.loads(COMMITTED.read_text(encoding="utf-8")) == derived
    assert build_sizes.render(derived) == COMMITTED.read_text(encoding="utf-8")


def test_every_size_group_a_catalog_uses_has_its_sizes():
    used = {group for catalog in load_catalogs().values() for group in catalog.size_groups}
    committed = {int(group) for group in json.loads(COMMITTED.read_text(encoding="utf-8"))["groups"]}
    assert used - committed == UNRECORDED_GROUPS
    # A catalog whose form shows a size gets a list to choose from, except the unrecorded group's.
    for catalog in load_catalogs().values():
        if set(catalog.size_groups) - UNRECORDED_GROUPS:
            assert sizes_for(catalog), catalog.path


def test_the_size_titles_are_italian_and_each_reads_differently_within_a_catalog():
    french = re.compile(r"\b(Taille|Autre|mois|ans|et|Jusqu|Naissance|Universel|Ajustable)\b")
    for catalog in filter(is_leaf, load_catalogs().values()):  # an item is filed under a leaf
        titles = [size.title_it for size in sizes_for(catalog)]
        assert len(titles) == len(set(titles)), catalog.path
        assert not [title for title in titles if french.search(title)], catalog.path


def test_a_catalog_offers_its_own_kind_of_sizes():
    jacket = leaf("giacche biker donna")
    assert [s.title_it for s in sizes_for(jacket)][:5] == [
        "XXXS / 30 / 2",
        "XXS / 32 / 4",
        "XS / 34 / 6",
        "S / 36 / 8",
        "M / 38 / 10",
    ]
    sneakers = leaf("sneakers uomo")
    titles = [s.title_it for s in sizes_for(sneakers)]
    # vinted.it lists European shoe sizes; two ids share an EU size and differ by the UK half size.
    assert "42 (UK 8)" in titles and "42 (UK 8.5)" in titles and "Taglia unica" in titles
    assert not sizes_for(leaf("passeggini a ombrello"))


@pytest.mark.parametrize(
    ("words", "written", "expected"),
    [
        ("giacche biker donna", "M", "M / 38 / 10"),
        ("giacche biker donna", "taglia 42", "XL / 42 / 14"),
        ("giacche biker donna", "m / 38 / 10", "M / 38 / 10"),
        ("giacche biker donna", "taglia unica", "Taglia unica"),
        ("sneakers uomo", "EU 42", "42 (UK 8)"),
        ("sneakers uomo", "42,5", None),
        ("jeans dritti uomo", "W32", "W32 | FR 42"),
        ("giacche biker donna", "enorme", None),
        ("giacche biker donna", "", None),
    ],
)
def test_a_written_size_names_one_of_the_catalog_s_sizes(words, written, expected):
    found = match_size(leaf(words), written)
    assert (found.title_it if found else None) == expected


def test_sizes_by_id_and_the_parcel_sizes():
    assert size_by_id(4) is not None and size_by_id(4).title_it == "M / 38 / 10"
    assert size_by_id(999_999) is None
    assert [(p.id, p.title_it) for p in PACKAGE_SIZES] == [(1, "Piccolo"), (2, "Medio"), (3, "Grande")]
    assert suggested_package_size(leaf("giacche biker donna")).title_it == "Piccolo"
    assert suggested_package_size(leaf("sneakers uomo")).title_it == "Medio"
    assert suggested_package_size(leaf("passeggini a ombrello")).title_it == "Grande"
