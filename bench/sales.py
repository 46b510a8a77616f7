"""The sales export's time and memory, 1,000 against 10,000 rows, and GET /sales/stats with 5,000 sales.

    .venv/bin/python bench/sales.py [--stats-requests 200]

Starts `vinted-optimizer serve` (embedded PostgreSQL and Redis, one API process), registers a member and
inserts sales straight into its PostgreSQL in bulk (one COPY per year): 5,000 in 2023, 1,000 in 2024,
10,000 in 2025. Then, for each format, downloads the export of 2024 and of 2025 while a thread samples the
serving process's resident memory (RSS of the `serve` process itself, every 5 ms; PostgreSQL is another
process and not counted) and prints the time, the peak RSS and the growth over the RSS before the
request: streamed, the growth must not follow the row count. Then times GET /sales/stats over 2023
(5,000 sales), sequentially, and prints the median and p99.

Last, the webhook → WebSocket delay: 100 sockets of the family connected, ``--webhooks`` signed 17TRACK
webhooks posted one after another (each moves another parcel from ready to in transit, so each publishes
``shipment.status_changed``), and for each socket the time from sending the POST to receiving the event;
it prints the median, p95 and max over every delivery, and the POST's own answer time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._sockets import open_sockets  # noqa: E402
from tests.fakes.tracking17_wire import sign_webhook  # noqa: E402
from tests.support.serve import Serve, base_env, new_data_dir, shut_down  # noqa: E402

PASSWORD = "Valigia-Rossa-2024"  # noqa: S105 - the bench's own account
TRACK17_KEY = "bench-17track-key"
FAST = {
    "VO_RATE_LIMIT_IP": "100000000/minute",
    "VO_RATE_LIMIT_USER": "100000000/minute",
    "VO_LOG_LEVEL": "WARNING",
    # The webhooks are signed with this key; nothing listens at the base URL, so a cron run that happened
    # during the bench would not reach the real 17TRACK.
    "VO_TRACK17_API_KEY": TRACK17_KEY,
    "VO_TRACK17_BASE_URL": "http://127.0.0.1:9",
}
YEARS = {2023: 5_000, 2024: 1_000, 2025: 10_000}
COLUMNS = (
    "id", "family_id", "user_id", "title", "category", "brand", "buyer_username", "sale_price", "vinted_fees",
    "purchase_cost", "shipping_cost", "status", "sold_at", "listed_at", "created_at", "updated_at",
)  # fmt: skip


def rows(family_id: uuid.UUID, user_id: uuid.UUID, year: int, count: int) -> list[tuple]:
    start = datetime(year, 1, 1, 8, tzinfo=UTC)
    step = timedelta(days=360) / count
    now = datetime.now(UTC)
    out = []
    for n in range(count):
        sold = start + step * n
        out.append(
            (
                uuid.uuid4(), family_id, user_id, f"Articolo di prova numero {n}",
                ("Donna > Giacche", "Uomo > Scarpe", "Bambini > Giochi")[n % 3],
                ("Zara", "Nike", "H&M")[n % 3], f"compratore{n}",
                Decimal(10 + n % 40) + Decimal("0.50"), Decimal("0.70") + Decimal(n % 5) / 10,
                Decimal(n % 7), Decimal("0.00") if n % 4 else Decimal("3.99"),
                ("completed", "delivered", "shipped", "pending", "cancelled")[n % 5],
                sold, sold - timedelta(days=n % 30), now, now,
            )
        )  # fmt: skip
    return out


async def seed(dsn: str, family_id: uuid.UUID, user_id: uuid.UUID) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        for year, count in YEARS.items():
            await connection.copy_records_to_table(
                "sales", records=rows(family_id, user_id, year, count), columns=COLUMNS
            )
        await connection.execute("ANALYZE sales")
    finally:
        await connection.close()


class RssSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.peak = self.process.memory_info().rss
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.005)


def export(client: httpx.Client, pid: int, kind: str, year: int) -> tuple[float, int, int, int, int]:
    """(seconds, body bytes, chunks, RSS before, peak RSS) of one download."""
    before = psutil.Process(pid).memory_info().rss
    sampler = RssSampler(pid)
    sampler.start()
    started = time.perf_counter()
    size = chunks = 0
    query = {"format": kind, "date_from": f"{year}-01-01", "date_to": f"{year}-12-31"}
    with client.stream("GET", "/api/v1/sales/export", params=query) as response:
        response.raise_for_status()
        for chunk in response.iter_raw():
            size += len(chunk)
            chunks += 1
    elapsed = time.perf_counter() - started
    sampler.stopped.set()
    sampler.join()
    return elapsed, size, chunks, before, sampler.peak


def mib(value: int) -> str:
    return f"{value / 2**20:7.1f} MiB"


async def add_parcels(
    dsn: str, family_id: uuid.UUID, user_id: uuid.UUID, count: int
) -> list[tuple[str, str]]:
    """``count`` open shipments of one of the seeded sales: (shipment id, tracking number)."""
    connection = await asyncpg.connect(dsn)
    try:
        sale_id = await connection.fetchval("SELECT id FROM sales WHERE family_id = $1 LIMIT 1", family_id)
        parcels = [(uuid.uuid4(), f"RR{700_000_000 + n:09d}IT") for n in range(count)]
        await connection.executemany(
            "INSERT INTO shipments (id, family_id, sale_id, user_id, source, tracking_code, status) "
            "VALUES ($1, $2, $3, $4, 'other', $5, 'ready')",
            [(id_, family_id, sale_id, user_id, number) for id_, number in parcels],
        )
    finally:
        await connection.close()
    return [(str(id_), number) for id_, number in parcels]


def track17_webhook(number: str, at: datetime) -> bytes:
    event = {
        "time_iso": at.isoformat(),
        "time_utc": at.isoformat().replace("+00:00", "Z"),
        "description": "In transito",
        "location": "Milano",
        "stage": "PickedUp",
    }
    info = {
        "latest_status": {
            "status": "InTransit",
            "sub_status": "InTransit_PickedUp",
            "sub_status_descr": None,
        },
        "latest_event": event,
        "tracking": {"providers": [{"events": [event]}]},
    }
    payload = {"event": "TRACKING_UPDATED", "data": {"number": number, "carrier": 8251, "track_info": info}}
    return json.dumps(payload, separators=(",", ":")).encode()


async def webhook_delays(
    base_url: str, token: str, parcels: list[tuple[str, str]], clients: int
) -> tuple[list[float], list[float], int]:
    """(delays POST sent → event received, in ms; the POSTs' answer times; deliveries missing)."""
    seen: dict[str, list[float]] = {}
    last = parcels[-1][0]

    def handle(event: dict[str, Any], received: float) -> bool:
        if event["type"] != "shipment.status_changed":
            return False
        shipment_id = event["data"]["shipment_id"]
        seen.setdefault(shipment_id, []).append(received)
        return bool(shipment_id == last)

    tasks = await open_sockets(base_url, token, clients, handle)
    sent: dict[str, float] = {}
    answers = []
    at = datetime.now(UTC) - timedelta(hours=1)
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        for shipment_id, number in parcels:
            body = track17_webhook(number, at)
            headers = {"Content-Type": "application/json", "sign": sign_webhook(body, TRACK17_KEY)}
            sent[shipment_id] = time.perf_counter()
            response = await http.post("/api/v1/webhooks/track17", content=body, headers=headers)
            answers.append((time.perf_counter() - sent[shipment_id]) * 1000)
            assert response.json() == {"result": "applied"}, response.text
            await asyncio.sleep(0.1)  # one webhook at a time: each delay is its own
    await asyncio.wait_for(asyncio.gather(*tasks), 60)
    delays = [(received - sent[id_]) * 1000 for id_, times in seen.items() for received in times]
    return delays, answers, clients * len(parcels) - len(delays)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stats-requests", type=int, default=200)
    parser.add_argument("--webhooks", type=int, default=20)
    parser.add_argument("--sockets", type=int, default=100)
    args = parser.parse_args()
    data_dir = new_data_dir()
    server = Serve(data_dir=data_dir, log_path=data_dir / "serve.log", env=base_env(**FAST))
    try:
        server.start()
        assert server.process is not None
        pid = server.process.pid
        with httpx.Client(base_url=server.url, timeout=120) as client:
            body = client.post(
                "/api/v1/auth/register",
                json={"email": "bench@example.it", "username": "bench", "password": PASSWORD},
            ).json()
            client.headers["Authorization"] = f"Bearer {body['access_token']}"
            family_id, user_id = uuid.UUID(body["user"]["family"]["id"]), uuid.UUID(body["user"]["id"])
            dsn = f"postgresql://postgres@/vinted_optimizer?host={data_dir / 'postgres'}"
            started = time.perf_counter()
            asyncio.run(seed(dsn, family_id, user_id))
            print(f"seeded {sum(YEARS.values()):,} sales in {time.perf_counter() - started:.2f} s (COPY)")
            # One warm-up of each format, so the first measured run does not pay the imports.
            export(client, pid, "csv", 2024)
            export(client, pid, "xlsx", 2024)
            print("\nexport (RSS of the serve process; growth = peak − RSS before the request)")
            print(
                f"{'format':6} {'rows':>7} {'time':>8} {'size':>10} {'chunks':>7} "
                f"{'peak RSS':>12} {'growth':>12}"
            )
            for kind in ("csv", "xlsx"):
                for year in (2024, 2025):
                    elapsed, size, chunks, before, peak = export(client, pid, kind, year)
                    print(
                        f"{kind:6} {YEARS[year]:>7,} {elapsed:>7.2f}s {size / 1024:>8.0f} KiB {chunks:>7} "
                        f"{mib(peak):>12} {mib(peak - before):>12}"
                    )
            stats_query = {"date_from": "2023-01-01", "date_to": "2023-12-31"}
            assert client.get("/api/v1/sales/stats", params=stats_query).json()["totals"]["sales"] == 4_000
            timings = []
            for _ in range(args.stats_requests):
                started = time.perf_counter()
                client.get("/api/v1/sales/stats", params=stats_query).raise_for_status()
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
            print(
                f"\nGET /sales/stats over 5,000 sales (4,000 standing), {len(timings)} sequential requests: "
                f"median {statistics.median(timings):.1f} ms, p99 {p99:.1f} ms"
            )
            token = client.headers["Authorization"].removeprefix("Bearer ")
            parcels = asyncio.run(add_parcels(dsn, family_id, user_id, args.webhooks + 3))
            # Three to warm up (the first webhook pays the imports), not counted.
            asyncio.run(webhook_delays(server.url, token, parcels[:3], args.sockets))
            delays, answers, missing = asyncio.run(
                webhook_delays(server.url, token, parcels[3:], args.sockets)
            )
            print(
                f"\nsigned 17TRACK webhook → shipment.status_changed, {args.sockets} sockets of the family, "
                f"{args.webhooks} webhooks one at a time ({len(delays):,} deliveries, {missing} missing):\n"
                f"  POST sent → event received: median {statistics.median(delays):.1f} ms, "
                f"p95 {percentile(delays, 0.95):.1f} ms, max {max(delays):.1f} ms\n"
                f"  the webhook's own answer (200): median {statistics.median(answers):.1f} ms, "
                f"max {max(answers):.1f} ms"
            )
    finally:
        shut_down(server)


if __name__ == "__main__":
    main()
