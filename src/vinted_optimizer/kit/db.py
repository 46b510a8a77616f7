"""Database building blocks: declarative base, engine factory, and the per-request unit of work."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any, cast

import structlog
from fastapi import Depends, Request
from sqlalchemy import ClauseElement, CursorResult, DateTime, MetaData, Result, func
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import Uuid

from vinted_optimizer.kit.errors import DomainError, ServiceUnavailable
from vinted_optimizer.kit.outages import DATABASE_CONNECT_ERRORS, DATABASE_DOWN, RETRY_AFTER_SECONDS

log = structlog.get_logger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UUIDPrimaryKey:
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow, onupdate=utcnow
    )


def rowcount(result: Result[Any]) -> int:
    """The number of rows an UPDATE or DELETE touched (``session.execute`` types it as a plain Result)."""
    return int(cast(CursorResult[Any], result).rowcount)


def async_url(url: str) -> str:
    """Accept plain ``postgres://``/``postgresql://`` URLs (Neon, pgserver) and select asyncpg."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            url = "postgresql+asyncpg://" + url[len(prefix) :]
            break
    # asyncpg wants ssl=…, libpq URLs say sslmode=…
    return url.replace("sslmode=", "ssl=")


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    # No ping before lending a connection (it cost a round trip per request): a connection that died with
    # its server fails its first statement instead, which answers that request with a 503 (kit.outages)
    # and makes the pool drop every connection opened before.
    return create_async_engine(async_url(url), pool_size=pool_size, max_overflow=10, pool_pre_ping=False)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def create_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """For GET and HEAD requests, which only read: each statement runs on its own, with no BEGIN and
    COMMIT around it (two round trips fewer per request). A GET handler must not write."""
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False, autoflush=False
    )


READ_METHODS = frozenset({"GET", "HEAD"})


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One unit of work per request: commit when the handler returns, roll back on error.

    Domain errors flagged ``persist`` (a failed login, a detected token reuse) record security facts
    that must survive the error response, so their changes are committed before the error propagates.
    """
    state = request.app.state
    sessionmaker: async_sessionmaker[AsyncSession] = (
        state.read_sessionmaker if request.method in READ_METHODS else state.sessionmaker
    )
    async with sessionmaker() as session:
        try:
            # Take the connection now: a database that cannot be reached is a 503 here.
            await session.connection()
        except DATABASE_CONNECT_ERRORS as error:
            raise ServiceUnavailable(DATABASE_DOWN, retry_after=RETRY_AFTER_SECONDS) from error
        try:
            yield session
        except DomainError as error:
            if error.persist:
                await session.commit()
            else:
                await session.rollback()
            raise
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()
            # What is committed is the answer: a side effect that fails now (Redis lost between the commit
            # and the enqueue) is logged, and recovered by its owner (the analysis cron re-queues pending
            # drafts), rather than turning a saved change into an error the client would retry.
            for callback in getattr(request.state, "after_commit", []):
                try:
                    await callback()
                except Exception:
                    log.exception("after_commit.failed", callback=getattr(callback, "__qualname__", "?"))
        finally:
            request.state.after_commit = []


def after_commit(request: Request, callback: Callable[[], Awaitable[None]]) -> None:
    """Run ``callback`` once the request's unit of work has committed; dropped on rollback.

    Used to enqueue jobs, so a job never points at a row that does not exist.
    """
    if not hasattr(request.state, "after_commit"):
        request.state.after_commit = []
    request.state.after_commit.append(callback)


DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]


class CompiledRead:
    """A read statement compiled once to asyncpg's SQL and run by the driver itself, on the session's
    own connection (same transaction), without SQLAlchemy's per-execution work: for the hottest reads.

    Rows come back as the driver's records (JSON decoded by the codecs SQLAlchemy registers on each
    connection; numbers, dates, UUIDs and arrays as asyncpg decodes them, which is what the ORM returns
    for these column types: ``tests/kit/test_compiled_read.py`` compares the two). Lists are bound
    whole, so write ``column == any_(bindparam(..., type_=ARRAY(...)))`` rather than an expanding ``IN``.
    """

    def __init__(self, statement: ClauseElement) -> None:
        self._statement = statement
        self._sql: str | None = None
        self._names: tuple[str, ...] = ()
        self._constants: dict[str, Any] = {}

    async def fetch(self, session: AsyncSession, parameters: dict[str, Any]) -> list[Any]:
        connection = await session.connection()
        if self._sql is None:
            compiled = self._statement.compile(dialect=connection.dialect)
            self._names = tuple(cast(Any, compiled).positiontup or ())
            self._constants = dict(compiled.params)  # literals the statement binds (JSON keys…)
            self._sql = str(compiled)
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        values = [parameters[name] if name in parameters else self._constants[name] for name in self._names]
        rows: list[Any] = await driver.fetch(self._sql, *values)
        return rows
