"""The AI analysis of a listing's photos: its state machine, and how a result fills the draft.

    none ──request──▶ pending ──AI answers──▶ done
                        │  ▲
          AI is down:   │  └── retried after a growing delay (``backoff``) by the cron job
                        ▼
                      failed   (after MAX_ATTEMPTS)      none (no photos left)

Each request and each attempt is one job, named by a *ticket* (when the analysis was asked for and how
many attempts were made): the upload's job and the cron's retry of the same attempt share a job id, so
the queue runs it once; a job whose ticket is no longer the listing's (a newer request came, or another
run finished it) does nothing. The AI call holds no database connection or row lock, so members can edit
a draft while it is analysed; their edits are kept unless a re-analysis was asked for.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.ai.client import AIClient
from vinted_optimizer.ai.errors import AIModelMissing, AIUnavailable
from vinted_optimizer.ai.schemas import MAX_COLORS, AnalyzeResult, EmbedResult
from vinted_optimizer.images import service as images
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.kit.queue import JobQueue, Jobs
from vinted_optimizer.kit.storage import Storage
from vinted_optimizer.listings import fields, market, repository
from vinted_optimizer.listings.schemas import COLORS_MAX, TITLE_MAX
from vinted_optimizer.models import Listing
from vinted_optimizer.scraper.client import ScraperClient
from vinted_optimizer.scraper.schemas import ComparablesQuery, MarketComparison

log = structlog.get_logger(__name__)

ANALYZE_JOB = "listings.analyze"
RETRY_JOB = "listings.retry_pending_analyses"
MAX_ATTEMPTS = 12
FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=2)
RETRY_BATCH = 20


def backoff(attempts: int, first: timedelta = FIRST_DELAY) -> timedelta:
    return min(first * (1 << max(0, attempts - 1)), MAX_DELAY)


def ticket(requested_at: datetime | None, attempts: int) -> str:
    stamp = int(requested_at.timestamp() * 1_000_000) if requested_at else 0
    return f"{stamp}-{attempts}"


def job_id(listing_id: uuid.UUID, listing_ticket: str) -> str:
    return f"{ANALYZE_JOB}:{listing_id}:{listing_ticket}"


def _is_current(listing: Listing | None, listing_ticket: str) -> bool:
    return (
        listing is not None
        and listing.analysis_status == "pending"
        and ticket(listing.analysis_requested_at, listing.analysis_attempts) == listing_ticket
    )


async def request(session: AsyncSession, listing: Listing, jobs: Jobs, *, overwrite: bool = False) -> None:
    """Ask for a (new) analysis; ``overwrite`` lets the AI replace what the member already filled in."""
    listing.analysis_status = "pending"
    listing.analysis_error = None
    listing.analysis_attempts = 0
    listing.next_analysis_at = None
    listing.analysis_requested_at = utcnow()
    await session.flush()
    current = ticket(listing.analysis_requested_at, 0)
    jobs.enqueue_after_commit(
        ANALYZE_JOB, str(listing.id), current, overwrite, job_id=job_id(listing.id, current)
    )


KNOWN_BRANDS = 100  # the family's most used brands sent with an analysis


@dataclass(frozen=True)
class Work:
    """What one analysis reads before letting go of the database."""

    listing_id: uuid.UUID
    family_id: uuid.UUID
    ticket: str
    photo_paths: list[str]
    # Each photo's colours as the upload read them from its pixels (what a new draft starts with).
    photo_colors: tuple[tuple[str, ...], ...] = ()
    # The family's own brands: a label's text that names one of them is recognised as a brand.
    known_brands: tuple[str, ...] = ()
    # The listing's category, brand and condition now, and what the previous analysis proposed: the
    # market is asked about the values the draft will have once this analysis is applied.
    current: dict[str, Any] = field(default_factory=dict)
    previous: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    result: AnalyzeResult | None = None
    embedding: EmbedResult | None = None
    failure: AIUnavailable | None = None
    market: MarketComparison | None = None
    market_note: str | None = None  # why there is no comparison (no category, the home side down)


async def prepare(
    session: AsyncSession, listing_id: uuid.UUID, listing_ticket: str, *, max_photos: int
) -> Work | None:
    """The photos to analyse, or None when this job has nothing to do (deleted, done, superseded)."""
    listing = await repository.get_unscoped(session, listing_id)
    if listing is None or not _is_current(listing, listing_ticket):
        return None
    photos = (await images.photos_of(session, [listing_id]))[listing_id]
    paths = [photo.storage_path for photo in photos[:max_photos]]
    colors = tuple(tuple(photo.meta.get("colors", ())) for photo in photos)
    brands = await repository.family_brands(session, listing.family_id, "", KNOWN_BRANDS)
    current = {
        "category": listing.category,
        "category_id": listing.category_id,
        "brand": listing.brand,
        "condition": listing.condition,
    }
    previous = dict(listing.ai_suggestion or {})
    return Work(
        listing_id, listing.family_id, listing_ticket, paths, colors, tuple(brands), current, previous
    )


async def ask_ai(work: Work, storage: Storage, ai: AIClient) -> Outcome:
    """The model call itself, with no database connection held."""
    if not work.photo_paths:
        return Outcome()
    try:
        photos = [await storage.get(path) for path in work.photo_paths]
        result = await ai.analyze(photos, list(work.known_brands) or None)
        text = "\n".join(part for part in (result.title, result.description) if part)
        embedding = await ai.embed([text], kind="document") if text else None
    except AIUnavailable as error:
        return Outcome(failure=error)
    return Outcome(result=result, embedding=embedding)


def market_query(work: Work, result: AnalyzeResult, *, overwrite: bool) -> ComparablesQuery | None:
    """The category, brand and condition the draft will have once ``result`` is applied (as
    ``apply_analysis`` decides), or None without a category."""

    def untouched(name: str) -> bool:
        current = work.current.get(name)
        return current in (None, "") or (name in work.previous and _same(current, work.previous[name]))

    def settled(name: str, proposed: Any, *, guard: str | None = None) -> Any:
        if proposed not in (None, "") and (overwrite or untouched(guard or name)):
            return proposed
        return work.current.get(name)

    category_id = settled("category_id", result.category_id, guard="category")
    if category_id is None:
        return None
    return ComparablesQuery(
        category_id=category_id,
        brand=settled("brand", result.brand),
        condition=market.condition_code(settled("condition", result.condition)),
    )


async def ask_market(work: Work, outcome: Outcome, scraper: ScraperClient, *, overwrite: bool) -> Outcome:
    """The comparables for the draft-to-be, with no database connection held. Never fails the analysis:
    without them the outcome carries a note instead."""
    if outcome.result is None:
        return outcome
    try:
        query = market_query(work, outcome.result, overwrite=overwrite)
        if query is None:
            return replace(outcome, market_note=market.NO_CATEGORY_IT)
        found = await scraper.comparables(query)
    except Exception as error:  # noqa: BLE001 - the market is a bonus: the draft goes on without it
        log.warning(
            "analysis.market_unavailable", listing_id=str(work.listing_id), error=type(error).__name__
        )
        return replace(outcome, market_note=market.MARKET_DOWN_IT)
    return replace(outcome, market=found)


async def record(
    session: AsyncSession,
    work: Work,
    outcome: Outcome,
    *,
    overwrite: bool,
    first_delay: timedelta = FIRST_DELAY,
) -> str:
    """Write the outcome on the listing (locked), unless the listing moved on meanwhile."""
    listing = await repository.get_unscoped(session, work.listing_id, for_update=True)
    if listing is None or not _is_current(listing, work.ticket):
        return "skipped"  # deleted, or asked again / analysed by another run meanwhile
    if not work.photo_paths:
        listing.analysis_status = "none"
        await session.flush()
        return "no_images"
    if outcome.failure is not None:
        _record_failure(listing, outcome.failure, first_delay)
        await session.flush()
        return str(listing.analysis_status)  # "pending" (tried again later) or "failed" (given up)
    assert outcome.result is not None  # an Outcome has a result or a failure
    apply_analysis(
        listing,
        outcome.result,
        overwrite=overwrite,
        pixel_colors=work.photo_colors,
        comparison=outcome.market,
        market_note=outcome.market_note,
    )
    if outcome.embedding is not None and outcome.embedding.vectors:
        listing.image_embedding = outcome.embedding.vectors[0]
        listing.embedding_model = outcome.embedding.model
    listing.analysis_status = "done"
    listing.analysis_error = None
    listing.next_analysis_at = None
    listing.ai_analyzed_at = utcnow()
    await session.flush()
    log.info(
        "analysis.done",
        listing_id=str(listing.id),
        cached=outcome.result.cached,
        confidence=outcome.result.confidence,
    )
    return "done"


def _record_failure(listing: Listing, failure: AIUnavailable, first_delay: timedelta = FIRST_DELAY) -> None:
    listing.analysis_attempts += 1
    giving_up = listing.analysis_attempts >= MAX_ATTEMPTS
    listing.analysis_status = "failed" if giving_up else "pending"
    listing.next_analysis_at = (
        None if giving_up else utcnow() + backoff(listing.analysis_attempts, first_delay)
    )
    listing.analysis_error = failure.detail[:300]
    log.warning(
        "analysis.unavailable",
        listing_id=str(listing.id),
        attempts=listing.analysis_attempts,
        model_missing=isinstance(failure, AIModelMissing),
    )


async def retry_due(session: AsyncSession, queue: JobQueue) -> int:
    """Queue the pending analyses whose next attempt is due: one job per listing and attempt."""
    due = await repository.due_for_analysis(session, utcnow(), limit=RETRY_BATCH)
    for listing_id, requested_at, attempts in due:
        current = ticket(requested_at, attempts)
        await queue.enqueue(ANALYZE_JOB, str(listing_id), current, False, job_id=job_id(listing_id, current))
    return len(due)


async def schedule_retry(
    session: AsyncSession, queue: JobQueue, listing_id: uuid.UUID, overwrite: bool
) -> bool:
    """Queue the next attempt of a pending analysis for when it is due, so it runs on time rather than at
    the cron's next pass; the cron's retry of the same attempt has the same job id, so it runs once."""
    listing = await repository.get_unscoped(session, listing_id)
    if listing is None or listing.analysis_status != "pending" or listing.next_analysis_at is None:
        return False
    current = ticket(listing.analysis_requested_at, listing.analysis_attempts)
    return await queue.enqueue(
        ANALYZE_JOB,
        str(listing_id),
        current,
        overwrite,
        job_id=job_id(listing_id, current),
        scheduled=listing.next_analysis_at,
    )


def _same(current: Any, proposed: Any) -> bool:
    """A listing's value is still what an analysis proposed (stored as JSON: a price as its string)."""
    if isinstance(current, Decimal):
        return proposed is not None and str(current) == str(proposed)
    return bool(current == proposed)


def apply_analysis(
    listing: Listing,
    result: AnalyzeResult,
    *,
    overwrite: bool,
    pixel_colors: tuple[tuple[str, ...], ...] = (),
    comparison: MarketComparison | None = None,
    market_note: str | None = None,
) -> None:
    """Fill the draft. A field the member filled or changed is kept unless a re-analysis was asked for; a
    field still empty, or still holding what the previous analysis proposed, takes the new proposal. The
    colours the upload read from a photo's pixels (``pixel_colors``) are a proposal too: the AI's (the
    model's, else its own pixel reading, at most two) replace them, never a member's. The price follows the
    same rule: a price the member set is their decision, and the AI's range stays visible beside it. The
    range is checked against the comparables (``market.market_range``) and explained in one sentence."""
    previous: dict[str, Any] = dict(listing.ai_suggestion or {})

    def untouched(field: str) -> bool:
        current = getattr(listing, field)
        return current in (None, "", []) or (field in previous and _same(current, previous[field]))

    def fill(field: str, value: Any) -> None:
        if value in (None, "", []):
            return
        if overwrite or untouched(field):
            setattr(listing, field, value)

    fill("title", result.title[:TITLE_MAX] if result.title else None)
    fill("description", result.description)
    if result.category_id is not None and (overwrite or untouched("category")):
        listing.category, listing.category_id = result.category, result.category_id
    fill("brand", result.brand)
    fill("condition", result.condition)
    size_filled = bool(result.size) and (overwrite or untouched("size"))
    fill("size", result.size)
    fill("material", result.material)
    fill("tags", list(result.tags))
    colors = list(result.colors)[: min(COLORS_MAX, MAX_COLORS)]
    if colors and (overwrite or untouched("colors") or tuple(listing.colors) in pixel_colors):
        listing.colors = colors
    model = (result.suggested_price.min, result.suggested_price.max) if result.suggested_price else None
    proposed = market.market_range(model, comparison)
    market_body, explanation = market.draft_market(comparison, market_note, model, proposed)
    price = market.midpoint(proposed)
    priced_by_ai = price is not None and (listing.price is None or untouched("price"))
    if priced_by_ai:
        listing.price = price
    fields.settle(listing, ("size", "category_id", "colors", "condition", "material"), strict=False)
    listing.ai_suggestion = {
        "suggested_price_min": str(proposed[0]) if proposed else None,
        "suggested_price_max": str(proposed[1]) if proposed else None,
        # The model's own range, when the market moved it.
        "model_price_min": str(model[0]) if model and model != proposed else None,
        "model_price_max": str(model[1]) if model and model != proposed else None,
        "market": market_body,
        "price_explanation": explanation,
        "confidence": result.confidence,
        "model": result.model,
        "title": result.title[:TITLE_MAX] if result.title else None,
        "description": result.description or None,
        "category": result.category,
        "category_id": result.category_id,
        "brand": result.brand,
        "condition": result.condition,
        # The size as the listing shows it once matched with the category's ("M" → "M / 38 / 10").
        "size": listing.size if size_filled else result.size,
        "material": result.material,
        "colors": colors or None,
        "price": str(price) if priced_by_ai else None,
        "sources": dict(result.sources),
    }
