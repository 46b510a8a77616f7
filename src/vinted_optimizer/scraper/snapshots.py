"""Raw search snapshots in DuckDB (``<data_dir>/scraper/snapshots.duckdb``), and the aggregates computed
from them until the cloud side has collected them.

One row in ``searches`` per followed search run: what it asked, what the search honoured (the
``SearchPage.record()`` of every page: filters, page, result count, Vinted's time), how many pages it
walked and why it stopped. ``snapshot_items`` holds what each run saw, one row per listing (a listing a
run saw twice, on two pages, is kept once). ``aggregates`` holds the trends computed from a run
(``scraper.trends``), numbered, so the cloud asks for "everything after n" and never misses or doubles.

DuckDB is synchronous and allows one writer process per file: one connection, a lock, every call in a
worker thread (as the AI's analysis cache does). The file is opened on first use, and only the process
that works the scraper's queue uses it (the standalone service, or the one ``serve`` process or worker
that runs the jobs); API processes only queue scrapes and read the pacing gate in Redis.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from vinted_optimizer.scraper.vinted.search import SearchItem, SearchPage

T = TypeVar("T")

_SCHEMA = (
    "CREATE SEQUENCE IF NOT EXISTS search_ids START 1",
    "CREATE SEQUENCE IF NOT EXISTS aggregate_ids START 1",
    """
    CREATE TABLE IF NOT EXISTS searches (
        id BIGINT PRIMARY KEY,
        follow_key VARCHAR NOT NULL,
        category_id INTEGER NOT NULL,
        category_name VARCHAR NOT NULL,
        brand VARCHAR,
        search_text VARCHAR NOT NULL,
        scraped_at DOUBLE NOT NULL,
        pages INTEGER NOT NULL,
        result_count INTEGER NOT NULL,
        total_entries INTEGER,
        stopped VARCHAR NOT NULL,
        honoured VARCHAR NOT NULL,
        record VARCHAR NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS snapshot_items (
        search_id BIGINT NOT NULL,
        item_id BIGINT NOT NULL,
        price DECIMAL(10, 2) NOT NULL,
        favourite_count INTEGER NOT NULL,
        brand VARCHAR,
        condition VARCHAR,
        promoted BOOLEAN NOT NULL,
        business BOOLEAN NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS ix_snapshot_items_search ON snapshot_items (search_id)",
    "CREATE INDEX IF NOT EXISTS ix_searches_follow ON searches (follow_key, scraped_at)",
    """
    CREATE TABLE IF NOT EXISTS aggregates (
        id BIGINT PRIMARY KEY,
        search_id BIGINT NOT NULL,
        computed_at DOUBLE NOT NULL,
        body VARCHAR NOT NULL
    )
    """,
)


@dataclass(frozen=True)
class StoredSearch:
    id: int
    follow_key: str
    category_id: int
    category_name: str
    brand: str | None
    scraped_at: float
    pages: int
    result_count: int
    stopped: str


def honoured_overall(pages: Sequence[SearchPage]) -> dict[str, bool | None]:
    """Per filter, over every page: False if one page ignored it, None if one could not tell, else True."""
    out: dict[str, bool | None] = {}
    for page in pages:
        for name, value in page.honoured.items():
            before = out.get(name, True)
            if before is False or value is False:
                out[name] = False
            elif before is None or value is None:
                out[name] = None
            else:
                out[name] = True
    return out


class SnapshotStore:
    def __init__(self, path: Path | None, *, clock: Callable[[], float] = time.time) -> None:
        """``path`` None: an in-memory database (tests, the bench)."""
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()
        self._connection: Any = None

    def _connect(self) -> Any:
        if self._connection is None:
            import duckdb

            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = duckdb.connect(str(self.path) if self.path is not None else ":memory:")
            for statement in _SCHEMA:
                connection.execute(statement)
            self._connection = connection
        return self._connection

    def now(self) -> float:
        """The store's clock (seconds since the epoch): a run's ``scraped_at`` and the market's window."""
        return self._clock()

    def run(self, work: Callable[[Any], T]) -> T:
        """``work(connection)`` under the lock (synchronous: call it from a worker thread)."""
        with self._lock:
            return work(self._connect())

    async def arun(self, work: Callable[[Any], T]) -> T:
        return await asyncio.to_thread(self.run, work)

    # --- writing a run ---------------------------------------------------------------------------

    def store(
        self,
        *,
        follow_key: str,
        category_id: int,
        category_name: str,
        brand: str | None,
        search_text: str,
        pages: Sequence[SearchPage],
        stopped: str,
        scraped_at: float | None = None,
    ) -> StoredSearch:
        seen: dict[int, SearchItem] = {}
        for page in pages:
            for item in page.items:
                seen.setdefault(item.id, item)
        moment = self._clock() if scraped_at is None else scraped_at
        total = pages[0].pagination.total_entries if pages else None
        records = [page.record() for page in pages]

        def write(connection: Any) -> StoredSearch:
            (search_id,) = connection.execute("SELECT nextval('search_ids')").fetchone()
            connection.execute(
                "INSERT INTO searches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    search_id,
                    follow_key,
                    category_id,
                    category_name,
                    brand,
                    search_text,
                    moment,
                    len(pages),
                    len(seen),
                    total,
                    stopped,
                    json.dumps(honoured_overall(pages)),
                    json.dumps(records),
                ],
            )
            if seen:
                connection.executemany(
                    "INSERT INTO snapshot_items VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        [
                            search_id,
                            item.id,
                            item.price,
                            item.favourite_count,
                            item.brand,
                            item.condition,
                            item.promoted,
                            item.user_business,
                        ]
                        for item in seen.values()
                    ],
                )
            return StoredSearch(
                id=int(search_id),
                follow_key=follow_key,
                category_id=category_id,
                category_name=category_name,
                brand=brand,
                scraped_at=moment,
                pages=len(pages),
                result_count=len(seen),
                stopped=stopped,
            )

        return self.run(write)

    def search_record(self, search_id: int) -> dict[str, Any]:
        """What a run asked and what the search honoured, as stored."""

        def read(connection: Any) -> dict[str, Any]:
            row = connection.execute(
                "SELECT pages, result_count, total_entries, stopped, honoured, record, scraped_at "
                "FROM searches WHERE id = ?",
                [search_id],
            ).fetchone()
            if row is None:
                raise LookupError(search_id)
            return {
                "pages": row[0],
                "result_count": row[1],
                "total_entries": row[2],
                "stopped": row[3],
                "honoured": json.loads(row[4]),
                "records": json.loads(row[5]),
                "scraped_at": row[6],
            }

        return self.run(read)

    # --- aggregates waiting for the cloud ----------------------------------------------------------

    def add_aggregates(self, search_id: int, bodies: Sequence[dict[str, Any]]) -> list[int]:
        def write(connection: Any) -> list[int]:
            ids: list[int] = []
            for body in bodies:
                (aggregate_id,) = connection.execute("SELECT nextval('aggregate_ids')").fetchone()
                body = {**body, "id": int(aggregate_id)}
                connection.execute(
                    "INSERT INTO aggregates VALUES (?, ?, ?, ?)",
                    [aggregate_id, search_id, self._clock(), json.dumps(body)],
                )
                ids.append(int(aggregate_id))
            return ids

        return self.run(write)

    def aggregates_after(self, after: int, limit: int) -> list[dict[str, Any]]:
        def read(connection: Any) -> list[dict[str, Any]]:
            rows = connection.execute(
                "SELECT body FROM aggregates WHERE id > ? ORDER BY id LIMIT ?", [after, limit]
            ).fetchall()
            return [json.loads(body) for (body,) in rows]

        return self.run(read)

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
