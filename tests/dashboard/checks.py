# ruff: noqa: S608 (the f-strings only splice this module's constant SQL fragments; values are bound)
"""The home page's numbers checked against SQL written here, apart from the code under test.

Reusable on any family (the tests' small one, the demo seeder's big one): each ``check_*`` calls the
endpoint through ``client`` (with ``headers``, a member of the family, unless the client carries them)
and compares every figure with raw ``text()`` queries on ``conn`` (an AsyncSession or AsyncConnection
that sees the same data). Each returns the endpoint's body, for further checks.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

ROME = ZoneInfo("Europe/Rome")
STANDING = "status NOT IN ('cancelled', 'refunded')"
TROUBLE = "('delivery_failed', 'exception', 'returned', 'expired')"
MOVING = "('ready', 'in_transit', 'out_for_delivery', 'pickup')"
ON_SALE_SINCE = """coalesce((vinted_data->'vinted'->>'published_at')::timestamptz,
                            (vinted_data->'published_by_hand'->>'at')::timestamptz, created_at)"""
CENT = Decimal("0.01")


async def _rows(conn: Any, sql: str, **params: Any) -> list[Any]:
    return list((await conn.execute(text(sql), params)).all())


async def _one(conn: Any, sql: str, **params: Any) -> Any:
    return (await conn.execute(text(sql), params)).one()


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def _day(value: str) -> date:
    return date.fromisoformat(value)


async def _get(client: Any, path: str, headers: dict[str, str] | None, **params: Any) -> dict[str, Any]:
    response = await client.get(path, params=params, headers=headers or {})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _period(conn: Any, family_id: str, start: date, end: date) -> tuple[int, Decimal, Decimal]:
    row = await _one(
        conn,
        f"""SELECT count(*), coalesce(sum(sale_price), 0),
                   coalesce(sum(sale_price - vinted_fees - purchase_cost - shipping_cost), 0)
            FROM sales WHERE family_id = :family AND {STANDING}
             AND (sold_at AT TIME ZONE 'Europe/Rome')::date BETWEEN :start AND :end""",
        family=uuid.UUID(family_id),
        start=start,
        end=end,
    )
    return int(row[0]), _money(row[1]), _money(row[2])


def _assert_period(figures: dict[str, Any], expected: tuple[int, Decimal, Decimal]) -> None:
    assert (figures["sales"], _money(figures["revenue"]), _money(figures["profit"])) == expected, figures


async def check_overview(
    client: Any, conn: Any, family_id: str, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    body = await _get(client, "/api/v1/dashboard/overview", headers)
    family = uuid.UUID(family_id)
    today = datetime.now(ROME).date()

    statuses = dict(
        await _rows(conn, "SELECT status, count(*) FROM listings WHERE family_id = :f GROUP BY 1", f=family)
    )
    for status in ("draft", "ready", "published", "reserved", "sold", "hidden"):
        assert body["listings"][status] == statuses.get(status, 0), status
    assert body["listings"]["total"] == sum(statuses.values())

    month = body["month"]
    assert _day(month["this_month"]["date_from"]) == today.replace(day=1)
    assert _day(month["this_month"]["date_to"]) == today
    last_end = today.replace(day=1) - timedelta(days=1)
    assert _day(month["last_month"]["date_from"]) == last_end.replace(day=1)
    assert _day(month["last_month"]["date_to"]) == last_end
    this = await _period(conn, family_id, today.replace(day=1), today)
    last = await _period(conn, family_id, last_end.replace(day=1), last_end)
    _assert_period(month["this_month"], this)
    _assert_period(month["last_month"], last)
    # Like with like: the changes compare with last month's same days (the 1st to today's day, at most).
    same_day = min(last_end, last_end.replace(day=1) + timedelta(days=today.day - 1))
    assert _day(month["last_month_to_date"]["date_from"]) == last_end.replace(day=1)
    assert _day(month["last_month_to_date"]["date_to"]) == same_day
    to_date = await _period(conn, family_id, last_end.replace(day=1), same_day)
    _assert_period(month["last_month_to_date"], to_date)
    for name, (now_value, before) in {
        "revenue_change": (this[1], to_date[1]),
        "profit_change": (this[2], to_date[2]),
    }.items():
        if before > 0:
            expected = (now_value / before - 1).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
            assert Decimal(month[name]) == expected, name
        else:
            assert month[name] is None, name
    monday = today - timedelta(days=today.weekday())
    assert _day(body["week"]["date_from"]) == monday
    _assert_period(body["week"], await _period(conn, family_id, monday, today))

    parcels = await _one(
        conn,
        f"""SELECT count(*) FILTER (WHERE status IN {MOVING}),
                   count(*) FILTER (WHERE status IN {TROUBLE}
                       AND coalesce(status_at, updated_at) >= clock_timestamp() - interval '30 days')
            FROM shipments WHERE family_id = :f""",
        f=family,
    )
    assert body["parcels"]["in_transit"] == parcels[0]
    assert body["parcels"]["trouble"] == parcels[1]
    trouble = await _rows(
        conn,
        f"""SELECT sh.id, sa.title FROM shipments sh JOIN sales sa ON sa.id = sh.sale_id
            WHERE sh.family_id = :f AND sh.status IN {TROUBLE}
              AND coalesce(sh.status_at, sh.updated_at) >= clock_timestamp() - interval '30 days'
            ORDER BY coalesce(sh.status_at, sh.updated_at) DESC, sh.id LIMIT 5""",
        f=family,
    )
    assert [(p["shipment_id"], p["title"]) for p in body["parcels"]["trouble_parcels"]] == [
        (str(row[0]), row[1]) for row in trouble
    ]

    drafts = await _one(
        conn,
        """SELECT count(*) FILTER (WHERE analysis_status = 'pending'),
                  count(*) FILTER (WHERE analysis_status = 'failed'),
                  count(*) FILTER (WHERE analysis_status = 'none')
           FROM listings WHERE family_id = :f AND status = 'draft'""",
        f=family,
    )
    assert body["drafts"] == dict(
        zip(("waiting_analysis", "failed_analysis", "not_analysed"), drafts, strict=True)
    )

    assert body["dac7_year"] == today.year
    members = await _rows(conn, "SELECT id, username FROM users WHERE family_id = :f", f=family)
    assert {m["member_id"] for m in body["dac7"]} == {str(row[0]) for row in members}
    for entry in body["dac7"]:
        year = await _one(
            conn,
            f"""SELECT count(*), coalesce(sum(sale_price), 0), coalesce(sum(vinted_fees), 0) FROM sales
                WHERE family_id = :f AND user_id = :u AND {STANDING}
                  AND extract(year FROM sold_at AT TIME ZONE 'Europe/Rome') = :y""",
            f=family,
            u=uuid.UUID(entry["member_id"]),
            y=today.year,
        )
        assert (entry["sales"], _money(entry["gross"]), _money(entry["fees"])) == (
            year[0],
            _money(year[1]),
            _money(year[2]),
        )
        assert entry["reported"] == (year[0] >= 30 or _money(year[1]) >= Decimal("2000.00"))

    stale = await _rows(
        conn,
        f"""SELECT id, title, price, {ON_SALE_SINCE} AS since FROM listings
            WHERE family_id = :f AND status = 'published'
              AND {ON_SALE_SINCE} < clock_timestamp() - make_interval(days => :days)
            ORDER BY since, id""",
        f=family,
        days=body["stale_after_days"],
    )
    assert body["stale_count"] == len(stale)
    assert [s["listing_id"] for s in body["stale"]] == [str(row[0]) for row in stale[:5]]
    now = datetime.now(UTC)
    for shown, row in zip(body["stale"], stale, strict=False):
        assert shown["title"] == row[1]
        assert (Decimal(shown["price"]) if shown["price"] is not None else None) == row[2]
        assert shown["days_listed"] in ((now - row[3]).days, (now - row[3]).days - 1)
    return body


def _periods(start: date, end: date, group: str) -> list[date]:
    period = start.replace(day=1) if group == "month" else start - timedelta(days=start.weekday())
    out = []
    while period <= end:
        out.append(period)
        if group == "week":
            period += timedelta(days=7)
        else:
            period = date(period.year + (period.month == 12), period.month % 12 + 1, 1)
    return out


async def check_analytics(
    client: Any, conn: Any, family_id: str, headers: dict[str, str] | None = None, **params: Any
) -> dict[str, Any]:
    body = await _get(client, "/api/v1/dashboard/analytics", headers, **params)
    family = uuid.UUID(family_id)
    start, end, group = _day(body["date_from"]), _day(body["date_to"]), body["group"]
    member = uuid.UUID(body["member"]) if body["member"] else None
    scope = f"""family_id = :f AND {STANDING} AND (sold_at AT TIME ZONE 'Europe/Rome')::date BETWEEN :s AND :e
                AND (CAST(:m AS uuid) IS NULL OR user_id = CAST(:m AS uuid))"""
    args = {"f": family, "s": start, "e": end, "m": member}

    rows = await _rows(
        conn,
        f"""SELECT date_trunc(:g, sold_at AT TIME ZONE 'Europe/Rome')::date, count(*), sum(sale_price),
                   sum(sale_price - vinted_fees - purchase_cost - shipping_cost)
            FROM sales WHERE {scope} GROUP BY 1""",
        g=group,
        **args,
    )
    expected = {row[0]: (row[1], _money(row[2]), _money(row[3])) for row in rows}
    assert [_day(point["period"]) for point in body["series"]] == _periods(start, end, group)
    for point in body["series"]:
        assert (point["sales"], _money(point["revenue"]), _money(point["profit"])) == expected.get(
            _day(point["period"]), (0, _money(0), _money(0))
        ), point
    totals = await _one(
        conn,
        f"""SELECT count(*), coalesce(sum(sale_price), 0),
                   coalesce(sum(sale_price - vinted_fees - purchase_cost - shipping_cost), 0),
                   round(avg(greatest(extract(epoch FROM sold_at - listed_at), 0) / 86400), 2)
            FROM sales WHERE {scope}""",
        **args,
    )
    assert (body["totals"]["sales"], _money(body["totals"]["revenue"]), _money(body["totals"]["profit"])) == (
        totals[0],
        _money(totals[1]),
        _money(totals[2]),
    )
    assert (Decimal(body["average_days_to_sell"]) if body["average_days_to_sell"] else None) == totals[3]

    for field, column, empty in (
        ("categories", "category", "Senza categoria"),
        ("brands", "brand", "Senza marca"),
    ):
        groups = await _rows(
            conn,
            f"""SELECT coalesce({column}, :empty), count(*), sum(sale_price),
                       sum(sale_price - vinted_fees - purchase_cost - shipping_cost),
                       round(avg(greatest(extract(epoch FROM sold_at - listed_at), 0) / 86400), 2)
                FROM sales WHERE {scope} GROUP BY {column}
                ORDER BY sum(sale_price) DESC, {column} LIMIT 10""",
            empty=empty,
            **args,
        )
        assert [
            (g["key"], g["sales"], _money(g["revenue"]), _money(g["profit"]), g["average_days_to_sell"])
            for g in body[field]
        ] == [
            (row[0], row[1], _money(row[2]), _money(row[3]), str(row[4]) if row[4] is not None else None)
            for row in groups
        ], field

    people = await _rows(
        conn,
        """SELECT u.id, u.username, count(s.id), coalesce(sum(s.sale_price), 0),
                   coalesce(sum(s.sale_price - s.vinted_fees - s.purchase_cost - s.shipping_cost), 0)
            FROM users u LEFT JOIN sales s ON s.user_id = u.id AND s.status NOT IN ('cancelled', 'refunded')
                 AND (s.sold_at AT TIME ZONE 'Europe/Rome')::date BETWEEN :s AND :e
            WHERE u.family_id = :f AND (CAST(:m AS uuid) IS NULL OR u.id = CAST(:m AS uuid))
            GROUP BY u.id, u.username""",
        **args,
    )
    assert {
        (m["member_id"], m["username"], m["sales"], _money(m["revenue"]), _money(m["profit"]))
        for m in body["members"]
    } == {(str(row[0]), row[1], row[2], _money(row[3]), _money(row[4])) for row in people}

    market = await _rows(
        conn,
        """WITH ours AS (
               SELECT category_id, lower(nullif(btrim(brand), '')) AS brand, count(*) AS n,
                      percentile_cont(0.5) WITHIN GROUP (ORDER BY price) AS median
               FROM listings WHERE family_id = :f AND status = 'published' AND price IS NOT NULL
                 AND category_id IS NOT NULL AND (CAST(:m AS uuid) IS NULL OR user_id = CAST(:m AS uuid))
               GROUP BY 1, 2),
           latest AS (
               SELECT DISTINCT ON (category_id, lower(btrim(brand))) category_id,
                      lower(btrim(brand)) AS brand, median_price
               FROM trends ORDER BY category_id, lower(btrim(brand)), scraped_at DESC, id)
           SELECT o.category_id, o.brand, o.n, round(o.median::numeric, 2),
                  coalesce(b.median_price, c.median_price)
           FROM ours o
           LEFT JOIN latest b ON b.category_id = o.category_id AND b.brand = o.brand
           LEFT JOIN latest c ON c.category_id = o.category_id AND c.brand IS NULL
           WHERE coalesce(b.median_price, c.median_price) > 0""",
        f=family,
        m=member,
    )
    expected_market = {
        (row[0], row[1]): (row[2], _money(row[3]), _money(row[4]), (_money(row[3]) / row[4]).quantize(CENT))
        for row in market
    }
    shown = {
        (p["category_id"], p["brand"].strip().lower() if p["brand"] else None): (
            p["listings"],
            _money(p["our_median"]),
            _money(p["market_median"]),
            Decimal(p["ratio"]),
        )
        for p in body["price_against_market"]
    }
    if len(expected_market) <= 10:
        assert shown == expected_market
    else:
        assert len(shown) == 10 and all(expected_market[key] == value for key, value in shown.items())
    return body


# Audit actions the feed shows (the rest never: sign-ins, password resets, the server's own events).
FEED_ACTIONS = (
    "auth.register",
    "family.invite",
    "family.invite_revoked",
    "user.email_changed",
    "user.password_changed",
    "user.vinted_linked",
    "user.vinted_unlinked",
    "user.vinted_session_dead",
    "vinted.synced",
    "listing.deleted",
    "listing.unpublished",
    "listing.published_by_hand_undone",
    "sale.updated",
    "sale.vinted_status",
    "shipment.label_bought",
    "shipment.followed",
    "shipment.vinted_label",
)


# Every feed item of a family as (key, at), independently of the sources' own queries.
FEED = f"""
    SELECT 'sale:' || id::text AS key, sold_at AS at FROM sales WHERE family_id = :f
    UNION ALL SELECT 'listing:' || id::text, created_at FROM listings WHERE family_id = :f
    UNION ALL SELECT 'published:' || id::text,
                     coalesce((vinted_data->'vinted'->>'published_at')::timestamptz,
                              (vinted_data->'published_by_hand'->>'at')::timestamptz)
              FROM listings WHERE family_id = :f
               AND (vinted_data->'vinted' ? 'published_at' OR vinted_data->'published_by_hand' ? 'at')
    UNION ALL SELECT 'delivered:' || id::text, delivered_at FROM shipments
              WHERE family_id = :f AND delivered_at IS NOT NULL
    UNION ALL SELECT 'parcel:' || id::text, coalesce(status_at, updated_at) FROM shipments
              WHERE family_id = :f AND status IN {TROUBLE}
    UNION ALL SELECT 'audit:' || lpad(id::text, 20, '0'), created_at FROM audit_log
              WHERE family_id = :f AND action = ANY(:actions)
"""


async def check_activity(
    client: Any,
    conn: Any,
    family_id: str,
    headers: dict[str, str] | None = None,
    *,
    limit: int = 7,
    pages: int | None = None,
) -> list[dict[str, Any]]:
    """Walks every page (or the first ``pages``): each item once, strictly newest first by (time, key),
    exactly the family's rows and events (or the newest of them), each at its row's time."""
    family = uuid.UUID(family_id)
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": limit}
    complete = False
    for _ in range(pages or 10_000):
        page = await _get(client, "/api/v1/dashboard/activity", headers, **params)
        assert len(page["items"]) <= limit
        items += page["items"]
        if page["next"] is None:
            complete = True
            break
        assert len(page["items"]) == limit
        params["before"] = page["next"]
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)), "an item on two pages"
    order = [(datetime.fromisoformat(item["at"]), item["id"]) for item in items]
    assert all(newer > older for newer, older in itertools.pairwise(order)), "not strictly newest first"

    expected = await _rows(
        conn,
        f'SELECT key, at FROM ({FEED}) AS feed ORDER BY at DESC, key COLLATE "C" DESC',
        f=family,
        actions=list(FEED_ACTIONS),
    )
    assert order == [(row[1], row[0]) for row in expected[: len(order)]]
    if complete:
        assert len(order) == len(expected)

    sales = {
        str(row[0]): row
        for row in await _rows(
            conn,
            "SELECT s.id, s.title, s.sale_price, u.username FROM sales s JOIN users u ON u.id = s.user_id "
            "WHERE s.family_id = :f",
            f=family,
        )
    }
    for item in items:
        if item["id"].startswith("sale:"):
            _, title, price, username = sales[item["id"].removeprefix("sale:")]
            amount = f"{price:,.2f}".translate(str.maketrans(",.", ".,")) + " €"
            named = f"«{title.strip()}»" if title.strip() else "un articolo"
            assert item["text"] == f"{username} ha venduto {named} a {amount}", item
            assert item["member"] == username
        # Each item leads to the dashboard's page of its own row (the list pages open one by its id).
        source, _, row_id = item["id"].partition(":")
        page = {"sale": "/vendite", "listing": "/annunci", "published": "/annunci"}
        page |= {"delivered": "/spedizioni", "parcel": "/spedizioni"}
        if source in page:
            assert item["link"] == f"{page[source]}?id={row_id}", item
    ips = [row[0] for row in await _rows(conn, "SELECT host(ip) FROM audit_log WHERE ip IS NOT NULL")]
    assert not any(ip in item["text"] for item in items for ip in ips)
    return items


async def check_suggestions(
    client: Any, conn: Any, family_id: str, headers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Every suggestion is about the family's own listings and stands on the figures it quotes."""
    body = await _get(client, "/api/v1/dashboard/suggestions", headers)
    viewer = (await _get(client, "/api/v1/users/me", headers))["id"]
    family = uuid.UUID(family_id)
    keys = [item["key"] for item in body["items"]]
    assert len(keys) == len(set(keys))
    for item in body["items"]:
        assert item["key"].split(":")[0] == item["kind"]
        if item["listing_id"] is None:
            continue
        row = await _one(
            conn,
            f"""SELECT status, price, vinted_id, {ON_SALE_SINCE}, category_id,
                       lower(nullif(btrim(brand), '')), user_id,
                       (SELECT vinted_session_fernet IS NOT NULL FROM users WHERE id = listings.user_id)
                FROM listings WHERE id = :id AND family_id = :f""",
            id=uuid.UUID(item["listing_id"]),
            f=family,
        )
        status, price, vinted_id, since, category_id, brand, owner, owner_linked = row
        days = (datetime.now(UTC) - since).days
        if item["kind"] in ("reprice_stale", "price_outlier"):
            assert status == "published"
            market = await _one(
                conn,
                """SELECT median_price FROM trends WHERE category_id = :c
                     AND (lower(btrim(brand)) = :b OR brand IS NULL)
                   ORDER BY (brand IS NULL), scraped_at DESC, id LIMIT 1""",
                c=category_id,
                b=brand,
            )
            median = market[0]
            target = median.quantize(Decimal("0.50"), rounding=ROUND_HALF_UP) if median >= 1 else median
            assert Decimal(item["action"]["price"]) == target
            assert item["action"]["kind"] == "set_price"
            if item["kind"] == "reprice_stale":
                assert days >= 30 and price > median * Decimal("1.05")
                assert f"da {days} giorni" in item["reasoning"]
            else:
                assert price / median >= Decimal("1.5") or price / median <= Decimal("0.6")
        elif item["kind"] == "repost":
            assert status == "published" and vinted_id and days >= 21
            assert f"da {days} giorni" in item["reasoning"]
            if owner_linked:
                assert item["action"] == {
                    "kind": "repost",
                    "label": "Ripubblica",
                    "listing_id": item["listing_id"],
                    "price": None,
                    "link": None,
                }
            else:  # the app cannot repost it yet: its owner (and only they) is asked to link Vinted
                assert viewer is not None and str(owner) == viewer
                assert item["action"] == {
                    "kind": "open",
                    "label": "Collega Vinted",
                    "listing_id": None,
                    "price": None,
                    "link": "/impostazioni#vinted",
                }
        elif item["kind"] == "missing_fields":
            assert status in ("draft", "ready")
            assert item["action"]["link"] == f"/annunci?id={item['listing_id']}"
    return list(body["items"])
