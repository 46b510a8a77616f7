"""Panoramica's API with a family of 1,000 listings, 5,000 sales and 500 parcels (issue 14: the overview's
median under 50 ms).

    .venv/bin/python bench/dashboard_api.py [--requests 200]

Starts `vinted-optimizer serve` (embedded PostgreSQL and Redis, one API process), registers a member,
inserts the family's rows straight into its PostgreSQL in bulk (COPY; a few market snapshots too), runs
ANALYZE, then times each dashboard read sequentially (after a few warm-up requests) and prints the
median, p95 and p99 of each.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.serve import Serve, base_env, new_data_dir, shut_down  # noqa: E402

PASSWORD = "Valigia-Rossa-2024"  # noqa: S105 - the bench's own account
FAST = {
    "VO_RATE_LIMIT_IP": "100000000/minute",
    "VO_RATE_LIMIT_USER": "100000000/minute",
    "VO_LOG_LEVEL": "WARNING",
}
LISTINGS, SALES, PARCELS = 1_000, 5_000, 500
CATEGORIES = (1206, 1242, 1904)
BRANDS = ("Zara", "Nike", "H&M", None)
LISTING_STATUSES = ("draft", "ready", "published", "published", "published", "reserved", "sold", "hidden")
SALE_STATUSES = ("completed", "delivered", "shipped", "pending", "cancelled")
PARCEL_STATUSES = ("ready", "in_transit", "delivered", "delivered", "exception", "returned")
ENDPOINTS = (
    ("overview", "/api/v1/dashboard/overview", {}),
    ("analytics (12 months)", "/api/v1/dashboard/analytics", {}),
    ("analytics (weeks, 2 years)", "/api/v1/dashboard/analytics", {"group": "week", "date_from": "__2y"}),
    ("activity (20)", "/api/v1/dashboard/activity", {}),
    ("suggestions", "/api/v1/dashboard/suggestions", {}),
)


async def seed(dsn: str, family_id: uuid.UUID, user_id: uuid.UUID) -> None:
    now = datetime.now(UTC)
    listings = []
    for n in range(LISTINGS):
        created = now - timedelta(days=n % 120, hours=n % 24)
        status = LISTING_STATUSES[n % len(LISTING_STATUSES)]
        data = (
            {"vinted": {"item_id": 10_000 + n, "published_at": created.isoformat()}}
            if status == "published"
            else {}
        )
        listings.append(
            (
                uuid.uuid4(),
                family_id,
                user_id,
                f"Articolo {n}",
                "Descrizione",
                Decimal(5 + n % 60),
                CATEGORIES[n % 3],
                "Categoria",
                BRANDS[n % 4],
                status,
                2,
                1,
                3,
                ("none", "pending", "done", "failed")[n % 4],
                json.dumps(data),
                str(10_000 + n) if status == "published" else None,
                created,
                created,
            )
        )
    sales = []
    for n in range(SALES):
        sold = now - timedelta(hours=n * 3.5)
        sales.append(
            (
                uuid.uuid4(),
                family_id,
                user_id,
                f"Venduto {n}",
                "Donna > Giacche",
                BRANDS[n % 4],
                Decimal(10 + n % 40) + Decimal("0.50"),
                Decimal("0.70"),
                Decimal(n % 7),
                Decimal("0.00"),
                SALE_STATUSES[n % 5],
                sold,
                sold - timedelta(days=n % 30),
                now,
                now,
            )
        )
    parcels = [
        (
            uuid.uuid4(),
            family_id,
            sales[n][0],
            user_id,
            "other",
            PARCEL_STATUSES[n % 6],
            now - timedelta(days=n % 60),
            now - timedelta(days=n % 60) if PARCEL_STATUSES[n % 6] == "delivered" else None,
            now,
            now,
        )
        for n in range(PARCELS)
    ]
    trends = [
        (
            uuid.uuid4(),
            category,
            "Categoria",
            brand,
            Decimal(20),
            Decimal(5),
            Decimal(14),
            Decimal(20),
            Decimal(28),
            Decimal(90),
            80,
            now - timedelta(days=1),
        )
        for category in CATEGORIES
        for brand in BRANDS
    ]
    connection = await asyncpg.connect(dsn)
    try:
        await connection.copy_records_to_table(
            "listings",
            records=listings,
            columns=(
                "id",
                "family_id",
                "user_id",
                "title",
                "description",
                "price",
                "category_id",
                "category",
                "brand",
                "status",
                "status_id",
                "package_size_id",
                "size_id",
                "analysis_status",
                "vinted_data",
                "vinted_id",
                "created_at",
                "updated_at",
            ),
        )
        await connection.copy_records_to_table(
            "sales",
            records=sales,
            columns=(
                "id",
                "family_id",
                "user_id",
                "title",
                "category",
                "brand",
                "sale_price",
                "vinted_fees",
                "purchase_cost",
                "shipping_cost",
                "status",
                "sold_at",
                "listed_at",
                "created_at",
                "updated_at",
            ),
        )
        await connection.copy_records_to_table(
            "shipments",
            records=parcels,
            columns=(
                "id",
                "family_id",
                "sale_id",
                "user_id",
                "source",
                "status",
                "status_at",
                "delivered_at",
                "created_at",
                "updated_at",
            ),
        )
        await connection.copy_records_to_table(
            "trends",
            records=trends,
            columns=(
                "id",
                "category_id",
                "category_name",
                "brand",
                "avg_price",
                "min_price",
                "q1_price",
                "median_price",
                "q3_price",
                "max_price",
                "total_items",
                "scraped_at",
            ),
        )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    data_dir = new_data_dir()
    server = Serve(data_dir=data_dir, log_path=data_dir / "serve.log", env=base_env(**FAST))
    try:
        server.start()
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
            print(
                f"seeded {LISTINGS:,} listings, {SALES:,} sales, {PARCELS} parcels in "
                f"{time.perf_counter() - started:.2f} s (COPY)\n"
            )
            two_years = (datetime.now(UTC) - timedelta(days=730)).date().isoformat()
            print(
                f"{'endpoint':28} {'median':>9} {'p95':>9} {'p99':>9}   ({args.requests} sequential requests)"
            )
            for name, path, params in ENDPOINTS:
                query = {key: (two_years if value == "__2y" else value) for key, value in params.items()}
                for _ in range(5):
                    client.get(path, params=query).raise_for_status()
                timings = []
                for _ in range(args.requests):
                    started = time.perf_counter()
                    client.get(path, params=query).raise_for_status()
                    timings.append((time.perf_counter() - started) * 1000)
                print(
                    f"{name:28} {statistics.median(timings):>6.1f} ms {percentile(timings, 0.95):>6.1f} ms "
                    f"{percentile(timings, 0.99):>6.1f} ms"
                )
    finally:
        shut_down(server)


if __name__ == "__main__":
    main()
