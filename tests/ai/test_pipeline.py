"""AIService.analyze: what it sends, the cache (hit without a model call, TTL), multi-photo merge."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from decimal import Decimal

import duckdb
import pytest

from tests.ai.factories import closed_url, jpeg
from tests.fakes.ollama import ANSWER_CLEAN, ANSWER_GARBAGE, FakeOllama, Reply
from vinted_optimizer.ai.cache import image_hash
from vinted_optimizer.ai.errors import AIInvalidInput, AIModelMissing, AIUnavailable
from vinted_optimizer.ai.pipeline import AIService
from vinted_optimizer.ai.prompts import VISION_SCHEMA
from vinted_optimizer.config import Settings

GENERATE = "/api/generate"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def service(ai_settings: Settings, clock: Clock) -> AsyncIterator[AIService]:
    service = AIService(ai_settings, clock=clock)
    yield service
    await service.aclose()


def answer(**fields: object) -> Reply:
    return Reply(text=json.dumps(fields, ensure_ascii=False))


async def test_analyze_sends_the_photo_prompt_schema_and_options(
    service: AIService, fake_ollama: FakeOllama
) -> None:
    result = await service.analyze([jpeg()])
    assert result.category == "Donna > Abbigliamento > Capispalla > Giacche > Giacche di jeans"
    assert result.cached is False and result.images_analysed == 1
    assert result.image_hash == image_hash([jpeg()])
    assert result.model == "moondream"
    sent = fake_ollama.last(GENERATE)
    assert sent["model"] == "moondream"
    assert sent["options"] == {"temperature": 0.1, "num_predict": 500}
    assert len(sent["images"]) == 1
    assert sent["format"] == VISION_SCHEMA and sent["format"]["type"] == "object"
    assert "Vinted" in sent["prompt"] and "JSON" in sent["prompt"]


async def test_cache_hit_does_not_call_the_model_again(service: AIService, fake_ollama: FakeOllama) -> None:
    photos = [jpeg((10, 10, 10)), jpeg((250, 250, 250))]
    first = await service.analyze(photos)
    calls = fake_ollama.calls[GENERATE]
    assert calls == 2
    second = await service.analyze(photos)
    assert second.cached is True
    assert fake_ollama.calls[GENERATE] == calls
    assert second.model_dump(exclude={"cached"}) == first.model_dump(exclude={"cached"})


async def test_cache_survives_a_restart(
    make_ai_settings: Callable[..., Settings], fake_ollama: FakeOllama
) -> None:
    settings = make_ai_settings()
    first = AIService(settings)
    await first.analyze([jpeg()])
    await first.aclose()
    second = AIService(settings)
    try:
        assert (await second.analyze([jpeg()])).cached is True
    finally:
        await second.aclose()
    assert fake_ollama.calls[GENERATE] == 1


async def test_expired_entries_are_ignored_and_purged(
    service: AIService, fake_ollama: FakeOllama, clock: Clock, ai_settings: Settings
) -> None:
    await service.analyze([jpeg()])
    clock.now += 24 * 3600 - 1
    assert (await service.analyze([jpeg()])).cached is True
    clock.now += 2
    assert (await service.analyze([jpeg()])).cached is False
    assert fake_ollama.calls[GENERATE] == 2
    # Another photo's fresh entry sweeps the stale ones: only rows younger than the TTL remain.
    clock.now += 25 * 3600
    await service.analyze([jpeg((0, 200, 0))])
    await service.aclose()
    with duckdb.connect(str(ai_settings.data_dir / "ai" / "cache.duckdb"), read_only=True) as db:
        assert db.execute("SELECT count(*) FROM analysis_cache").fetchone() == (1,)


async def test_another_vision_model_does_not_reuse_the_cache(
    make_ai_settings: Callable[..., Settings], fake_ollama: FakeOllama
) -> None:
    fake_ollama.models.add("qwen2.5vl:latest")
    for model in ("moondream", "qwen2.5vl"):
        service = AIService(make_ai_settings(ollama_vision_model=model))
        try:
            assert (await service.analyze([jpeg()])).cached is False
        finally:
            await service.aclose()
    assert [r["model"] for r in fake_ollama.requests[GENERATE]] == ["moondream", "qwen2.5vl"]


async def test_multi_photo_merge(service: AIService, fake_ollama: FakeOllama) -> None:
    fake_ollama.script(
        GENERATE,
        answer(
            title="Giacca di jeans",
            category="giacca di jeans donna",
            condition="Ottime condizioni",
            description="Giacca di jeans blu.",
            price_min=20,
            price_max=30,
            colors=["Blu"],
            tags=["jeans", "giacca"],
            brand=None,
        ),
        answer(
            title="Etichetta Levi's",
            category="etichetta",
            brand="Levi's",
            condition="Buone condizioni",
            price_min=25,
            price_max=40,
            colors=["Bianco"],
            tags=["levis"],
        ),
        answer(
            title="Giacca jeans donna",
            category="giubbotto di jeans",
            brand="levi's",
            condition="Buone condizioni",
            price_min=22,
            price_max=80,
            colors=["blu"],
            tags=["denim"],
        ),
    )
    result = await service.analyze([jpeg((0, 0, 200)), jpeg((255, 255, 255)), jpeg((0, 0, 150))])
    assert fake_ollama.calls[GENERATE] == 3
    assert all(len(request["images"]) == 1 for request in fake_ollama.requests[GENERATE])
    assert result.images_analysed == 3
    # 2 of 3 agree
    assert result.category == "Donna > Abbigliamento > Capispalla > Giacche > Giacche di jeans"
    assert result.brand is not None and result.brand.casefold() == "levi's"
    assert result.condition == "good"  # two "good" against one "very good"
    assert result.colors[0] == "Blu" and "Bianco" in result.colors
    assert set(result.tags) == {"jeans", "giacca", "levis", "denim"}
    assert result.suggested_price is not None
    assert (result.suggested_price.min, result.suggested_price.max) == (Decimal("22.00"), Decimal("40.00"))
    assert result.description == "Giacca di jeans blu."
    assert 0 < result.confidence < 1


async def test_only_the_first_ai_max_images_photos_are_sent(
    make_ai_settings: Callable[..., Settings], fake_ollama: FakeOllama
) -> None:
    photos = [jpeg((i * 40, 0, 0)) for i in range(4)]
    service = AIService(make_ai_settings(ai_max_images=2))
    try:
        result = await service.analyze(photos)
    finally:
        await service.aclose()
    assert result.images_analysed == 2 and fake_ollama.calls[GENERATE] == 2
    assert result.image_hash == image_hash(photos[:2])


async def test_a_later_photo_failing_gives_a_partial_uncached_result(
    service: AIService, fake_ollama: FakeOllama
) -> None:
    fake_ollama.script(GENERATE, Reply(text=ANSWER_CLEAN), *[Reply(status=503, error="busy")] * 2)
    photos = [jpeg((1, 2, 3)), jpeg((4, 5, 6))]
    partial = await service.analyze(photos)
    assert partial.images_analysed == 1 and partial.category == "Casa > Stoviglie > Piatti e servizi > Piatti"
    full = await service.analyze(photos)  # not served from the cache
    assert full.cached is False and full.images_analysed == 2


async def test_first_photo_failing_raises(service: AIService, fake_ollama: FakeOllama) -> None:
    fake_ollama.script(GENERATE, *[Reply(status=500, error="boom")] * 2)
    with pytest.raises(AIUnavailable):
        await service.analyze([jpeg(), jpeg((9, 9, 9))])
    assert fake_ollama.calls[GENERATE] == 2  # one photo, two attempts; the second photo is not tried


async def test_model_missing_propagates(service: AIService, fake_ollama: FakeOllama) -> None:
    fake_ollama.models.clear()
    with pytest.raises(AIModelMissing, match="ollama pull moondream"):
        await service.analyze([jpeg()])


async def test_garbage_is_returned_but_not_cached(service: AIService, fake_ollama: FakeOllama) -> None:
    fake_ollama.default_reply = Reply(text=ANSWER_GARBAGE)
    assert (await service.analyze([jpeg()])).confidence == 0
    assert (await service.analyze([jpeg()])).cached is False
    assert fake_ollama.calls[GENERATE] == 2


async def test_invalid_input(service: AIService, fake_ollama: FakeOllama) -> None:
    with pytest.raises(AIInvalidInput):
        await service.analyze([])
    with pytest.raises(AIInvalidInput):
        await service.analyze([b"\x89PNG\r\n\x1a\n not a jpeg"])
    assert fake_ollama.calls[GENERATE] == 0


async def test_without_ollama_configured(make_ai_settings: Callable[..., Settings]) -> None:
    service = AIService(make_ai_settings(ollama_url=None))
    try:
        with pytest.raises(AIUnavailable, match="non è configurato"):
            await service.analyze([jpeg()])
        health = await service.health()
    finally:
        await service.aclose()
    assert health["status"] == "degraded" and health["ollama"]["configured"] is False
    assert health["embedder"]["in_use"] == "use-multilingual-v3-q-onnx"


async def test_health(service: AIService, fake_ollama: FakeOllama) -> None:
    health = await service.health()
    assert health["status"] == "ok"
    assert health["ollama"] == {"configured": True, "reachable": True, "version": "0.12.3"}
    assert health["vision_model"] == {"name": "moondream", "present": True}
    assert health["embedder"]["in_use"] == "nomic-embed-text:v1.5"
    assert health["embedder"]["dimensions"] == 512
    fake_ollama.models = {"moondream:latest"}
    health = await service.health()
    assert health["embedder"]["in_use"] == "use-multilingual-v3-q-onnx"  # the 404 fallback will answer
    fake_ollama.models = set()
    assert (await service.health())["status"] == "degraded"


async def test_health_when_ollama_is_off(make_ai_settings: Callable[..., Settings]) -> None:
    service = AIService(make_ai_settings(ollama_url=closed_url()))
    try:
        health = await service.health()
    finally:
        await service.aclose()
    assert health["status"] == "degraded"
    assert health["ollama"]["reachable"] is False
    assert "127.0.0.1" not in json.dumps(health)
