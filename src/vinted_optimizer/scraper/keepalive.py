"""Keeping a member's Vinted session alive: one refresh of its chain, through the pacing gate.

The refresh token is single-use: the new pair this returns replaces the stored one at once (the caller
stores it before anything else uses the session). A dead chain raises ``SessionDead``; Vinted's other
refusals (a challenge, a 429, a change) raise the client's errors and leave the stored pair as it was.
"""

from __future__ import annotations

from redis.asyncio import Redis

from vinted_optimizer.config import Settings
from vinted_optimizer.scraper.pacing import PacingGate
from vinted_optimizer.scraper.vinted.client import VintedClient
from vinted_optimizer.scraper.vinted.session import VintedSession
from vinted_optimizer.scraper.vinted.transport import Transport


async def continue_chain(
    settings: Settings, redis: Redis, access_token: str, refresh_token: str
) -> VintedSession:
    """The member's next pair (``SessionDead`` when Vinted refuses the chain)."""
    client = VintedClient(
        Transport(settings),
        PacingGate(redis, settings),
        session=VintedSession(access_token=access_token, refresh_token=refresh_token),
    )
    try:
        return await client.refresh()
    finally:
        await client.aclose()
