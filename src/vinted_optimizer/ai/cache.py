"""Analysis cache in DuckDB (``<data_dir>/ai/cache.duckdb``): the same photos are not analysed twice.

The key is the image hash plus a *variant* (vision model + prompt version), so switching model or prompt
never serves an answer produced by the other one. DuckDB is synchronous and allows one writer process per
file: one connection, a lock, every call in a worker thread. If the file is locked by another process the
service runs without a cache (and logs it) rather than failing analyses — run the standalone
``ai-service`` when several processes need the AI.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pydantic
import structlog

from vinted_optimizer.ai.schemas import CachedAnalysis

log = structlog.get_logger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS analysis_cache (
    image_hash VARCHAR NOT NULL,
    variant VARCHAR NOT NULL,
    created_at DOUBLE NOT NULL,
    result VARCHAR NOT NULL,
    PRIMARY KEY (image_hash, variant)
)
"""


def image_hash(images: Sequence[bytes]) -> str:
    """SHA-256 of one image; for several, SHA-256 of their hex digests concatenated in order.

    Hex digests (not raw bytes) so that a caller holding only the stored per-photo SHA-256 values can
    compute the same key without the photos.
    """
    digests = [hashlib.sha256(image).hexdigest() for image in images]
    if len(digests) == 1:
        return digests[0]
    return hashlib.sha256("".join(digests).encode("ascii")).hexdigest()


class AnalysisCache:
    def __init__(self, path: Path, ttl_seconds: float, *, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._connection: Any = None
        self._disabled = ttl_seconds <= 0
        # Lookups answered from the cache and not, since this process opened it (the health report's).
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return not self._disabled

    def _connect(self) -> Any:
        if self._connection is None and not self._disabled:
            import duckdb

            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                connection = duckdb.connect(str(self.path))
                connection.execute(_SCHEMA)
            except (duckdb.Error, OSError) as error:
                # Typically "Could not set lock on file": another process owns the cache.
                log.warning("ai.cache.disabled", path=str(self.path), error=type(error).__name__)
                self._disabled = True
                return None
            self._connection = connection
            self._purge_locked()
        return self._connection

    def _purge_locked(self) -> int:
        cutoff = self._clock() - self.ttl_seconds
        row = self._connection.execute(
            "DELETE FROM analysis_cache WHERE created_at < ? RETURNING image_hash", [cutoff]
        ).fetchall()
        return len(row)

    def _get(self, key: str, variant: str) -> CachedAnalysis | None:
        with self._lock:
            connection = self._connect()
            if connection is None:
                return None
            row = connection.execute(
                "SELECT result, created_at FROM analysis_cache WHERE image_hash = ? AND variant = ?",
                [key, variant],
            ).fetchone()
            if row is None:
                return None
            if row[1] < self._clock() - self.ttl_seconds:
                self._purge_locked()  # expired: ignored, and swept with the others
                return None
        try:
            return CachedAnalysis.model_validate_json(row[0])
        except pydantic.ValidationError:
            return None  # written by another version: a miss, replaced by the fresh answer

    def _put(self, key: str, variant: str, result: CachedAnalysis) -> None:
        with self._lock:
            connection = self._connect()
            if connection is None:
                return
            connection.execute(
                "INSERT OR REPLACE INTO analysis_cache VALUES (?, ?, ?, ?)",
                [key, variant, self._clock(), result.model_dump_json()],
            )
            self._purge_locked()

    def _purge(self) -> int:
        with self._lock:
            return self._purge_locked() if self._connect() is not None else 0

    def _close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    async def get(self, key: str, variant: str) -> CachedAnalysis | None:
        if self._disabled:
            return None
        found = await asyncio.to_thread(self._get, key, variant)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def stats(self) -> dict[str, Any]:
        """Hits and misses since the process started (a disabled cache counts nothing)."""
        lookups = self.hits + self.misses
        return {
            "hits": self.hits,
            "misses": self.misses,
            "hit_rate": round(self.hits / lookups, 4) if lookups else None,
        }

    async def put(self, key: str, variant: str, result: CachedAnalysis) -> None:
        if not self._disabled:
            await asyncio.to_thread(self._put, key, variant, result)

    async def purge_expired(self) -> int:
        return await asyncio.to_thread(self._purge) if not self._disabled else 0

    async def aclose(self) -> None:
        await asyncio.to_thread(self._close)
