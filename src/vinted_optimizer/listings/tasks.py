"""Jobs of the listings domain: thin, taking ids, handing off to ``analysis``. They may run twice.

When Ollama is down or slow the listing stays a draft with what was computed locally and
``analysis_status = pending``; the cron job tries again with a growing delay (``analysis.backoff``). A first
delay set below the cron's minute has each next attempt queued by the job itself, for when it is due (the
cron's retry of the same attempt has the same job id: run once).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from vinted_optimizer.kit.events import EventType
from vinted_optimizer.kit.queue import Cron, DomainJobs
from vinted_optimizer.listings import analysis, publish_job, publish_rules
from vinted_optimizer.resources import Resources
from vinted_optimizer.vinted_link.tasks import vinted_access

CRON_PERIOD = timedelta(minutes=1)  # the retry cron's (every minute)


async def analyze(ctx: dict[str, Any], listing_id: str, ticket: str, overwrite: bool = False) -> str:
    resources: Resources = ctx["resources"]
    # Read what to analyse, then let go of the database: the model may take minutes.
    async with resources.sessionmaker() as session:
        work = await analysis.prepare(
            session, uuid.UUID(listing_id), ticket, max_photos=resources.settings.ai_max_images
        )
    if work is None:
        return "skipped"
    about = {"listing_id": listing_id}
    await resources.events.publish_quietly(work.family_id, EventType.analysis_started, about)
    outcome = await analysis.ask_ai(work, resources.storage, resources.ai)
    outcome = await analysis.ask_market(work, outcome, resources.scraper, overwrite=overwrite)
    async with resources.sessionmaker() as session, session.begin():
        first_delay = timedelta(seconds=resources.settings.analysis_retry_first_seconds)
        result = await analysis.record(session, work, outcome, overwrite=overwrite, first_delay=first_delay)
    # Once committed: the family's screens reload the listing.
    if result in ("done", "no_images"):
        await resources.events.publish_quietly(work.family_id, EventType.analysis_finished, about)
    if result == "pending" and first_delay < CRON_PERIOD:
        # Retries sooner than the cron's minute (VO_ANALYSIS_RETRY_FIRST_SECONDS): queued here, for when due.
        async with resources.sessionmaker() as session:
            await analysis.schedule_retry(session, resources.queue, work.listing_id, overwrite)
    if result in ("pending", "failed"):
        failed = {**about, "will_retry": result == "pending"}
        await resources.events.publish_quietly(work.family_id, EventType.analysis_failed, failed)
    return result


async def retry_pending_analyses(ctx: dict[str, Any]) -> int:
    resources: Resources = ctx["resources"]
    async with resources.sessionmaker() as session:
        return await analysis.retry_due(session, resources.queue)


async def publish(ctx: dict[str, Any], listing_id: str, ticket: str, attempt: int = 0) -> str:
    """Publish, unpublish or repost on Vinted what the ticket asked (``publishing.run``)."""
    resources: Resources = ctx["resources"]
    access = vinted_access(resources)
    return await publish_job.run(access, resources.storage, uuid.UUID(listing_id), ticket, attempt)


JOBS = DomainJobs(
    functions={
        analysis.ANALYZE_JOB: analyze,
        analysis.RETRY_JOB: retry_pending_analyses,
        publish_rules.PUBLISH_JOB: publish,
    },
    cron=(Cron(analysis.RETRY_JOB, retry_pending_analyses, run_at_startup=True),),  # every minute
)
