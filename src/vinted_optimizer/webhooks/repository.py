"""The webhook receipts: one row per delivery processed (its source and the SHA-256 of its raw body)."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.models import WebhookReceipt
from vinted_optimizer.webhooks.schemas import WebhookSource


async def record_receipt(session: AsyncSession, source: WebhookSource, body_hash: str) -> bool:
    """True the first time this delivery is seen; False for a redelivery (nothing inserted)."""
    inserted = await session.scalar(
        insert(WebhookReceipt)
        .values(source=source, body_hash=body_hash)
        .on_conflict_do_nothing(index_elements=["source", "body_hash"])
        .returning(WebhookReceipt.body_hash)
    )
    return inserted is not None
