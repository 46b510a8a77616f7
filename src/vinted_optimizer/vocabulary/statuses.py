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

# Vinted's order status, as the sold orders list says it (localised text such as "Spedito" or
# "Completato", sometimes English), mapped to our sale status by the first words found, in this order
# (a refund is checked before "completed": "Rimborso completato" is a refund). Anything else is pending;
# the raw text is kept with the sale (sales.vinted_data).
VINTED_ORDER_WORDS: tuple[tuple[SaleStatus, tuple[str, ...]], ...] = (
    ("refunded", ("rimbors", "refund", "reso ", "restituit", "returned")),
    ("cancelled", ("annullat", "cancel", "non riuscit", "failed")),
    ("completed", ("complet", "concluso", "finished")),
    ("delivered", ("consegnat", "delivered", "ritirat")),
    ("shipped", ("spedit", "in viaggio", "in transito", "shipped", "sent", "in consegna")),
)


def sale_status_of_vinted(text: str | None) -> SaleStatus:
    """Our sale status for Vinted's order status text (unknown: pending)."""
    folded = f"{text or ''} ".casefold()
    for status, words in VINTED_ORDER_WORDS:
        if any(word in folded for word in words):
            return status
    return "pending"


# A parcel's life, whichever source reports it (Sendcloud's parcel status ids, 17TRACK's statuses): the
# label is bought and the parcel waits for the carrier (ready), then in transit, out for delivery, at a
# pick-up point, delivered; or in trouble: a failed delivery attempt, an exception, sent back, no news for
# too long (expired); or cancelled before it left.
ShipmentStatus = Literal[
    "ready",
    "in_transit",
    "out_for_delivery",
    "pickup",
    "delivered",
    "delivery_failed",
    "exception",
    "returned",
    "expired",
    "cancelled",
]
SHIPMENT_STATUSES: tuple[ShipmentStatus, ...] = get_args(ShipmentStatus)
# The statuses that need the seller's attention (the "parcel in trouble" notification).
SHIPMENT_TROUBLE: frozenset[ShipmentStatus] = frozenset(
    {"delivery_failed", "exception", "returned", "expired"}
)
# The statuses after which a parcel is no longer polled.
SHIPMENT_FINAL: frozenset[ShipmentStatus] = frozenset({"delivered", "returned", "cancelled"})
# How the dashboard and the notifications say each status, in Italian (the one place for these words).
SHIPMENT_STATUS_IT: dict[ShipmentStatus, str] = {
    "ready": "Etichetta pronta: in attesa del corriere",
    "in_transit": "In transito",
    "out_for_delivery": "In consegna oggi",
    "pickup": "In attesa di ritiro al punto di raccolta",
    "delivered": "Consegnato",
    "delivery_failed": "Consegna non riuscita",
    "exception": "Problema con la spedizione",
    "returned": "Rispedito al mittente",
    "expired": "Nessuna notizia dal corriere da troppo tempo",
    "cancelled": "Spedizione annullata",
}
