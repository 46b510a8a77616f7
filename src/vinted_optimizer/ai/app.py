"""The standalone AI service (``vinted-optimizer ai-service``, port 8001) on the home machine.

The cloud API reaches it through a tunnel, so every call except ``/health`` must carry the shared
``X-Service-Token`` (compared in constant time). Without a configured token the service refuses to start
unless the environment is development, where it warns and accepts anyone (fine on a loopback port only).
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import aclosing, asynccontextmanager
from typing import Annotated, Any

import structlog
from fastapi import Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, StreamingResponse

from vinted_optimizer import __version__
from vinted_optimizer.ai.chat_schemas import ChatChunk, ChatRequest
from vinted_optimizer.ai.client import MAX_FILES_PER_ANALYSIS, NDJSON, SERVICE_TOKEN_HEADER
from vinted_optimizer.ai.errors import AIInvalidInput, AIModelMissing, AIUnavailable
from vinted_optimizer.ai.pipeline import JPEG_MAGIC, MAX_KNOWN_BRANDS, AIService
from vinted_optimizer.ai.schemas import (
    AnalyzeResult,
    DocumentsDeleteRequest,
    DocumentsIndexRequest,
    DocumentsResult,
    EmbedRequest,
    EmbedResult,
)
from vinted_optimizer.config import Environment, Settings
from vinted_optimizer.kit import error_handlers, tracing
from vinted_optimizer.kit.errors import PayloadTooLarge, Unauthorized, responses
from vinted_optimizer.kit.middleware import (
    BodySizeLimitMiddleware,
    EdgeMiddleware,
    JsonBodyMiddleware,
)

log = structlog.get_logger(__name__)

MAX_IMAGE_BYTES = 10 * 1024 * 1024
# Eight photos of 10 MB plus the multipart framing; other bodies (embed: 64 × 8000 characters) stay small.
ANALYZE_BODY_LIMIT = MAX_FILES_PER_ANALYSIS * MAX_IMAGE_BYTES + 256 * 1024
DEFAULT_BODY_LIMIT = 4 * 1024 * 1024


def _token_checker(settings: Settings) -> Callable[[Request], Awaitable[None]]:
    expected = settings.service_token.get_secret_value().encode() if settings.service_token else b""

    async def require_service_token(request: Request) -> None:
        if not expected:
            return
        given = request.headers.get(SERVICE_TOKEN_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("ai_service.token_rejected", path=request.url.path, present=bool(given))
            raise Unauthorized("Token di servizio mancante o non valido.")

    return require_service_token


async def _read_image(upload: UploadFile, index: int) -> bytes:
    data = await upload.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise PayloadTooLarge(f"La foto {index + 1} supera i 10 MB.")
    if not data.startswith(JPEG_MAGIC):
        raise AIInvalidInput(f"La foto {index + 1} non è un JPEG.")
    return data


def _line(chunk: ChatChunk) -> str:
    return chunk.model_dump_json(exclude_none=True) + "\n"


def create_ai_app(settings: Settings, *, service: AIService | None = None) -> FastAPI:
    token = settings.service_token.get_secret_value() if settings.service_token else ""
    if not token:
        if settings.environment is not Environment.development:
            raise RuntimeError("VO_SERVICE_TOKEN is required to run the AI service outside development")
        log.warning("ai_service.no_token", detail="every caller is accepted: development only")

    ai = service or AIService(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info("ai_service.started", vision_model=settings.ollama_vision_model)
        await ai.start()
        try:
            yield
        finally:
            await ai.aclose()

    app = FastAPI(
        title="Vinted Optimizer AI service",
        version=__version__,
        lifespan=lifespan,
        docs_url=None if settings.environment is Environment.production else "/docs",
        redoc_url=None,
        # Native request spans with this process's provider when tracing is on (kit.tracing), else off.
        telemetry=tracing.fastapi_telemetry(),
    )
    app.state.ai_service = ai
    error_handlers.install(app)

    @app.exception_handler(AIModelMissing)
    async def model_missing(request: Request, error: AIModelMissing) -> JSONResponse:
        # The model name lets the HTTP client rebuild the same error on the other side.
        return JSONResponse(
            {"error": error.code, "detail": error.detail, "model": error.model},
            status_code=error.status_code,
            headers=error.headers,
        )

    protected = [Depends(_token_checker(settings))]

    @app.post(
        "/analyze",
        operation_id="ai:analyze",
        response_model=AnalyzeResult,
        dependencies=protected,
        responses=responses(Unauthorized, PayloadTooLarge, AIInvalidInput, AIUnavailable),
    )
    async def analyze(
        files: Annotated[list[UploadFile], File()],
        brands: Annotated[
            list[str] | None, Form(description="Brands the caller knows, read on labels")
        ] = None,
    ) -> AnalyzeResult:
        if not 1 <= len(files) <= MAX_FILES_PER_ANALYSIS:
            raise AIInvalidInput(f"Da 1 a {MAX_FILES_PER_ANALYSIS} foto per analisi.")
        if brands and len(brands) > MAX_KNOWN_BRANDS:
            raise AIInvalidInput(f"Al massimo {MAX_KNOWN_BRANDS} marche note per analisi.")
        images = [await _read_image(upload, index) for index, upload in enumerate(files)]
        return await ai.analyze(images, brands)

    @app.post(
        "/embed",
        operation_id="ai:embed",
        response_model=EmbedResult,
        dependencies=protected,
        responses=responses(Unauthorized, AIInvalidInput, AIUnavailable),
    )
    async def embed(body: EmbedRequest) -> EmbedResult:
        return await ai.embed(body.texts, body.kind)

    @app.post(
        "/chat",
        operation_id="ai:chat",
        dependencies=protected,
        response_class=StreamingResponse,
        responses={
            200: {"content": {NDJSON: {}}, "description": "ChatChunk objects, one JSON object a line"},
            **responses(Unauthorized),
        },
    )
    async def chat(body: ChatRequest) -> StreamingResponse:
        async def lines() -> AsyncIterator[str]:
            # A client that goes away cancels this generator: aclosing closes Ollama's stream with it.
            async with aclosing(ai.chat(body)) as chunks:
                async for chunk in chunks:
                    yield _line(chunk)

        return StreamingResponse(lines(), media_type=NDJSON, headers={"Cache-Control": "no-store"})

    @app.post(
        "/documents",
        operation_id="ai:documents_index",
        response_model=DocumentsResult,
        dependencies=protected,
        responses=responses(Unauthorized, AIInvalidInput),
    )
    async def index_documents(body: DocumentsIndexRequest) -> DocumentsResult:
        return DocumentsResult(count=await ai.index_documents(body.family_id, body.documents))

    @app.post(
        "/documents/delete",
        operation_id="ai:documents_delete",
        response_model=DocumentsResult,
        dependencies=protected,
        responses=responses(Unauthorized, AIInvalidInput),
    )
    async def delete_documents(body: DocumentsDeleteRequest) -> DocumentsResult:
        return DocumentsResult(count=await ai.delete_documents(body.family_id, body.ids))

    @app.get("/health", operation_id="ai:health")
    async def health() -> dict[str, Any]:
        return await ai.health()

    app.add_middleware(JsonBodyMiddleware, prefix="/", multipart_paths=("/analyze",))
    app.add_middleware(
        BodySizeLimitMiddleware, default_limit=DEFAULT_BODY_LIMIT, overrides={"/analyze": ANALYZE_BODY_LIMIT}
    )
    app.add_middleware(EdgeMiddleware)
    return app
