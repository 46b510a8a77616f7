"""The standalone scraper service (``vinted-optimizer scraper-service``, port 8002) on the home machine.

The cloud API reaches it through the tunnel, so every call except ``/health`` must carry the shared
``X-Service-Token`` (compared in constant time); without a configured token it refuses to start unless
the environment is development. Its lifespan runs the scraper's worker (the ``vo-scraper`` queue).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated

import structlog
from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from vinted_optimizer import __version__
from vinted_optimizer.config import Environment, Settings
from vinted_optimizer.kit import error_handlers, tracing
from vinted_optimizer.kit.errors import Unauthorized, responses
from vinted_optimizer.kit.middleware import BodySizeLimitMiddleware, EdgeMiddleware, JsonBodyMiddleware
from vinted_optimizer.kit.redis import create_redis
from vinted_optimizer.scraper.client import SERVICE_TOKEN_HEADER
from vinted_optimizer.scraper.errors import ScraperCoolingDown
from vinted_optimizer.scraper.schemas import (
    PUBLISH_MAX_PHOTOS,
    PUBLISH_STREAM_TYPE,
    AggregatesPage,
    ComparablesQuery,
    LabelOutcome,
    LabelRequest,
    MarketComparison,
    MemberOutcome,
    PacingReport,
    PublishProgress,
    PublishRequest,
    RefreshRequest,
    ScrapeAccepted,
    ScrapeRequest,
    SyncOutcome,
    SyncRequest,
    UnpublishOutcome,
    UnpublishRequest,
)
from vinted_optimizer.scraper.service import ScraperService
from vinted_optimizer.scraper.worker import scraper_worker

log = structlog.get_logger(__name__)

BODY_LIMIT = 256 * 1024
PUBLISH_PATH = "/members/publish"


def publish_body_limit(settings: Settings) -> int:
    """A publish carries its photos as base64 (a third larger than the JPEGs), at most 20 of them."""
    return PUBLISH_MAX_PHOTOS * settings.max_upload_bytes * 4 // 3 + BODY_LIMIT


def _token_checker(settings: Settings) -> Callable[[Request], Awaitable[None]]:
    expected = settings.service_token.get_secret_value().encode() if settings.service_token else b""

    async def require_service_token(request: Request) -> None:
        if not expected:
            return
        given = request.headers.get(SERVICE_TOKEN_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("scraper_service.token_rejected", path=request.url.path, present=bool(given))
            raise Unauthorized("Token di servizio mancante o non valido.")

    return require_service_token


async def publish_stream(scraper: ScraperService, body: PublishRequest) -> AsyncIterator[bytes]:
    """A {"progress": …} line before each write, then {"outcome": …} (``PublishOutcome``): the cloud side
    shows the step while the photos go, and the envelope still comes whatever happened."""
    lines: asyncio.Queue[bytes | None] = asyncio.Queue()

    async def told(progress: PublishProgress) -> None:
        await lines.put(b'{"progress":' + progress.model_dump_json().encode() + b"}\n")

    async def run() -> None:
        try:
            outcome = await scraper.publish_member(body, told)
            await lines.put(b'{"outcome":' + outcome.model_dump_json().encode() + b"}\n")
        finally:
            await lines.put(None)

    task = asyncio.create_task(run())
    try:
        while (line := await lines.get()) is not None:
            yield line
        await task
    finally:
        if not task.done():
            task.cancel()


def create_scraper_app(
    settings: Settings, *, service: ScraperService | None = None, run_worker: bool = True
) -> FastAPI:
    token = settings.service_token.get_secret_value() if settings.service_token else ""
    if not token:
        if settings.environment is not Environment.development:
            raise RuntimeError("VO_SERVICE_TOKEN is required to run the scraper service outside development")
        log.warning("scraper_service.no_token", detail="every caller is accepted: development only")
    if service is None:
        if settings.redis_url is None:
            raise RuntimeError("the scraper service needs VO_REDIS_URL (its queue and the pacing gate)")
        service = ScraperService(settings, create_redis(settings.redis_url.get_secret_value()))
    scraper = service

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(scraper_worker(scraper).start()) if run_worker else None
        log.info("scraper_service.started")
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            await scraper.aclose()

    app = FastAPI(
        title="Vinted Optimizer scraper service",
        version=__version__,
        lifespan=lifespan,
        docs_url=None if settings.environment is Environment.production else "/docs",
        redoc_url=None,
        # Native request spans with this process's provider when tracing is on (kit.tracing), else off.
        telemetry=tracing.fastapi_telemetry(),
    )
    app.state.scraper_service = scraper
    error_handlers.install(app)

    @app.exception_handler(ScraperCoolingDown)
    async def cooling(request: Request, error: ScraperCoolingDown) -> JSONResponse:
        # The time and the reason let the HTTP client rebuild the same error on the other side.
        return JSONResponse(
            {
                "error": error.code,
                "detail": error.detail,
                "until": error.until.isoformat(),
                "reason": error.reason,
            },
            status_code=error.status_code,
            headers=error.headers,
        )

    protected = [Depends(_token_checker(settings))]

    @app.post(
        "/scrapes",
        operation_id="scraper:request",
        status_code=202,
        response_model=ScrapeAccepted,
        dependencies=protected,
        responses=responses(Unauthorized, ScraperCoolingDown),
    )
    async def request_scrape(body: ScrapeRequest) -> ScrapeAccepted:
        return await scraper.request(body)

    @app.get("/status", operation_id="scraper:status", response_model=PacingReport, dependencies=protected)
    async def status() -> PacingReport:
        return await scraper.status()

    @app.get(
        "/aggregates",
        operation_id="scraper:aggregates",
        response_model=AggregatesPage,
        dependencies=protected,
    )
    async def aggregates(after: Annotated[int, Query(ge=0)] = 0) -> AggregatesPage:
        return await scraper.aggregates(after)

    # A member's calls answer 200 with the envelope (scraper.schemas.MemberOutcome), errors included, so
    # the pair Vinted rotated on the way is never lost to an error status.
    @app.post(
        "/members/refresh",
        operation_id="scraper:member_refresh",
        response_model=MemberOutcome,
        dependencies=protected,
    )
    async def refresh_member(body: RefreshRequest) -> MemberOutcome:
        return await scraper.refresh_member(body.session)

    @app.post(
        "/comparables",
        operation_id="scraper:comparables",
        response_model=MarketComparison,
        dependencies=protected,
        responses=responses(Unauthorized),
        summary="The asking prices of comparable listings already scraped (no call to Vinted)",
    )
    async def comparables(body: ComparablesQuery) -> MarketComparison:
        return await scraper.comparables(body)

    # The sales sync's member calls (issue 12 item 7), envelopes like the refresh.
    @app.post(
        "/members/sync",
        operation_id="scraper:member_sync",
        response_model=SyncOutcome,
        dependencies=protected,
    )
    async def sync_member(body: SyncRequest) -> SyncOutcome:
        return await scraper.sync_member(body)

    @app.post(
        "/members/label",
        operation_id="scraper:member_label",
        response_model=LabelOutcome,
        dependencies=protected,
    )
    async def member_label(body: LabelRequest) -> LabelOutcome:
        return await scraper.member_label(body)

    # --- a member's publishing: the photos and the item, or its deletion (writes at the gate) ------
    @app.post(
        PUBLISH_PATH,
        operation_id="scraper:member_publish",
        response_class=StreamingResponse,
        responses={
            200: {"content": {PUBLISH_STREAM_TYPE: {}}, "description": "progress lines, then the outcome"}
        },
        dependencies=protected,
    )
    async def publish_member(body: PublishRequest) -> StreamingResponse:
        return StreamingResponse(publish_stream(scraper, body), media_type=PUBLISH_STREAM_TYPE)

    @app.post(
        "/members/unpublish",
        operation_id="scraper:member_unpublish",
        response_model=UnpublishOutcome,
        dependencies=protected,
    )
    async def unpublish_member(body: UnpublishRequest) -> UnpublishOutcome:
        return await scraper.unpublish_member(body)

    @app.get("/health", operation_id="scraper:health")
    async def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.add_middleware(JsonBodyMiddleware, prefix="/")
    app.add_middleware(
        BodySizeLimitMiddleware,
        default_limit=BODY_LIMIT,
        overrides={PUBLISH_PATH: publish_body_limit(settings)},
    )
    app.add_middleware(EdgeMiddleware)
    return app
