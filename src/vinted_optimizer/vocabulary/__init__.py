"""Vinted's vocabulary and our money type: the bottom layer every domain shares.

Conditions, colours, the catalog tree, the statuses of listings and sales, and ``Money`` are defined
here once. ``ai``, ``images``, ``listings``, ``models`` and the coming sales and trends domains import
them from here; the dashboard receives the same values from the API (OpenAPI enums and
``GET /api/v1/meta``), never from a hand copy. This package imports nothing else of the project.
"""

from vinted_optimizer.vocabulary.catalog import Catalog, load_catalogs
from vinted_optimizer.vocabulary.colors import COLOR_BY_NAME, VINTED_COLORS, VintedColor
from vinted_optimizer.vocabulary.conditions import (
    CONDITION_LABELS_IT,
    CONDITION_SHORT_LABELS_IT,
    CONDITION_STATUS_IDS,
    CONDITIONS,
    Condition,
    condition_from_label_it,
)
from vinted_optimizer.vocabulary.money import CENT, MONEY_MAX, Money, RoundedMoney, to_cents
from vinted_optimizer.vocabulary.statuses import (
    ANALYSIS_STATUSES,
    LISTING_STATUSES,
    SALE_STATUSES,
    SHIPMENT_FINAL,
    SHIPMENT_STATUS_IT,
    SHIPMENT_STATUSES,
    SHIPMENT_TROUBLE,
    AnalysisStatus,
    ListingStatus,
    SaleStatus,
    ShipmentStatus,
    sale_status_of_vinted,
)

__all__ = [
    "sale_status_of_vinted",
    "ANALYSIS_STATUSES",
    "CENT",
    "COLOR_BY_NAME",
    "CONDITIONS",
    "CONDITION_LABELS_IT",
    "CONDITION_SHORT_LABELS_IT",
    "CONDITION_STATUS_IDS",
    "LISTING_STATUSES",
    "MONEY_MAX",
    "SALE_STATUSES",
    "SHIPMENT_FINAL",
    "SHIPMENT_STATUSES",
    "SHIPMENT_STATUS_IT",
    "SHIPMENT_TROUBLE",
    "VINTED_COLORS",
    "AnalysisStatus",
    "Catalog",
    "Condition",
    "ListingStatus",
    "Money",
    "RoundedMoney",
    "SaleStatus",
    "ShipmentStatus",
    "VintedColor",
    "condition_from_label_it",
    "load_catalogs",
    "to_cents",
]
