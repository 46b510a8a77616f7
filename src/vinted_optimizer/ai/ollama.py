"""A small Ollama REST client (see shared/contracts/ollama.md) with errors mapped to ``AIUnavailable``.

Only transient failures are retried (connection refused, 429, 500, 502, 503, 504), once, after a short
pause: a 404 (model not pulled) or a 400 will not fix itself. The whole call — every attempt and the
whole stream — is bounded by ``timeout_seconds``, because the vision model on a home CPU can stall.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import structlog
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from vinted_optimizer.ai.errors import DEFAULT_RETRY_AFTER_SECONDS, AIModelMissing, AIUnavailable
from vinted_optimizer.kit.tracing import instrument_httpx

log = structlog.get_logger(__name__)

T = TypeVar("T")

TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_ATTEMPTS = 2


@dataclass(frozen=True)
class GenerateResult:
    text: str
    model: str
    done_reason: str | None = None  # "stop" | "length" (truncated) | "load"
    eval_count: int | None = None
    prompt_eval_count: int | None = None
    total_duration_ns: int | None = None

    @property
    def truncated(self) -> bool:
        return self.done_reason == "length"


class _TransientStatus(Exception):
    """A retryable HTTP status; becomes ``AIUnavailable`` once the attempts are spent."""

    def __init__(self, status: int, message: str, retry_after: int) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message
        self.retry_after = retry_after


def _is_transient(error: BaseException) -> bool:
    return isinstance(error, _TransientStatus | httpx.ConnectError | httpx.ConnectTimeout)


def _error_message(body: bytes) -> str:
    try:
        parsed = json.loads(body)
    except ValueError:
        return body[:200].decode("utf-8", "replace")
    if isinstance(parsed, dict) and "error" in parsed:
        return str(parsed["error"])[:500]
    return body[:200].decode("utf-8", "replace")


def _raise_for_status(status: int, body: bytes, headers: httpx.Headers, model: str | None) -> None:
    if status < 400:
        return
    message = _error_message(body)
    if status in TRANSIENT_STATUSES:
        try:
            retry_after = int(headers.get("Retry-After", DEFAULT_RETRY_AFTER_SECONDS))
        except ValueError:
            retry_after = DEFAULT_RETRY_AFTER_SECONDS
        raise _TransientStatus(status, message, retry_after)
    if status == 404 and model and "not found" in message.lower():
        raise AIModelMissing(model)
    if status == 404:
        raise AIUnavailable("Questa versione di Ollama non conosce l'endpoint richiesto: aggiornala.")
    raise AIUnavailable(f"Ollama ha rifiutato la richiesta ({status}): {message}")


def _optional_int(value: object) -> int | None:
    return value if isinstance(value, int) else None


class OllamaClient:
    def __init__(
        self,
        base_url: str,
        timeout_seconds: float,
        *,
        retry_wait_seconds: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_seconds = timeout_seconds
        self._retry_wait = retry_wait_seconds
        self._http = instrument_httpx(
            httpx.AsyncClient(
                base_url=self.base_url,
                timeout=httpx.Timeout(timeout_seconds, connect=min(5.0, timeout_seconds)),
                transport=transport,
            )
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def generate(
        self,
        model: str,
        prompt: str,
        images: Sequence[bytes] = (),
        *,
        format: dict[str, Any] | str | None = None,  # noqa: A002 - Ollama's own field name
        options: dict[str, Any] | None = None,
        stream: bool = False,
        keep_alive: str | int | None = None,
    ) -> GenerateResult:
        body: dict[str, Any] = {"model": model, "prompt": prompt, "stream": stream}
        if images:
            body["images"] = [base64.b64encode(image).decode("ascii") for image in images]
        if format is not None:
            body["format"] = format
        if options:
            body["options"] = options
        if keep_alive is not None:
            body["keep_alive"] = keep_alive
        send = self._generate_stream if stream else self._generate_once
        started = time.perf_counter()
        result = await self._call(lambda: send(body, model), what="generate")
        log.info(
            "ollama.generate",
            model=model,
            images=len(images),
            stream=stream,
            done_reason=result.done_reason,
            eval_count=result.eval_count,
            duration_ms=round((time.perf_counter() - started) * 1000),
        )
        return result

    async def embed(
        self, model: str, inputs: Sequence[str], *, dimensions: int | None = None, truncate: bool = True
    ) -> list[list[float]]:
        body: dict[str, Any] = {"model": model, "input": list(inputs), "truncate": truncate}
        if dimensions is not None:
            body["dimensions"] = dimensions

        async def send() -> list[list[float]]:
            response = await self._http.post("/api/embed", json=body)
            _raise_for_status(response.status_code, response.content, response.headers, model)
            vectors = response.json().get("embeddings")
            if not isinstance(vectors, list) or len(vectors) != len(inputs):
                raise AIUnavailable("Ollama ha restituito un numero di vettori inatteso.")
            return [[float(x) for x in vector] for vector in vectors]

        return await self._call(send, what="embed")

    async def tags(self, *, within_seconds: float | None = None) -> list[str]:
        """Names of the pulled models ("moondream:latest")."""

        async def send() -> list[str]:
            response = await self._http.get("/api/tags", timeout=within_seconds or httpx.USE_CLIENT_DEFAULT)
            _raise_for_status(response.status_code, response.content, response.headers, None)
            models = response.json().get("models") or []
            return [str(m.get("name") or m.get("model")) for m in models if isinstance(m, dict)]

        return await self._call(send, what="tags", within_seconds=within_seconds, attempts=1)

    async def version(self, *, within_seconds: float | None = None) -> str:
        async def send() -> str:
            response = await self._http.get(
                "/api/version", timeout=within_seconds or httpx.USE_CLIENT_DEFAULT
            )
            _raise_for_status(response.status_code, response.content, response.headers, None)
            return str(response.json().get("version", ""))

        return await self._call(send, what="version", within_seconds=within_seconds, attempts=1)

    async def _generate_once(self, body: dict[str, Any], model: str) -> GenerateResult:
        response = await self._http.post("/api/generate", json=body)
        _raise_for_status(response.status_code, response.content, response.headers, model)
        data = response.json()
        if "error" in data:
            raise AIUnavailable(f"Ollama ha interrotto la risposta: {data['error']}")
        return self._result(str(data.get("response", "")), data, model)

    async def _generate_stream(self, body: dict[str, Any], model: str) -> GenerateResult:
        pieces: list[str] = []
        async with self._http.stream("POST", "/api/generate", json=body) as response:
            if response.status_code >= 400:
                _raise_for_status(response.status_code, await response.aread(), response.headers, model)
            async for line in response.aiter_lines():
                if not line.strip():
                    continue
                try:
                    chunk = json.loads(line)
                except ValueError as error:
                    raise AIUnavailable("Ollama ha inviato una riga non valida.") from error
                if "error" in chunk:
                    # An error after HTTP 200: the model crashed or ran out of memory mid-answer.
                    raise AIUnavailable(f"Ollama ha interrotto la risposta: {chunk['error']}")
                pieces.append(str(chunk.get("response", "")))
                if chunk.get("done"):
                    return self._result("".join(pieces), chunk, model)
        raise AIUnavailable("La risposta di Ollama si è interrotta prima della fine.")

    @staticmethod
    def _result(text: str, final: dict[str, Any], model: str) -> GenerateResult:
        return GenerateResult(
            text=text,
            model=str(final.get("model") or model),
            done_reason=final.get("done_reason"),
            eval_count=_optional_int(final.get("eval_count")),
            prompt_eval_count=_optional_int(final.get("prompt_eval_count")),
            total_duration_ns=_optional_int(final.get("total_duration")),
        )

    async def _call(
        self,
        send: Callable[[], Awaitable[T]],
        *,
        what: str,
        within_seconds: float | None = None,
        attempts: int = MAX_ATTEMPTS,
    ) -> T:
        bound = within_seconds or self.timeout_seconds
        try:
            async with asyncio.timeout(bound):
                async for attempt in AsyncRetrying(
                    stop=stop_after_attempt(attempts),
                    wait=wait_exponential(multiplier=self._retry_wait, max=self._retry_wait * 4),
                    retry=retry_if_exception(_is_transient),
                    before_sleep=lambda state: log.warning(
                        "ollama.retry",
                        call=what,
                        attempt=state.attempt_number,
                        reason=_describe(state.outcome.exception() if state.outcome else None),
                    ),
                    reraise=True,
                ):
                    with attempt:
                        return await send()
        except (TimeoutError, httpx.TimeoutException) as error:
            log.warning("ollama.timeout", call=what, timeout_seconds=bound)
            raise AIUnavailable(f"Ollama non ha risposto entro {bound:g} secondi.") from error
        except _TransientStatus as error:
            log.warning("ollama.unavailable", call=what, status=error.status)
            raise AIUnavailable(
                f"Ollama è occupato o in errore ({error.status}): riprova più tardi.",
                retry_after=error.retry_after,
            ) from error
        except httpx.TransportError as error:
            log.warning("ollama.unreachable", call=what, error=type(error).__name__)
            raise AIUnavailable("Ollama non è raggiungibile: è acceso sul computer di casa?") from error
        except ValueError as error:  # a 200 whose body is not the JSON Ollama sends
            raise AIUnavailable("Ollama ha risposto in un formato inatteso.") from error
        raise AssertionError("unreachable")  # pragma: no cover - AsyncRetrying always returns or raises


def _describe(error: BaseException | None) -> str:
    if isinstance(error, _TransientStatus):
        return f"status {error.status}"
    return type(error).__name__ if error else "unknown"
