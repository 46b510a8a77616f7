"""The sales sync's reads on the home side (issue 12 item 7): a member's sold orders, their wardrobe, the
details of the transactions the cloud side does not know yet, and Vinted's prepaid label of one.

Reads are paced (the read budget), so a first sync of many orders may take several runs. The order list
is read first (without it nothing is returned: the envelope carries the error); then the wardrobe (a few
pages); then each unknown transaction's details, newest first. Whatever stops the run after the order
list (the gate's ``PacingExceeded``, a challenge, a 429, Vinted away or changed) ends it cleanly: what was
gathered is returned with ``complete=False`` and the reason, and the next run continues with the
transactions still unknown. Only a dead chain (``SessionDead``) ends the call as an error.
"""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime

import structlog

from vinted_optimizer.scraper.errors import PacingExceeded, SessionDead, VintedError, VintedUnavailable
from vinted_optimizer.scraper.members import member_error
from vinted_optimizer.scraper.schemas import (
    LabelResult,
    MemberError,
    SyncedItem,
    SyncedOrder,
    SyncedShipment,
    SyncResult,
)
from vinted_optimizer.scraper.vinted.client import VintedClient
from vinted_optimizer.scraper.vinted.orders import SoldOrder, prepaid_label, sold_orders, transaction
from vinted_optimizer.scraper.vinted.wardrobe import wardrobe

log = structlog.get_logger(__name__)

NO_USER_ID_NOTE = (
    "Guardaroba non letto: l'id Vinted dell'account non è noto. Ricollega Vinted dalle Impostazioni per "
    "aggiornarlo."
)
_OLDEST = datetime.min.replace(tzinfo=UTC)
TIME_BUDGET = MemberError(
    code="sync_time_budget",
    status_code=429,
    detail="Sincronizzazione divisa in più giri per non far attendere troppo: continua al prossimo giro.",
)


def _order(order: SoldOrder) -> SyncedOrder:
    return SyncedOrder(
        transaction_id=order.transaction_id,
        title=order.title,
        price=order.price,
        currency=order.currency,
        status=order.status,
        date=order.date,
        raw={"order": order.raw},
    )


async def read_sales(
    client: VintedClient, vinted_user_id: int | None, known: set[int], *, budget_seconds: float
) -> SyncResult:
    """The member's orders (each one; details only for the unknown), and their wardrobe. No detail is
    asked for once ``budget_seconds`` have passed."""
    deadline = time.monotonic() + budget_seconds
    orders = sorted(await sold_orders(client), key=lambda o: o.date or _OLDEST, reverse=True)
    result = SyncResult(orders=[_order(order) for order in orders])
    try:
        if vinted_user_id is None:
            result.notes.append(NO_USER_ID_NOTE)
        else:
            result.wardrobe = [
                SyncedItem(
                    id=item.id,
                    title=item.title,
                    price=item.price,
                    currency=item.currency,
                    url=item.url,
                    is_closed=item.is_closed,
                    sold=item.sold,
                    is_hidden=item.is_hidden,
                    is_reserved=item.is_reserved,
                )
                for item in await wardrobe(client, vinted_user_id)
            ]
            result.wardrobe_read = True
        for synced in result.orders:  # newest first
            if synced.transaction_id in known:
                continue
            if time.monotonic() >= deadline:
                result.complete, result.stopped = False, TIME_BUDGET
                break
            details = await transaction(client, synced.transaction_id)
            synced.detailed = True
            synced.transaction_status = details.status
            synced.item_ids = list(details.item_ids)
            synced.buyer_login = details.buyer_login
            if details.shipment is not None:
                synced.shipment = SyncedShipment(
                    id=details.shipment.id,
                    status=details.shipment.status,
                    tracking_code=details.shipment.tracking_code,
                    carrier=details.shipment.carrier,
                )
            synced.raw["transaction"] = details.raw
    except SessionDead:
        raise
    except (VintedError, VintedUnavailable, PacingExceeded) as error:
        log.info("scraper.sync_stopped", error=error.code, orders=len(result.orders))
        result.complete = False
        result.stopped = member_error(error)
    return result


async def read_label(client: VintedClient, transaction_id: int) -> LabelResult:
    pdf = await prepaid_label(client, transaction_id)
    return LabelResult(pdf_base64=base64.b64encode(pdf).decode("ascii"))
