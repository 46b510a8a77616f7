"""Vinted's parcel sizes, with the Italian labels of vinted.it's listing form, and the one to suggest for
a catalog.

Vinted asks every shippable item for a parcel size (publishing without one is refused: 400 ``{"code":99}``).
The three sizes and their ids are Vinted's own (``package_size_id`` 1, 2, 3). The catalog tree records a
``package_size_group`` per catalog: 0 for almost everything, 1 for pet items, 2 and 3 for bulky children's
items (buggies, cots, car seats) and heavy pet items (crates, beds). What each group offers on the live form
is not recorded, so every size stays allowed and the group only picks the suggestion: bulky and heavy
items a large parcel, pet items a medium one, shoes and home items a medium one, the rest a small one.
"""

from __future__ import annotations

from dataclasses import dataclass

from vinted_optimizer.vocabulary.catalog import Catalog


@dataclass(frozen=True)
class PackageSize:
    id: int
    title_it: str
    hint_it: str  # what fits, as vinted.it explains it


SMALL, MEDIUM, LARGE = 1, 2, 3
PACKAGE_SIZES: tuple[PackageSize, ...] = (
    PackageSize(SMALL, "Piccolo", "Per articoli che entrano in una busta grande"),
    PackageSize(MEDIUM, "Medio", "Per articoli che entrano in una scatola da scarpe"),
    PackageSize(LARGE, "Grande", "Per articoli che entrano in una scatola da trasloco"),
)
PACKAGE_SIZE_BY_ID = {size.id: size for size in PACKAGE_SIZES}

_GROUP_SUGGESTION = {1: MEDIUM, 2: LARGE, 3: LARGE}
_MEDIUM_WORDS = ("Shoes", "Boots", "Home", "Bags", "Entertainment")


def suggested_package_size(catalog: Catalog) -> PackageSize:
    if catalog.package_group in _GROUP_SUGGESTION:
        return PACKAGE_SIZE_BY_ID[_GROUP_SUGGESTION[catalog.package_group]]
    if any(word in catalog.path for word in _MEDIUM_WORDS):
        return PACKAGE_SIZE_BY_ID[MEDIUM]
    return PACKAGE_SIZE_BY_ID[SMALL]
