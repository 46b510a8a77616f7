"""A member's call to Vinted on the home side: the member's pair in, the result and the envelope out.

``member_call`` opens a client with the member's session (its own transport, so no cookie of one member
reaches another's request), runs the operation through the one pacing gate, and reports what the cloud
side must know whatever happened: the pair Vinted rotated (single-use refresh token: the caller stores
it before anything else), a dead chain, or the error as a ``MemberError``. Nothing is retried here
beyond what ``VintedClient.call`` allows.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

import structlog

from vinted_optimizer.config import Settings
from vinted_optimizer.kit.errors import DomainError
from vinted_optimizer.scraper.errors import (
    PacingExceeded,
    RateLimited,
    SessionDead,
    VintedChanged,
    VintedError,
    VintedRefused,
    VintedUnavailable,
)
from vinted_optimizer.scraper.pacing import PacingGate
from vinted_optimizer.scraper.schemas import MemberError, MemberOutcome, MemberSession, RotatedSession
from vinted_optimizer.scraper.vinted.client import VintedClient
from vinted_optimizer.scraper.vinted.session import VintedSession
from vinted_optimizer.scraper.vinted.transport import Transport

log = structlog.get_logger(__name__)

T = TypeVar("T")


def member_error(error: DomainError) -> MemberError:
    retry_after: int | None = None
    if isinstance(error, PacingExceeded):
        retry_after = max(1, math.ceil((error.until - datetime.now(UTC)).total_seconds()))
    elif isinstance(error, RateLimited):
        retry_after = math.ceil(error.retry_after)
    elif "Retry-After" in error.headers:
        try:
            retry_after = int(error.headers["Retry-After"])
        except ValueError:
            retry_after = None
    return MemberError(
        code=error.code,
        status_code=error.status_code,
        detail=error.detail,
        retry_after=retry_after,
        endpoint=getattr(error, "endpoint", None),
        vinted_code=error.vinted_code if isinstance(error, VintedRefused) else None,
    )


async def member_call(
    settings: Settings,
    gate: PacingGate,
    member: MemberSession,
    operation: Callable[[VintedClient], Awaitable[T]],
) -> tuple[T | None, MemberOutcome]:
    """Run ``operation`` with the member's session: (its result or None, the envelope)."""
    rotated: list[VintedSession] = []

    async def keep(session: VintedSession) -> None:
        rotated.append(session)

    client = VintedClient(
        Transport(settings),
        gate,
        session=VintedSession(access_token=member.access_token, refresh_token=member.refresh_token),
        on_session=keep,
    )
    result: T | None = None
    outcome = MemberOutcome()
    try:
        result = await operation(client)
    except SessionDead:
        outcome.dead = True
        outcome.error = member_error(SessionDead())
    except (VintedError, VintedUnavailable, PacingExceeded) as error:
        if isinstance(error, VintedChanged):
            log.error("vinted.member_call_changed", endpoint=error.endpoint)
        outcome.error = member_error(error)
    finally:
        await client.aclose()
    if rotated and rotated[-1].refresh_token:
        last = rotated[-1]
        assert last.refresh_token is not None
        outcome.session = RotatedSession(access_token=last.access_token, refresh_token=last.refresh_token)
    return result, outcome
