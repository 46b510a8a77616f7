"""The instance administrator's views, composed from the owners' services: the accounts from ``users``
(users and families) with their last activity from ``auth`` (sessions); the figures from the kit's
recorders and the home side's clients. Each part of the figures that cannot be read says so: the whole
answer never fails because one dependency is down."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import structlog
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.admin.schemas import (
    AIPart,
    CachePart,
    DatabasePart,
    InstanceMetrics,
    InstanceUser,
    InstanceUserPage,
    Part,
    QueuePart,
    RequestsPart,
    RequestWindow,
    ScraperPart,
    StoragePart,
    UserQuery,
)
from vinted_optimizer.ai.client import AIClient
from vinted_optimizer.auth import service as auth
from vinted_optimizer.config import Settings
from vinted_optimizer.kit.db import database_size
from vinted_optimizer.kit.metrics import RequestMetrics, Window, read_windows
from vinted_optimizer.kit.queue import QUEUE_NAME, JobQueue
from vinted_optimizer.kit.storage import Storage, StorageUsage
from vinted_optimizer.scraper.client import ScraperClient
from vinted_optimizer.scraper.service import QUEUE_NAME as SCRAPER_QUEUE_NAME
from vinted_optimizer.users import service as users
from vinted_optimizer.users.schemas import FamilyRead

log = structlog.get_logger(__name__)

# --- the accounts ----------------------------------------------------------------------------------------


async def list_users(session: AsyncSession, settings: Settings, query: UserQuery) -> InstanceUserPage:
    rows, total = await users.instance_users(
        session,
        search=query.q or None,
        sort=query.sort,
        limit=query.limit,
        offset=query.offset,
        last_activity=auth.last_activity_column,
    )
    items = [
        InstanceUser(
            id=row.user.id,
            username=row.user.username,
            email=row.user.email,
            family=FamilyRead(id=row.family.id, name=row.family.name) if row.family else None,
            role=row.user.role if row.family else None,  # type: ignore[arg-type]
            is_instance_admin=row.user.is_instance_admin,
            is_active=row.user.is_active,
            created_at=row.user.created_at,
            last_activity_at=row.last_activity,
            vinted_status=row.user.vinted_status,  # type: ignore[arg-type]
        )
        for row in rows
    ]
    return InstanceUserPage(
        items=items,
        total=total,
        limit=query.limit,
        offset=query.offset,
        activity_window_minutes=settings.access_token_minutes,
    )


# --- the figures -----------------------------------------------------------------------------------------

WINDOWS_MINUTES = (5, 60)
# Each part gets this long; one that takes longer is reported unavailable.
PART_TIMEOUT_SECONDS = 5.0
# Listing the stored objects costs a walk of the folder or S3's list calls: once per process this often.
STORAGE_MEASURE_SECONDS = 300.0

P = TypeVar("P", bound=Part)


@dataclass(frozen=True)
class MetricsSources:
    """What the figures are read from (the pieces of the process's resources they need)."""

    redis: Redis
    metrics: RequestMetrics
    queue: JobQueue
    ai: AIClient
    scraper: ScraperClient
    storage: Storage


async def _part(make: Callable[[], Awaitable[P]], unavailable: Callable[[str], P], what: str) -> P:
    try:
        return await asyncio.wait_for(make(), PART_TIMEOUT_SECONDS)
    except TimeoutError:
        return unavailable(f"{what}: nessuna risposta entro {PART_TIMEOUT_SECONDS:g} secondi.")
    except Exception as error:  # noqa: BLE001 - any failure of a dependency is that part's answer
        log.warning("admin.metrics.part_unavailable", part=what, error=type(error).__name__)
        return unavailable(f"{what}: non disponibile ({type(error).__name__}).")


def _ms(seconds: float | None) -> float | None:
    return round(seconds * 1000, 2) if seconds is not None else None


def _window(window: Window) -> RequestWindow:
    return RequestWindow(
        minutes=window.minutes,
        requests=window.requests,
        requests_per_minute=round(window.requests_per_minute, 2),
        client_errors=window.client_errors,
        server_errors=window.server_errors,
        mean_ms=_ms(window.mean_seconds),
        p50_ms=_ms(window.percentile(0.5)),
        p95_ms=_ms(window.percentile(0.95)),
        p99_ms=_ms(window.percentile(0.99)),
    )


async def _requests(sources: MetricsSources) -> RequestsPart:
    # This process's latest counts first, so the answer includes them (the others flush every few seconds).
    await sources.metrics.flush(sources.redis)
    windows = await read_windows(sources.redis, WINDOWS_MINUTES)
    return RequestsPart(windows=[_window(window) for window in windows])


async def _main_queue(sources: MetricsSources) -> QueuePart:
    return QueuePart(name=QUEUE_NAME, stats=await sources.queue.stats())


async def _health(sources: MetricsSources) -> dict[str, Any]:
    report = await sources.ai.health()
    return report if isinstance(report, dict) else {"status": "unavailable", "detail": "risposta non valida"}


class _HealthPart(Part):
    report: dict[str, Any] = {}


async def _health_part(sources: MetricsSources) -> _HealthPart:
    return _HealthPart(report=await _health(sources))


def _ai(report: dict[str, Any]) -> AIPart:
    status = str(report.get("status") or "unavailable")
    if status == "unavailable":
        detail = report.get("detail") or "non raggiungibile"
        return AIPart(available=False, reason=f"Servizio AI: {detail}.", status=status)
    ollama = report.get("ollama") or {}
    vision = report.get("vision_model") or {}
    chat = report.get("chat") or {}
    return AIPart(
        status=status,
        ollama_reachable=ollama.get("reachable"),
        vision_model_present=vision.get("present"),
        chat_mode=chat.get("mode"),
    )


def _cache(report: dict[str, Any]) -> CachePart:
    if report.get("status") == "unavailable":
        return CachePart(available=False, reason="Servizio AI non raggiungibile: la cache non si legge.")
    cache = report.get("cache") or {}
    if "hits" not in cache:
        return CachePart(available=False, reason="Il servizio AI non riporta i numeri della cache.")
    return CachePart(
        enabled=cache.get("enabled"),
        hits=cache.get("hits"),
        misses=cache.get("misses"),
        hit_rate=cache.get("hit_rate"),
    )


async def _scraper(sources: MetricsSources) -> ScraperPart:
    report = await sources.scraper.status()
    if report.status == "unavailable":
        return ScraperPart(
            available=False,
            reason=f"Servizio di raccolta: {report.detail or 'non raggiungibile'}.",
            report=report,
        )
    return ScraperPart(report=report)


def _scraper_queue(scraper: ScraperPart) -> QueuePart:
    if scraper.report is None or scraper.report.queue is None:
        reason = scraper.reason or "Il servizio di raccolta non riporta la sua coda."
        return QueuePart(name=SCRAPER_QUEUE_NAME, available=False, reason=reason)
    return QueuePart(name=SCRAPER_QUEUE_NAME, stats=scraper.report.queue)


async def _database(session: AsyncSession) -> DatabasePart:
    return DatabasePart(bytes=await database_size(session))


# One measurement per storage (its description) per process: (monotonic time, usage, when).
_measured: dict[str, tuple[float, StorageUsage, datetime]] = {}


async def _storage(storage: Storage) -> StoragePart:
    kept = _measured.get(storage.description)
    if kept is None or time.monotonic() - kept[0] > STORAGE_MEASURE_SECONDS:
        kept = (time.monotonic(), await storage.usage(), datetime.now(UTC))
        _measured[storage.description] = kept
    _, usage, at = kept
    return StoragePart(
        kind=usage.kind, objects=usage.objects, bytes=usage.bytes, complete=usage.complete, measured_at=at
    )


def forget_storage_measure() -> None:
    """The next figures measure the storage again (a test that adds objects)."""
    _measured.clear()


async def instance_metrics(session: AsyncSession, sources: MetricsSources) -> InstanceMetrics:
    """Every part read side by side, each within ``PART_TIMEOUT_SECONDS`` (the database's on the
    request's session, the only part that uses it)."""
    requests, main_queue, health, scraper, database, storage = await asyncio.gather(
        _part(lambda: _requests(sources), lambda r: RequestsPart(available=False, reason=r), "Richieste"),
        _part(
            lambda: _main_queue(sources),
            lambda r: QueuePart(name=QUEUE_NAME, available=False, reason=r),
            "Coda dei lavori",
        ),
        _part(
            lambda: _health_part(sources),
            lambda r: _HealthPart(available=False, reason=r),
            "Servizio AI",
        ),
        _part(
            lambda: _scraper(sources),
            lambda r: ScraperPart(available=False, reason=r),
            "Servizio di raccolta",
        ),
        _part(lambda: _database(session), lambda r: DatabasePart(available=False, reason=r), "Database"),
        _part(
            lambda: _storage(sources.storage), lambda r: StoragePart(available=False, reason=r), "Archivio"
        ),
    )
    report = health.report if health.available else {"status": "unavailable", "detail": health.reason}
    ai = _ai(report)
    if not health.available:
        ai = AIPart(available=False, reason=health.reason, status="unavailable")
    return InstanceMetrics(
        generated_at=datetime.now(UTC),
        requests=requests,
        queues=[main_queue, _scraper_queue(scraper)],
        analysis_cache=_cache(report),
        ai=ai,
        scraper=scraper,
        database=database,
        storage=storage,
    )


async def prometheus_text(session: AsyncSession, sources: MetricsSources) -> str:
    """``instance_metrics`` in Prometheus's text format, with the last hour's latency histogram."""
    from vinted_optimizer.admin import prometheus

    metrics = await instance_metrics(session, sources)
    hour: Window | None = None
    if metrics.requests.available:  # Redis answered a moment ago; the counts are flushed already
        try:
            (hour,) = await asyncio.wait_for(read_windows(sources.redis, (60,)), PART_TIMEOUT_SECONDS)
        except Exception as error:  # noqa: BLE001 - the rest of the figures still answer
            log.warning("admin.prometheus_window_unavailable", error=type(error).__name__)
    return prometheus.render(metrics, hour)
