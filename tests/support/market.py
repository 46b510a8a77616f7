"""Crafted search snapshots in the scraper's DuckDB, for the market's comparables (home side and API)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from vinted_optimizer.scraper.snapshots import SnapshotStore

DAY = 86_400.0

Item = tuple[int, str, str | None, str | None]  # Vinted item id, price, brand, condition code


def seed_snapshot(
    store: SnapshotStore,
    category_id: int,
    items: list[Item],
    *,
    age_days: float = 1,
    business: bool = False,
    promoted: bool = False,
) -> None:
    """One stored search of ``category_id`` that saw ``items``, ``age_days`` before the store's clock."""
    scraped_at = store.now() - age_days * DAY

    def write(connection: Any) -> None:
        (search_id,) = connection.execute("SELECT nextval('search_ids')").fetchone()
        connection.execute(
            "INSERT INTO searches VALUES (?, 'k', ?, 'c', NULL, '', ?, 1, ?, NULL, 'end', '{}', '[]')",
            [search_id, category_id, scraped_at, len(items)],
        )
        connection.executemany(
            "INSERT INTO snapshot_items VALUES (?, ?, ?, 0, ?, ?, ?, ?)",
            [[search_id, i, Decimal(p), b, c, promoted, business] for i, p, b, c in items],
        )

    store.run(write)


def priced(first: int, prices: list[int | str], brand: str | None, condition: str | None) -> list[Item]:
    """Items numbered from ``first``, one per price."""
    return [(first + n, str(price), brand, condition) for n, price in enumerate(prices)]
