"""The API's hot path against the stack's ceiling, under the same load, measured side by side.

    .venv/bin/python bench/api.py [--seconds 8] [--connections 50] [--rounds 5]

Starts `vinted-optimizer serve` (embedded PostgreSQL and Redis, limits raised) and the ceiling app
(bench/ceiling_app.py: FastAPI + asyncpg, one SELECT by primary key on the same PostgreSQL), one process
each, both under uvicorn with uvloop and httptools. The load comes from wrk, a separate process (make bench
installs Debian's wrk). Targets:

- ceiling: GET /listings/{id} of the ceiling app
- listing: authenticated GET /api/v1/listings/{id}, a listing with 3 photos (every security layer on)
- list: authenticated GET /api/v1/listings?limit=24, 24 listings with photos

- with --workers N (N > 1): the same listing read on N API processes (what `serve --workers N` runs),
  on the same embedded servers, for comparison (the headline ratio is one process against one)

Prints requests per second, p50, p99 and the ratio to the ceiling, for each round (the machine is shared:
compare within a round), then the median of the rounds' ratios.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.ollama import FakeOllama  # noqa: E402
from tests.fakes.server import serve_in_thread  # noqa: E402
from tests.images.factories import photo  # noqa: E402
from tests.support.serve import Serve, base_env, free_port, new_data_dir, shut_down  # noqa: E402

PASSWORD = "Valigia-Rossa-2024"  # noqa: S105 - the bench's own account
FAST = {
    "VO_RATE_LIMIT_IP": "100000000/minute",
    "VO_RATE_LIMIT_USER": "100000000/minute",
    "VO_LOG_LEVEL": "WARNING",
}


@dataclass
class Run:
    target: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, *, seconds: int, connections: int, headers: dict[str, str]) -> Run:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Run(url, rps, p50, p99, errors)


def seed(base_url: str) -> tuple[dict[str, str], str]:
    """A member, 24 listings with 3 photos each, analysed (so the worker is idle while the load runs);
    returns the auth header and the first listing's id."""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        body = client.post(
            "/api/v1/auth/register",
            json={"email": "bench@example.it", "username": "bench", "password": PASSWORD},
        ).json()
        headers = {"Authorization": f"Bearer {body['access_token']}"}
        first = None
        for index in range(24):
            files = [
                ("files", (f"{index}-{n}.jpg", photo(800, 600, seed=index * 3 + n), "image/jpeg"))
                for n in range(3)
            ]
            response = client.post("/api/v1/images/upload", files=files, headers=headers)
            response.raise_for_status()
            first = first or response.json()["listing"]["id"]
        deadline = time.monotonic() + 120
        while client.get("/api/v1/listings?analysis_status=pending", headers=headers).json()["total"]:
            if time.monotonic() > deadline:
                raise SystemExit("the drafts were not analysed within 2 minutes")
            time.sleep(0.2)
    assert first is not None
    return headers, first


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    raise SystemExit("wrk is not installed: `make bench` installs it (Debian's wrk package).")


def _more_workers(data_dir: Path, dsn: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    """`serve --workers N`'s API processes (uvicorn workers of create_served_app) beside the serve."""
    secrets = dict(
        line.split("=", 1) for line in (data_dir / "secrets.env").read_text().splitlines() if "=" in line
    )
    port = free_port()
    env = base_env(
        **FAST,
        **secrets,
        VO_DATABASE_URL=dsn,
        VO_REDIS_URL=f"unix://{data_dir / 'redis' / 'redis.sock'}",
        VO_DATA_DIR=str(data_dir),
    )
    command = [sys.executable, "-m", "uvicorn", "vinted_optimizer.app:create_served_app", "--factory"]
    command += ["--workers", str(workers), "--port", str(port), "--loop", "uvloop", "--http", "httptools"]
    command += ["--no-access-log", "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
    url = f"http://127.0.0.1:{port}"
    _wait_until_answered(f"{url}/api/health", seconds=20)
    return process, url


def _wait_until_answered(url: str, *, seconds: float) -> None:
    """Until ``url`` answers 200 (a server just started), for at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {seconds:g} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1, help="also measure N API processes (1: not)")
    args = parser.parse_args()
    ensure_wrk()
    with serve_in_thread(FakeOllama().app) as ollama_url:
        measure(args, ollama_url)


def measure(args: argparse.Namespace, ollama_url: str) -> None:
    data_dir = new_data_dir()
    env = base_env(**FAST, VO_OLLAMA_URL=ollama_url)
    server = Serve(data_dir=data_dir, log_path=data_dir / "serve.log", env=env)
    ceiling: subprocess.Popen[bytes] | None = None
    helpers: list[subprocess.Popen[bytes]] = []
    try:
        server.start()
        headers, listing_id = seed(server.url)
        socket_dir = data_dir / "postgres"
        dsn = f"postgresql://postgres@/vinted_optimizer?host={socket_dir}"
        port = free_port()
        ceiling = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench.ceiling_app:app",
                "--port",
                str(port),
                "--loop",
                "uvloop",
                "--http",
                "httptools",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**os.environ, "VO_CEILING_DSN": dsn},
        )
        ceiling_url = f"http://127.0.0.1:{port}"
        _wait_until_answered(f"{ceiling_url}/listings/{listing_id}", seconds=10)
        targets = {
            "ceiling (FastAPI + asyncpg, 1 SELECT)": (f"{ceiling_url}/listings/{listing_id}", {}),
            "GET /api/v1/listings/{id} (3 photos)": (f"{server.url}/api/v1/listings/{listing_id}", headers),
            "GET /api/v1/listings?limit=24": (f"{server.url}/api/v1/listings?limit=24", headers),
        }
        if args.workers > 1:
            # The same app as `serve --workers N` runs it, on the same embedded servers and secrets.
            many = _more_workers(data_dir, dsn, args.workers)
            helpers.append(many[0])
            targets[f"GET /api/v1/listings/{{id}}, {args.workers} API processes"] = (
                f"{many[1]}/api/v1/listings/{listing_id}",
                headers,
            )
        for url, extra in targets.values():  # warm up every path and pool
            wrk(url, seconds=3, connections=args.connections, headers=extra)
        load = f"wrk, 1 thread, {args.connections} connections, {args.seconds} s a run"
        print(f"\nbench/api.py: {load}, one server process each\n")
        print(
            "| round | target | req/s | p50 | p99 | ratio to ceiling (req/s) | p99 / ceiling p99 | errors |"
        )
        print("|---|---|---|---|---|---|---|---|")
        ratios: dict[str, list[tuple[float, float]]] = {name: [] for name in targets}
        for round_number in range(1, args.rounds + 1):
            runs = {
                name: wrk(url, seconds=args.seconds, connections=args.connections, headers=extra)
                for name, (url, extra) in targets.items()
            }
            base = next(iter(runs.values()))
            for name, run in runs.items():
                figures = f"{run.rps:,.0f} | {run.p50_ms:.1f} ms | {run.p99_ms:.1f} ms"
                ratios[name].append((run.rps / base.rps, run.p99_ms / base.p99_ms))
                paired = f"{run.rps / base.rps:.2f}× | {run.p99_ms / base.p99_ms:.2f}×"
                print(f"| {round_number} | {name} | {figures} | {paired} | {run.errors} |")
        # The machine is shared and its speed drifts from one run to the next: short runs side by side,
        # and the median of each round's ratio.
        print(f"\nmedian over {args.rounds} rounds (each round's ratio to that round's ceiling):\n")
        print("| target | req/s ratio | p99 ratio |")
        print("|---|---|---|")
        for name, pairs in list(ratios.items())[1:]:
            rps_ratio = statistics.median(pair[0] for pair in pairs)
            p99_ratio = statistics.median(pair[1] for pair in pairs)
            print(f"| {name} | {rps_ratio:.2f}× | {p99_ratio:.2f}× |")
    finally:
        for process in [*helpers, *([ceiling] if ceiling else [])]:
            process.terminate()
            process.wait(10)
        shut_down(server)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
