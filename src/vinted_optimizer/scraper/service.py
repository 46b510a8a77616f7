"""The scraper service (home side): the followed searches, run through the pacing gate, stored as raw
snapshots in DuckDB and aggregated into trends the cloud side collects.

A scrape is a job on the scraper's own SAQ queue in Redis (``vo-scraper``, keyed by its searches, so the
same scrape is queued once), run by the scraper's worker (``scraper.worker``). Every request goes
through ``VintedClient`` and so through the one pacing gate of the home IP. A challenge, a 429 or the
gate's refusal ends the run where it is, never retried in a loop: what was gathered is kept, and while
the gate is closed new scrapes are refused with ``ScraperCoolingDown`` (503 and ``Retry-After``).
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from redis.asyncio import Redis
from saq.queue.redis import RedisQueue

from vinted_optimizer.config import Settings
from vinted_optimizer.kit.queue import RETRY, QueueStats, queue_stats, saq_queue
from vinted_optimizer.scraper.errors import (
    PacingExceeded,
    ScraperCoolingDown,
    VintedError,
    VintedUnavailable,
)
from vinted_optimizer.scraper.market import find_comparables
from vinted_optimizer.scraper.member_sync import read_label, read_sales
from vinted_optimizer.scraper.members import member_call
from vinted_optimizer.scraper.pacing import BudgetStatus, PacingGate, PacingStatus
from vinted_optimizer.scraper.publishing import OnProgress, publish_operation, unpublish_operation
from vinted_optimizer.scraper.schemas import (
    AggregatesPage,
    BudgetReport,
    ChangedReport,
    ComparablesQuery,
    Follow,
    LabelOutcome,
    LabelRequest,
    MarketComparison,
    MemberOutcome,
    MemberSession,
    PacingReport,
    PublishOutcome,
    PublishRequest,
    ScrapeAccepted,
    ScrapeRequest,
    SyncOutcome,
    SyncRequest,
    UnpublishOutcome,
    UnpublishRequest,
)
from vinted_optimizer.scraper.snapshots import SnapshotStore, StoredSearch
from vinted_optimizer.scraper.trends import aggregate_run
from vinted_optimizer.scraper.vinted.client import VintedClient
from vinted_optimizer.scraper.vinted.search import SearchQuery, SearchRun, search_pages
from vinted_optimizer.scraper.vinted.transport import Transport

log = structlog.get_logger(__name__)

QUEUE_NAME = "vo-scraper"
SCRAPE_JOB = "scraper.scrape"
MAX_AGGREGATES_PAGE = 500


@dataclass(frozen=True)
class RunReport:
    searches: int  # runs stored
    aggregates: int
    stopped: str | None  # None: every follow was run; else the error code that ended the scrape


def query_for(follow: Follow, settings: Settings) -> SearchQuery:
    """A brand without a Vinted id is searched by its name (the new search may ignore ids anyway)."""
    text = follow.search_text or (follow.brand if follow.brand and follow.brand_id is None else "")
    return SearchQuery(
        search_text=text,
        per_page=settings.scraper_per_page,
        order="newest_first",
        catalog_ids=(follow.category_id,),
        brand_ids=(follow.brand_id,) if follow.brand_id else (),
    )


def job_key(request: ScrapeRequest) -> str:
    keys = ",".join(sorted({follow.key for follow in request.follows}))
    return f"{SCRAPE_JOB}:{hashlib.sha256(keys.encode()).hexdigest()[:20]}"


def _budget(status: BudgetStatus) -> BudgetReport:
    return BudgetReport(
        remaining=int(status.tokens),
        burst=status.burst,
        hourly_count=status.hourly_count,
        hourly_cap=status.hourly_cap,
        hourly_remaining=max(0, status.hourly_cap - status.hourly_count),
    )


def pacing_report(
    status: PacingStatus, *, queued: int | None = None, queue: QueueStats | None = None
) -> PacingReport:
    changed = status.last_changed
    return PacingReport(
        status="cooling_down" if status.closed_until is not None else "ok",
        read=_budget(status.read),
        write=_budget(status.write),
        cooldown_until=status.closed_until,
        cooldown_reason=status.reason,
        cooldown_cause=status.cause,
        last_changed=ChangedReport(endpoint=changed.endpoint, detail=changed.detail, at=changed.at)
        if changed
        else None,
        queued_scrapes=queued,
        queue=queue,
    )


class ScraperService:
    def __init__(
        self,
        settings: Settings,
        redis: Redis,
        *,
        store: SnapshotStore | None = None,
        queue: RedisQueue | None = None,
        gate: PacingGate | None = None,
    ) -> None:
        self.settings = settings
        self.redis = redis
        self.gate = gate or PacingGate(redis, settings)
        self.store = store or SnapshotStore(settings.data_dir / "scraper" / "snapshots.duckdb")
        if queue is None:
            if settings.redis_url is None:
                raise RuntimeError("the scraper service needs VO_REDIS_URL (its queue and the pacing gate)")
            queue = saq_queue(settings.redis_url.get_secret_value(), blocking_seconds=60, name=QUEUE_NAME)
        self.queue = queue
        self._vinted: VintedClient | None = None

    def vinted(self) -> VintedClient:
        """One anonymous client for the service's life: its session is reused until Vinted refuses it."""
        if self._vinted is None:
            self._vinted = VintedClient(Transport(self.settings), self.gate)
        return self._vinted

    # --- asked by the cloud side -----------------------------------------------------------------

    async def refuse_while_closed(self) -> None:
        status = await self.gate.status()
        if status.closed_until is not None and status.closed_until > datetime.now(UTC):
            raise ScraperCoolingDown(until=status.closed_until, reason=status.reason)

    async def request(self, request: ScrapeRequest) -> ScrapeAccepted:
        """Queue a scrape (once: the same searches share one job while it is queued or running)."""
        await self.refuse_while_closed()
        key = job_key(request)
        job = await self.queue.enqueue(
            SCRAPE_JOB,
            key=key,
            kwargs={"request": request.model_dump(mode="json")},
            **{**RETRY, "retries": 1},
        )
        log.info("scraper.requested", job=key, searches=len(request.follows), queued=job is not None)
        return ScrapeAccepted(queued=job is not None, job_key=key, searches=len(request.follows))

    async def status(self) -> PacingReport:
        queued = int(await self.queue.count("incomplete"))
        return pacing_report(await self.gate.status(), queued=queued, queue=await queue_stats(self.queue))

    async def aggregates(self, after: int, limit: int = MAX_AGGREGATES_PAGE) -> AggregatesPage:
        rows = await asyncio.to_thread(self.store.aggregates_after, after, min(limit, MAX_AGGREGATES_PAGE))
        return AggregatesPage(aggregates=rows, last_id=rows[-1]["id"] if rows else after)

    # --- a member's calls (the member's pair in, the envelope out: scraper.members) ---------------

    async def refresh_member(self, session: MemberSession) -> MemberOutcome:
        """Continue the member's chain once (the keep-alive): the new pair, or ``dead``."""
        _, outcome = await member_call(self.settings, self.gate, session, lambda client: client.refresh())
        return outcome

    async def comparables(self, query: ComparablesQuery) -> MarketComparison:
        """The asking prices of comparables already scraped (``scraper.market``): no call to Vinted."""
        return await asyncio.to_thread(find_comparables, self.store, query)

    # --- the sales sync's calls (issue 12 item 7: scraper.member_sync) ------------------------------

    async def sync_member(self, request: SyncRequest) -> SyncOutcome:
        """The member's sold orders (details of the unknown ones, newest first) and wardrobe; a run the
        gate stops part way returns what it read (``result.complete`` False)."""
        known = set(request.known_transaction_ids)
        vinted_user_id, budget = request.session.vinted_user_id, request.budget_seconds
        result, outcome = await member_call(
            self.settings,
            self.gate,
            request.session,
            lambda client: read_sales(client, vinted_user_id, known, budget_seconds=budget),
        )
        return SyncOutcome(**outcome.model_dump(), result=result)

    async def member_label(self, request: LabelRequest) -> LabelOutcome:
        """Vinted's prepaid label of one of the member's transactions (a PDF, base64)."""
        result, outcome = await member_call(
            self.settings,
            self.gate,
            request.session,
            lambda client: read_label(client, request.transaction_id),
        )
        return LabelOutcome(**outcome.model_dump(), result=result)

    # --- a member's publishing (scraper.publishing): each request a write at the gate -------------

    async def publish_member(
        self, request: PublishRequest, on_progress: OnProgress | None = None
    ) -> PublishOutcome:
        """Upload the photos in order, then create the item: its id, address and the photos' ids."""
        operation = publish_operation(self.settings, request.item, request.photos, on_progress)
        result, outcome = await member_call(self.settings, self.gate, request.session, operation)
        return PublishOutcome(session=outcome.session, dead=outcome.dead, error=outcome.error, result=result)

    async def unpublish_member(self, request: UnpublishRequest) -> UnpublishOutcome:
        """Delete the member's item on Vinted."""
        operation = unpublish_operation(request.item_id)
        result, outcome = await member_call(self.settings, self.gate, request.session, operation)
        return UnpublishOutcome(
            session=outcome.session, dead=outcome.dead, error=outcome.error, result=result
        )

    # --- the job ---------------------------------------------------------------------------------

    async def scrape(self, request: ScrapeRequest) -> RunReport:
        """Each follow: its pages through the gate, stored, aggregated. Ends early, without retrying, on
        whatever closes the gate or means Vinted changed."""
        stored = aggregates = 0
        for follow in request.follows:
            query = query_for(follow, self.settings)
            try:
                run = await search_pages(self.vinted(), query, max_pages=self.settings.scraper_max_pages)
            except (VintedError, VintedUnavailable, PacingExceeded) as error:
                log.warning("scraper.stopped", follow=follow.key, error=error.code)
                return RunReport(stored, aggregates, error.code)
            snapshot, count = await asyncio.to_thread(self._record, follow, query, run)
            stored += 1
            aggregates += count
            log.info(
                "scraper.stored",
                follow=follow.key,
                search=snapshot.id,
                pages=snapshot.pages,
                items=snapshot.result_count,
                stopped=run.stopped,
            )
        return RunReport(stored, aggregates, None)

    def _record(self, follow: Follow, query: SearchQuery, run: SearchRun) -> tuple[StoredSearch, int]:
        snapshot = self.store.store(
            follow_key=follow.key,
            category_id=follow.category_id,
            category_name=follow.category_name,
            brand=follow.brand,
            search_text=query.search_text,
            pages=run.pages,
            stopped=run.stopped,
        )
        rows = aggregate_run(self.store, snapshot.id)
        self.store.add_aggregates(snapshot.id, [row.body() for row in rows])
        return snapshot, len(rows)

    async def aclose(self) -> None:
        if self._vinted is not None:
            await self._vinted.aclose()
            self._vinted = None
        await self.queue.disconnect()
        await asyncio.to_thread(self.store.close)


async def run_scrape_job(ctx: dict[str, Any], *, request: dict[str, Any]) -> dict[str, Any]:
    """The SAQ job: ``ctx["scraper"]`` is the service (set by the scraper's worker at startup)."""
    service: ScraperService = ctx["scraper"]
    report = await service.scrape(ScrapeRequest.model_validate(request))
    return {"searches": report.searches, "aggregates": report.aggregates, "stopped": report.stopped}
