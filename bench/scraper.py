"""The scraper's figures: parse time per recorded search page, the aggregation time for 100,000 stored
snapshot items, and the pacing gate holding under 50 concurrent requests from 3 processes.

    .venv/bin/python bench/scraper.py [--rounds 2000] [--interval 0.1]

1. Parsing: the recorded vinted.it search answer (tests/fixtures/vinted/search-it.json, 5 items) decoded
   and parsed ``--rounds`` times (median and p99 per page, and per item); the same for a 96-item page
   built from the recorded items (96 is the per_page the scraper asks for), and for the recorded item page
   (JSON-LD).
2. Pacing: an embedded Redis; 3 processes (17 + 17 + 16 callers) each acquire one read token at the same
   moment, 50 in all. The gate runs with burst 3 and one token back every ``--interval`` seconds — the
   production defaults (burst 3, 20 s) scaled in time, so the run takes seconds, not a quarter of an hour.
   Prints the grants per process, the most grants in any window against what the bucket allows in it, and
   the worst excess over any window (≤ 0: never above the rate). Then the hourly cap: 3 processes try 30
   tokens at once with a cap of 10.

3. Aggregation (``scraper.trends.aggregate_run``, DuckDB, a file in a temporary folder): 100,000 stored
   snapshot items, as one run of 100,000 listings whose search has a previous run of 100,000 (the worst
   case: every listing's first sighting and the disappearances over 200,000 rows), and as 20 runs of 5,000
   (10 searches, two runs each), every run aggregated. The rows are written with one INSERT … SELECT
   (what is measured is the aggregation, not the writing); ``--items`` changes the count.
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.pacing_check import max_in_window, run_processes, worst_excess  # noqa: E402

from vinted_optimizer.kit.embedded import start_embedded  # noqa: E402
from vinted_optimizer.scraper.snapshots import SnapshotStore  # noqa: E402
from vinted_optimizer.scraper.trends import aggregate_run  # noqa: E402
from vinted_optimizer.scraper.vinted.items import parse_item_page  # noqa: E402
from vinted_optimizer.scraper.vinted.search import SearchQuery, parse_search  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "vinted"
SITE = "https://www.vinted.it"


def timed(work: Callable[[], object], rounds: int) -> list[float]:
    for _ in range(min(50, rounds)):  # warm-up
        work()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return times


def p99(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.99) - 1)]


def page_of(items: int) -> bytes:
    data: dict[str, Any] = json.loads((FIXTURES / "search-it.json").read_bytes())
    recorded = data["items"]
    built = []
    for n in range(items):
        item = copy.deepcopy(recorded[n % len(recorded)])
        item["id"] = 10_000_000_000 + n
        built.append(item)
    data["items"] = built
    data["pagination"]["per_page"] = items
    return json.dumps(data).encode()


def bench_parsing(rounds: int) -> None:
    recorded = (FIXTURES / "search-it.json").read_bytes()
    large = page_of(96)
    html = (FIXTURES / "item-it.html").read_bytes()
    print(f"\nparsing ({rounds} rounds each; decode = json.loads + parse)")
    print(f"{'input':38} {'items':>5} {'bytes':>8} {'median':>10} {'p99':>10} {'per item':>10}")
    for name, body, items in (
        ("search-it.json (recorded)", recorded, 5),
        ("96-item page (recorded items)", large, 96),
    ):
        query = SearchQuery(search_text="nike air max", per_page=items)
        decoded = json.loads(body)
        cases = (
            ("decode", lambda b=body, q=query: parse_search(json.loads(b), query=q, base_url=SITE)),
            ("parse", lambda d=decoded, q=query: parse_search(d, query=q, base_url=SITE)),
        )
        for what, work in cases:
            times = timed(work, rounds)
            median = statistics.median(times)
            print(
                f"{name + ' ' + what:38} {items:>5} {len(body):>8,} {median * 1e6:>8.0f} µs "
                f"{p99(times) * 1e6:>7.0f} µs {median / items * 1e6:>7.1f} µs"
            )
    times = timed(lambda: parse_item_page(html), rounds)
    print(
        f"{'item-it.html (JSON-LD)':38} {1:>5} {len(html):>8,} {statistics.median(times) * 1e6:>8.0f} µs "
        f"{p99(times) * 1e6:>7.0f} µs"
    )


def bench_pacing(redis_url: str, interval: float) -> None:
    burst = 3
    print(f"\npacing: 50 concurrent requests from 3 processes (burst {burst}, one token every {interval} s)")
    reports = run_processes(
        redis_url,
        [["--callers", "17"], ["--callers", "17"], ["--callers", "16"]],
        "--each", "1", "--burst", str(burst), "--interval", str(interval), "--prefix", "vo:bench:rate",
    )  # fmt: skip
    grants = [at for report in reports for at in report["grants"]]
    print(f"{'process':>8} {'grants':>7} {'refused':>8}")
    for report in reports:
        print(f"{report['pid']:>8} {len(report['grants']):>7} {report['refused']:>8}")
    span = max(grants) - min(grants)
    needed = (len(grants) - burst) * interval
    print(f"{'total':>8} {len(grants):>7}   over {span:.2f} s (the bucket alone needs {needed:.2f} s)")
    print(f"{'window':>10} {'most grants':>12} {'bucket allows':>14}")
    for window in (interval, 5 * interval, 10 * interval, 30 * interval):
        allowed = burst + window / interval
        print(f"{window:>8.2f} s {max_in_window(grants, window):>12} {allowed:>14.0f}")
    excess = worst_excess(grants, burst, interval)
    print(f"worst excess over any window of grants: {excess:+.3f} (≤ 0: never above the rate)")
    capped = run_processes(
        redis_url, 3, "--callers", "5", "--each", "2", "--burst", "30", "--interval", "0.01", "--cap", "10",
        "--no-wait", "--prefix", "vo:bench:hourly",
    )  # fmt: skip
    granted = sum(len(report["grants"]) for report in capped)
    refused = sum(report["refused"] for report in capped)
    print(f"hourly cap 10, 3 processes trying 30 at once: {granted} granted, {refused} refused")


BRANDS = ("Nike", "Adidas", "Zara", "H&M", "Levi's", "Mango", "Puma", "Vans", "Bershka", "Guess")


def _add_run(connection: Any, search_id: int, follow: str, at: float, first_item: int, items: int) -> None:
    """One stored run of ``items`` listings with ids from ``first_item``, prices 3-200 €, 0-40 favourites."""
    connection.execute(
        "INSERT INTO searches VALUES (?, ?, 1242, 'Uomo > Scarpe > Sneakers', NULL, '', ?, 10, ?, ?, "
        "'max_pages', '{\"page\": true}', '[]')",
        [search_id, follow, at, items, items * 3],
    )
    connection.execute(
        """
        INSERT INTO snapshot_items
        SELECT ?, ? + i, CAST(3 + (i * 7919) % 19700 / 100.0 AS DECIMAL(10, 2)), (i * 31) % 41,
               list_element(?::VARCHAR[], CAST(1 + i % ? AS INTEGER)), 'good', i % 50 = 0, false
        FROM range(?) AS t(i)
        """,
        [search_id, first_item, list(BRANDS), len(BRANDS), items],
    )


def bench_aggregation(items: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="vo-bench-duckdb-", dir="/tmp"))
    try:
        rows: list[tuple[str, int, float, int]] = []
        one = SnapshotStore(folder / "one.duckdb")
        # The later run saw a tenth fewer of the earlier listings and as many new ones.
        one.run(lambda c: _add_run(c, 1, "f", 0.0, 1_000_000, items))
        one.run(lambda c: _add_run(c, 2, "f", 86_400.0, 1_000_000 + items // 10, items))
        started = time.perf_counter()
        result = aggregate_run(one, 2)
        rows.append(
            (
                f"1 run of {items:,} (previous run {items:,})",
                items,
                time.perf_counter() - started,
                len(result),
            )
        )
        one.close()
        many = SnapshotStore(folder / "many.duckdb")
        per_run = items // 20

        def fill(connection: Any) -> None:
            for search in range(20):
                follow, second = f"f{search // 2}", search % 2
                _add_run(connection, search + 1, follow, second * 86_400.0, search // 2 * 10_000_000, per_run)

        many.run(fill)
        started = time.perf_counter()
        produced = sum(len(aggregate_run(many, search + 1)) for search in range(20))
        rows.append(
            (
                f"20 runs of {per_run:,}, each aggregated",
                per_run * 20,
                time.perf_counter() - started,
                produced,
            )
        )
        many.close()
        print(f"\naggregation over stored snapshots ({items:,} items; DuckDB file)")
        print(f"{'case':44} {'items':>8} {'seconds':>9} {'per 1000 items':>15} {'rows out':>9}")
        for case, count, seconds, out in rows:
            print(f"{case:44} {count:>8,} {seconds:>9.3f} {seconds / count * 1000 * 1000:>12.2f} ms {out:>9}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--items", type=int, default=100_000)
    args = parser.parse_args()
    bench_parsing(args.rounds)
    bench_aggregation(args.items)
    folder = Path(tempfile.mkdtemp(prefix="vo-bench-", dir="/tmp"))
    servers = start_embedded(folder, need_postgres=False, need_redis=True)
    try:
        assert servers.redis_url is not None
        bench_pacing(servers.redis_url, args.interval)
    finally:
        servers.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
