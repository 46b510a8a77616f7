"""Authentication latency against a real `vinted-optimizer serve`, with the production Argon2id parameters.

    .venv/bin/python bench/auth.py [--requests 1000] [--hashes 20]

Starts its own server (embedded PostgreSQL and Redis in a fresh temporary data folder, rate limits
raised so nothing is throttled), registers one user, then times N sequential requests of each endpoint
over one keep-alive connection. Also times Argon2id in-process with the default settings.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from vinted_optimizer.config import Settings
from vinted_optimizer.kit.security import Passwords

PASSWORD = "Valigia-Rossa-2024"
EMAIL = "bench@example.it"
USERNAME = "bench"
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
WARMUP = 10


@dataclass
class Result:
    name: str
    latencies: list[float]
    wall_seconds: float

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies, 99) * 1000

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.wall_seconds


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def measure(name: str, count: int, call: Callable[[], None]) -> Result:
    latencies = []
    started = time.perf_counter()
    for _ in range(count):
        before = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - before)
    return Result(name, latencies, time.perf_counter() - started)


def default_argon2_settings() -> Settings:
    """The shipped defaults, whatever VO_ARGON2_* says in this shell."""
    fields = ("argon2_time_cost", "argon2_memory_kib", "argon2_parallelism")
    return Settings(**{name: Settings.model_fields[name].default for name in fields})


def bench_argon2(runs: int) -> tuple[Settings, float, float]:
    settings = default_argon2_settings()
    passwords = Passwords(settings)  # needs only the argon2_* settings
    hashes, verifies = [], []
    for _ in range(runs):
        before = time.perf_counter()
        stored = asyncio.run(passwords.hash(PASSWORD))
        hashes.append(time.perf_counter() - before)
        before = time.perf_counter()
        assert asyncio.run(passwords.verify(stored, PASSWORD))
        verifies.append(time.perf_counter() - before)
    return settings, statistics.median(hashes) * 1000, statistics.median(verifies) * 1000


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("VO_")}
    # Production Argon2id (no VO_ARGON2_*); only the per-IP and per-user limits are raised.
    env.update(VO_RATE_LIMIT_IP="100000/minute", VO_RATE_LIMIT_USER="100000/minute", PYTHONUNBUFFERED="1")
    return env


def start_server(data_dir: Path, port: int, log_path: Path) -> subprocess.Popen:
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "vinted_optimizer", "serve", "--host", "127.0.0.1"]
            + ["--port", str(port), "--data-dir", str(data_dir)],
            env=server_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + READY_TIMEOUT
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=2) as client:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"serve exited with {process.returncode}:\n{log_path.read_text()}")
            with contextlib.suppress(httpx.HTTPError):
                if client.get("/api/health").status_code == 200:
                    return process
            if time.monotonic() > deadline:
                raise RuntimeError(f"serve not ready after {READY_TIMEOUT:.0f} s:\n{log_path.read_text()}")
            time.sleep(0.2)


def is_running(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def embedded_pids(data_dir: Path) -> list[int]:
    """The embedded PostgreSQL postmaster (from its pid file) and Redis (runs in redis/) of data_dir."""
    pids = []
    with contextlib.suppress(OSError, ValueError, IndexError):
        pids.append(int((data_dir / "postgres" / "postmaster.pid").read_text().splitlines()[0]))
    redis_dir = str((data_dir / "redis").resolve())
    for process in psutil.process_iter(["name"]):
        with contextlib.suppress(psutil.Error):
            if process.info["name"] == "redis-server" and process.cwd() == redis_dir:
                pids.append(process.pid)
    return [pid for pid in pids if is_running(pid)]


def wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while is_running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def stop_server(process: subprocess.Popen, data_dir: Path) -> str:
    """SIGTERM, then make sure nothing of this data folder keeps running. Returns a status line."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    status = f"serve stopped with SIGTERM, exit code {process.returncode}"
    # PostgreSQL takes SIGINT as "fast shutdown"; redis-server saves and exits on SIGTERM.
    leftovers = [pid for pid in embedded_pids(data_dir) if not wait_gone(pid, 3)]
    for pid in leftovers:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGINT if psutil.Process(pid).name() == "postgres" else signal.SIGTERM)
        if not wait_gone(pid, 10):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    if leftovers:
        status += f"; embedded servers left running (pids {leftovers}) were stopped by the bench"
    return status


def expect(response: httpx.Response, status: int) -> httpx.Response:
    if response.status_code != status:
        raise RuntimeError(
            f"{response.request.method} {response.request.url} -> {response.status_code}: {response.text}"
        )
    return response


def bench_http(base_url: str, count: int) -> list[Result]:
    # One keep-alive connection; cookies are dropped so the refresh token always comes from the body.
    with httpx.Client(base_url=base_url, timeout=30) as client:
        expect(
            client.post(
                "/api/v1/auth/register", json={"email": EMAIL, "username": USERNAME, "password": PASSWORD}
            ),
            201,
        )
        client.cookies.clear()
        state: dict[str, str] = {}

        def login() -> None:
            body = expect(
                client.post(
                    "/api/v1/auth/login",
                    json={"login": EMAIL, "password": PASSWORD},
                    headers={"X-Refresh-Token": "body"},  # a client without cookies asks for it
                ),
                200,
            ).json()
            client.cookies.clear()
            state["access"], state["refresh"] = body["access_token"], body["refresh_token"]

        def refresh() -> None:
            body = expect(
                client.post("/api/v1/auth/refresh", json={"refresh_token": state["refresh"]}), 200
            ).json()
            client.cookies.clear()
            state["access"], state["refresh"] = body["access_token"], body["refresh_token"]

        def me() -> None:
            expect(
                client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {state['access']}"}), 200
            )

        results = []
        for name, call in (
            ("POST /api/v1/auth/login", login),
            ("POST /api/v1/auth/refresh", refresh),
            ("GET  /api/v1/users/me", me),
        ):
            for _ in range(WARMUP):
                call()
            results.append(measure(name, count, call))
        return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="timed requests per endpoint (1000)")
    parser.add_argument("--hashes", type=int, default=20, help="Argon2id hashes to time in-process (20)")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.hashes < 1:
        parser.error("--requests and --hashes must be positive")

    print(f"python {platform.python_version()}, {os.cpu_count()} CPU(s), {platform.machine()}")
    settings, hash_ms, verify_ms = bench_argon2(args.hashes)
    params = (
        f"m={settings.argon2_memory_kib} KiB, t={settings.argon2_time_cost}, p={settings.argon2_parallelism}"
    )
    print(f"\nArgon2id ({params}), median of {args.hashes}:")
    print(f"  hash    {hash_ms:8.1f} ms")
    print(f"  verify  {verify_ms:8.1f} ms")

    data_dir = Path(tempfile.mkdtemp(prefix="vo-b", dir="/tmp"))
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    process: subprocess.Popen | None = None
    status = "serve not started"
    try:
        process = start_server(data_dir, port, data_dir / "serve.log")
        print(f"\nserve at {base_url}, data folder {data_dir}")
        print(
            f"{args.requests} sequential requests per endpoint after {WARMUP} warm-up, one keep-alive client"
        )
        results = bench_http(base_url, args.requests)
    finally:
        if process is not None:
            status = stop_server(process, data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)

    print(f"\n{'endpoint':<28}{'requests':>10}{'median ms':>12}{'p99 ms':>10}{'req/s':>10}")
    print("-" * 70)
    for result in results:
        print(
            f"{result.name:<28}{len(result.latencies):>10}{result.median_ms:>12.2f}"
            f"{result.p99_ms:>10.2f}{result.per_second:>10.1f}"
        )
    print(f"\n{status}")


if __name__ == "__main__":
    main()
