"""The standalone AI service: token check, uploads, errors as {"error", "detail"}, health."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from tests.ai.factories import SERVICE_TOKEN, closed_url, jpeg
from tests.fakes.ollama import FakeOllama
from vinted_optimizer.ai.app import create_ai_app
from vinted_optimizer.config import Environment, Settings

AUTH = {"X-Service-Token": SERVICE_TOKEN}


async def _client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_ai_app(settings)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://ai.test") as client:
            yield client
    finally:
        await app.state.ai_service.aclose()


@pytest.fixture
async def client(ai_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client_for(ai_settings):
        yield client


def _files(*images: bytes) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (f"{i}.jpg", image, "image/jpeg")) for i, image in enumerate(images)]


@pytest.mark.parametrize("headers", [{}, {"X-Service-Token": "wrong"}, {"X-Service-Token": ""}])
async def test_protected_endpoints_need_the_token(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    for response in (
        await client.post("/embed", json={"texts": ["ciao"]}, headers=headers),
        await client.post("/analyze", files=_files(jpeg()), headers=headers),
    ):
        assert response.status_code == 401
        body = response.json()
        assert body["error"] == "unauthorized" and body["detail"]


async def test_right_token_is_accepted(client: httpx.AsyncClient, fake_ollama: FakeOllama) -> None:
    response = await client.post("/embed", json={"texts": ["ciao"], "kind": "query"}, headers=AUTH)
    assert response.status_code == 200
    assert response.json()["model"] == "nomic-embed-text:v1.5"
    response = await client.post("/analyze", files=_files(jpeg(), jpeg((1, 1, 1))), headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert body["images_analysed"] == 2 and body["cached"] is False
    assert body["suggested_price"] == {"min": "25.00", "max": "35.00"}


async def test_health_needs_no_token_and_leaks_nothing(
    client: httpx.AsyncClient, ai_settings: Settings
) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    text = response.text
    assert SERVICE_TOKEN not in text
    assert str(ai_settings.ollama_url) not in text and "127.0.0.1" not in text


async def test_health_counts_the_analysis_cache_hits(client: httpx.AsyncClient) -> None:
    """What GET /admin/metrics shows as the cache's hit rate, through the HTTP transport's /health."""
    cache = (await client.get("/health")).json()["cache"]
    assert (cache["hits"], cache["misses"], cache["hit_rate"]) == (0, 0, None)
    photo = _files(jpeg((7, 8, 9)))
    assert (await client.post("/analyze", files=photo, headers=AUTH)).json()["cached"] is False
    assert (await client.post("/analyze", files=photo, headers=AUTH)).json()["cached"] is True
    cache = (await client.get("/health")).json()["cache"]
    assert (cache["hits"], cache["misses"], cache["hit_rate"]) == (1, 1, 0.5)


async def test_upload_validation(client: httpx.AsyncClient) -> None:
    assert (await client.post("/analyze", headers=AUTH)).status_code == 422
    response = await client.post("/analyze", files=_files(*[jpeg()] * 9), headers=AUTH)
    assert response.status_code == 422 and response.json()["error"] == "ai_invalid_input"
    response = await client.post("/analyze", files=_files(b"GIF89a not a jpeg"), headers=AUTH)
    assert response.status_code == 422
    big = b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024)
    response = await client.post("/analyze", files=_files(big), headers=AUTH)
    assert response.status_code == 413 and response.json()["error"] == "payload_too_large"
    response = await client.post("/embed", json={"texts": []}, headers=AUTH)
    assert response.status_code == 422 and response.json()["error"] == "validation_error"


async def test_ollama_down_is_503_with_retry_after(make_ai_settings: Callable[..., Settings]) -> None:
    async for client in _client_for(make_ai_settings(ollama_url=closed_url())):
        response = await client.post("/analyze", files=_files(jpeg()), headers=AUTH)
        assert response.status_code == 503
        assert response.json()["error"] == "ai_unavailable"
        assert int(response.headers["Retry-After"]) > 0


async def test_missing_model_names_it(client: httpx.AsyncClient, fake_ollama: FakeOllama) -> None:
    fake_ollama.models.clear()
    response = await client.post("/analyze", files=_files(jpeg()), headers=AUTH)
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "ai_model_missing" and body["model"] == "moondream"
    assert "ollama pull moondream" in body["detail"]


def _unvalidated(
    make_ai_settings: Callable[..., Settings], environment: Environment, token: str | None
) -> Settings:
    """Settings the validator would refuse, to show the app's own guard holds too."""
    built = make_ai_settings(environment=Environment.development)
    return built.model_copy(
        update={"environment": environment, "service_token": SecretStr(token) if token is not None else None}
    )


def test_production_refuses_to_start_without_a_token(make_ai_settings: Callable[..., Settings]) -> None:
    with pytest.raises(RuntimeError, match="VO_SERVICE_TOKEN"):
        create_ai_app(_unvalidated(make_ai_settings, Environment.production, None))


def test_only_development_starts_without_a_token(make_ai_settings: Callable[..., Settings]) -> None:
    with pytest.raises(RuntimeError, match="outside development"):
        create_ai_app(_unvalidated(make_ai_settings, Environment.test, None))
    with pytest.raises(ValidationError, match="VO_SERVICE_TOKEN"):
        make_ai_settings(service_token=None)  # the settings refuse it first


async def test_development_without_a_token_accepts_everyone(
    make_ai_settings: Callable[..., Settings],
) -> None:
    settings = make_ai_settings(service_token=None, environment=Environment.development)
    async for client in _client_for(settings):
        response = await client.post("/embed", json={"texts": ["ciao"]})
        assert response.status_code == 200


async def test_an_empty_token_counts_as_none(make_ai_settings: Callable[..., Settings]) -> None:
    with pytest.raises(RuntimeError):
        create_ai_app(_unvalidated(make_ai_settings, Environment.production, ""))


def test_openapi_has_stable_operation_ids(ai_settings: Settings) -> None:
    app = create_ai_app(ai_settings)
    paths = json.loads(json.dumps(app.openapi()))["paths"]
    assert paths["/analyze"]["post"]["operationId"] == "ai:analyze"
    assert paths["/embed"]["post"]["operationId"] == "ai:embed"
    assert paths["/health"]["get"]["operationId"] == "ai:health"
