"""The assistant through the HTTP transport: HttpAIClient → the AI app (service token) → fake Ollama."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import aclosing

import httpx
import pytest

from tests.ai.chat_helpers import HOSTILE_TEXT, collect, listing, request, text_of, types, wait_for_stream_end
from tests.ai.factories import SERVICE_TOKEN, closed_url
from tests.fakes.ollama import FakeOllama, Reply
from tests.fakes.server import serve_in_thread
from vinted_optimizer.ai.app import create_ai_app
from vinted_optimizer.ai.chat_schemas import ChatChunk
from vinted_optimizer.ai.client import NDJSON, HttpAIClient, InProcessAIClient
from vinted_optimizer.config import Settings

AUTH = {"X-Service-Token": SERVICE_TOKEN}


@pytest.fixture
def chat_app_settings(make_ai_settings: Callable[..., Settings]) -> Settings:
    return make_ai_settings(chat_stall_timeout_seconds=5.0, chat_first_token_timeout_seconds=5.0)


@pytest.fixture
def service_url(chat_app_settings: Settings) -> Iterator[str]:
    with serve_in_thread(create_ai_app(chat_app_settings), lifespan=True) as url:
        yield url


@pytest.fixture
async def http_client(service_url: str) -> AsyncIterator[HttpAIClient]:
    client = HttpAIClient(service_url, SERVICE_TOKEN, timeout=10)
    yield client
    await client.aclose()


async def test_chat_streams_over_http(http_client: HttpAIClient, fake_ollama: FakeOllama) -> None:
    fake_ollama.script("/api/chat", Reply(tokens=["Spedisci ", "entro ", "5 giorni."]))
    chunks = await collect(http_client.chat(request()))
    assert types(chunks) == ["sources", "token", "token", "token", "done"]
    assert text_of(chunks) == "Spedisci entro 5 giorni."
    assert chunks[-1].mode == "ollama" and chunks[-1].completion_tokens == 3
    assert any(p.id.startswith("guide:spedizioni#") for p in chunks[0].sources or [])


async def test_the_wire_is_ndjson_behind_the_token(service_url: str, fake_ollama: FakeOllama) -> None:
    body = request().model_dump(mode="json")
    async with httpx.AsyncClient(base_url=service_url) as http:
        refused = await http.post("/chat", json=body)
        assert refused.status_code == 401 and refused.json()["error"] == "unauthorized"
        for path, payload in (
            ("/documents", {"family_id": str(uuid.uuid4()), "documents": []}),
            ("/documents/delete", {"family_id": str(uuid.uuid4()), "ids": []}),
        ):
            assert (await http.post(path, json=payload)).status_code == 401
        fake_ollama.script("/api/chat", Reply(tokens=["Ciao"]))
        response = await http.post("/chat", json=body, headers=AUTH)
        assert response.status_code == 200 and response.headers["content-type"].startswith(NDJSON)
        lines = [json.loads(line) for line in response.text.splitlines()]
        assert [line["type"] for line in lines] == ["sources", "token", "done"]
        bad = {
            "family_id": str(uuid.uuid4()),
            "documents": [{"id": "fact:x", "kind": "fact", "title": "t", "text": "1"}],
        }
        response = await http.post("/documents", json=bad, headers=AUTH)
        assert response.status_code == 422 and response.json()["error"] == "ai_invalid_input"


async def test_documents_over_http_are_scoped_to_their_family(
    http_client: HttpAIClient, fake_ollama: FakeOllama
) -> None:
    mine = request("Quanto costa la mia borsa di pelle?")
    theirs = uuid.uuid4()
    bag = listing("Borsa di pelle", "Borsa di pelle nera, 35 €.")
    hostile = listing("Borsa di pelle", f"Borsa di pelle nera. {HOSTILE_TEXT}")
    await http_client.index_documents(mine.family_id, [bag])
    await http_client.index_documents(theirs, [hostile])
    fake_ollama.script("/api/chat", Reply(tokens=["Ok"]), Reply(tokens=["Ok"]))

    sources = (await collect(http_client.chat(mine)))[0].sources or []
    assert bag.id in [p.id for p in sources] and hostile.id not in [p.id for p in sources]
    assert HOSTILE_TEXT not in json.dumps(fake_ollama.last("/api/chat"), ensure_ascii=False)

    await http_client.delete_documents(mine.family_id, [bag.id])
    sources = (await collect(http_client.chat(mine)))[0].sources or []
    assert bag.id not in [p.id for p in sources]


async def test_stopping_over_http_closes_the_ollama_stream(
    http_client: HttpAIClient, fake_ollama: FakeOllama
) -> None:
    fake_ollama.script("/api/chat", Reply(tokens=[f"t{i} " for i in range(40)], token_delay=0.05))
    seen = 0
    async with aclosing(http_client.chat(request())) as chunks:
        async for chunk in chunks:
            seen += chunk.type == "token"
            if seen == 2:
                break
    await wait_for_stream_end(fake_ollama)
    assert fake_ollama.stream_events == ["closed"] and fake_ollama.pieces_sent < 40


async def test_a_stall_behind_the_service_arrives_as_a_chunk(
    make_ai_settings: Callable[..., Settings], fake_ollama: FakeOllama
) -> None:
    fake_ollama.script("/api/chat", Reply(tokens=list("abcdef"), stall_after=3))
    with serve_in_thread(create_ai_app(make_ai_settings(chat_stall_timeout_seconds=0.5))) as url:
        client = HttpAIClient(url, SERVICE_TOKEN, timeout=10)
        try:
            chunks = await collect(client.chat(request()))
        finally:
            await client.aclose()
    assert types(chunks) == ["sources", "token", "token", "token", "error"]
    assert chunks[-1].code == "stalled"


async def test_wrong_token_and_unreachable_service_are_error_chunks(service_url: str) -> None:
    for client, code in (
        (HttpAIClient(service_url, "not-the-token", timeout=5), "ai_service_unauthorized"),
        (HttpAIClient(closed_url(), SERVICE_TOKEN, timeout=2), "ai_service_unavailable"),
    ):
        try:
            chunks = await collect(client.chat(request()))
        finally:
            await client.aclose()
        assert types(chunks) == ["error"] and chunks[0].code == code and chunks[0].detail


async def test_a_broken_stream_is_an_error_chunk() -> None:
    sources = ChatChunk(type="sources", sources=[]).model_dump_json()
    token = ChatChunk(type="token", text="Ciao").model_dump_json()
    bodies = {
        "cut": f"{sources}\n{token}\n",  # the service went away before `done`
        "garbage": f"{sources}\n{{not json\n",
    }
    for name, body in bodies.items():
        transport = httpx.MockTransport(
            lambda _request, body=body: httpx.Response(
                200, content=body.encode(), headers={"content-type": NDJSON}
            )
        )
        client = HttpAIClient("http://home.test", SERVICE_TOKEN, timeout=5, transport=transport)
        try:
            chunks = await collect(client.chat(request()))
        finally:
            await client.aclose()
        assert chunks[-1].type == "error" and chunks[-1].code == "ai_service_unavailable", name
        assert chunks[0].type == "sources"


async def test_in_process_client_streams_and_indexes(ai_settings: Settings, fake_ollama: FakeOllama) -> None:
    client = InProcessAIClient(ai_settings)
    try:
        ask = request("La mia giacca?")
        jacket = listing("Giacca", "Giacca di jeans blu.")
        await client.index_documents(ask.family_id, [jacket])
        fake_ollama.script("/api/chat", Reply(tokens=["Sì"]))
        chunks = await collect(client.chat(ask))
        assert types(chunks) == ["sources", "token", "done"]
        assert jacket.id in [p.id for p in chunks[0].sources or []]
        await client.delete_documents(ask.family_id, [jacket.id])
        assert (await client.health())["chat"]["present"] is True
    finally:
        await client.aclose()


async def test_a_connection_reset_before_any_answer_is_unreachable() -> None:
    """The home side gone (the tunnel up, the service not): the reset comes before any header."""
    from vinted_optimizer.ai.client import UNREACHABLE

    def reset(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError("Connection reset by peer", request=request)

    client = HttpAIClient("http://home.test", SERVICE_TOKEN, timeout=5, transport=httpx.MockTransport(reset))
    try:
        chunks = await collect(client.chat(request()))
    finally:
        await client.aclose()
    assert types(chunks) == ["error"] and chunks[0].detail == UNREACHABLE
