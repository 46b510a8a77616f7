"""Comparable listings: the asking prices the followed searches saw, for a listing's catalog node, brand
and condition, widened step by step until there are enough.

Which items count:

- an item of a catalog node is one a search of that node **or of one of its descendants** saw (a search
  of "Scarpe" on Vinted lists the sneakers too), within the last ``days`` days;
- each item once, at its **latest sighting** (its latest price, brand and condition);
- **business sellers are left out**: a shop's prices (often new stock, in series) are not what a family's
  second-hand item competes with; **promoted items are kept**: a bump says nothing about the price, and
  leaving them out would only thin the comparables.

The steps, narrowest first, stop at the first with at least ``min_count`` items: same catalog, brand and
condition → same catalog and brand → same catalog and condition → the catalog alone → the parent catalog
(its descendants' items). A step that needs a brand or a condition the listing lacks is skipped. When no
step has enough, the widest one tried is answered with ``enough`` False (its figures say little). Brands
are compared case-insensitively (``item_box.first_line`` as Vinted shows it), conditions by the
vocabulary's codes (``snapshot_items.condition``, parsed from the short Italian label by
``vinted.search``). Quartiles are DuckDB's ``quantile_cont`` (linear interpolation, the "inclusive"
method of Python's ``statistics.quantiles``).
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

from vinted_optimizer.scraper.schemas import MARKET_EXAMPLES, ComparablesQuery, MarketComparison, MarketStep
from vinted_optimizer.scraper.snapshots import SnapshotStore
from vinted_optimizer.vocabulary import load_catalogs
from vinted_optimizer.vocabulary.catalog import children_of

CENT = Decimal("0.01")

_LATEST = """
WITH latest AS (
    SELECT i.item_id, i.price, i.brand, i.condition
    FROM snapshot_items i JOIN searches s ON s.id = i.search_id
    WHERE list_contains(?, s.category_id) AND s.scraped_at >= ? AND NOT i.business
    QUALIFY row_number() OVER (PARTITION BY i.item_id ORDER BY s.scraped_at DESC, s.id DESC) = 1
)
SELECT count(*), min(price), quantile_cont(price::DOUBLE, 0.25), quantile_cont(price::DOUBLE, 0.5),
       quantile_cont(price::DOUBLE, 0.75), max(price), list(item_id ORDER BY item_id)[1:{examples}]
FROM latest
WHERE (? IS NULL OR lower(trim(brand)) = lower(trim(?))) AND (? IS NULL OR condition = ?)
"""


@cache
def subtree(catalog_id: int) -> tuple[int, ...]:
    """The node and every node below it (a node the vocabulary does not know: itself alone)."""
    out: list[int] = []
    pending = [catalog_id]
    while pending:
        current = pending.pop()
        out.append(current)
        pending.extend(child.id for child in children_of(current))
    return tuple(out)


def steps(query: ComparablesQuery) -> list[tuple[MarketStep, int, str | None, str | None]]:
    """The matches to try, narrowest first: (step, catalog node, brand or None, condition or None)."""
    brand = (query.brand or "").strip() or None
    condition = query.condition
    node = query.category_id
    out: list[tuple[MarketStep, int, str | None, str | None]] = []
    if brand and condition:
        out.append(("category_brand_condition", node, brand, condition))
    if brand:
        out.append(("category_brand", node, brand, None))
    if condition:
        out.append(("category_condition", node, None, condition))
    out.append(("category", node, None, None))
    catalog = load_catalogs().get(node)
    if catalog is not None and catalog.parent is not None:
        out.append(("parent_category", catalog.parent, None, None))
    return out


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(CENT)


def find_comparables(store: SnapshotStore, query: ComparablesQuery) -> MarketComparison:
    """The comparables of ``query`` (synchronous: call it from a worker thread)."""
    sql = _LATEST.format(examples=MARKET_EXAMPLES)

    def read(connection: Any) -> MarketComparison:
        since = store.now() - query.days * 86_400
        answer = MarketComparison(
            category_id=query.category_id,
            brand=query.brand,
            condition=query.condition,
            days=query.days,
            min_count=query.min_count,
        )
        for step, node, brand, condition in steps(query):
            row = connection.execute(
                sql, [list(subtree(node)), since, brand, brand, condition, condition]
            ).fetchone()
            count = int(row[0])
            if count == 0:
                continue
            answer = answer.model_copy(
                update={
                    "step": step,
                    "step_category_id": node,
                    "enough": count >= query.min_count,
                    "count": count,
                    "min": _money(row[1]),
                    "q1": _money(row[2]),
                    "median": _money(row[3]),
                    "q3": _money(row[4]),
                    "max": _money(row[5]),
                    "examples": [int(item) for item in row[6]],
                }
            )
            if answer.enough:
                break
        return answer

    return store.run(read)
