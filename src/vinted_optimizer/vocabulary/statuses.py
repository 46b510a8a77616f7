"""The life of a listing, of its AI analysis and of a sale, as the database and the API spell them."""

from __future__ import annotations

from typing import Literal, get_args

ListingStatus = Literal["draft", "ready", "published", "reserved", "sold", "hidden"]
LISTING_STATUSES: tuple[ListingStatus, ...] = get_args(ListingStatus)

AnalysisStatus = Literal["none", "pending", "done", "failed"]
ANALYSIS_STATUSES: tuple[AnalysisStatus, ...] = get_args(AnalysisStatus)

# Vinted's transaction life: paid by the buyer and waiting to ship (pending), shipped, delivered, completed
# (the buyer accepted the item, the money is released); or cancelled, or refunded after delivery.
SaleStatus = Literal["pending", "shipped", "delivered", "completed", "cancelled", "refunded"]
SALE_STATUSES: tuple[SaleStatus, ...] = get_args(SaleStatus)
