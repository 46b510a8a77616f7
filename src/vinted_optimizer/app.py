"""create_app(): the API. Its lifespan opens the engine, Redis, the rate limiter and the job queue."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from vinted_optimizer import __version__
from vinted_optimizer.admin.endpoints import router as admin_router
from vinted_optimizer.ai.client import create_ai_client
from vinted_optimizer.auth.dependencies import AUTHENTICATION, RequestGateMiddleware, bearer
from vinted_optimizer.auth.endpoints import router as auth_router
from vinted_optimizer.auth.service import SESSIONS_REVOKED_CHANNEL
from vinted_optimizer.chat.endpoints import router as chat_router
from vinted_optimizer.config import Environment, Settings
from vinted_optimizer.dashboard.endpoints import router as dashboard_router
from vinted_optimizer.events.endpoints import router as events_router
from vinted_optimizer.events.endpoints import socket_router
from vinted_optimizer.health.endpoints import router as health_router
from vinted_optimizer.images.endpoints import router as images_router
from vinted_optimizer.kit import error_handlers, tracing
from vinted_optimizer.kit.context import ProxyTrust
from vinted_optimizer.kit.db import PoolReader, create_engine, create_read_sessionmaker, create_sessionmaker
from vinted_optimizer.kit.docs import mount_docs
from vinted_optimizer.kit.events import EventHub
from vinted_optimizer.kit.metrics import RequestMetrics
from vinted_optimizer.kit.middleware import (
    REQUEST_ID_HEADER,
    BodySizeLimitMiddleware,
    EdgeMiddleware,
    ExtensionCorsMiddleware,
    JsonBodyMiddleware,
    SecurityHeaders,
)
from vinted_optimizer.kit.openapi import document_errors
from vinted_optimizer.kit.queue import create_queue
from vinted_optimizer.kit.ratelimit import RateLimits
from vinted_optimizer.kit.redis import create_redis
from vinted_optimizer.kit.routing import API_PREFIX
from vinted_optimizer.kit.security import AccessTokens, Passwords, SecretBox
from vinted_optimizer.kit.signing import DeviceCookies, UrlSigner
from vinted_optimizer.kit.storage import create_storage
from vinted_optimizer.kit.webapp import default_web_dir, mount_dashboard
from vinted_optimizer.listings.endpoints import router as listings_router
from vinted_optimizer.meta.endpoints import router as meta_router
from vinted_optimizer.notifications.endpoints import router as notifications_router
from vinted_optimizer.resources import Resources
from vinted_optimizer.sales.endpoints import router as sales_router
from vinted_optimizer.scraper.client import InProcessScraperClient
from vinted_optimizer.shipments.endpoints import carriers_router
from vinted_optimizer.shipments.endpoints import router as shipments_router
from vinted_optimizer.trends.endpoints import router as trends_router
from vinted_optimizer.users.endpoints import router as users_router
from vinted_optimizer.vinted_link.endpoints import REDEEM_PATH
from vinted_optimizer.vinted_link.endpoints import router as vinted_link_router
from vinted_optimizer.webhooks.endpoints import router as webhooks_router
from vinted_optimizer.webhooks.endpoints import tracking_router
from vinted_optimizer.worker import JOB_NAMES, run_supervised

log = structlog.get_logger(__name__)

UPLOAD_PATH = "/api/v1/images/upload"
PREVIEW_PATH = "/api/v1/images/preview"
WEBHOOKS_PATH = "/api/v1/webhooks/"
# A parcel's report is a few kilobytes (17TRACK's with its whole history, tens): more is not a webhook.
WEBHOOK_MAX_BYTES = 256 * 1024


async def open_resources(settings: Settings) -> Resources:
    if settings.database_url is None or settings.redis_url is None:
        raise RuntimeError("VO_DATABASE_URL and VO_REDIS_URL must be set (or use `vinted-optimizer serve`)")
    database_url = settings.database_url.get_secret_value()
    redis_url = settings.redis_url.get_secret_value()
    engine = create_engine(database_url)
    return Resources(
        settings=settings,
        engine=engine,
        sessionmaker=create_sessionmaker(engine),
        read_sessionmaker=create_read_sessionmaker(engine),
        redis=create_redis(redis_url),
        rate_limits=RateLimits(settings, redis_url),
        passwords=Passwords(settings),
        tokens=AccessTokens(settings),
        secret_box=SecretBox(settings),
        queue=await create_queue(redis_url, JOB_NAMES),
        storage=create_storage(settings),
        ai=create_ai_client(settings),
        signer=UrlSigner(settings.jwt_secret.get_secret_value() if settings.jwt_secret else ""),
        devices=DeviceCookies(settings.jwt_secret.get_secret_value() if settings.jwt_secret else ""),
        reader=PoolReader(database_url),
    )


async def close_resources(resources: Resources) -> None:
    with contextlib.suppress(Exception):
        await resources.ai.aclose()
    with contextlib.suppress(Exception):
        await resources.close_scraper()
    with contextlib.suppress(Exception):
        await resources.queue.aclose()
    with contextlib.suppress(Exception):
        await resources.rate_limits.close()
    with contextlib.suppress(Exception):
        await resources.redis.aclose()
    with contextlib.suppress(Exception):
        await resources.reader.close()
    await resources.engine.dispose()


def _share(app: FastAPI, resources: Resources) -> None:
    """What the kit's request-scoped dependencies read from the app's state."""
    app.state.sessionmaker = resources.sessionmaker
    app.state.read_sessionmaker = resources.read_sessionmaker or resources.sessionmaker
    app.state.reader = resources.reader
    app.state.queue = resources.queue
    app.state.events = resources.events
    if getattr(app.state, "event_hub", None) is None:
        # One subscription per process delivers the events to this process's sockets.
        app.state.event_hub = EventHub(resources.redis, (SESSIONS_REVOKED_CHANNEL,))


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    owned = app.state.resources is None
    if owned:
        app.state.resources = await open_resources(settings)
    resources: Resources = app.state.resources
    _share(app, resources)
    worker_task = None
    if app.state.run_worker:
        worker_task = asyncio.create_task(run_supervised(resources), name="worker")
        scraper = resources.scraper
        if isinstance(scraper, InProcessScraperClient):
            scraper.start_worker()  # `serve`: the scraper's own queue is worked in this process too
    if settings.registration == "open" and not settings.smtp_host:
        # Only possible in development (the settings refuse it elsewhere).
        log.warning(
            "registration.open_without_smtp",
            detail="sign-ups are created at once and their answers reveal which e-mails and usernames exist",
        )
    if owned:
        # A serving process: what exists now (modules, schemas, routes, pools, the AI client) lives as long
        # as it does. Out of the collector's sight, a full collection no longer walks all of it (pauses of
        # about 150 ms under load on this heap, and a fifth of the listing reads' throughput:
        # bench/api.py). Apps on the tests' resources skip it: their objects die with each test.
        gc.collect()
        gc.freeze()
        # A young generation of 10,000 objects, not 700: under load the requests in flight survived the
        # many small collections, reached the oldest generation and set off a full collection every
        # second or so (20-35 ms each, nothing to free); with it none ran in 40 s of bench/api.py.
        gc.set_threshold(10_000, 10, 10)
    metrics: RequestMetrics = app.state.request_metrics
    flusher = asyncio.create_task(metrics.run_flusher(resources.redis), name="metrics-flusher")
    log.info("api.started", version=__version__, environment=settings.environment.value)
    try:
        yield
    finally:
        flusher.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await flusher
        await app.state.event_hub.aclose()
        if worker_task is not None:
            worker_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await worker_task
        if owned:
            await close_resources(resources)
        log.info("api.stopped")


def create_app(
    settings: Settings,
    *,
    resources: Resources | None = None,
    run_worker: bool = False,
    serve_dashboard: bool = False,
) -> FastAPI:
    app = FastAPI(
        title="Vinted Optimizer API",
        version=__version__,
        openapi_url="/api/openapi.json",
        docs_url=None,  # kit.docs serves it from the package, outside production
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        lifespan=_lifespan,
        # FastAPI's native OpenTelemetry, with this process's provider when tracing is on (kit.tracing);
        # off, it is disabled: its per-request check of the global providers cost a sixth of a bare route.
        telemetry=tracing.fastapi_telemetry(),
    )
    app.state.settings = settings
    app.state.proxy_trust = ProxyTrust(settings.trusted_proxies, settings.client_ip_header)
    app.state.resources = resources
    app.state.run_worker = run_worker
    app.state.event_hub = None
    # This process's request counters (kit.metrics), flushed to Redis by the lifespan's task.
    app.state.request_metrics = RequestMetrics()
    if resources is not None:
        _share(app, resources)

    error_handlers.install(app)
    if settings.environment is not Environment.production:
        mount_docs(app, openapi_url="/api/openapi.json")
    document_errors(app, authentication=AUTHENTICATION, scheme=bearer, rate_limited_prefix=API_PREFIX)

    # Each domain's router is included once, with the /api/v1 prefix (the request gate is a middleware, for
    # every path under it): a router nested in a v1 router costs every request another level of route
    # matching (FastAPI 0.163), and a DomainRouter skips a path outside its prefix at once (kit.routing).
    domains = (
        auth_router,
        users_router,
        vinted_link_router,
        listings_router,
        images_router,
        sales_router,
        notifications_router,
        shipments_router,
        carriers_router,
        events_router,
        trends_router,
        chat_router,
        dashboard_router,
        meta_router,
        admin_router,
        webhooks_router,
        tracking_router,
    )
    for router in domains:
        app.include_router(router, prefix=router.mounted_at)
    # The WebSocket checks the same things itself (its token is in a header the gate does not read).
    app.include_router(socket_router, prefix=API_PREFIX)
    app.include_router(health_router)
    if serve_dashboard:
        # Last: the catch-all must not shadow any API route.
        mount_dashboard(app, settings.web_dir or default_web_dir())

    # Added innermost first: the request passes Edge (request id, security headers, the 500 safety net) →
    # CORS → BodySizeLimit → JsonBody → RequestGate on its way in.
    app.add_middleware(RequestGateMiddleware, prefix=API_PREFIX)
    app.add_middleware(JsonBodyMiddleware, prefix="/api/", multipart_paths=(UPLOAD_PATH, PREVIEW_PATH))
    upload_limit = settings.max_files_per_upload * settings.max_upload_bytes + 1024 * 1024
    app.add_middleware(
        BodySizeLimitMiddleware,
        default_limit=settings.max_request_bytes,
        overrides={
            UPLOAD_PATH: upload_limit,
            PREVIEW_PATH: settings.max_upload_bytes + 1024 * 1024,
            WEBHOOKS_PATH: min(WEBHOOK_MAX_BYTES, settings.max_request_bytes),
        },
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "Accept-Language"],
            expose_headers=["Retry-After", REQUEST_ID_HEADER],
            max_age=600,
        )
    # The browser extension's one route, for its own origins only (outside the dashboard's allow-list).
    app.add_middleware(ExtensionCorsMiddleware, paths=(REDEEM_PATH,))
    app.add_middleware(
        EdgeMiddleware,
        security=SecurityHeaders(hsts=settings.environment is Environment.production),
        metrics=app.state.request_metrics,
    )
    return app


def create_served_app() -> FastAPI:
    """The factory each API process of a multi-process `serve` calls: the settings its parent decided
    come through the environment; the job worker runs in a process of its own, and so do the AI and
    scraper services (`cli._home_services`), reached over HTTP: no API process opens the home side's files."""
    import atexit

    if tracing.setup("serve"):  # each API process its own provider (kit.tracing), when configured
        atexit.register(tracing.shutdown)
    return create_app(Settings(process="serve"), serve_dashboard=True)
