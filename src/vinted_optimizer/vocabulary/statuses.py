"""The life of a listing, of its AI analysis and of a sale, as the database and the API spell them."""

from __future__ import annotations

from typing import Literal, get_args

ListingStatus = Literal["draft", "ready", "published", "reserved", "sold", "hidden"]
LISTING_STATUSES: tuple[ListingStatus, ...] = get_args(ListingStatus)

AnalysisStatus = Literal["none", "pending", "done", "failed"]
ANALYSIS_STATUSES: tuple[AnalysisStatus, ...] = get_args(AnalysisStatus)

SaleStatus = Literal["pending", "paid", "shipped", "completed", "cancelled", "refunded"]
SALE_STATUSES: tuple[SaleStatus, ...] = get_args(SaleStatus)
