"""How the API and the worker reach the AI: the same interface in-process or over HTTP.

``create_ai_client(settings)`` picks the standalone service (``vinted-optimizer ai-service`` on the home
machine) when ``VO_AI_SERVICE_URL`` is set, else runs the pipeline inside the calling process. Both raise
the same errors: ``AIUnavailable`` / ``AIModelMissing`` (retry later), ``AIInvalidInput``,
``AIServiceUnauthorized``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

import httpx
import structlog
from pydantic import BaseModel, SecretStr, ValidationError

from vinted_optimizer.ai.chat_schemas import ChatChunk, ChatRequest, Passage
from vinted_optimizer.ai.errors import (
    DEFAULT_RETRY_AFTER_SECONDS,
    AIInvalidInput,
    AIModelMissing,
    AIServiceUnauthorized,
    AIUnavailable,
)
from vinted_optimizer.ai.schemas import AnalyzeResult, EmbedKind, EmbedResult
from vinted_optimizer.config import Settings
from vinted_optimizer.kit.tracing import instrument_httpx

if TYPE_CHECKING:
    from vinted_optimizer.ai.pipeline import AIService

log = structlog.get_logger(__name__)

SERVICE_TOKEN_HEADER = "X-Service-Token"  # noqa: S105 - a header name, not a secret
MAX_FILES_PER_ANALYSIS = 8
# Headroom over the photos the service analyses one after the other, each bounded by the Ollama timeout.
HTTP_TIMEOUT_MARGIN_SECONDS = 15.0
NDJSON = "application/x-ndjson"
DOCUMENTS_PER_REQUEST = 200
DOCUMENT_IDS_PER_REQUEST = 1000
# The service answered, but not what it should (a proxy's page, a half-written body, another program):
# it is there, so neither "unreachable" nor "too slow"; tried again later like them.
INVALID_ANSWER = "Il servizio AI ha inviato una risposta non valida: riprova più tardi."
UNREACHABLE = "Il servizio AI di casa non è raggiungibile: riprova più tardi."

Parsed = TypeVar("Parsed", bound=BaseModel)


@runtime_checkable
class AIClient(Protocol):
    async def analyze(self, images: list[bytes], known_brands: list[str] | None = None) -> AnalyzeResult: ...

    async def embed(self, texts: list[str], kind: EmbedKind = "document") -> EmbedResult: ...

    def chat(self, request: ChatRequest) -> AsyncIterator[ChatChunk]:
        """sources, tokens, then done — or an error chunk; never raises for a failed generation."""
        ...

    async def index_documents(self, family_id: uuid.UUID, docs: list[Passage]) -> None: ...

    async def delete_documents(self, family_id: uuid.UUID, ids: list[str]) -> None: ...

    async def health(self) -> dict[str, Any]: ...

    async def aclose(self) -> None: ...


class InProcessAIClient:
    """The pipeline in this process: for `serve` on the home machine, and for tests."""

    def __init__(self, settings: Settings, *, service: AIService | None = None) -> None:
        from vinted_optimizer.ai.pipeline import AIService  # heavy imports only when really used

        self.service = service or AIService(settings)

    async def analyze(self, images: list[bytes], known_brands: list[str] | None = None) -> AnalyzeResult:
        return await self.service.analyze(images, known_brands)

    async def embed(self, texts: list[str], kind: EmbedKind = "document") -> EmbedResult:
        return await self.service.embed(texts, kind)

    async def chat(self, request: ChatRequest) -> AsyncGenerator[ChatChunk, None]:
        async with aclosing(self.service.chat(request)) as chunks:
            async for chunk in chunks:
                yield chunk

    async def index_documents(self, family_id: uuid.UUID, docs: list[Passage]) -> None:
        await self.service.index_documents(family_id, docs)

    async def delete_documents(self, family_id: uuid.UUID, ids: list[str]) -> None:
        await self.service.delete_documents(family_id, ids)

    async def health(self) -> dict[str, Any]:
        return await self.service.health()

    async def aclose(self) -> None:
        await self.service.aclose()


class HttpAIClient:
    """Speaks the standalone service's API (``ai/app.py``) with the shared service token."""

    def __init__(
        self,
        base_url: str,
        service_token: str | SecretStr | None,
        timeout: float,
        *,
        chat_read_timeout: float | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """``chat_read_timeout``: the longest silence between two lines of a chat stream (the service's
        own first-token timeout plus a margin); ``timeout`` by default."""
        self._chat_timeout = httpx.Timeout(chat_read_timeout or timeout, connect=min(5.0, timeout))
        token = service_token.get_secret_value() if isinstance(service_token, SecretStr) else service_token
        headers = {**(extra_headers or {}), **({SERVICE_TOKEN_HEADER: token} if token else {})}
        self._http = instrument_httpx(
            httpx.AsyncClient(
                base_url=base_url.rstrip("/"),
                headers=headers,
                timeout=httpx.Timeout(timeout, connect=min(5.0, timeout)),
                transport=transport,
            )
        )

    async def analyze(self, images: list[bytes], known_brands: list[str] | None = None) -> AnalyzeResult:
        """``known_brands`` go as repeated ``brands`` form fields beside the photos."""
        if not images:
            raise AIInvalidInput("Nessuna foto da analizzare.")
        # The service analyses at most ai_max_images (≤ 8) photos: the others would not change the result.
        files = [
            ("files", (f"photo-{index}.jpg", data, "image/jpeg"))
            for index, data in enumerate(images[:MAX_FILES_PER_ANALYSIS])
        ]
        data = {"brands": list(known_brands)} if known_brands else None
        response = await self._send("POST", "/analyze", files=files, data=data)
        return _parsed(AnalyzeResult, response, "/analyze")

    async def embed(self, texts: list[str], kind: EmbedKind = "document") -> EmbedResult:
        response = await self._send("POST", "/embed", json={"texts": list(texts), "kind": kind})
        return _parsed(EmbedResult, response, "/embed")

    async def chat(self, request: ChatRequest) -> AsyncGenerator[ChatChunk, None]:
        """``POST /chat`` read line by line; a failure of the service or of the stream itself becomes a
        final error chunk, so the caller handles one shape. Closing this generator closes the stream."""
        body = request.model_dump_json()
        headers = {"Content-Type": "application/json", "Accept": NDJSON}
        finished = answered = False
        try:
            async with self._http.stream(
                "POST", "/chat", content=body, headers=headers, timeout=self._chat_timeout
            ) as response:
                answered = True
                if response.status_code >= 400:
                    yield _error_chunk_for(response.status_code, await response.aread())
                    return
                async for line in response.aiter_lines():
                    if not line.strip():
                        continue
                    try:
                        chunk = ChatChunk.model_validate_json(line)
                    except ValidationError:
                        log.warning("ai_client.chat_bad_line")
                        yield _stream_error(INVALID_ANSWER)
                        return
                    finished = chunk.type in ("done", "error")
                    yield chunk
                    if finished:
                        return
        except httpx.TimeoutException:
            log.warning("ai_client.chat_timeout")
            yield ChatChunk(
                type="error", code="ai_service_timeout", detail="Il servizio AI non risponde più: riprova."
            )
            return
        except httpx.TransportError as error:
            log.warning("ai_client.chat_broken", error=type(error).__name__)
            # No answer at all (refused, or the connection reset before any header): not reachable.
            yield _stream_error(
                UNREACHABLE
                if isinstance(error, httpx.ConnectError) or not answered
                else "La risposta del servizio AI si è interrotta."
            )
            return
        if not finished:
            yield _stream_error("La risposta del servizio AI si è interrotta prima della fine.")

    async def index_documents(self, family_id: uuid.UUID, docs: list[Passage]) -> None:
        for start in range(0, len(docs), DOCUMENTS_PER_REQUEST):
            batch = docs[start : start + DOCUMENTS_PER_REQUEST]
            payload = {"family_id": str(family_id), "documents": [d.model_dump(mode="json") for d in batch]}
            await self._send("POST", "/documents", json=payload)

    async def delete_documents(self, family_id: uuid.UUID, ids: list[str]) -> None:
        for start in range(0, len(ids), DOCUMENT_IDS_PER_REQUEST):
            payload = {
                "family_id": str(family_id),
                "ids": list(ids[start : start + DOCUMENT_IDS_PER_REQUEST]),
            }
            await self._send("POST", "/documents/delete", json=payload)

    async def health(self) -> dict[str, Any]:
        """Never raises: an unreachable service is a health answer, not an error."""
        try:
            response = await self._http.get("/health")
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as error:
            return {"status": "unavailable", "detail": type(error).__name__}
        return body if isinstance(body, dict) else {"status": "unavailable", "detail": "invalid body"}

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as error:
            log.warning("ai_client.timeout", path=path)
            raise AIUnavailable("Il servizio AI non ha risposto in tempo: riprova più tardi.") from error
        except httpx.TransportError as error:
            log.warning("ai_client.unreachable", path=path, error=type(error).__name__)
            raise AIUnavailable(UNREACHABLE) from error
        _raise_for_status(response)
        return response


def _parsed(model: type[Parsed], response: httpx.Response, path: str) -> Parsed:
    """The answer's body as ``model``; a body that is not that (not JSON, another shape) is
    ``AIUnavailable`` with its own words."""
    try:
        return model.model_validate(response.json())
    except ValueError as error:  # a JSONDecodeError, a UnicodeDecodeError or a ValidationError
        log.warning("ai_client.invalid_answer", path=path, error=type(error).__name__)
        raise AIUnavailable(INVALID_ANSWER) from error


def _stream_error(detail: str) -> ChatChunk:
    return ChatChunk(type="error", code="ai_service_unavailable", detail=detail)


def _error_chunk_for(status: int, content: bytes) -> ChatChunk:
    if status in (401, 403):
        return ChatChunk(
            type="error",
            code="ai_service_unauthorized",
            detail="Il servizio AI ha rifiutato il token di servizio: controlla VO_SERVICE_TOKEN.",
        )
    if status in (400, 413, 422):
        return ChatChunk(
            type="error", code="invalid_request", detail="Richiesta non valida per il servizio AI."
        )
    log.warning("ai_client.chat_error", status=status, body=content[:200].decode("utf-8", "replace"))
    return _stream_error(f"Il servizio AI ha risposto con un errore ({status}): riprova più tardi.")


def _raise_for_status(response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    code = str(body.get("error") or "")
    detail = str(body["detail"]) if body.get("detail") else None
    log.warning("ai_client.error", status=status, code=code)
    if status in (401, 403):
        raise AIServiceUnauthorized()
    if code == "ai_model_missing":
        raise AIModelMissing(str(body.get("model") or "?"), detail)
    if status in (400, 413, 415, 422):
        raise AIInvalidInput(detail)
    if status == 404:
        raise AIUnavailable("Il servizio AI non espone questo indirizzo: controlla VO_AI_SERVICE_URL.")
    raise AIUnavailable(detail, retry_after=_retry_after(response))


def _retry_after(response: httpx.Response) -> int:
    try:
        return int(response.headers.get("Retry-After", DEFAULT_RETRY_AFTER_SECONDS))
    except ValueError:
        return DEFAULT_RETRY_AFTER_SECONDS


def http_timeout_for(settings: Settings) -> float:
    return settings.ollama_timeout_seconds * settings.ai_max_images + HTTP_TIMEOUT_MARGIN_SECONDS


def create_ai_client(settings: Settings) -> AIClient:
    if settings.ai_service_url:
        return HttpAIClient(
            settings.ai_service_url,
            settings.service_token,
            http_timeout_for(settings),
            chat_read_timeout=settings.chat_first_token_timeout_seconds + HTTP_TIMEOUT_MARGIN_SECONDS,
            extra_headers=settings.home_service_headers,
        )
    return InProcessAIClient(settings)
