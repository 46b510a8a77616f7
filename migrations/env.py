"""Alembic environment: async engine; URL from `vinted-optimizer migrate` or VO_DATABASE_URL."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

from vinted_optimizer.kit.db import create_engine
from vinted_optimizer.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("VO_DATABASE_URL")
    if not url:
        raise SystemExit("No database URL: set VO_DATABASE_URL or run `vinted-optimizer migrate`.")
    return url


def _include_object(obj, name, type_, reflected, compare_to):  # noqa: ANN001
    # Tables created by extensions are not ours.
    return not (type_ == "table" and reflected and compare_to is None and name.startswith("pg_"))


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    existing = config.attributes.get("connection")
    if existing is not None:
        _configure(existing)
        return
    engine = create_engine(_url(), pool_size=1)
    async with engine.connect() as connection:
        await connection.run_sync(_configure)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
