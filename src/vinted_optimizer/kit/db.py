"""Database building blocks: declarative base, engine factory, and the per-request unit of work."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Protocol, cast

import asyncpg
import pydantic_core
import structlog
from fastapi import Depends, Request
from sqlalchemy import ClauseElement, CursorResult, DateTime, MetaData, Result, func, select
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import Uuid

from vinted_optimizer.kit import tracing
from vinted_optimizer.kit.errors import DomainError
from vinted_optimizer.kit.outages import (
    DATABASE_CONNECT_ERRORS,
    DATABASE_ERRORS,
    database_unavailable,
    is_closed_transport,
)

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


async def database_size(session: AsyncSession) -> int:
    """The bytes of the current database on disk (tables, indexes, TOAST: PostgreSQL's own count)."""
    return int(await session.scalar(select(func.pg_database_size(func.current_database()))) or 0)


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
    engine = create_async_engine(async_url(url), pool_size=pool_size, max_overflow=10, pool_pre_ping=False)
    tracing.instrument_engine(engine)  # a span per statement when tracing is on
    return engine


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
            raise database_unavailable() from error
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


class Reader(Protocol):
    """Runs one read statement, in driver SQL, and returns the driver's records: a pool of connections
    for GET requests (``PoolReader``), or a unit of work's own connection (``SessionReader``)."""

    async def fetch(self, sql: str, *args: Any) -> list[Any]: ...

    async def close(self) -> None: ...


async def _keep_session(connection: asyncpg.Connection) -> None:
    """A read pool's connection only ever ran single statements that change no session state: nothing
    to reset when it comes back (asyncpg's default reset costs a round trip per request; an open
    transaction, which cannot happen here, would still be rolled back by asyncpg itself)."""


async def _codecs(connection: asyncpg.Connection) -> None:
    """The codecs SQLAlchemy sets on its own connections, so a read returns the same values either way:
    JSON decoded (and bound as the JSON text SQLAlchemy would have written), addresses as strings."""
    for name in ("json", "jsonb"):
        await connection.set_type_codec(
            name, schema="pg_catalog", encoder=str, decoder=pydantic_core.from_json, format="text"
        )
    for name in ("inet", "cidr"):
        await connection.set_type_codec(name, schema="pg_catalog", encoder=str, decoder=str, format="text")


# Opening a connection failed, or none was free in time.
ACQUIRE_ERRORS: tuple[type[BaseException], ...] = (*DATABASE_CONNECT_ERRORS, TimeoutError)
# Giving back a connection whose server went away.
RELEASE_ERRORS: tuple[type[BaseException], ...] = (*DATABASE_CONNECT_ERRORS, asyncpg.PostgresError)


async def _give_back(pool: asyncpg.Pool, connection: Any) -> None:
    """Return a connection to the pool; one that cannot be returned (its server is gone) is closed and
    forgotten, so the read's own answer or error is what the request sees."""
    try:
        await pool.release(connection)
    except RELEASE_ERRORS:
        connection.terminate()
    except RuntimeError as error:
        if not is_closed_transport(error):
            raise
        connection.terminate()


class PoolReader:
    """The hot GET endpoints' reads: straight from a small asyncpg pool, one connection per statement,
    in autocommit, without a unit of work around them (no session, no BEGIN/COMMIT, no reset query).

    Opens no connection until the first read, so a process starts while the database is still down; a
    database that cannot be reached, or a pool with no connection free in time, is a 503 like the
    sessions' (``kit.outages``).
    """

    def __init__(self, url: str, *, max_size: int = 10, acquire_timeout: float = 10.0) -> None:
        self._url = driver_url(url)
        self._max_size = max_size
        self._acquire_timeout = acquire_timeout
        self._pool: asyncpg.Pool | None = None
        self._turns: asyncio.Semaphore | None = None

    async def _opened(self) -> tuple[asyncpg.Pool, asyncio.Semaphore]:
        if self._pool is None or self._turns is None:
            self._pool = asyncpg.create_pool(
                self._url, min_size=0, max_size=self._max_size, init=_codecs, reset=_keep_session
            )
            # Turns at the pool, first come first served: asyncpg's own queue lets a newcomer take a
            # connection just released to a woken waiter, which then queues again at the back; under a
            # burst a few requests waited ten times the median (the p99 of bench/api.py).
            self._turns = asyncio.Semaphore(self._max_size)
            await self._pool
        return self._pool, self._turns

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        pool, turns = await self._opened()
        if turns.locked():
            try:
                async with asyncio.timeout(self._acquire_timeout):
                    await turns.acquire()
            except TimeoutError as error:
                raise database_unavailable() from error
        else:
            await turns.acquire()  # free: no wait, and no timer to arm
        try:
            try:
                connection = await pool.acquire(timeout=self._acquire_timeout)
            except ACQUIRE_ERRORS as error:
                raise database_unavailable() from error
            try:
                rows: list[Any] = await connection.fetch(sql, *args)
            except DATABASE_CONNECT_ERRORS as error:
                # The connection died with its server: the others opened before are dead too, so each
                # is replaced when next lent. The error is a 503 (kit.outages); a socket's own OSError
                # (reset, broken pipe) is one too, here, where it can only mean the server went away.
                await pool.expire_connections()
                if isinstance(error, DATABASE_ERRORS):
                    raise
                raise database_unavailable() from error
            except RuntimeError as error:
                # A statement written on a socket uvloop has already closed (the server died a moment
                # ago) is the same outage, seen before asyncpg's connection_lost.
                if not is_closed_transport(error):
                    raise
                await pool.expire_connections()
                raise database_unavailable() from error
            finally:
                await _give_back(pool, connection)
        finally:
            turns.release()
        return rows

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()


class SessionReader:
    """Reads on a unit of work's connection: inside its transaction, so they see what it changed (the
    tests' readers, which share the test's transaction; a read right after a write)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        async with self._sessionmaker() as session:
            return await _on_session(session, sql, args)

    async def close(self) -> None:
        return None


async def _on_session(session: AsyncSession, sql: str, args: tuple[Any, ...]) -> list[Any]:
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    rows: list[Any] = await driver.fetch(sql, *args)
    return rows


def driver_url(url: str) -> str:
    """The URL asyncpg itself takes (no SQLAlchemy driver name)."""
    return async_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)


_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]


class CompiledRead:
    """A read statement compiled once to asyncpg's SQL and run by the driver itself, without
    SQLAlchemy's per-execution work: for the hottest reads. ``fetch`` runs it on a ``Reader`` (a GET
    request's pool) or on a unit of work's own connection (same transaction, after a flush).

    Rows come back as the driver's records (JSON decoded by the same codecs SQLAlchemy registers;
    numbers, dates, UUIDs and arrays as asyncpg decodes them, which is what the ORM returns for these
    column types: ``tests/kit/test_compiled_read.py`` compares the two). Lists are bound whole, so write
    ``column == any_(bindparam(..., type_=ARRAY(...)))`` rather than an expanding ``IN``.
    """

    def __init__(self, statement: ClauseElement) -> None:
        self._statement = statement
        compiled = statement.compile(dialect=_DIALECT)
        self._names: tuple[str, ...] = tuple(cast(Any, compiled).positiontup or ())
        self._constants: dict[str, Any] = dict(compiled.params)  # literals the statement binds (JSON keys…)
        self._sql = str(compiled)

    async def fetch(self, source: AsyncSession | Reader, parameters: dict[str, Any]) -> list[Any]:
        values = [parameters[name] if name in parameters else self._constants[name] for name in self._names]
        if isinstance(source, AsyncSession):
            return await _on_session(source, self._sql, tuple(values))
        return await source.fetch(self._sql, *values)
