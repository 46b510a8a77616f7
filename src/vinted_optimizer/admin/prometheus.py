"""The instance's figures (``service.instance_metrics``) in Prometheus's text exposition format (0.0.4).

Every figure is a gauge of the moment it is read, since it comes from what the processes share in Redis
and from the home services, not from counters of this process: the request figures cover the last
5 and 60 minutes of every API process (``window`` label); the latency histogram is the last 60 minutes'
(read it as it is, not with ``rate()``); the queues' job counts are those of the live workers since each
started. A part that could not be read has ``vo_part_up{part=…} 0`` and none of its figures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from vinted_optimizer.admin.schemas import InstanceMetrics
from vinted_optimizer.kit.metrics import BOUNDS_SECONDS, Window

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

Labels = dict[str, str]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


class _Family:
    def __init__(self, name: str, kind: str, help_text: str) -> None:
        self.name = name
        self.kind = kind
        self.help = help_text
        self.samples: list[tuple[str, Labels, float]] = []

    def add(
        self, value: float | int | bool | None, labels: Labels | None = None, *, suffix: str = ""
    ) -> None:
        if value is None:
            return
        self.samples.append((self.name + suffix, labels or {}, float(value)))

    def lines(self) -> Iterable[str]:
        if not self.samples:
            return
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} {self.kind}"
        for name, labels, value in self.samples:
            text = ",".join(f'{key}="{_escape(val)}"' for key, val in labels.items())
            yield f"{name}{{{text}}} {_number(value)}" if text else f"{name} {_number(value)}"


def render(metrics: InstanceMetrics, hour: Window | None) -> str:
    """The exposition text of ``metrics``, with ``hour`` (the last 60 minutes) as the latency histogram."""
    up = _Family("vo_part_up", "gauge", "1 when the part of the figures could be read, else 0")
    rate = _Family("vo_http_requests_per_minute", "gauge", "Requests under /api a minute, every API process")
    requests = _Family("vo_http_requests", "gauge", "Requests under /api in the window")
    errors = _Family("vo_http_errors", "gauge", "Answers 4xx and 5xx under /api in the window")
    latency = _Family(
        "vo_http_request_latency_seconds", "gauge", "Latency quantiles in the window (from the histogram)"
    )
    histogram = _Family(
        "vo_http_request_duration_seconds",
        "histogram",
        "Latency of the requests under /api over the last 60 minutes (a window: read it, do not rate() it)",
    )
    queue_jobs = _Family("vo_queue_jobs", "gauge", "Jobs of a queue by state (queued, active, scheduled)")
    queue_workers = _Family("vo_queue_workers", "gauge", "Workers of a queue whose heartbeat is current")
    queue_done = _Family(
        "vo_queue_jobs_processed",
        "gauge",
        "Jobs the live workers finished since each started, by outcome (complete, failed, retried, aborted)",
    )
    cache = _Family("vo_ai_cache_lookups", "gauge", "The AI service's analysis cache since its start")
    cache_rate = _Family("vo_ai_cache_hit_ratio", "gauge", "Hits over lookups of the analysis cache, 0-1")
    ai_up = _Family("vo_ai_status", "gauge", "1 for the AI service's current status (ok, degraded, ...)")
    ollama = _Family("vo_ai_ollama_reachable", "gauge", "1 when the AI service reaches Ollama")
    vision = _Family("vo_ai_vision_model_present", "gauge", "1 when the vision model is pulled")
    cooling = _Family("vo_scraper_cooling_down", "gauge", "1 while Vinted's pacing gate is cooling down")
    scrapes = _Family("vo_scraper_queued_scrapes", "gauge", "Scrapes waiting in the scraper service")
    database = _Family("vo_database_size_bytes", "gauge", "Size of the PostgreSQL database")
    storage_bytes = _Family("vo_storage_size_bytes", "gauge", "Bytes of the stored objects (photos)")
    storage_objects = _Family("vo_storage_objects", "gauge", "Stored objects (photos and thumbnails)")

    up.add(metrics.requests.available, {"part": "requests"})
    for window in metrics.requests.windows:
        labels = {"window": f"{window.minutes}m"}
        rate.add(window.requests_per_minute, labels)
        requests.add(window.requests, labels)
        errors.add(window.client_errors, {**labels, "class": "4xx"})
        errors.add(window.server_errors, {**labels, "class": "5xx"})
        for quantile, value in (("0.5", window.p50_ms), ("0.95", window.p95_ms), ("0.99", window.p99_ms)):
            if value is not None:
                latency.add(value / 1000, {**labels, "quantile": quantile})
    if hour is not None:
        seen = 0
        for bound, count in zip((*BOUNDS_SECONDS, math.inf), hour.buckets, strict=True):
            seen += count
            histogram.add(seen, {"le": _number(bound)}, suffix="_bucket")
        histogram.add(hour.latency_seconds_sum, suffix="_sum")
        histogram.add(hour.requests, suffix="_count")

    for queue in metrics.queues:
        up.add(queue.available, {"part": f"queue:{queue.name}"})
        stats = queue.stats
        if stats is None:
            continue
        labels = {"queue": queue.name}
        for state in ("queued", "active", "scheduled"):
            queue_jobs.add(getattr(stats, state), {**labels, "state": state})
        queue_workers.add(stats.workers, labels)
        for outcome in ("complete", "failed", "retried", "aborted"):
            queue_done.add(getattr(stats, outcome), {**labels, "outcome": outcome})

    part = metrics.analysis_cache
    up.add(part.available, {"part": "analysis_cache"})
    cache.add(part.hits, {"result": "hit"})
    cache.add(part.misses, {"result": "miss"})
    cache_rate.add(part.hit_rate)

    ai = metrics.ai
    up.add(ai.available, {"part": "ai"})
    if ai.status:
        ai_up.add(1, {"status": ai.status})
    ollama.add(ai.ollama_reachable)
    vision.add(ai.vision_model_present)

    scraper = metrics.scraper
    up.add(scraper.available, {"part": "scraper"})
    if scraper.report is not None:
        cooling.add(scraper.report.status == "cooling_down")
        scrapes.add(scraper.report.queued_scrapes)

    up.add(metrics.database.available, {"part": "database"})
    database.add(metrics.database.bytes)
    up.add(metrics.storage.available, {"part": "storage"})
    storage_bytes.add(metrics.storage.bytes)
    storage_objects.add(metrics.storage.objects)

    families = (
        up, rate, requests, errors, latency, histogram, queue_jobs, queue_workers, queue_done, cache,
        cache_rate, ai_up, ollama, vision, cooling, scrapes, database, storage_bytes, storage_objects,
    )  # fmt: skip
    return "\n".join(line for family in families for line in family.lines()) + "\n"
