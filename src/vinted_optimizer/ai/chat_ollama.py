"""Ollama's chat, streamed (POST /api/chat, NDJSON; see shared/contracts/ollama.md), with the two
timeouts a home CPU needs and every failure as a ``ChatFailure`` with a code and an Italian detail.

- first token: from the request until the first piece of text (this includes loading the model);
- stall: between two lines once the answer is flowing; a stream that stops sending is ``stalled``.

Closing the generator closes the HTTP response, so Ollama sees the connection go and stops generating.
Nothing is retried: a chat answer is streamed to a person who can press the button again.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import httpx
import structlog

from vinted_optimizer.kit.tracing import instrument_httpx

log = structlog.get_logger(__name__)

UNAVAILABLE_DETAIL = "Ollama non è raggiungibile: è acceso sul computer di casa?"


class ChatFailure(Exception):
    """``code``: ollama_unavailable (down: the caller may fall back), model_missing, ollama_error,
    timeout, stalled, model_error."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass
class OllamaPiece:
    text: str = ""
    final: dict[str, Any] = field(default_factory=dict)  # the done line: counts, durations, model

    @property
    def done(self) -> bool:
        return bool(self.final)


def _error_message(body: bytes) -> str:
    try:
        parsed = json.loads(body)
    except ValueError:
        return body[:200].decode("utf-8", "replace")
    if isinstance(parsed, dict) and "error" in parsed:
        return str(parsed["error"])[:300]
    return body[:200].decode("utf-8", "replace")


def failure_for_status(status: int, message: str, model: str) -> ChatFailure:
    if status == 404 and "not found" in message.lower():
        return ChatFailure(
            "model_missing",
            f"Il modello «{model}» non è installato in Ollama: sul computer di casa esegui "
            f"«ollama pull {model}».",
        )
    if status == 404:
        return ChatFailure("ollama_error", "Questa versione di Ollama non conosce /api/chat: aggiornala.")
    if status in (429, 503):
        return ChatFailure("ollama_error", "Ollama è occupato con altre richieste: riprova tra poco.")
    if status >= 500:
        return ChatFailure("ollama_error", f"Ollama è in errore ({status}): riprova tra poco.")
    return ChatFailure("ollama_error", f"Ollama ha rifiutato la richiesta ({status}): {message}")


class OllamaChat:
    def __init__(
        self,
        base_url: str,
        *,
        first_token_timeout: float,
        stall_timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.first_token_timeout = first_token_timeout
        self.stall_timeout = stall_timeout
        # The asyncio deadlines below bound the reads; httpx only bounds connecting and writing.
        self._http = instrument_httpx(
            httpx.AsyncClient(
                base_url=base_url.rstrip("/"),
                timeout=httpx.Timeout(None, connect=5.0, write=30.0, pool=5.0),
                transport=transport,
            )
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def open(
        self, model: str, messages: list[dict[str, str]], options: dict[str, Any]
    ) -> httpx.Response:
        """Send the request and wait for the response's head (bounded by the first-token timeout)."""
        body = {"model": model, "messages": messages, "stream": True, "options": options}
        request = self._http.build_request("POST", "/api/chat", json=body)
        try:
            async with asyncio.timeout(self.first_token_timeout):
                response = await self._http.send(request, stream=True)
                if response.status_code >= 400:
                    content = await response.aread()
                    await response.aclose()
                    raise failure_for_status(response.status_code, _error_message(content), model)
                return response
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            log.warning("ollama.chat.unreachable", error=type(error).__name__)
            raise ChatFailure("ollama_unavailable", UNAVAILABLE_DETAIL) from error
        except TimeoutError as error:
            raise self._first_token_timeout() from error
        except httpx.TransportError as error:
            log.warning("ollama.chat.transport", error=type(error).__name__)
            raise ChatFailure("ollama_unavailable", UNAVAILABLE_DETAIL) from error

    def _first_token_timeout(self) -> ChatFailure:
        log.warning("ollama.chat.first_token_timeout", timeout_seconds=self.first_token_timeout)
        return ChatFailure(
            "timeout", f"Il modello non ha iniziato a rispondere entro {self.first_token_timeout:g} secondi."
        )

    async def pieces(self, response: httpx.Response, *, started: float) -> AsyncGenerator[OllamaPiece, None]:
        """The answer's pieces, then one with ``final`` set; always closes the response."""
        lines = response.aiter_lines()
        got_text = False
        try:
            while True:
                if got_text:
                    wait = self.stall_timeout
                else:
                    wait = max(0.0, self.first_token_timeout - (time.perf_counter() - started))
                try:
                    line = await asyncio.wait_for(anext(lines), wait)
                except StopAsyncIteration:
                    raise ChatFailure(
                        "model_error", "La risposta di Ollama si è interrotta prima della fine."
                    ) from None
                except TimeoutError:
                    if not got_text:
                        raise self._first_token_timeout() from None
                    log.warning("ollama.chat.stalled", timeout_seconds=self.stall_timeout)
                    raise ChatFailure(
                        "stalled",
                        f"La risposta si è bloccata: il modello non invia testo da {self.stall_timeout:g} "
                        "secondi.",
                    ) from None
                except httpx.TransportError as error:
                    log.warning("ollama.chat.broken", error=type(error).__name__)
                    raise ChatFailure(
                        "ollama_error", "La connessione con Ollama si è interrotta durante la risposta."
                    ) from error
                if not line.strip():
                    continue
                try:
                    chunk = json.loads(line)
                except ValueError:
                    raise ChatFailure("model_error", "Ollama ha inviato una riga non valida.") from None
                if not isinstance(chunk, dict):
                    raise ChatFailure("model_error", "Ollama ha inviato una riga non valida.")
                if "error" in chunk:
                    # HTTP 200, then the error as the last line: the model crashed or ran out of memory.
                    message = str(chunk["error"])[:300]
                    log.warning("ollama.chat.stream_error", error=message)
                    raise ChatFailure(
                        "model_error", f"Il modello si è interrotto durante la risposta: {message}"
                    )
                said = chunk.get("message")
                text = str(said.get("content") or "") if isinstance(said, dict) else ""
                if chunk.get("done"):
                    yield OllamaPiece(text=text, final=chunk)
                    return
                if text:
                    got_text = True
                    yield OllamaPiece(text=text)
        finally:
            with suppress(Exception):
                await response.aclose()
