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


@pytest.fixture
def settings_overrides(request, fake_ollama_server):
    """The fake Ollama answers unless a test asks for something else."""
    return {"ollama_url": fake_ollama_server[1], **getattr(request, "param", {})}


async def test_deep_health_reports_every_component(client):
    response = await client.get("/api/health/deep")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok", body
    assert body["components"]["database"]["status"] == "ok"
    assert body["components"]["redis"]["status"] == "ok"
    assert body["components"]["ai"]["status"] == "ok"
    # The scraper runs in this process: its pacing gate is read from Redis, with every budget full.
    assert body["components"]["scraper_service"]["status"] == "ok"
    scraper = body["scraper"]
    assert scraper["status"] == "ok" and scraper["cooldown_until"] is None and scraper["last_changed"] is None
    assert scraper["read"]["remaining"] == scraper["read"]["burst"] == 3
    assert scraper["read"]["hourly_count"] == 0 and scraper["read"]["hourly_remaining"] == 120
    assert scraper["write"]["hourly_cap"] == 40


async def test_deep_health_shows_the_scraper_cooling_down_and_what_vinted_changed(client, resources):
    gate = resources.scraper.service.gate
    await gate.acquire("read")
    until = await gate.challenge("datadome")
    await gate.changed("search", "items[0].price: expected an object")
    body = (await client.get("/api/health/deep")).json()
    assert body["status"] == "ok"  # Vinted asking us to wait is not a failure of ours
    assert "sospese" in body["components"]["scraper_service"]["detail"]
    scraper = body["scraper"]
    assert scraper["status"] == "cooling_down"
    assert (scraper["cooldown_reason"], scraper["cooldown_cause"]) == ("cooldown", "datadome")
    assert scraper["cooldown_until"].startswith(until.isoformat(timespec="seconds")[:16])
    assert scraper["read"]["hourly_count"] == 1 and scraper["read"]["remaining"] == 2
    assert scraper["last_changed"]["endpoint"] == "search"
    assert "price" in scraper["last_changed"]["detail"]


@pytest.mark.parametrize("settings_overrides", [{"ollama_url": "http://127.0.0.1:9"}], indirect=True)
async def test_ai_down_is_reported_but_the_core_stays_up(client):
    response = await client.get("/api/health/deep")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["components"]["ai"]["status"] == "unavailable"
    assert body["components"]["ai"]["detail"]


async def test_vision_model_not_pulled_is_reported(client, fake_ollama):
    fake_ollama.models = {"nomic-embed-text:v1.5"}
    body = (await client.get("/api/health/deep")).json()
    assert body["components"]["ai"] == {
        "status": "unavailable",
        "latency_ms": body["components"]["ai"]["latency_ms"],
        "detail": "modello moondream non installato in Ollama",
    }


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

    with serve_in_thread(Starlette(routes=[Route("/health", slow), Route("/status", slow)])) as url:
        yield url, f"http://127.0.0.1:{free_port()}"


async def test_a_slow_home_service_times_out_without_blocking(settings, resources, slow_and_dead_services):
    slow_url, _ = slow_and_dead_services
    configured = settings.model_copy(update={"scraper_service_url": slow_url, "health_timeout_seconds": 0.3})
    app = create_app(configured, resources=dataclasses.replace(resources, settings=configured))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://t") as client:
        response = await client.get("/api/health/deep")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["components"]["scraper_service"] == {
        "status": "unavailable",
        "latency_ms": 300.0,
        "detail": "timeout",
    }
