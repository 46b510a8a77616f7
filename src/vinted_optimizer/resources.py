"""What a process opens once (engine, Redis, queue, storage, the AI client…), reached by endpoints and
jobs, which hand each service only the pieces it uses.

This module sits above the domains' building blocks: ``kit`` never imports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Annotated

from fastapi import Depends, Request
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from vinted_optimizer.ai.client import AIClient
from vinted_optimizer.config import Settings
from vinted_optimizer.kit.db import Reader
from vinted_optimizer.kit.events import EventBus
from vinted_optimizer.kit.queue import JobQueue
from vinted_optimizer.kit.ratelimit import RateLimits
from vinted_optimizer.kit.security import AccessTokens, Passwords, SecretBox
from vinted_optimizer.kit.signing import DeviceCookies, UrlSigner
from vinted_optimizer.kit.storage import Storage
from vinted_optimizer.scraper.client import ScraperClient, create_scraper_client


@dataclass
class Resources:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    redis: Redis
    rate_limits: RateLimits
    passwords: Passwords
    tokens: AccessTokens
    secret_box: SecretBox
    queue: JobQueue
    storage: Storage
    ai: AIClient
    signer: UrlSigner
    devices: DeviceCookies
    # The hot GET endpoints' reads (kit.db.PoolReader); the tests' read inside their transaction.
    reader: Reader
    # For GET and HEAD requests (kit.db.create_read_sessionmaker); the tests' resources read and write in
    # the one transaction they roll back, so they leave it None and share ``sessionmaker``.
    read_sessionmaker: async_sessionmaker[AsyncSession] | None = None

    @cached_property
    def events(self) -> EventBus:
        """Live events to a family's sockets (kit.events), on the shared Redis."""
        return EventBus(self.redis)

    @cached_property
    def scraper(self) -> ScraperClient:
        """The home-side scraper (kit of ``scraper.client``): over HTTP when VO_SCRAPER_SERVICE_URL is set,
        else in this process; opened on first use, closed with the process's resources."""
        return create_scraper_client(self.settings, self.redis)

    async def close_scraper(self) -> None:
        if "scraper" in self.__dict__:
            await self.scraper.aclose()
            del self.__dict__["scraper"]


async def get_resources(request: Request) -> Resources:
    resources: Resources = request.app.state.resources
    return resources


Res = Annotated[Resources, Depends(get_resources)]
