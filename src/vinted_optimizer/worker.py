"""The ARQ worker: background jobs and cron. Runs standalone (`vinted-optimizer worker`) or inside `serve`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from arq import cron
from arq.worker import Worker
from sqlalchemy import delete, or_

from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.kit.queue import QUEUE_NAME, redis_settings
from vinted_optimizer.kit.resources import Resources
from vinted_optimizer.listings.tasks import analyze_listing, retry_pending_analyses
from vinted_optimizer.models import AuthSession, Invitation, RefreshToken
from vinted_optimizer.users.tasks import send_invitation_email

log = structlog.get_logger(__name__)

RETENTION = timedelta(days=30)


async def cleanup_auth(ctx: dict[str, Any]) -> dict[str, int]:
    """Drop expired refresh tokens, long-dead sessions and stale invitations. Idempotent."""
    resources: Resources = ctx["resources"]
    now = utcnow()
    async with resources.sessionmaker() as session, session.begin():
        tokens = await session.execute(
            delete(RefreshToken).where(RefreshToken.expires_at < now - timedelta(days=1))
        )
        sessions = await session.execute(
            delete(AuthSession).where(
                or_(AuthSession.expires_at < now - RETENTION, AuthSession.revoked_at < now - RETENTION)
            )
        )
        invitations = await session.execute(
            delete(Invitation).where(
                Invitation.accepted_at.is_(None), Invitation.expires_at < now - RETENTION
            )
        )
    counts = {
        "refresh_tokens": tokens.rowcount,
        "sessions": sessions.rowcount,
        "invitations": invitations.rowcount,
    }
    log.info("cleanup.auth", **counts)
    return counts


FUNCTIONS = [send_invitation_email, cleanup_auth, analyze_listing, retry_pending_analyses]
CRON_JOBS = [
    cron(cleanup_auth, minute={17}, run_at_startup=False),
    cron(retry_pending_analyses, run_at_startup=True, unique=True),  # every minute
]


def build_worker(resources: Resources, *, burst: bool = False, max_jobs: int = 4) -> Worker:
    assert resources.settings.redis_url is not None
    return Worker(
        functions=FUNCTIONS,
        cron_jobs=CRON_JOBS,
        # Its own connection pool: Worker.close() closes the pool it uses.
        redis_settings=redis_settings(resources.settings.redis_url.get_secret_value()),
        queue_name=QUEUE_NAME,
        ctx={"resources": resources},
        poll_delay=resources.settings.worker_poll_seconds,
        handle_signals=False,
        burst=burst,
        max_tries=5,
        max_jobs=max_jobs,
        job_timeout=300,
    )
