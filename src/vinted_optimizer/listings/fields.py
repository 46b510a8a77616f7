"""A listing's Vinted fields kept in agreement: each name beside the Vinted id that publishing sends.

The category decides the rest of Vinted's form (which sizes, the suggested parcel size), so whatever
changed — a member's edit, an analysis, a copy — goes through ``settle`` before it is stored:

- ``size_id`` chosen: the size's Italian title becomes ``size``. A size the category does not offer is
  refused (a member's edit) or dropped (the AI's guess).
- ``size`` written (by the member or read by the AI, "M", "taglia 42"): it takes the id of the category's
  size it names, in Vinted's own words ("M / 38 / 10"); words that name none stay as written, without id.
- a new category: the size is matched again against the new category's sizes, and a parcel size is
  suggested if the listing has none.
- ``status_id`` follows the condition and ``color_ids`` the colours, always.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import cast

from vinted_optimizer.kit.errors import InvalidField
from vinted_optimizer.models import Listing
from vinted_optimizer.vocabulary import COLOR_BY_NAME, CONDITION_STATUS_IDS, Catalog, Condition, load_catalogs
from vinted_optimizer.vocabulary.packages import suggested_package_size
from vinted_optimizer.vocabulary.sizes import match_size, size_by_id, sizes_for

NOT_OFFERED = "Questa taglia non è tra quelle della categoria scelta: sceglila dall'elenco."
NEW_ONLY = "Per questa categoria Vinted accetta solo articoli nuovi con cartellino."


def _catalog(listing: Listing) -> Catalog | None:
    return load_catalogs().get(listing.category_id) if listing.category_id is not None else None


def _settle_size(
    listing: Listing, catalog: Catalog | None, changed: Collection[str], *, strict: bool
) -> None:
    if "size_id" in changed:
        size = size_by_id(listing.size_id) if listing.size_id is not None else None
        if size is None:
            listing.size = None
            return
        if catalog is not None and size not in sizes_for(catalog):
            if strict:
                raise InvalidField("size_id", NOT_OFFERED)
            listing.size_id = None
            return
        listing.size = size.title_it
        return
    if not ({"size", "category_id"} & set(changed)):
        return
    current = size_by_id(listing.size_id) if listing.size_id is not None else None
    if current is not None and catalog is not None and current in sizes_for(catalog):
        if "size" not in changed or listing.size == current.title_it:
            return
    matched = None
    if catalog is not None and listing.size:
        # "M / 38 / 10" written for another category still names its "M".
        for words in (listing.size, listing.size.split("/", 1)[0]):
            if matched := match_size(catalog, words):
                break
    listing.size_id = matched.id if matched else None
    if matched:
        listing.size = matched.title_it


def settle(listing: Listing, changed: Collection[str], *, strict: bool) -> None:
    """Make the listing's names and Vinted ids agree after ``changed`` fields were set. ``strict``: the
    change is a member's (refuse what Vinted would refuse, with a 422 naming the field); otherwise an
    analysis or a copy (drop what does not fit)."""
    catalog = _catalog(listing)
    _settle_size(listing, catalog, changed, strict=strict)
    if "category_id" in changed and catalog is not None and listing.package_size_id is None:
        listing.package_size_id = suggested_package_size(catalog).id
    if catalog is not None and catalog.new_only and listing.condition not in (None, "new_with_tags"):
        if strict and {"condition", "category_id"} & set(changed):
            raise InvalidField("condition", NEW_ONLY)
    listing.status_id = CONDITION_STATUS_IDS.get(cast(Condition, listing.condition))
    listing.color_ids = [COLOR_BY_NAME[name].id for name in listing.colors if name in COLOR_BY_NAME]
