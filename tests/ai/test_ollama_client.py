"""The Ollama client against the fake over real loopback HTTP: answers, errors, retries, timeouts."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.ai.factories import closed_url, jpeg
from tests.fakes.ollama import ANSWER_TRUNCATED, FakeOllama, Reply
from vinted_optimizer.ai.errors import AIModelMissing, AIUnavailable
from vinted_optimizer.ai.ollama import OllamaClient

GENERATE = "/api/generate"


@pytest.fixture
async def client(ollama_url: str) -> AsyncIterator[OllamaClient]:
    client = OllamaClient(ollama_url, timeout_seconds=5, retry_wait_seconds=0.05)
    yield client
    await client.aclose()


@pytest.mark.parametrize("stream", [False, True])
async def test_generate_sends_plain_base64_and_returns_the_text(
    client: OllamaClient, fake_ollama: FakeOllama, stream: bool
) -> None:
    image = jpeg()
    result = await client.generate(
        "moondream",
        "Descrivi",
        [image],
        format={"type": "object"},
        options={"temperature": 0.1},
        stream=stream,
    )
    assert result.text == fake_ollama.default_reply.text
    assert result.done_reason == "stop" and not result.truncated
    assert result.eval_count and result.model == "moondream"
    sent = fake_ollama.last(GENERATE)
    assert base64.b64decode(sent["images"][0]) == image
    assert sent["stream"] is stream and sent["format"] == {"type": "object"}
    assert fake_ollama.calls[GENERATE] == 1


async def test_truncated_answer_reports_length(client: OllamaClient, fake_ollama: FakeOllama) -> None:
    fake_ollama.script(GENERATE, Reply(text=ANSWER_TRUNCATED, done_reason="length"))
    result = await client.generate("moondream", "Descrivi", stream=True)
    assert result.truncated and result.text == ANSWER_TRUNCATED


async def test_missing_model_is_not_retried(client: OllamaClient, fake_ollama: FakeOllama) -> None:
    fake_ollama.models.discard("moondream:latest")
    with pytest.raises(AIModelMissing) as raised:
        await client.generate("moondream", "Descrivi", stream=True)
    assert "ollama pull moondream" in raised.value.detail
    assert raised.value.status_code == 503
    assert fake_ollama.calls[GENERATE] == 1


@pytest.mark.parametrize("status", [500, 503, 429])
async def test_transient_errors_are_retried_once_then_unavailable(
    client: OllamaClient, fake_ollama: FakeOllama, status: int
) -> None:
    fake_ollama.script(GENERATE, *[Reply(status=status, error="server busy")] * 2)
    with pytest.raises(AIUnavailable) as raised:
        await client.generate("moondream", "Descrivi")
    assert not isinstance(raised.value, AIModelMissing)
    assert raised.value.headers["Retry-After"]
    assert fake_ollama.calls[GENERATE] == 2


async def test_a_transient_error_then_success(client: OllamaClient, fake_ollama: FakeOllama) -> None:
    fake_ollama.script(GENERATE, Reply(status=503, error="server busy"))
    result = await client.generate("moondream", "Descrivi", stream=True)
    assert result.text == fake_ollama.default_reply.text
    assert fake_ollama.calls[GENERATE] == 2


async def test_retry_after_from_a_429_is_passed_on(client: OllamaClient, fake_ollama: FakeOllama) -> None:
    fake_ollama.script(GENERATE, *[Reply(status=429, error="too many", headers={"Retry-After": "7"})] * 2)
    with pytest.raises(AIUnavailable) as raised:
        await client.generate("moondream", "Descrivi")
    assert raised.value.headers["Retry-After"] == "7"


async def test_bad_request_is_not_retried(client: OllamaClient, fake_ollama: FakeOllama) -> None:
    with pytest.raises(AIUnavailable) as raised:
        await client.generate("moondream", "Descrivi", format=["not", "a", "schema"])  # type: ignore[arg-type]
    assert "400" in raised.value.detail
    assert fake_ollama.calls[GENERATE] == 1


async def test_error_line_in_the_middle_of_a_stream(client: OllamaClient, fake_ollama: FakeOllama) -> None:
    fake_ollama.script(GENERATE, Reply(stream_error="llama runner process has terminated"))
    with pytest.raises(AIUnavailable) as raised:
        await client.generate("moondream", "Descrivi", stream=True)
    assert "terminated" in raised.value.detail
    assert fake_ollama.calls[GENERATE] == 1


@pytest.mark.parametrize("stream", [False, True])
async def test_slow_model_hits_the_overall_timeout(
    ollama_url: str, fake_ollama: FakeOllama, stream: bool
) -> None:
    fake_ollama.script(GENERATE, Reply(delay=2.0))
    client = OllamaClient(ollama_url, timeout_seconds=0.4, retry_wait_seconds=0.05)
    started = time.monotonic()
    try:
        with pytest.raises(AIUnavailable) as raised:
            await client.generate("moondream", "Descrivi", stream=stream)
    finally:
        await client.aclose()
    assert time.monotonic() - started < 1.5
    assert "0.4" in raised.value.detail


async def test_connection_refused_is_unavailable() -> None:
    client = OllamaClient(closed_url(), timeout_seconds=2, retry_wait_seconds=0.05)
    try:
        with pytest.raises(AIUnavailable, match="raggiungibile"):
            await client.generate("moondream", "Descrivi")
        with pytest.raises(AIUnavailable):
            await client.tags()
    finally:
        await client.aclose()


async def test_embed_tags_and_version(client: OllamaClient, fake_ollama: FakeOllama) -> None:
    vectors = await client.embed("nomic-embed-text:v1.5", ["uno", "due"], dimensions=512)
    assert [len(v) for v in vectors] == [512, 512]
    assert fake_ollama.last("/api/embed")["dimensions"] == 512
    assert "moondream:latest" in await client.tags()
    assert await client.version() == "0.12.3"


async def test_embed_with_a_missing_model(client: OllamaClient, fake_ollama: FakeOllama) -> None:
    with pytest.raises(AIModelMissing):
        await client.embed("mxbai-embed-large", ["uno"])
    assert fake_ollama.calls["/api/embed"] == 1


async def test_the_fake_checks_requests_like_ollama(ollama_url: str, fake_ollama: FakeOllama) -> None:
    async with httpx.AsyncClient(base_url=ollama_url) as http:
        response = await http.post(GENERATE, json={"prompt": "x", "stream": False})
        assert response.status_code == 400 and response.json() == {"error": "model is required"}
        data_url = "data:image/jpeg;base64," + base64.b64encode(jpeg()).decode()
        response = await http.post(GENERATE, json={"model": "moondream", "images": [data_url]})
        assert response.status_code == 400 and "base64" in response.json()["error"]
        response = await http.post(GENERATE, json={"model": "moondream", "format": "json", "stream": False})
        assert response.status_code == 200 and response.json()["done"] is True

        body = {"model": "moondream", "messages": [{"role": "user", "content": "Ciao"}]}
        response = await http.post("/api/chat", json={**body, "stream": False})
        assert response.json()["message"]["content"] == fake_ollama.default_reply.text
        response = await http.post("/api/chat", json=body)
        lines = [json.loads(line) for line in response.text.splitlines()]
        assert "".join(line["message"]["content"] for line in lines) == fake_ollama.default_reply.text
        assert lines[-1]["done"] is True and lines[-1]["done_reason"] == "stop"
    assert fake_ollama.calls[GENERATE] == 3 and fake_ollama.calls["/api/chat"] == 2
