"""Background analysis of listing photos. Jobs take ids, reload rows, and may safely run twice.

When Ollama is down or slow the listing stays a draft with what was computed locally and
`analysis_status = pending`; `retry_pending_analyses` tries again with a growing delay.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import structlog
from sqlalchemy import select

from vinted_optimizer.ai.errors import AIModelMissing, AIUnavailable
from vinted_optimizer.ai.schemas import AnalyzeResult
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.kit.resources import Resources
from vinted_optimizer.listings.repository import due_for_analysis
from vinted_optimizer.models import Image, Listing

log = structlog.get_logger(__name__)

MAX_ATTEMPTS = 12
FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=2)


def backoff(attempts: int) -> timedelta:
    return min(FIRST_DELAY * (2 ** max(0, attempts - 1)), MAX_DELAY)


def _midpoint(result: AnalyzeResult) -> Decimal | None:
    if result.suggested_price is None:
        return None
    middle = (result.suggested_price.min + result.suggested_price.max) / 2
    return (
        middle.quantize(Decimal("0.50"), rounding=ROUND_HALF_UP)
        if middle >= 1
        else middle.quantize(Decimal("0.01"))
    )


def apply_analysis(listing: Listing, result: AnalyzeResult, *, overwrite: bool) -> None:
    """Fill the draft. A member's own edits are kept unless a re-analysis was asked for; a price already set
    is never replaced (it is the member's decision), the AI's range stays visible beside it."""

    def fill(field: str, value: Any) -> None:
        current = getattr(listing, field)
        if value in (None, "", []):
            return
        if overwrite or current in (None, "", []):
            setattr(listing, field, value)

    fill("title", result.title[:200] if result.title else None)
    fill("description", result.description)
    fill("category", result.category)
    fill("category_id", result.category_id)
    fill("brand", result.brand)
    fill("condition", result.condition)
    fill("tags", list(result.tags))
    if result.colors:
        listing.colors = list(result.colors)[:5] if overwrite or not listing.colors else listing.colors
    if listing.price is None:
        listing.price = _midpoint(result)
    listing.ai_suggestion = {
        "suggested_price_min": str(result.suggested_price.min) if result.suggested_price else None,
        "suggested_price_max": str(result.suggested_price.max) if result.suggested_price else None,
        "confidence": result.confidence,
        "model": result.model,
        "title": result.title,
        "category": result.category,
        "brand": result.brand,
        "condition": result.condition,
    }


async def analyze_listing(ctx: dict[str, Any], listing_id: str, overwrite: bool = False) -> str:
    resources: Resources = ctx["resources"]
    key = uuid.UUID(listing_id)
    # Read what to analyse, then let go of the database: the model may take minutes, and the member may be
    # editing the draft meanwhile (no row lock is held across the AI call).
    async with resources.sessionmaker() as session:
        listing = await session.get(Listing, key)
        if listing is None or listing.analysis_status != "pending":
            return "skipped"
        paths = list(
            await session.scalars(
                select(Image.storage_path)
                .where(Image.listing_id == key)
                .order_by(Image.is_primary.desc(), Image.display_order)
                .limit(resources.settings.ai_max_images)
            )
        )
    failure: AIUnavailable | None = None
    result = embedding = None
    if paths:
        try:
            photos = [await resources.storage.get(path) for path in paths]
            result = await resources.ai.analyze(photos)
            text = "\n".join(part for part in (result.title, result.description) if part)
            embedding = await resources.ai.embed([text], kind="document") if text else None
        except AIUnavailable as error:
            failure = error

    async with resources.sessionmaker() as session:
        listing = await session.get(Listing, key, with_for_update=True)
        if listing is None or listing.analysis_status != "pending":
            return "skipped"  # deleted, or analysed by another run meanwhile
        if not paths:
            listing.analysis_status = "none"
            await session.commit()
            return "no_images"
        if failure is not None:
            listing.analysis_attempts += 1
            giving_up = listing.analysis_attempts >= MAX_ATTEMPTS
            listing.analysis_status = "failed" if giving_up else "pending"
            listing.next_analysis_at = None if giving_up else utcnow() + backoff(listing.analysis_attempts)
            listing.analysis_error = failure.detail[:300]
            await session.commit()
            log.warning(
                "analysis.unavailable",
                listing_id=listing_id,
                attempts=listing.analysis_attempts,
                model_missing=isinstance(failure, AIModelMissing),
            )
            return "pending"
        assert result is not None
        apply_analysis(listing, result, overwrite=overwrite)
        if embedding is not None and embedding.vectors:
            listing.image_embedding = embedding.vectors[0]
            listing.embedding_model = embedding.model
        listing.analysis_status = "done"
        listing.analysis_error = None
        listing.next_analysis_at = None
        listing.ai_analyzed_at = utcnow()
        await session.commit()
    log.info("analysis.done", listing_id=listing_id, cached=result.cached, confidence=result.confidence)
    return "done"


async def retry_pending_analyses(ctx: dict[str, Any]) -> int:
    """Cron: queue the pending analyses whose next attempt is due (one job per listing at a time)."""
    resources: Resources = ctx["resources"]
    async with resources.sessionmaker() as session:
        due = await due_for_analysis(session, utcnow(), limit=20)
    for listing_id, due_at in due:
        # One job per listing and attempt: ARQ refuses a second job with the same id.
        stamp = int(due_at.timestamp()) if due_at else 0
        await resources.queue.enqueue_job(
            "analyze_listing", str(listing_id), _job_id=f"analyze:{listing_id}:{stamp}"
        )
    return len(due)
