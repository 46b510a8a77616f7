"""Live events: the delay from an event being published to each of 100 WebSocket clients receiving it.

    .venv/bin/python bench/events.py [--clients 100] [--events 200] [--rate 10]

`vinted-optimizer serve` (one API process) with 100 sockets of one family connected to it. The bench
publishes events the way the worker does (``kit.events.EventBus``: one script call on Redis), paced at
``--rate`` a second, and every client notes when each arrives. Publisher and clients share this
process's clock (``time.perf_counter``); the clients' own reading is part of the figure.

Targets (issue 9): p99 < 50 ms, median < 10 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from redis.asyncio import Redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._sockets import open_sockets  # noqa: E402
from tests.support.serve import Serve, base_env, new_data_dir, shut_down  # noqa: E402

from vinted_optimizer.kit.events import EventBus, EventType  # noqa: E402

PASSWORD = "Valigia-Rossa-2024"  # noqa: S105 - the bench's own account
FAST = {"VO_RATE_LIMIT_IP": "100000/minute", "VO_RATE_LIMIT_USER": "100000/minute", "VO_LOG_LEVEL": "WARNING"}


async def measure(base_url: str, redis_url: str, clients: int, events: int, rate: float) -> list[float]:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        body = (
            await http.post(
                "/api/v1/auth/register",
                json={"email": "events@example.it", "username": "events_bench", "password": PASSWORD},
            )
        ).json()
    token, family_id = body["access_token"], uuid.UUID(body["user"]["family"]["id"])
    sent: dict[int, float] = {}
    delays: list[float] = []

    def handle(event: dict[str, Any], received: float) -> bool:
        if event["type"] != "listing.changed":
            return False
        data = event["data"]
        if data.get("stop"):
            return True
        if not data["warm"]:
            delays.append((received - sent[data["n"]]) * 1000)
        return False

    tasks = await open_sockets(base_url, token, clients, handle)
    redis = Redis.from_url(redis_url)
    bus = EventBus(redis)
    try:
        for number in range(-10, events):  # ten to warm up, not counted
            sent[number] = time.perf_counter()
            await bus.publish(family_id, EventType.listing_changed, {"n": number, "warm": number < 0})
            await asyncio.sleep(1 / rate)
        await bus.publish(family_id, EventType.listing_changed, {"stop": True})
        await asyncio.wait_for(asyncio.gather(*tasks), 60)
    finally:
        await redis.aclose()
    return delays


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10)
    args = parser.parse_args()
    data_dir = new_data_dir()
    server = Serve(data_dir=data_dir, log_path=data_dir / "serve.log", env=base_env(**FAST))
    try:
        server.start()
        redis_url = f"unix://{data_dir / 'redis' / 'redis.sock'}"
        delays = asyncio.run(measure(server.url, redis_url, args.clients, args.events, args.rate))
    finally:
        shut_down(server)
        shutil.rmtree(data_dir, ignore_errors=True)
    ordered = sorted(delays)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    load = f"{args.clients} sockets, {args.events} events at {args.rate:g}/s"
    print(f"\nbench/events.py: {load}, one API process\n")
    print("| measure | value | target |")
    print("|---|---|---|")
    print(f"| deliveries | {len(delays):,} of {args.clients * args.events:,} | all |")
    print(f"| publish → received, median | {statistics.median(delays):.1f} ms | < 10 ms |")
    print(f"| publish → received, p99 | {p99:.1f} ms | < 50 ms |")
    print(f"| publish → received, max | {max(delays):.1f} ms | |")


if __name__ == "__main__":
    main()
