"""Health as platforms expect it: liveness (the process can serve: restart it when not), readiness
(PostgreSQL and Redis answer: send it traffic), and a deep report of every dependency.

A process is not alive when something it supervises has given up for good (``app.state.fatal``, set by
``serve`` when an embedded server cannot be restarted). A dependency that is down only makes it not
ready: ``serve`` restarts its embedded servers, and the clients reconnect by themselves.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable
from typing import Literal

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import text

from vinted_optimizer import __version__
from vinted_optimizer.resources import Res, Resources
from vinted_optimizer.scraper.schemas import PacingReport

router = APIRouter(prefix="/api", tags=["health"])

ComponentState = Literal["ok", "unavailable", "not_configured"]
Overall = Literal["ok", "degraded", "down"]


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class Failing(BaseModel):
    status: Literal["failing", "not_ready"]
    version: str
    detail: str


class ComponentHealth(BaseModel):
    status: ComponentState
    latency_ms: float | None = None
    detail: str | None = None


class DeepHealth(BaseModel):
    status: Overall
    version: str
    components: dict[str, ComponentHealth]
    # The Vinted pacing gate: budgets left, hourly counts, a cool-down (until, why), the last "Vinted
    # changed" endpoint.
    scraper: PacingReport | None = None


READY_RETRY_AFTER = "5"


@router.get(
    "/health",
    operation_id="health:live",
    response_model=Health,
    responses={
        503: {"model": Failing, "description": "Something this process supervises gave up: restart it"}
    },
    summary="Liveness: the process can serve (restart it on 503)",
)
async def health(request: Request) -> Response:
    fatal: list[str] = getattr(request.app.state, "fatal", [])
    if fatal:
        body = Failing(status="failing", version=__version__, detail="; ".join(fatal)[:300])
        return JSONResponse(body.model_dump(), status_code=503)
    return JSONResponse(Health(status="ok", version=__version__).model_dump())


@router.get(
    "/health/ready",
    operation_id="health:ready",
    response_model=Health,
    responses={503: {"model": Failing, "description": "PostgreSQL or Redis does not answer yet"}},
    summary="Readiness: PostgreSQL and Redis answer (send traffic only on 200)",
)
async def ready(resources: Res) -> Response:
    timeout = resources.settings.health_timeout_seconds
    results = await asyncio.gather(
        asyncio.wait_for(_timed(functools.partial(_check_database, resources)), timeout=timeout),
        asyncio.wait_for(_timed(resources.redis.ping), timeout=timeout),
        return_exceptions=True,
    )
    down = [
        name
        for name, result in zip(("database", "redis"), results, strict=True)
        if not isinstance(result, ComponentHealth) or result.status != "ok"
    ]
    if down:
        body = Failing(status="not_ready", version=__version__, detail=f"non risponde: {', '.join(down)}")
        return JSONResponse(body.model_dump(), status_code=503, headers={"Retry-After": READY_RETRY_AFTER})
    return JSONResponse(Health(status="ok", version=__version__).model_dump())


Check = Callable[[], Awaitable[object]]


async def _timed(check: Check) -> ComponentHealth:
    started = time.perf_counter()
    try:
        await check()
    except Exception as error:  # noqa: BLE001 - any failure means "unavailable", reported by type only
        return ComponentHealth(
            status="unavailable",
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            detail=type(error).__name__,
        )
    return ComponentHealth(status="ok", latency_ms=round((time.perf_counter() - started) * 1000, 1))


async def _check_database(resources: Resources) -> None:
    async with resources.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def _check_http(url: str, timeout_seconds: float) -> None:
    async with httpx.AsyncClient(timeout=timeout_seconds) as client:
        response = await client.get(url)
        if response.status_code >= 500:
            raise httpx.HTTPStatusError("server error", request=response.request, response=response)


async def _ai_health(resources: Resources, limit_seconds: float) -> ComponentHealth:
    """The AI (Ollama through the in-process service, or the home AI service through the tunnel).
    Down means listing drafts wait as "pending": the core keeps working, so this never makes a 503."""
    started = time.perf_counter()
    try:
        report = await asyncio.wait_for(resources.ai.health(), timeout=limit_seconds + 1)
    except Exception as error:  # noqa: BLE001 - reported, never raised
        report = {"status": "unavailable", "detail": type(error).__name__}
    latency = round((time.perf_counter() - started) * 1000, 1)
    if report.get("status") == "ok":
        return ComponentHealth(status="ok", latency_ms=latency)
    ollama = report.get("ollama") or {}
    vision = report.get("vision_model") or {}
    if ollama.get("reachable") and vision.get("present") is False:
        detail = f"modello {vision.get('name')} non installato in Ollama"
    else:
        detail = ollama.get("detail") or report.get("detail") or "Ollama non risponde"
    return ComponentHealth(status="unavailable", latency_ms=latency, detail=str(detail)[:200])


async def _scraper_health(resources: Resources, limit_seconds: float) -> tuple[ComponentHealth, PacingReport]:
    """The scraper and its pacing gate (in-process: read from Redis; standalone: its /status through the
    tunnel). A cool-down is not a failure of ours: the component stays "ok" and says until when."""
    started = time.perf_counter()
    try:
        report = await asyncio.wait_for(resources.scraper.status(), timeout=limit_seconds)
    except TimeoutError:
        report = PacingReport(status="unavailable", detail="timeout")
    except Exception as error:  # noqa: BLE001 - reported, never raised
        report = PacingReport(status="unavailable", detail=type(error).__name__)
    latency = round((time.perf_counter() - started) * 1000, 1)
    if report.status == "unavailable":
        detail = report.detail or "il servizio non risponde"
        if detail == "timeout":
            latency = limit_seconds * 1000
        return ComponentHealth(status="unavailable", latency_ms=latency, detail=detail), report
    if report.status == "cooling_down" and report.cooldown_until is not None:
        until = report.cooldown_until.isoformat(timespec="minutes")
        detail = f"richieste a Vinted sospese fino a {until}"
        return ComponentHealth(status="ok", latency_ms=latency, detail=detail), report
    return ComponentHealth(status="ok", latency_ms=latency), report


@router.get(
    "/health/deep",
    operation_id="health:deep",
    response_model=DeepHealth,
    responses={503: {"model": DeepHealth, "description": "The database or Redis is unavailable"}},
)
async def deep_health(resources: Res) -> JSONResponse:
    settings = resources.settings
    timeout = settings.health_timeout_seconds

    async def bounded(check: Check) -> ComponentHealth:
        try:
            return await asyncio.wait_for(_timed(check), timeout=timeout)
        except TimeoutError:
            return ComponentHealth(status="unavailable", latency_ms=timeout * 1000, detail="timeout")

    checks: dict[str, Check] = {
        "database": lambda: _check_database(resources),
        "redis": lambda: resources.redis.ping(),
    }
    external: dict[str, str | None] = {}
    names = list(checks)
    results, pacing = await asyncio.gather(
        asyncio.gather(*(bounded(checks[name]) for name in names), _ai_health(resources, timeout)),
        _scraper_health(resources, timeout),
    )
    components = dict(zip([*names, "ai"], results, strict=True))
    components["scraper_service"], scraper = pacing
    configured = {name: url for name, url in external.items() if url}
    external_results = await asyncio.gather(
        *(bounded(functools.partial(_check_http, url, timeout)) for url in configured.values())
    )
    components.update(dict(zip(configured, external_results, strict=True)))
    for name in external:
        components.setdefault(name, ComponentHealth(status="not_configured"))

    core_ok = all(components[name].status == "ok" for name in checks)
    others_ok = all(components[name].status != "unavailable" for name in [*external, "ai", "scraper_service"])
    overall: Overall = "ok" if core_ok and others_ok else ("degraded" if core_ok else "down")
    body = DeepHealth(status=overall, version=__version__, components=components, scraper=scraper)
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if core_ok else 503)
