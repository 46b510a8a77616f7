from __future__ import annotations

import asyncio
import dataclasses

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.server import free_port, serve_in_thread
from vinted_optimizer.app import create_app
from vinted_optimizer.kit.redis import create_redis


async def test_liveness_is_cheap_and_public(client):
    response = await client.get("/api/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


async def test_deep_health_reports_every_component(client):
    response = await client.get("/api/health/deep")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["components"]["database"]["status"] == "ok"
    assert body["components"]["redis"]["status"] == "ok"
    for name in ("ollama", "ai_service", "scraper_service"):
        assert body["components"][name]["status"] == "not_configured"


async def test_deep_health_is_503_when_redis_is_down(settings, resources):
    dead = create_redis("unix:///tmp/vo-no-such-redis.sock")
    app = create_app(settings, resources=dataclasses.replace(resources, redis=dead))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://t") as client:
        response = await client.get("/api/health/deep")
    await dead.aclose()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["components"]["redis"]["status"] == "unavailable"
    assert body["components"]["database"]["status"] == "ok"


@pytest.fixture
def slow_and_dead_services():
    """A fake Ollama that never answers in time, and a port where nothing listens."""

    async def slow(request):
        await asyncio.sleep(1.5)
        return JSONResponse({"models": []})

    with serve_in_thread(Starlette(routes=[Route("/api/tags", slow)])) as url:
        yield url, f"http://127.0.0.1:{free_port()}"


async def test_external_dependencies_down_degrade_but_core_stays_200(
    settings, resources, slow_and_dead_services
):
    slow_url, dead_url = slow_and_dead_services
    configured = settings.model_copy(
        update={"ollama_url": slow_url, "ai_service_url": dead_url, "health_timeout_seconds": 0.3}
    )
    app = create_app(configured, resources=dataclasses.replace(resources, settings=configured))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://t") as client:
        response = await client.get("/api/health/deep")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["components"]["ollama"] == {"status": "unavailable", "latency_ms": 300.0, "detail": "timeout"}
    assert body["components"]["ai_service"]["status"] == "unavailable"
    assert body["components"]["scraper_service"]["status"] == "not_configured"
