"""The API's view of the AI: HttpAIClient → standalone service (loopback) → fake Ollama; and the factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from decimal import Decimal

import httpx
import pytest

from tests.ai.factories import SERVICE_TOKEN, closed_url, jpeg
from tests.ai.label_photos import LabelSpec, label_photo
from tests.fakes.ollama import FakeOllama
from tests.fakes.server import serve_in_thread
from vinted_optimizer.ai.app import create_ai_app
from vinted_optimizer.ai.client import AIClient, HttpAIClient, InProcessAIClient, create_ai_client
from vinted_optimizer.ai.errors import AIInvalidInput, AIModelMissing, AIServiceUnauthorized, AIUnavailable
from vinted_optimizer.ai.schemas import AnalyzeResult
from vinted_optimizer.config import Settings


def _serve(settings: Settings) -> Iterator[str]:
    with serve_in_thread(create_ai_app(settings), lifespan=True) as url:
        yield url


@pytest.fixture
def service_url(ai_settings: Settings) -> Iterator[str]:
    yield from _serve(ai_settings)


@pytest.fixture
async def http_client(service_url: str) -> AsyncIterator[HttpAIClient]:
    client = HttpAIClient(service_url, SERVICE_TOKEN, timeout=10)
    yield client
    await client.aclose()


async def test_analyze_embed_and_health_over_http(http_client: HttpAIClient, fake_ollama: FakeOllama) -> None:
    photos = [jpeg(), jpeg((200, 200, 0))]
    result = await http_client.analyze(photos)
    assert isinstance(result, AnalyzeResult)
    assert result.category_id == 1079 and result.images_analysed == 2 and not result.cached
    assert result.suggested_price is not None and result.suggested_price.min == Decimal("25.00")
    again = await http_client.analyze(photos)
    assert again.cached is True
    assert fake_ollama.calls["/api/generate"] == 2  # two photos once; the repeat came from the cache

    embedded = await http_client.embed(["Giacca di jeans"], kind="query")
    assert embedded.model == "nomic-embed-text:v1.5" and len(embedded.vectors[0]) == 512
    assert fake_ollama.last("/api/embed")["input"] == ["search_query: Giacca di jeans"]

    health = await http_client.health()
    assert health["status"] == "ok" and health["vision_model"]["present"] is True


async def test_wrong_token_is_a_clear_error(service_url: str) -> None:
    client = HttpAIClient(service_url, "not-the-token", timeout=10)
    try:
        with pytest.raises(AIServiceUnauthorized) as raised:
            await client.embed(["ciao"])
    finally:
        await client.aclose()
    assert raised.value.status_code == 502  # never a 401 that would sign the user out


async def test_model_missing_comes_back_as_model_missing(
    http_client: HttpAIClient, fake_ollama: FakeOllama
) -> None:
    fake_ollama.models.clear()
    with pytest.raises(AIModelMissing) as raised:
        await http_client.analyze([jpeg()])
    assert raised.value.model == "moondream"
    assert "ollama pull moondream" in raised.value.detail


async def test_invalid_input_comes_back_as_invalid_input(http_client: HttpAIClient) -> None:
    with pytest.raises(AIInvalidInput):
        await http_client.analyze([b"not a jpeg"])
    with pytest.raises(AIInvalidInput):
        await http_client.analyze([])


async def test_ollama_down_behind_the_service(make_ai_settings: Callable[..., Settings]) -> None:
    for url in _serve(make_ai_settings(ollama_url=closed_url())):
        client = HttpAIClient(url, SERVICE_TOKEN, timeout=10)
        try:
            with pytest.raises(AIUnavailable) as raised:
                await client.analyze([jpeg()])
            assert int(raised.value.headers["Retry-After"]) > 0
        finally:
            await client.aclose()


async def test_service_unreachable() -> None:
    client = HttpAIClient(closed_url(), SERVICE_TOKEN, timeout=2)
    try:
        with pytest.raises(AIUnavailable, match="raggiungibile"):
            await client.embed(["ciao"])
        assert (await client.health())["status"] == "unavailable"
    finally:
        await client.aclose()


async def test_factory_picks_http_or_in_process(make_ai_settings: Callable[..., Settings]) -> None:
    remote = create_ai_client(make_ai_settings(ai_service_url="http://home.example:8001"))
    local = create_ai_client(make_ai_settings())
    try:
        assert isinstance(remote, HttpAIClient) and isinstance(local, InProcessAIClient)
        assert isinstance(remote, AIClient) and isinstance(local, AIClient)
    finally:
        await remote.aclose()
        await local.aclose()


async def test_in_process_client(ai_settings: Settings, fake_ollama: FakeOllama) -> None:
    client = InProcessAIClient(ai_settings)
    try:
        result = await client.analyze([jpeg()])
        assert result.category_id == 1079
        assert (await client.embed(["ciao"])).dimensions == 512
        assert (await client.health())["status"] == "ok"
    finally:
        await client.aclose()


async def test_known_brands_travel_to_the_service_and_read_the_label(http_client: HttpAIClient) -> None:
    tag = label_photo(LabelSpec(("SARTORIA ROSSI", "TAGLIA 46")), seed=2)
    result = await http_client.analyze([tag], ["Sartoria Rossi"])
    assert result.brand == "Sartoria Rossi" and result.sources["brand"] == "label"
    assert result.size == "46" and result.sources["size"] == "label"


@pytest.mark.parametrize("body", [b'{"risposta": [1, "\xff"}!!', b'{"vectors": "no"}', b"[]"])
async def test_a_service_answering_garbage_is_unavailable_in_its_own_words(body: bytes) -> None:
    """The analysis stays pending and is tried again (AIUnavailable), with words that say the service
    answered wrongly: not the decoding error escaping the job, not "non è raggiungibile"."""
    from vinted_optimizer.ai.client import INVALID_ANSWER

    transport = httpx.MockTransport(
        lambda _request: httpx.Response(200, content=body, headers={"content-type": "application/json"})
    )
    client = HttpAIClient("http://home.test", SERVICE_TOKEN, timeout=5, transport=transport)
    try:
        with pytest.raises(AIUnavailable) as analysed:
            await client.analyze([jpeg()])
        with pytest.raises(AIUnavailable) as embedded:
            await client.embed(["Giacca di jeans"])
    finally:
        await client.aclose()
    assert analysed.value.detail == embedded.value.detail == INVALID_ANSWER
