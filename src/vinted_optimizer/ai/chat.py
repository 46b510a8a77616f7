"""The assistant's home side: retrieve, then generate, as a stream of ``ChatChunk``.

The stream is always: one ``sources`` chunk (the facts and the passages the prompt really contains),
then ``token`` chunks, then ``done`` (mode, model, token counts, timings) — or an ``error`` chunk in place
of ``done`` when generation fails after it started (the tokens already sent stay valid text).

Which model answers:
1. Ollama's chat model (``request.model`` or ``settings.ollama_chat_model``), when Ollama is configured
   and reachable. Its other failures (model not pulled, 5xx, a first token that never comes, an error
   line in the stream, a stall) end the stream with an error chunk: the member should know.
2. When Ollama is not configured or is down (connection refused): the embedded SmolLM2 (xllamacpp), with
   its own smaller context and a bounded number of tokens — unless ``chat_embedded_model`` is off or the
   packages are missing.
3. Otherwise a retrieval-only answer that says no language model is available and still gives the
   exact facts, the cloud side's answer and the sources.

Closing the generator (the member pressed stop, the caller went away) closes Ollama's HTTP stream or
stops the embedded model at its next token.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Literal

import httpx
import structlog

from vinted_optimizer.ai.chat_ollama import ChatFailure, OllamaChat
from vinted_optimizer.ai.chat_prompt import BuiltPrompt, build_prompt
from vinted_optimizer.ai.chat_schemas import ChatChunk, ChatRequest, Passage
from vinted_optimizer.ai.embedded_llm import EmbeddedChatModel, EmbeddedModelError
from vinted_optimizer.ai.retrieval import Retriever
from vinted_optimizer.config import Settings

log = structlog.get_logger(__name__)

Mode = Literal["ollama", "embedded", "retrieval_only"]

NO_MODEL_NOTICE = (
    "Nessun modello linguistico è disponibile in questo momento (Ollama non risponde e il modello "
    "incorporato non c'è), quindi non posso scrivere una risposta. Ecco i dati esatti e le fonti trovate."
)


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)


def retrieval_only_text(request: ChatRequest, used: list[Passage]) -> str:
    lines = [NO_MODEL_NOTICE]
    if request.answer:
        lines += ["", request.answer.strip()]
    facts = [p for p in used if p.kind == "fact"]
    if facts:
        lines += ["", "Dati:"] + [f"- {p.title}: {p.text.strip()}" for p in facts]
    others = [p for p in used if p.kind != "fact"]
    if others:
        lines += ["", "Fonti che potrebbero aiutarti:"] + [f"- {p.title} [{p.id}]" for p in others]
    if not (request.answer or facts or others):
        lines += ["", "Non ho trovato dati o guide su questa domanda."]
    return "\n".join(lines)


class ChatService:
    def __init__(
        self,
        settings: Settings,
        retriever: Retriever,
        *,
        ollama: OllamaChat | None = None,
        embedded: EmbeddedChatModel | None = None,
    ) -> None:
        self.settings = settings
        self.retriever = retriever
        self.ollama = ollama
        if self.ollama is None and settings.ollama_url:
            self.ollama = OllamaChat(
                settings.ollama_url,
                first_token_timeout=settings.chat_first_token_timeout_seconds,
                stall_timeout=settings.chat_stall_timeout_seconds,
            )
        self.embedded = embedded
        if self.embedded is None and settings.chat_embedded_model and EmbeddedChatModel.installed():
            self.embedded = EmbeddedChatModel(
                num_ctx=settings.chat_embedded_num_ctx, threads=settings.chat_embedded_threads
            )

    async def aclose(self) -> None:
        if self.ollama is not None:
            await self.ollama.aclose()

    def model_for(self, request: ChatRequest) -> str:
        return (request.model or "").strip() or self.settings.ollama_chat_model

    async def _retrieve(self, request: ChatRequest) -> list[Passage]:
        try:
            return await self.retriever.search(
                request.family_id, request.question, self.settings.chat_passages
            )
        except Exception as error:  # noqa: BLE001 - the facts still answer without the guides
            log.warning("ai.chat.retrieval_failed", error=type(error).__name__)
            return []

    async def chat(self, request: ChatRequest) -> AsyncGenerator[ChatChunk, None]:
        started = time.perf_counter()
        passages = await self._retrieve(request)
        timings: dict[str, float] = {"retrieval_ms": _ms(started)}
        model = self.model_for(request)
        wanted = max(1, request.max_tokens)

        if self.ollama is not None:
            prompt = build_prompt(request, passages, num_ctx=self.settings.chat_num_ctx, max_tokens=wanted)
            options = {
                "num_ctx": self.settings.chat_num_ctx,
                "num_predict": prompt.max_tokens,
                "temperature": 0.2,
            }
            asked = time.perf_counter()  # the first-token deadline runs from here, not from retrieval
            try:
                response = await self.ollama.open(model, prompt.messages, options)
            except ChatFailure as failure:
                if failure.code != "ollama_unavailable":
                    yield ChatChunk(type="sources", sources=prompt.used)
                    yield ChatChunk(type="error", code=failure.code, detail=failure.detail)
                    return
                log.info("ai.chat.ollama_down", fallback="embedded" if self.embedded else "retrieval_only")
            else:
                try:
                    yield ChatChunk(type="sources", sources=prompt.used)
                    ollama = self._from_ollama(response, model, started, asked, timings)
                    async with aclosing(ollama) as chunks:
                        async for chunk in chunks:
                            yield chunk
                finally:
                    await response.aclose()  # also when the consumer stops right after the sources
                return

        if self.embedded is not None:
            max_tokens = min(wanted, self.settings.chat_embedded_max_tokens)
            prompt = build_prompt(
                request, passages, num_ctx=self.settings.chat_embedded_num_ctx, max_tokens=max_tokens
            )
            yield ChatChunk(type="sources", sources=prompt.used)
            async with aclosing(self._from_embedded(prompt, started, timings)) as chunks:
                async for chunk in chunks:
                    yield chunk
            return

        prompt = build_prompt(request, passages, num_ctx=self.settings.chat_num_ctx, max_tokens=wanted)
        yield ChatChunk(type="sources", sources=prompt.used)
        timings["first_token_ms"] = _ms(started)
        yield ChatChunk(type="token", text=retrieval_only_text(request, prompt.used))
        timings["total_ms"] = _ms(started)
        yield ChatChunk(
            type="done", mode="retrieval_only", prompt_tokens=0, completion_tokens=0, timings=timings
        )

    async def _from_ollama(
        self,
        response: httpx.Response,
        model: str,
        started: float,
        asked: float,
        timings: dict[str, float],
    ) -> AsyncGenerator[ChatChunk, None]:
        assert self.ollama is not None
        try:
            async with aclosing(self.ollama.pieces(response, started=asked)) as pieces:
                async for piece in pieces:
                    if piece.text:
                        timings.setdefault("first_token_ms", _ms(started))
                        yield ChatChunk(type="token", text=piece.text)
                    if piece.done:
                        final = piece.final
                        timings["total_ms"] = _ms(started)
                        yield ChatChunk(
                            type="done",
                            mode="ollama",
                            model=str(final.get("model") or model),
                            prompt_tokens=_int(final.get("prompt_eval_count")),
                            completion_tokens=_int(final.get("eval_count")),
                            timings=timings,
                        )
        except ChatFailure as failure:
            yield ChatChunk(type="error", code=failure.code, detail=failure.detail)

    async def _from_embedded(
        self, prompt: BuiltPrompt, started: float, timings: dict[str, float]
    ) -> AsyncGenerator[ChatChunk, None]:
        assert self.embedded is not None
        prompt_tokens: int | None = None
        completion_tokens = 0
        reported: int | None = None
        try:
            async with aclosing(self.embedded.stream(prompt.messages, prompt.max_tokens)) as pieces:
                async for piece in pieces:
                    if piece.finished:
                        prompt_tokens, reported = piece.prompt_tokens, piece.completion_tokens
                        continue
                    timings.setdefault("first_token_ms", _ms(started))
                    completion_tokens += 1
                    yield ChatChunk(type="token", text=piece.text)
        except EmbeddedModelError as error:
            log.warning("ai.chat.embedded_failed", error=str(error)[:200])
            yield ChatChunk(
                type="error",
                code="model_error",
                detail="Il modello incorporato si è interrotto durante la risposta.",
            )
            return
        timings["total_ms"] = _ms(started)
        yield ChatChunk(
            type="done",
            mode="embedded",
            model=self.embedded.name,
            prompt_tokens=prompt_tokens,
            completion_tokens=reported if reported is not None else completion_tokens,
            timings=timings,
        )


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None
