"""`vinted-optimizer serve | api | worker | migrate | create-admin | invite | demo-data | openapi`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from pydantic import SecretStr, ValidationError

from vinted_optimizer.config import Environment, Settings, load_or_create_embedded_secrets
from vinted_optimizer.kit.logging import configure_logging

if TYPE_CHECKING:
    from fastapi import FastAPI

log = structlog.get_logger(__name__)


def _exit_cleanly_on_sigterm() -> None:
    """SIGTERM ends the process through SystemExit, so `finally` blocks stop the embedded servers.

    uvicorn installs its own handlers while serving and, once shut down gracefully, re-raises the signal
    it caught: with this handler restored, that lands here instead of killing the process outright."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


def _settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as error:
        messages = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in error.errors())
        raise SystemExit(f"Configurazione non valida / invalid configuration: {messages}") from None


def _serve_uvicorn(app: FastAPI | str, host: str, port: int, settings: Settings, *, workers: int = 1) -> None:
    """uvicorn with uvloop and httptools; several worker processes need the app as a factory's path."""
    import uvicorn

    uvicorn.run(
        app,
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        ws="websockets-sansio",
        workers=workers if workers > 1 else None,
        factory=isinstance(app, str),
        log_config=None,
        # No access log: its lines were filtered out below WARNING anyway (kit.logging), yet each request
        # paid for formatting them; errors and our own request logs are unaffected.
        access_log=False,
        # Forwarded headers are trusted only through VO_TRUSTED_PROXIES (kit.context), never by uvicorn.
        proxy_headers=False,
        timeout_graceful_shutdown=10,
        server_header=False,
    )


def _environment_of(settings: Settings) -> dict[str, str]:
    """What `serve` decided (embedded URLs, generated secrets, the public URL), for its child processes."""
    assert settings.database_url and settings.redis_url and settings.jwt_secret and settings.fernet_keys
    return {
        "VO_DATABASE_URL": settings.database_url.get_secret_value(),
        "VO_REDIS_URL": settings.redis_url.get_secret_value(),
        "VO_JWT_SECRET": settings.jwt_secret.get_secret_value(),
        "VO_FERNET_KEYS": settings.fernet_keys.get_secret_value(),
        "VO_PUBLIC_URL": settings.public_url,
        "VO_DATA_DIR": str(settings.data_dir),
    }


def _free_loopback_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _home_services(settings: Settings) -> tuple[dict[str, str], list[list[str]]]:
    """Several processes cannot share the home side's files (the scraper's DuckDB snapshots, the AI's
    DuckDB cache and its Chroma folder: one writer process each): unless they are configured, `serve
    --workers N` runs the AI service and the scraper service as processes of their own, on free loopback
    ports, with the configured service token or a new one; every other process reaches them over HTTP, as
    in production. The environment to add, and the commands to start."""
    import secrets

    env: dict[str, str] = {}
    commands: list[list[str]] = []
    base = [sys.executable, "-m", "vinted_optimizer"]
    for setting, variable, command in (
        (settings.ai_service_url, "VO_AI_SERVICE_URL", "ai-service"),
        (settings.scraper_service_url, "VO_SCRAPER_SERVICE_URL", "scraper-service"),
    ):
        if setting:
            continue
        port = _free_loopback_port()
        env[variable] = f"http://127.0.0.1:{port}"
        commands.append([*base, command, "--port", str(port), "--data-dir", str(settings.data_dir)])
    if env:
        given = settings.service_token.get_secret_value() if settings.service_token else ""
        env["VO_SERVICE_TOKEN"] = given if len(given) >= 32 else secrets.token_urlsafe(32)
    return env, commands


def _serve_processes(args: argparse.Namespace, settings: Settings, workers: int) -> None:
    """Several API processes (uvicorn workers, each its own event loop and core), one job worker, and the
    AI and scraper services (the only processes that open the home side's files)."""
    import subprocess

    os.environ.update(_environment_of(settings))
    home_env, home_commands = _home_services(settings)
    os.environ.update(home_env)
    children = [subprocess.Popen(command) for command in home_commands]  # noqa: S603
    if not args.no_worker:
        children.append(subprocess.Popen([sys.executable, "-m", "vinted_optimizer", "worker"]))  # noqa: S603
    try:
        factory = "vinted_optimizer.app:create_served_app"
        _serve_uvicorn(factory, args.host, args.port, settings, workers=workers)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()


def cmd_serve(args: argparse.Namespace) -> None:
    """Everything on one machine: embedded PostgreSQL and Redis unless URLs are given."""
    from vinted_optimizer.app import create_app
    from vinted_optimizer.kit.embedded import start_embedded
    from vinted_optimizer.kit.migrations import upgrade

    data_dir = Path(args.data_dir).resolve()
    settings = _settings(data_dir=data_dir)
    if settings.environment is not Environment.production:
        settings = load_or_create_embedded_secrets(settings)
    servers = start_embedded(
        data_dir, need_postgres=settings.database_url is None, need_redis=settings.redis_url is None
    )
    # What the supervisor could not restart makes liveness fail (/api/health), so a platform restarts us.
    fatal: list[str] = []
    workers = args.workers or settings.api_workers

    def on_fatal(reason: str) -> None:
        fatal.append(reason)  # one process: liveness fails (/api/health) and the platform restarts it
        if workers > 1:  # several: nothing else would notice, so stop them all
            log.error("serve.fatal", reason=reason)
            os.kill(os.getpid(), signal.SIGTERM)

    servers.supervise(on_fatal=on_fatal)
    try:
        updates: dict[str, object] = {}
        if servers.database_url:
            updates["database_url"] = SecretStr(servers.database_url)
        if servers.redis_url:
            updates["redis_url"] = SecretStr(servers.redis_url)
        settings = settings.model_copy(update=updates)
        assert settings.database_url is not None
        upgrade(settings.database_url.get_secret_value())
        if settings.public_url == Settings.model_fields["public_url"].default:
            # Invitation links must point where this instance actually listens.
            settings = settings.model_copy(update={"public_url": f"http://{args.host}:{args.port}"})
        url = f"http://{args.host}:{args.port}/"
        log.info("serve.ready", url=url, data_dir=str(data_dir), workers=workers)
        if workers > 1:
            _serve_processes(args, settings, workers)
            return
        app = create_app(settings, run_worker=not args.no_worker, serve_dashboard=True)
        app.state.fatal = fatal
        _serve_uvicorn(app, args.host, args.port, settings)
    finally:
        servers.stop()


def cmd_api(args: argparse.Namespace) -> None:
    from vinted_optimizer.app import create_app

    settings = _settings()
    if settings.database_url is None or settings.redis_url is None:
        raise SystemExit("`api` needs VO_DATABASE_URL and VO_REDIS_URL (use `serve` for an embedded setup).")
    _serve_uvicorn(create_app(settings), args.host, args.port, settings)


def cmd_ai_service(args: argparse.Namespace) -> None:
    """The AI service on its own (the home machine, behind the tunnel): Ollama, cache, embeddings."""
    from vinted_optimizer.ai.app import create_ai_app

    settings = _settings(data_dir=Path(args.data_dir).resolve(), process="ai-service")
    _serve_uvicorn(create_ai_app(settings), args.host, args.port, settings)


def cmd_scraper_service(args: argparse.Namespace) -> None:
    """The scraper service on its own (the home machine, behind the tunnel): every call to Vinted, its
    queue in Redis, the snapshots in DuckDB."""
    from vinted_optimizer.scraper.app import create_scraper_app

    settings = _settings(data_dir=Path(args.data_dir).resolve(), process="scraper-service")
    if settings.redis_url is None:
        raise SystemExit("`scraper-service` needs VO_REDIS_URL (the pacing gate and its queue).")
    _serve_uvicorn(create_scraper_app(settings), args.host, args.port, settings)


def cmd_worker(args: argparse.Namespace) -> None:
    from vinted_optimizer.app import close_resources, open_resources
    from vinted_optimizer.worker import run_supervised

    settings = _settings()
    if settings.database_url is None or settings.redis_url is None:
        raise SystemExit("`worker` needs VO_DATABASE_URL and VO_REDIS_URL.")

    async def run() -> None:
        from vinted_optimizer.scraper.client import InProcessScraperClient

        resources = await open_resources(settings)
        try:
            if isinstance(resources.scraper, InProcessScraperClient) and not args.burst:
                # No scraper service configured (`serve --workers N`, development): its queue is worked here.
                resources.scraper.start_worker()
            await run_supervised(resources, burst=args.burst)
        finally:
            await close_resources(resources)

    loop = asyncio.new_event_loop()
    task = loop.create_task(run())
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    try:
        loop.run_until_complete(task)
    except asyncio.CancelledError:
        log.info("worker.stopped")
    finally:
        loop.close()


def cmd_migrate(args: argparse.Namespace) -> None:
    from vinted_optimizer.kit.embedded import start_embedded
    from vinted_optimizer.kit.migrations import upgrade

    settings = _settings(data_dir=Path(args.data_dir).resolve())
    servers = start_embedded(settings.data_dir, need_postgres=settings.database_url is None, need_redis=False)
    try:
        url = settings.database_url.get_secret_value() if settings.database_url else servers.database_url
        assert url is not None
        upgrade(url, args.revision)
        log.info("migrate.done", revision=args.revision)
    finally:
        servers.stop()


async def _create_instance_admin(
    database_url: str, settings: Settings, args: argparse.Namespace, password: str
) -> None:
    from vinted_optimizer.kit.db import create_engine, create_sessionmaker
    from vinted_optimizer.kit.security import Passwords
    from vinted_optimizer.users.service import create_instance_admin

    engine = create_engine(database_url, pool_size=1)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            await create_instance_admin(
                session, Passwords(settings), email=args.email, username=args.username, password=password
            )
    finally:
        await engine.dispose()


def cmd_create_admin(args: argparse.Namespace) -> None:
    from vinted_optimizer.kit.embedded import start_embedded
    from vinted_optimizer.kit.migrations import upgrade

    password = os.environ.get("VO_ADMIN_PASSWORD") or getpass.getpass("Password: ")
    settings = _settings(data_dir=Path(args.data_dir).resolve())
    servers = start_embedded(settings.data_dir, need_postgres=settings.database_url is None, need_redis=False)
    try:
        url = settings.database_url.get_secret_value() if settings.database_url else servers.database_url
        assert url is not None
        upgrade(url)
        try:
            asyncio.run(_create_instance_admin(url, settings, args, password))
        except ValueError as error:
            raise SystemExit(str(error)) from None
        print(f"Amministratore creato / administrator created: {args.username}")
    finally:
        servers.stop()


async def _invite_family(database_url: str, settings: Settings, email: str, family_name: str) -> str:
    from vinted_optimizer.kit.db import create_engine, create_sessionmaker
    from vinted_optimizer.kit.security import SecretBox
    from vinted_optimizer.users.schemas import NewFamilyInvitation
    from vinted_optimizer.users.service import invite_new_family

    data = NewFamilyInvitation(email=email, family_name=family_name)
    engine = create_engine(database_url, pool_size=1)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            created = await invite_new_family(session, settings, SecretBox(settings), None, data, None, None)
        return created.invite_url
    finally:
        await engine.dispose()


def cmd_invite(args: argparse.Namespace) -> None:
    """The first member of a new family, invited from the command line (a fresh install, no web admin)."""
    from pydantic import ValidationError as InputError

    from vinted_optimizer.kit.embedded import start_embedded
    from vinted_optimizer.kit.migrations import upgrade

    settings = _settings(data_dir=Path(args.data_dir).resolve())
    if settings.environment is not Environment.production:
        settings = load_or_create_embedded_secrets(settings)
    servers = start_embedded(settings.data_dir, need_postgres=settings.database_url is None, need_redis=False)
    try:
        url = settings.database_url.get_secret_value() if settings.database_url else servers.database_url
        assert url is not None
        upgrade(url)
        try:
            link = asyncio.run(_invite_family(url, settings, args.email, args.family_name))
        except InputError as error:
            raise SystemExit("; ".join(str(e["msg"]) for e in error.errors())) from None
        print(f"Invito per «{args.family_name}» ({args.email}), valido {settings.invitation_days} giorni:")
        print(link)
    finally:
        servers.stop()


async def _seed_demo(database_url: str, settings: Settings, args: argparse.Namespace) -> Any:
    from vinted_optimizer.demo import run_demo
    from vinted_optimizer.kit.db import create_engine
    from vinted_optimizer.kit.storage import create_storage

    engine = create_engine(database_url, pool_size=1)
    try:
        return await run_demo(
            engine,
            create_storage(settings),
            settings,
            listings=args.listings,
            sales=args.sales,
            shipments=args.shipments,
            seed=args.seed,
            reset=args.reset,
        )
    finally:
        await engine.dispose()


def cmd_demo_data(args: argparse.Namespace) -> None:
    """The demo family in the database `serve` uses (the embedded one, started here if needed)."""
    from vinted_optimizer.demo import DemoError
    from vinted_optimizer.kit.embedded import start_embedded
    from vinted_optimizer.kit.migrations import upgrade

    for name in ("listings", "sales", "shipments"):
        if getattr(args, name) < 0:
            raise SystemExit(f"--{name}: un numero positivo / a positive number")
    settings = _settings(data_dir=Path(args.data_dir).resolve())
    servers = start_embedded(settings.data_dir, need_postgres=settings.database_url is None, need_redis=False)
    try:
        url = settings.database_url.get_secret_value() if settings.database_url else servers.database_url
        assert url is not None
        upgrade(url)
        try:
            summary = asyncio.run(_seed_demo(url, settings, args))
        except DemoError as error:
            raise SystemExit(str(error)) from None
    finally:
        servers.stop()
    print(
        f"Famiglia demo «{summary.family_name}» creata in {summary.seconds:.1f} s / demo family created: "
        f"{summary.listings} annunci ({summary.images} foto), {summary.sales} vendite, "
        f"{summary.shipments} spedizioni, {summary.trends} rilevazioni di mercato."
    )
    print("Accedi con / sign in with (password per tutti / for all: " + summary.password + "):")
    for member in summary.members:
        role = "amministratore della famiglia" if member.role == "admin" else "membro"
        print(f"  {member.email:<28} ({member.username}, {role})")
    print("Avvia con / start with: make run  →  http://127.0.0.1:8000/")


def cmd_openapi(args: argparse.Namespace) -> None:
    from vinted_optimizer.openapi import openapi_json

    document = openapi_json()
    if args.output == "-":
        sys.stdout.write(document)
    else:
        Path(args.output).write_text(document)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vinted-optimizer", description="Vinted Optimizer")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="the whole system on one machine (embedded servers)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--data-dir", default=os.environ.get("VO_DATA_DIR", "./data"))
    serve.add_argument("--no-worker", action="store_true", help="do not run the job worker in-process")
    serve.add_argument(
        "--workers", type=int, default=None, help="API processes (default VO_API_WORKERS or 1), one per core"
    )
    serve.set_defaults(handler=cmd_serve)

    api = commands.add_parser("api", help="the API only (VO_DATABASE_URL and VO_REDIS_URL required)")
    api.add_argument("--host", default="0.0.0.0")  # noqa: S104 - a container's listening address
    api.add_argument("--port", type=int, default=8000)
    api.set_defaults(handler=cmd_api)

    ai_service = commands.add_parser("ai-service", help="the AI service alone (home machine, port 8001)")
    ai_service.add_argument("--host", default="127.0.0.1")
    ai_service.add_argument("--port", type=int, default=8001)
    ai_service.add_argument("--data-dir", default=os.environ.get("VO_DATA_DIR", "./data"))
    ai_service.set_defaults(handler=cmd_ai_service)
    scraper = commands.add_parser(
        "scraper-service", help="the scraper service alone (home machine, port 8002): every call to Vinted"
    )
    scraper.add_argument("--host", default="127.0.0.1")
    scraper.add_argument("--port", type=int, default=8002)
    scraper.add_argument("--data-dir", default=os.environ.get("VO_DATA_DIR", "./data"))
    scraper.set_defaults(handler=cmd_scraper_service)

    worker = commands.add_parser("worker", help="the ARQ job worker")
    worker.add_argument("--burst", action="store_true", help="run queued jobs, then exit")
    worker.set_defaults(handler=cmd_worker)

    migrate = commands.add_parser("migrate", help="apply the database migrations")
    migrate.add_argument("--revision", default="head")
    migrate.add_argument("--data-dir", default=os.environ.get("VO_DATA_DIR", "./data"))
    migrate.set_defaults(handler=cmd_migrate)

    admin = commands.add_parser("create-admin", help="create the instance administrator")
    admin.add_argument("--email", required=True)
    admin.add_argument("--username", required=True)
    admin.add_argument("--data-dir", default=os.environ.get("VO_DATA_DIR", "./data"))
    admin.set_defaults(handler=cmd_create_admin)

    invite = commands.add_parser("invite", help="invite the first member (and admin) of a new family")
    invite.add_argument("--email", required=True)
    invite.add_argument("--family-name", required=True)
    invite.add_argument("--data-dir", default=os.environ.get("VO_DATA_DIR", "./data"))
    invite.set_defaults(handler=cmd_invite)

    demo = commands.add_parser(
        "demo-data", help="seed a demo family (listings with photos, two years of sales, parcels, trends)"
    )
    demo.add_argument("--reset", action="store_true", help="delete the demo family first, then seed it again")
    demo.add_argument("--listings", type=int, default=1000)
    demo.add_argument("--sales", type=int, default=5000)
    demo.add_argument("--shipments", type=int, default=500)
    demo.add_argument("--seed", type=int, default=2026, help="the same seed gives the same family")
    demo.add_argument("--data-dir", default=os.environ.get("VO_DATA_DIR", "./data"))
    demo.set_defaults(handler=cmd_demo_data)

    openapi = commands.add_parser("openapi", help="write the OpenAPI document (the dashboard's contract)")
    openapi.add_argument("--output", default="-", help="file path, or - for standard output")
    openapi.set_defaults(handler=cmd_openapi)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    _exit_cleanly_on_sigterm()
    level = os.environ.get("VO_LOG_LEVEL", "INFO")
    configure_logging(level, json=os.environ.get("VO_LOG_JSON", "").lower() in ("1", "true"))
    if args.command in TRACED_COMMANDS:
        _setup_tracing(args.command)
    args.handler(args)


# The commands that run a process of the system, each its own service.name in the traces.
TRACED_COMMANDS = frozenset({"serve", "api", "worker", "ai-service", "scraper-service"})


def _setup_tracing(service: str) -> None:
    """OpenTelemetry for this process when an OTLP endpoint is configured (kit.tracing); what is batched
    is flushed when the process ends."""
    import atexit

    from vinted_optimizer.kit import tracing

    try:
        enabled = tracing.setup(service)
    except ValueError as error:
        raise SystemExit(f"Configurazione non valida / invalid configuration: {error}") from None
    if enabled:
        atexit.register(tracing.shutdown)
        log.info("tracing.enabled", service=service)


if __name__ == "__main__":
    main()
