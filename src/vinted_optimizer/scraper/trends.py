"""Trends from the stored snapshots: per category, and per brand within the category.

For one stored run of a followed search (``searches.id``), over the listings it saw:

- asking price: average, minimum, maximum and the quartiles (DuckDB's ``quantile_cont``: linear
  interpolation between the closest ranks, as ``statistics.quantiles(method="inclusive")``);
- number of listings, and the brands most seen (the category's row only);
- a demand score, 0 to 100, from two signals (documented below, ``demand_score``).

**Favourites per day of age.** The search answer carries no creation date, so a listing's age is the
time since this instance first saw it in any run, at least one day (a listing first seen today counts one
day old, which over-rates nothing: it only keeps a new listing's favourites from dividing by zero).
``favourites_per_day`` is the mean over the run's listings of ``favourite_count / age_days``.

**How fast listings disappear.** Between the previous run of the same search and this one, the share of
the previous run's listings that this run no longer shows, per day elapsed (at least one hour). A
listing only counts when it is newer than the oldest listing this run reached (Vinted's ids grow with
time and the runs are ordered newest first): one merely pushed past the last page walked is not gone.
Sold, reserved and deleted listings all leave the search; the three are the market taking them.
``disappearance_per_day`` is None for a search's first run.

**The score.** ``demand = 100 × (½ · min(1, favourites_per_day / 3)
+ ½ · min(1, disappearance_per_day / 0.25))``; with no previous run, ``100 × min(1, favourites_per_day /
3)``. Three favourites a day, or a quarter of the listings gone in a day, are what a category in strong
demand shows on Vinted.it; above that the score stays at 100.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from vinted_optimizer.scraper.snapshots import SnapshotStore

DAY = 86_400.0
MIN_ELAPSED_SECONDS = 3_600.0
FAVOURITES_PER_DAY_FULL = 3.0
DISAPPEARANCE_PER_DAY_FULL = 0.25
TOP_BRANDS = 5
MAX_BRAND_ROWS = 20
CENT = Decimal("0.01")


def demand_score(favourites_per_day: float | None, disappearance_per_day: float | None) -> float | None:
    """The formula of the module docstring; None when there is nothing to score."""
    if favourites_per_day is None:
        return None
    liked = min(1.0, favourites_per_day / FAVOURITES_PER_DAY_FULL)
    if disappearance_per_day is None:
        return round(100.0 * liked, 3)
    gone = min(1.0, disappearance_per_day / DISAPPEARANCE_PER_DAY_FULL)
    return round(100.0 * (0.5 * liked + 0.5 * gone), 3)


def _money(value: Any) -> str | None:
    return None if value is None else str(Decimal(str(value)).quantize(CENT, ROUND_HALF_UP))


@dataclass
class Aggregate:
    """One row of trends: the category (``brand`` None) or one brand in it. Money as strings (JSON)."""

    category_id: int
    category_name: str
    brand: str | None
    scraped_at: float
    total_items: int
    avg_price: str | None
    min_price: str | None
    q1_price: str | None
    median_price: str | None
    q3_price: str | None
    max_price: str | None
    favourites_per_day: float | None
    disappearance_per_day: float | None
    demand_score: float | None
    top_brands: list[dict[str, Any]] = field(default_factory=list)
    sample: dict[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return asdict(self)


# $1 the run, $2 the previous run of the same search (or -1).
_STATS = """
WITH cur AS (SELECT * FROM snapshot_items WHERE search_id = $1),
run AS (SELECT scraped_at FROM searches WHERE id = $1),
firsts AS (
    SELECT i.item_id, min(s.scraped_at) AS first_seen
    FROM snapshot_items i JOIN searches s ON s.id = i.search_id
    WHERE i.item_id IN (SELECT item_id FROM cur)
    GROUP BY i.item_id
),
rated AS (
    SELECT cur.brand, cur.price,
           cur.favourite_count / greatest(1.0, ((SELECT scraped_at FROM run) - firsts.first_seen) / 86400.0)
               AS per_day
    FROM cur JOIN firsts USING (item_id)
)
SELECT grouping(brand) AS whole, brand, count(*) AS n, avg(price), min(price),
       quantile_cont(price, [0.25, 0.5, 0.75]), max(price), avg(per_day)
FROM rated
GROUP BY GROUPING SETS ((), (brand))
"""

_GONE = """
WITH cur AS (SELECT item_id FROM snapshot_items WHERE search_id = $1),
oldest AS (SELECT min(item_id) AS id FROM cur),
prev AS (
    SELECT item_id, brand FROM snapshot_items
    WHERE search_id = $2 AND item_id >= (SELECT id FROM oldest)
)
SELECT grouping(brand) AS whole, brand, count(*) AS considered,
       count(*) FILTER (WHERE item_id NOT IN (SELECT item_id FROM cur)) AS gone
FROM prev
GROUP BY GROUPING SETS ((), (brand))
"""


def _previous_run(connection: Any, search_id: int) -> tuple[int, float] | None:
    row = connection.execute(
        """
        SELECT p.id, p.scraped_at FROM searches p JOIN searches s ON s.follow_key = p.follow_key
        WHERE s.id = ? AND p.scraped_at < s.scraped_at
        ORDER BY p.scraped_at DESC LIMIT 1
        """,
        [search_id],
    ).fetchone()
    return (int(row[0]), float(row[1])) if row else None


def aggregate_run(store: SnapshotStore, search_id: int) -> list[Aggregate]:
    """The category's row first, then its brands' (most listings first, at most ``MAX_BRAND_ROWS``); for a
    search that follows one brand, that brand's row alone."""

    def compute(connection: Any) -> list[Aggregate]:
        run = connection.execute(
            "SELECT category_id, category_name, scraped_at, pages, result_count, total_entries, stopped, "
            "honoured, brand FROM searches WHERE id = ?",
            [search_id],
        ).fetchone()
        if run is None:
            raise LookupError(search_id)
        (
            category_id,
            category_name,
            scraped_at,
            pages,
            result_count,
            total_entries,
            stopped,
            honoured,
            followed,
        ) = run
        previous = _previous_run(connection, search_id)
        gone: dict[str | None, tuple[int, int]] = {}
        elapsed_days: float | None = None
        if previous is not None:
            elapsed_days = max(MIN_ELAPSED_SECONDS, float(scraped_at) - previous[1]) / DAY
            for whole, brand, considered, missing in connection.execute(
                _GONE, [search_id, previous[0]]
            ).fetchall():
                gone["\0" if whole else brand] = (int(considered), int(missing))
        sample = {
            "search_id": search_id,
            "pages": pages,
            "result_count": result_count,
            "total_entries": total_entries,
            "stopped": stopped,
            "honoured": json.loads(honoured),
            "previous_search_id": previous[0] if previous else None,
        }
        rows = connection.execute(_STATS, [search_id]).fetchall()
        whole_row = next((row for row in rows if row[0]), None)
        brand_rows = sorted(
            (row for row in rows if not row[0] and row[1] is not None), key=lambda row: (-row[2], row[1])
        )

        def disappearance(key: str | None) -> float | None:
            if elapsed_days is None:
                return None
            considered, missing = gone.get(key, (0, 0))
            if considered == 0:
                return None if key != "\0" else 0.0
            return round(float(missing) / float(considered) / elapsed_days, 4)

        def build(row: Any, brand: str | None, key: str | None, top: list[dict[str, Any]]) -> Aggregate:
            _whole, _brand, count, avg, low, quartiles, high, per_day = row
            q1, median, q3 = quartiles if quartiles else (None, None, None)
            favourites = round(float(per_day), 3) if per_day is not None else None
            gone_rate = disappearance(key)
            return Aggregate(
                category_id=int(category_id),
                category_name=str(category_name),
                brand=brand,
                scraped_at=float(scraped_at),
                total_items=int(count),
                avg_price=_money(avg),
                min_price=_money(low),
                q1_price=_money(q1),
                median_price=_money(median),
                q3_price=_money(q3),
                max_price=_money(high),
                favourites_per_day=favourites,
                disappearance_per_day=gone_rate,
                demand_score=demand_score(favourites, gone_rate),
                top_brands=top,
                sample=sample,
            )

        top = [{"name": row[1], "count": int(row[2])} for row in brand_rows[:TOP_BRANDS]]
        if whole_row is None or whole_row[2] == 0:
            empty = Aggregate(
                category_id=int(category_id),
                category_name=str(category_name),
                brand=followed,
                scraped_at=float(scraped_at),
                total_items=0,
                avg_price=None,
                min_price=None,
                q1_price=None,
                median_price=None,
                q3_price=None,
                max_price=None,
                favourites_per_day=None,
                disappearance_per_day=disappearance("\0"),
                demand_score=None,
                sample=sample,
            )
            return [empty]
        if followed is not None:
            # A search for one brand: its whole is that brand's row (the category's comes from the
            # category-wide search; a brand's sub-brands, "Nike Air", stay in its top brands).
            return [build(whole_row, str(followed), "\0", top)]
        out = [build(whole_row, None, "\0", top)]
        out.extend(build(row, str(row[1]), str(row[1]), []) for row in brand_rows[:MAX_BRAND_ROWS])
        return out

    return store.run(compute)
