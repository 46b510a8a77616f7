"""Process-wide resources opened by the app's lifespan, reached by handlers through a dependency."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from vinted_optimizer.ai.client import AIClient
from vinted_optimizer.config import Settings
from vinted_optimizer.kit.ratelimit import RateLimits
from vinted_optimizer.kit.security import AccessTokens, Passwords, SecretBox
from vinted_optimizer.kit.signing import UrlSigner
from vinted_optimizer.kit.storage import Storage


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
    queue: Any  # arq.ArqRedis
    storage: Storage
    ai: AIClient
    signer: UrlSigner


def get_resources(request: Request) -> Resources:
    return request.app.state.resources


Res = Annotated[Resources, Depends(get_resources)]
