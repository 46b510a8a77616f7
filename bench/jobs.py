"""The job queue: how soon a draft is complete after its upload, and what an idle worker costs in Redis.

    .venv/bin/python bench/jobs.py [--uploads 50] [--idle-seconds 60]

1. Upload → complete draft: `vinted-optimizer serve` (embedded PostgreSQL and Redis, its in-process
   worker) with a local Ollama stand-in that answers at once. Each of the uploads is one new photo (a
   different one each time, so the analysis cache never answers); the clock runs from the upload's
   response to the moment a WebSocket client of the family receives that listing's
   ``analysis.finished`` event, which is when the dashboard shows the draft.
2. Idle worker: the standalone `vinted-optimizer worker` on its own embedded Redis and PostgreSQL,
   left alone; its commands are read from Redis's ``INFO commandstats`` (reset after the worker has
   started, read after ``--idle-seconds``), without the INFO and CONFIG calls of the bench itself.
   Commands run inside a Lua script are counted by Redis as well as the script call itself, so this is
   an upper bound of what Upstash bills (one per script call).

Targets (issue 9): median < 300 ms; idle worker ≤ 1 command/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import redis
from cryptography.fernet import Fernet
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.ollama import FakeOllama  # noqa: E402
from tests.fakes.server import serve_in_thread  # noqa: E402
from tests.images.factories import photo  # noqa: E402
from tests.support.serve import Serve, base_env, new_data_dir, shut_down  # noqa: E402

from vinted_optimizer.kit.embedded import start_embedded  # noqa: E402
from vinted_optimizer.kit.migrations import upgrade  # noqa: E402

PASSWORD = "Valigia-Rossa-2024"  # noqa: S105 - the bench's own account
FAST = {"VO_RATE_LIMIT_IP": "100000/minute", "VO_RATE_LIMIT_USER": "100000/minute", "VO_LOG_LEVEL": "WARNING"}
BENCH_COMMANDS = {"info", "config", "config|resetstat"}


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def upload_to_draft(base_url: str, uploads: int) -> list[float]:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        body = (
            await client.post(
                "/api/v1/auth/register",
                json={"email": "jobs@example.it", "username": "jobs_bench", "password": PASSWORD},
            )
        ).json()
        token = body["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        ws_url = base_url.replace("http", "ws", 1) + "/api/v1/ws"
        async with connect(ws_url, subprotocols=["vo.v1", f"vo.auth.{token}"]) as socket:  # type: ignore[list-item]
            while json.loads(await socket.recv())["type"] != "ready":
                pass
            delays = []
            for index in range(uploads + 3):  # the first three warm the paths up
                files = [("files", (f"{index}.jpg", photo(800, 600, seed=5000 + index), "image/jpeg"))]
                response = await client.post("/api/v1/images/upload", files=files, headers=headers)
                answered = time.perf_counter()
                response.raise_for_status()
                listing_id = response.json()["listing"]["id"]
                while True:
                    event = json.loads(await asyncio.wait_for(socket.recv(), 30))
                    if event["type"] == "analysis.finished" and event["data"]["listing_id"] == listing_id:
                        break
                    if event["type"] == "analysis.failed" and event["data"]["listing_id"] == listing_id:
                        raise SystemExit(f"the analysis failed: {event}")
                if index >= 3:
                    delays.append((time.perf_counter() - answered) * 1000)
            return delays


def idle_worker(seconds: int) -> tuple[float, dict[str, int]]:
    folder = Path(tempfile.mkdtemp(prefix="vo-jobs-", dir="/tmp"))
    servers = start_embedded(folder, need_postgres=True, need_redis=True)
    worker = None
    try:
        assert servers.database_url and servers.redis_url
        upgrade(servers.database_url)
        env = base_env(
            VO_DATABASE_URL=servers.database_url,
            VO_REDIS_URL=servers.redis_url,
            VO_JWT_SECRET=secrets.token_urlsafe(48),
            VO_FERNET_KEYS=Fernet.generate_key().decode(),
            VO_ENVIRONMENT="development",
            VO_LOG_LEVEL="WARNING",
        )
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "vinted_optimizer", "worker"], env=env, cwd=ROOT
        )
        client = redis.Redis.from_url(servers.redis_url)
        time.sleep(10)  # started: its first waits, the cron entries queued, the startup retry run
        if worker.poll() is not None:
            raise SystemExit("the worker did not start")
        client.config_resetstat()
        time.sleep(seconds)
        stats = client.info("commandstats")
        calls = {
            name.removeprefix("cmdstat_"): int(value["calls"])
            for name, value in stats.items()
            if name.removeprefix("cmdstat_") not in BENCH_COMMANDS
        }
        return sum(calls.values()) / seconds, calls
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(20)
        servers.stop()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--uploads", type=int, default=50)
    parser.add_argument("--idle-seconds", type=int, default=60)
    args = parser.parse_args()

    with serve_in_thread(FakeOllama().app) as ollama_url:
        data_dir = new_data_dir()
        server = Serve(
            data_dir=data_dir, log_path=data_dir / "serve.log", env=base_env(**FAST, VO_OLLAMA_URL=ollama_url)
        )
        try:
            server.start()
            delays = asyncio.run(upload_to_draft(server.url, args.uploads))
        finally:
            shut_down(server)
            shutil.rmtree(data_dir, ignore_errors=True)
    rate, calls = idle_worker(args.idle_seconds)

    median, p95 = statistics.median(delays), _percentile(delays, 0.95)
    print(f"\nbench/jobs.py ({os.cpu_count()} cores)\n")
    print("| measure | value | target |")
    print("|---|---|---|")
    print(f"| upload → draft complete, median of {len(delays)} | {median:.0f} ms | < 300 ms |")
    print(f"| upload → draft complete, p95 | {p95:.0f} ms | |")
    print(f"| upload → draft complete, max | {max(delays):.0f} ms | |")
    print(f"| idle worker, Redis commands/s over {args.idle_seconds} s | {rate:.2f} | ≤ 1 |")
    breakdown = ", ".join(f"{name} {count}" for name, count in sorted(calls.items(), key=lambda kv: -kv[1]))
    print(f"\nidle worker's commands in {args.idle_seconds} s: {breakdown or 'none'}")


if __name__ == "__main__":
    main()
