"""Run the real `vinted-optimizer serve` in a subprocess, on a free port, with a short data folder.

`serve` starts PostgreSQL and Redis inside the data folder. `Process` owns one `vinted-optimizer <command>`
subprocess in its own process group (tests/support/split.py runs `api`, `worker`, `ai-service` and
`scraper-service` with it); `Serve` is the `serve` command's. `running_serve()` is the whole life cycle
for a fixture: data folder, start, wait for /api/health, SIGTERM, and on teardown kill whatever is left
(the process group, then the embedded servers).

    with running_serve(VO_ACCESS_TOKEN_MINUTES="0.05") as server:
        httpx.get(f"{server.url}/api/health")
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import httpx
import psutil
import pytest

from tests.support.settings import NOWHERE, OFFLINE_URLS

READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
# Short, under /tmp: PostgreSQL's Unix socket lives in the data folder (path limit ~107 bytes).
DATA_DIR_PREFIX = "vo-s"


def base_env(**extra: str) -> dict[str, str]:
    """The caller's environment without any VO_* setting, plus cheap Argon2id parameters and `extra`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("VO_")}
    env.update(
        VO_ARGON2_MEMORY_KIB="1024",
        VO_ARGON2_TIME_COST="1",
        VO_LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    # Nothing in the suite reaches the internet (a test points a service at its stand-in with `extra`).
    env.update({f"VO_{name.upper()}": NOWHERE for name in OFFLINE_URLS})
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def new_data_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix=DATA_DIR_PREFIX, dir="/tmp"))


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run one `vinted-optimizer` command to completion."""
    return subprocess.run(
        [sys.executable, "-m", "vinted_optimizer", *args],
        env=env or base_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        start_new_session=True,
    )


def is_running(pid: int | None) -> bool:
    """True while the process exists and is not a zombie (PID 1 may be slow to reap it)."""
    if pid is None:
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def wait_gone(pid: int | None, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while is_running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def postgres_pid(data_dir: Path) -> int | None:
    """The postmaster of the embedded PostgreSQL of this data folder, from its pid file."""
    pid_file = data_dir / "postgres" / "postmaster.pid"
    try:
        return int(pid_file.read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None


def redis_pids(data_dir: Path) -> list[int]:
    """The embedded redis-server runs in the data folder's redis/ (serve starts it in its own session)."""
    folder = str((data_dir / "redis").resolve())
    found = []
    for process in psutil.process_iter(["name"]):
        try:
            if process.info["name"] == "redis-server" and process.cwd() == folder and is_running(process.pid):
                found.append(process.pid)
        except psutil.Error:
            continue
    return found


def kill_embedded(data_dir: Path) -> None:
    """Teardown only: stop whatever embedded server of this data folder is still running."""
    pg = postgres_pid(data_dir)
    if is_running(pg):
        assert pg is not None
        with contextlib.suppress(OSError):
            os.kill(pg, signal.SIGINT)  # PostgreSQL's "fast shutdown"
        if not wait_gone(pg, 10):
            with contextlib.suppress(OSError):
                os.kill(pg, signal.SIGKILL)
    for pid in redis_pids(data_dir):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
        if not wait_gone(pid, 5):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


@dataclass
class Process:
    """One `vinted-optimizer <command>` subprocess in its own process group, logging to a file.

    `start()` = `launch()` + `wait_ready()`; call the two halves separately to start several at once.
    `health`: the path that answers 200 once it serves; None for a process without a port (the worker).
    """

    name: str
    args: list[str]
    env: dict[str, str]
    log_path: Path
    health: str | None = "/api/health"
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def launch(self) -> Self:
        ports = ["--host", "127.0.0.1", "--port", str(self.port)] if self.health else []
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "vinted_optimizer", *self.args, *ports],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return self

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> Self:
        assert self.process is not None, "launch() first"
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=self.url, timeout=2) as client:
            while True:
                if self.process.poll() is not None:
                    pytest.fail(f"{self.name} exited with {self.process.returncode}:\n{self.output()}")
                if self.health is None:
                    return self  # the worker: jobs wait in Redis until it dequeues them
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(self.health).status_code == 200:
                        return self
                if time.monotonic() > deadline:
                    pytest.fail(f"{self.name} not ready after {timeout:.0f} s:\n{self.output()}")
                time.sleep(0.1)

    def start(self) -> Self:
        return self.launch().wait_ready()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> int:
        """Send `sig` and wait for the exit code; fails the test if it does not stop in time."""
        assert self.process is not None
        self.process.send_signal(sig)
        try:
            return self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{self.name} still running {STOP_TIMEOUT:.0f} s after {sig.name}:\n{self.output()}")

    def kill(self) -> None:
        """Teardown: SIGKILL the whole process group if the process is still running."""
        if self.running():
            assert self.process is not None
            with contextlib.suppress(OSError):
                os.killpg(self.process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(10)


class Serve(Process):
    """One `vinted-optimizer serve` subprocess on its data folder (embedded PostgreSQL and Redis inside)."""

    def __init__(
        self, *, data_dir: Path, log_path: Path, env: dict[str, str], port: int | None = None
    ) -> None:
        self.data_dir = data_dir
        super().__init__(
            "serve",
            ["serve", "--data-dir", str(data_dir)],
            env,
            log_path,
            port=free_port() if port is None else port,
        )


def stop_all(*processes: Process) -> None:
    """Teardown: one SIGTERM to each still running (all at once, they stop in parallel), wait, then kill
    the process group of whatever is left."""
    running = [p for p in processes if p.running()]
    for process in running:
        assert process.process is not None
        process.process.send_signal(signal.SIGTERM)
    for process in running:
        assert process.process is not None
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.process.wait(STOP_TIMEOUT)
    for process in processes:
        process.kill()


def shut_down(*servers: Serve) -> None:
    """Teardown: one SIGTERM to each (so `serve` stops its embedded servers itself; all at once, they stop
    in parallel), wait, then kill whatever is left: the process group, then the embedded servers."""
    stop_all(*servers)
    for server in servers:
        kill_embedded(server.data_dir)


@contextlib.contextmanager
def running_serve(log_path: Path | None = None, *, keep_data: bool = False, **env: str) -> Iterator[Serve]:
    """A ready `serve` on a fresh data folder; `env` adds or overrides VO_* variables (see `base_env`).

    The log goes to `log_path` (default: inside the data folder). On exit: SIGTERM, kill the process
    group if needed, stop leftover embedded servers, remove the data folder unless `keep_data`.
    """
    data_dir = new_data_dir()
    server = Serve(data_dir=data_dir, log_path=log_path or data_dir / "serve.log", env=base_env(**env))
    try:
        yield server.start()
    finally:
        shut_down(server)
        if not keep_data:
            shutil.rmtree(data_dir, ignore_errors=True)


@contextlib.contextmanager
def running_serves(log_dir: Path, names: list[str], **env: str) -> Iterator[dict[str, Serve]]:
    """Several ready `serve`s, each on a fresh data folder, started side by side (a start is mostly one
    process's imports: on two cores two starts take little longer than one); by name. Stopped as
    `running_serve` stops one."""
    servers = {
        name: Serve(data_dir=new_data_dir(), log_path=log_dir / f"serve-{name}.log", env=base_env(**env))
        for name in names
    }
    try:
        for server in servers.values():
            server.launch()
        for server in servers.values():
            server.wait_ready()
        yield servers
    finally:
        shut_down(*servers.values())
        for server in servers.values():
            shutil.rmtree(server.data_dir, ignore_errors=True)
