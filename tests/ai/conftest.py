"""The fake Ollama on a real loopback port (one per run, reset per test), and AI settings.

These tests never need PostgreSQL or Redis: they build ``Settings`` directly instead of using the
``settings`` fixture, which would start the embedded servers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from pydantic import SecretStr

from tests.ai.factories import SERVICE_TOKEN
from tests.fakes.ollama import FakeOllama
from vinted_optimizer.ai.pipeline import AIService
from vinted_optimizer.config import Environment, Settings


@pytest.fixture
def ollama_url(fake_ollama_server: tuple[FakeOllama, str], fake_ollama: FakeOllama) -> str:
    return fake_ollama_server[1]


@pytest.fixture
def make_ai_settings(tmp_path: Path, ollama_url: str) -> Callable[..., Settings]:
    def build(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "environment": Environment.test,
            "process": "ai-service",
            "data_dir": tmp_path,
            "ollama_url": ollama_url,
            "ollama_vision_model": "moondream",
            "ollama_embed_model": "nomic-embed-text:v1.5",
            "ollama_timeout_seconds": 5.0,
            "ai_cache_ttl_hours": 24.0,
            "ai_max_images": 3,
            "ai_service_url": None,
            "service_token": SecretStr(SERVICE_TOKEN),
            "health_timeout_seconds": 2.0,
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return build


@pytest.fixture
def ai_settings(make_ai_settings: Callable[..., Settings]) -> Settings:
    return make_ai_settings()


@pytest.fixture
async def service(ai_settings: Settings) -> AsyncIterator[AIService]:
    """The AI service itself (pipeline, OCR, cache), in-process, against the local Ollama stand-in."""
    service = AIService(ai_settings)
    yield service
    await service.aclose()
