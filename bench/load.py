"""The load generator of bench/perf.py: 100 members at once against `serve`, run as its own process.

    .venv/bin/python bench/load.py PLAN.json RESULT.json

PLAN.json (written by bench/perf.py after seeding): the API's URL, Redis' URL, the duration, and each
member's access token, family id and listing ids. Every member is one asyncio task that loops until the
end: one request, then a pause of 0.5–1.5 s (a person at a screen, not a flood: about one request a
second each, ~100 a second in all). Each member also holds one WebSocket open on /api/v1/ws.

The mix of a member's requests (weights out of 100):

- API CRUD (45): GET /listings/{id} (25), PATCH /listings/{id} (15, a new price), POST /listings (5)
- API with DB (50): GET /sales/stats (12), GET /dashboard/overview (12), GET /listings?q=…&sort=…
  (a search over the family's listings, 14), GET /dashboard/analytics (12)
- image upload (5): POST /images/upload, one 800×600 JPEG (a new draft; the worker analyses it meanwhile)

WebSocket messages: a publisher task sends a ``listing.changed`` event to a random family five times a
second the way the worker does (``kit.events.EventBus``: one script call on Redis) and every socket of that
family notes when it arrives; publisher and sockets share this process's clock. Every delivery that does
not arrive within 10 s is an error.

The machine has two cores, shared with `serve` (two API processes and the worker), PostgreSQL, Redis and
the headless Chromium of perf.py: the generator is one Python process and its own scheduling is part of
every figure (kept light by the pauses above).

RESULT.json: for each category, the latencies in milliseconds, the count of errors and a few of them.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from redis.asyncio import Redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._sockets import open_sockets  # noqa: E402
from tests.images.factories import photo  # noqa: E402

from vinted_optimizer.kit.events import EventBus, EventType  # noqa: E402

CRUD, DB, UPLOAD, WS = "API CRUD", "API with DB", "image upload", "WebSocket message"
SEARCH_WORDS = ("maglia", "jeans", "giacca", "scarpe", "vestito", "borsa", "felpa", "camicia")
PUBLISH_RATE = 5.0  # WebSocket events a second, across the families
DELIVERY_TIMEOUT = 10.0


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    by_operation: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)

    def error(self, category: str, text: str) -> None:
        self.errors[category] += 1
        if len(self.samples) < 20:
            self.samples.append(f"{category}: {text}")


@dataclass
class Member:
    token: str
    family_id: str
    listings: list[str]
    counter: int = 0


def _operations(member: Member, photos: list[bytes]) -> list[tuple[int, str, str, Any]]:
    """(weight, category, operation name, a function of the client giving the request's coroutine)."""
    headers = {"Authorization": f"Bearer {member.token}"}

    def one() -> str:
        return random.choice(member.listings)  # noqa: S311 - a load mix, not a secret

    def patch(client: httpx.AsyncClient) -> Any:
        member.counter += 1
        price = f"{10 + member.counter % 90}.{member.counter % 100:02d}"
        return client.patch(f"/api/v1/listings/{one()}", json={"price": price}, headers=headers)

    def create(client: httpx.AsyncClient) -> Any:
        member.counter += 1
        body = {"title": f"Maglia di prova {member.counter}", "price": "12.50", "brand": "Zara"}
        return client.post("/api/v1/listings", json=body, headers=headers)

    def search(client: httpx.AsyncClient) -> Any:
        params = {"q": random.choice(SEARCH_WORDS), "sort": "-price", "limit": "24"}  # noqa: S311
        return client.get("/api/v1/listings", params=params, headers=headers)

    def upload(client: httpx.AsyncClient) -> Any:
        data = random.choice(photos)  # noqa: S311
        files = [("files", ("foto.jpg", data, "image/jpeg"))]
        return client.post("/api/v1/images/upload", files=files, headers=headers)

    return [
        (25, CRUD, "GET /listings/{id}", lambda c: c.get(f"/api/v1/listings/{one()}", headers=headers)),
        (15, CRUD, "PATCH /listings/{id}", patch),
        (5, CRUD, "POST /listings", create),
        (12, DB, "GET /sales/stats", lambda c: c.get("/api/v1/sales/stats", headers=headers)),
        (12, DB, "GET /dashboard/overview", lambda c: c.get("/api/v1/dashboard/overview", headers=headers)),
        (14, DB, "GET /listings?q=…", search),
        (12, DB, "GET /dashboard/analytics", lambda c: c.get("/api/v1/dashboard/analytics", headers=headers)),
        (5, UPLOAD, "POST /images/upload", upload),
    ]


async def member_loop(
    client: httpx.AsyncClient, member: Member, photos: list[bytes], end: float, tally: Tally
) -> None:
    operations = _operations(member, photos)
    weights = [weight for weight, *_ in operations]
    await asyncio.sleep(random.uniform(0, 1.5))  # noqa: S311 - the members do not start in step
    while time.monotonic() < end:
        _, category, name, request = random.choices(operations, weights)[0]  # noqa: S311
        started = time.perf_counter()
        try:
            response = await request(client)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code >= 400:
                tally.error(category, f"{name} → {response.status_code} {response.text[:200]}")
            else:
                tally.latencies[category].append(elapsed)
                tally.by_operation[name].append(elapsed)
        except httpx.HTTPError as error:
            tally.error(category, f"{name} → {type(error).__name__}: {error}")
        pause = random.uniform(0.5, 1.5)  # noqa: S311
        await asyncio.sleep(max(0.0, min(pause, end - time.monotonic())))


class Sockets:
    """One socket a member, each noting when the publisher's events reach it."""

    def __init__(self, members: list[Member], tally: Tally) -> None:
        self.members, self.tally = members, tally
        self.sent: dict[int, float] = {}
        self.pending: dict[int, int] = {}  # event number → deliveries still awaited
        self.per_family: dict[str, int] = defaultdict(int)
        for member in members:
            self.per_family[member.family_id] += 1
        self.tasks: list[asyncio.Task[None]] = []

    def handle(self, event: dict[str, Any], received: float) -> bool:
        if event["type"] != "listing.changed":
            return False
        data = event["data"]
        if data.get("perf_stop"):
            return True
        number = data.get("perf")
        if number is None:  # a real change (a PATCH of the load): not timed here
            return False
        self.tally.latencies[WS].append((received - self.sent[number]) * 1000)
        self.tally.by_operation["listing.changed → the family's sockets"].append(
            (received - self.sent[number]) * 1000
        )
        self.pending[number] -= 1
        return False

    async def connect(self, base_url: str) -> None:
        for member in self.members:
            self.tasks += await open_sockets(base_url, member.token, 1, self.handle)

    async def publish_until(self, redis_url: str, end: float) -> None:
        redis = Redis.from_url(redis_url)
        bus = EventBus(redis)
        families = sorted(self.per_family)
        number = 0
        try:
            while time.monotonic() < end:
                family = random.choice(families)  # noqa: S311
                self.pending[number] = self.per_family[family]
                self.sent[number] = time.perf_counter()
                await bus.publish(uuid.UUID(family), EventType.listing_changed, {"perf": number})
                number += 1
                await asyncio.sleep(1 / PUBLISH_RATE)
            await asyncio.sleep(DELIVERY_TIMEOUT)  # the last event's deliveries, late ones included
            for count in self.pending.values():
                for _ in range(max(count, 0)):
                    self.tally.error(WS, f"a delivery not received within {DELIVERY_TIMEOUT:g} s")
            for family in families:
                await bus.publish(uuid.UUID(family), EventType.listing_changed, {"perf_stop": True})
        finally:
            await redis.aclose()
        done, still = await asyncio.wait(self.tasks, timeout=30)
        for task in still:
            task.cancel()
            self.tally.error(WS, "a socket did not receive the end")
        for task in done:
            if task.exception() is not None:
                self.tally.error(WS, f"a socket ended: {task.exception()!r}")


async def run(plan: dict[str, Any]) -> Tally:
    tally = Tally()
    members = [Member(m["token"], m["family_id"], m["listings"]) for m in plan["members"]]
    photos = [photo(800, 600, seed=n, quality=85) for n in range(8)]
    # An idle connection is dropped after 2 s, well before uvicorn's 5 s keep-alive closes it from its
    # side (a request sent on a connection the server is closing would fail with nothing to do with load).
    limits = httpx.Limits(
        max_connections=len(members) + 10, max_keepalive_connections=len(members) + 10, keepalive_expiry=2
    )
    sockets = Sockets(members, tally)
    await sockets.connect(plan["base_url"])  # every socket connected before the clock starts
    async with httpx.AsyncClient(base_url=plan["base_url"], timeout=30, limits=limits) as client:
        end = time.monotonic() + plan["seconds"]
        print(f"load.py: {len(members)} members and their sockets, {plan['seconds']} s", flush=True)
        publisher = asyncio.create_task(sockets.publish_until(plan["redis_url"], end))
        await asyncio.gather(*(member_loop(client, m, photos, end, tally) for m in members))
        print("load.py: the members have stopped", flush=True)  # perf.py's end of the CPU account
        await publisher
    return tally


def main() -> None:
    plan_path, result_path = Path(sys.argv[1]), Path(sys.argv[2])
    plan = json.loads(plan_path.read_text())
    started = time.perf_counter()
    tally = asyncio.run(run(plan))
    result = {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time(),
        "latencies": tally.latencies,
        "by_operation": tally.by_operation,
        "errors": tally.errors,
        "samples": tally.samples,
    }
    result_path.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
