"""What a lost connection to PostgreSQL or Redis looks like, so it is answered with a 503, not a 500.

``serve`` restarts its embedded servers and the clients reconnect by themselves (a pooled connection that
died fails its first statement, and the pool then drops every connection opened before it; redis-py
reconnects on the next command): until then a request that needs the lost server gets
``503 {"error": "unavailable"}`` with ``Retry-After``.
"""

from __future__ import annotations

import asyncpg
import redis.exceptions
import sqlalchemy.exc

from vinted_optimizer.kit.errors import ServiceUnavailable

DATABASE_DOWN = "Il database non risponde: riprova tra qualche secondo."
REDIS_DOWN = "Il servizio interno (Redis) non risponde: riprova tra qualche secondo."
RETRY_AFTER_SECONDS = 5

# A connection lost mid-query, or refused while the server starts or stops.
DATABASE_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,  # "the database system is starting up / shutting down"
    asyncpg.exceptions.InterfaceError,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,  # no connection free in the pool in time
)
# Opening a connection also fails with plain OSErrors (the socket file is gone, the port refuses), which
# the pool does not wrap: they are read as an outage only there, never from anywhere else.
DATABASE_CONNECT_ERRORS: tuple[type[BaseException], ...] = (OSError, *DATABASE_ERRORS)
REDIS_ERRORS: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)


def is_closed_transport(error: BaseException) -> bool:
    """uvloop's answer to a write on a socket that the server's death has just closed, before asyncpg has
    noticed the loss: ``RuntimeError("unable to perform operation on <UnixTransport closed=True …>; the
    handler is closed")``. SQLAlchemy passes it through unwrapped, so a session's statement can raise it too.
    Redis's clients see the loss as their own ConnectionError first, so it is read as the database's."""
    return isinstance(error, RuntimeError) and "closed" in str(error)


def database_unavailable() -> ServiceUnavailable:
    """The 503 for a PostgreSQL that cannot be reached."""
    return ServiceUnavailable(DATABASE_DOWN, retry_after=RETRY_AFTER_SECONDS)


def outage_of(error: BaseException) -> ServiceUnavailable | None:
    """The 503 for an error that means PostgreSQL or Redis is unreachable, else None."""
    if isinstance(error, REDIS_ERRORS):
        return ServiceUnavailable(REDIS_DOWN, retry_after=RETRY_AFTER_SECONDS)
    if isinstance(error, sqlalchemy.exc.DBAPIError) and error.connection_invalidated:
        return database_unavailable()
    if isinstance(error, DATABASE_ERRORS) or is_closed_transport(error):
        return database_unavailable()
    return None
