"""The figures and the exports, checked against SQL written apart from the code under test."""

from __future__ import annotations

import asyncio
import csv
import io
from decimal import Decimal

import openpyxl
from sqlalchemy import text

from tests.auth.factories import register
from tests.listings.factories import create_listing
from tests.sales.factories import insert_sales, record_sale
from tests.users.factories import invite_and_join


async def _sql(session, sql: str, **params):
    return (await session.execute(text(sql), params)).one()


async def _seeded(client, session, count: int = 60):
    admin = await register(client)
    member = await invite_and_join(client, admin=admin)
    await insert_sales(session, family_id=admin.family_id, user_id=admin.id, count=count)
    await insert_sales(session, family_id=admin.family_id, user_id=member.id, count=count // 2)
    # Another family's sales must change nothing.
    other = await register(client, family_name="Famiglia Verdi")
    await insert_sales(session, family_id=other.family_id, user_id=other.id, count=10)
    await session.commit()
    return admin, member


async def test_stats_match_independent_sql(client, session):
    admin, member = await _seeded(client, session)
    response = await client.get("/api/v1/sales/stats", headers=admin.headers)
    assert response.status_code == 200, response.text
    stats = response.json()
    expected = await _sql(
        session,
        """SELECT count(*), sum(sale_price), sum(sale_price - vinted_fees - purchase_cost - shipping_cost),
                   round(avg(sale_price), 2),
                   round(avg(greatest(extract(epoch FROM sold_at - listed_at), 0) / 86400), 2),
                   sum(shipping_cost)
            FROM sales WHERE family_id = :family AND status NOT IN ('cancelled', 'refunded')""",
        family=admin.family_id,
    )
    totals = stats["totals"]
    assert totals["sales"] == expected[0]
    assert Decimal(totals["revenue"]) == expected[1]
    assert Decimal(totals["net_profit"]) == expected[2]
    assert Decimal(totals["average_price"]) == expected[3]
    assert Decimal(totals["average_days_to_sell"]) == expected[4]
    assert Decimal(totals["shipping_cost"]) == expected[5]
    assert "annullate o rimborsate sono escluse" in stats["note"]
    per_member = {entry["label"]: entry["sales"] for entry in stats["members"]}
    mine = await _sql(
        session,
        "SELECT count(*) FROM sales WHERE user_id = :user AND status NOT IN ('cancelled', 'refunded')",
        user=member.id,
    )
    assert per_member[member.username] == mine[0]
    months = {entry["key"]: Decimal(entry["revenue"]) for entry in stats["months"]}
    january = await _sql(
        session,
        """SELECT sum(sale_price) FROM sales WHERE family_id = :family
            AND status NOT IN ('cancelled', 'refunded')
            AND to_char(sold_at AT TIME ZONE 'Europe/Rome', 'YYYY-MM') = '2026-01'""",
        family=admin.family_id,
    )
    assert months["2026-01"] == january[0]
    assert list(months) == sorted(months)
    best = stats["categories"][0]
    top = await _sql(
        session,
        """SELECT category, sum(sale_price) FROM sales WHERE family_id = :family
            AND status NOT IN ('cancelled', 'refunded')
            GROUP BY category ORDER BY 2 DESC LIMIT 1""",
        family=admin.family_id,
    )
    assert (best["key"], Decimal(best["revenue"])) == (top[0], top[1])
    assert all(entry["key"] is not None for entry in stats["brands"])


async def test_stats_over_a_range_and_a_member(client, session):
    admin, member = await _seeded(client, session)
    query = f"date_from=2026-01-05&date_to=2026-01-10&member={member.id}"
    stats = (await client.get(f"/api/v1/sales/stats?{query}", headers=admin.headers)).json()
    expected = await _sql(
        session,
        """SELECT count(*), coalesce(sum(sale_price), 0) FROM sales WHERE user_id = :user
            AND status NOT IN ('cancelled', 'refunded')
            AND sold_at >= '2026-01-05 00:00+01' AND sold_at < '2026-01-11 00:00+01'""",
        user=member.id,
    )
    assert (stats["totals"]["sales"], Decimal(stats["totals"]["revenue"])) == (expected[0], expected[1])
    assert stats["date_from"] == "2026-01-05"


async def test_stats_follow_the_list_filters(client, session):
    """The totals row of the Vendite page: the same status, category and brand filters as the list."""
    admin, _ = await _seeded(client, session)
    query = "status=completed&status=shipped&category=donna%20%3E%20giacche&brand=ZARA"
    stats = (await client.get(f"/api/v1/sales/stats?{query}", headers=admin.headers)).json()
    expected = await _sql(
        session,
        """SELECT count(*), coalesce(sum(sale_price), 0) FROM sales WHERE family_id = :family
            AND status IN ('completed', 'shipped') AND lower(category) = 'donna > giacche'
            AND lower(brand) = 'zara'""",
        family=admin.family_id,
    )
    assert expected[0] > 0
    assert (stats["totals"]["sales"], Decimal(stats["totals"]["revenue"])) == (expected[0], expected[1])
    listed = (await client.get(f"/api/v1/sales?{query}&limit=100", headers=admin.headers)).json()
    assert listed["total"] == expected[0]
    assert {group["key"] for group in stats["brands"]} == {"Zara"}
    bad = await client.get("/api/v1/sales/stats?status=lost", headers=admin.headers)
    assert bad.status_code == 422
    assert "status" in bad.text


async def test_sell_through_rate(client):
    member = await register(client)
    sold = await create_listing(client, member=member, status="published")
    await create_listing(client, member=member, status="published")
    await create_listing(client, member=member, status="draft")  # never put on sale: not counted
    await record_sale(client, member=member, listing_id=sold["id"])
    stats = (await client.get("/api/v1/sales/stats", headers=member.headers)).json()
    assert stats["sell_through_rate"] == "0.5000"


async def _standing_totals(session, family_id):
    return await _sql(
        session,
        """SELECT count(*), sum(sale_price), sum(vinted_fees), sum(net_profit) FROM sales
            WHERE family_id = :family AND status NOT IN ('cancelled', 'refunded')""",
        family=family_id,
    )


async def test_csv_export_for_italian_excel(client, session):
    admin, _ = await _seeded(client, session)
    response = await client.get(
        "/api/v1/sales/export?format=csv&date_from=2026-01-01&date_to=2026-12-31", headers=admin.headers
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="vendite_2026-01-01_2026-12-31.csv"' in response.headers["content-disposition"]
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0][0] == "Data vendita" and rows[0][7] == "Prezzo (€)"
    total_count = await _sql(session, "SELECT count(*) FROM sales WHERE family_id = :f", f=admin.family_id)
    body, totals = rows[1:-1], rows[-1]
    assert len(body) == total_count[0]
    assert "," in body[0][7] and "." not in body[0][7]
    expected = await _standing_totals(session, admin.family_id)
    assert totals[1] == f"{expected[0]} vendite"

    def amount(cell: str) -> Decimal:
        return Decimal(cell.replace(",", "."))

    assert amount(totals[7]) == expected[1] and amount(totals[8]) == expected[2]
    assert amount(totals[11]) == expected[3]
    standing = [row for row in body if row[6] not in ("Annullata", "Rimborsata")]
    assert sum(amount(row[7]) for row in standing) == expected[1]


async def test_xlsx_export_has_typed_cells_and_a_totals_row(client, session):
    admin, _ = await _seeded(client, session)
    response = await client.get("/api/v1/sales/export?format=xlsx", headers=admin.headers)
    assert response.status_code == 200, response.text
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["Vendite"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Data vendita"
    first = sheet.cell(row=2, column=8)
    assert isinstance(first.value, float | int) and "€" in first.number_format
    assert sheet.cell(row=2, column=1).is_date
    expected = await _standing_totals(session, admin.family_id)
    totals = rows[-1]
    assert totals[1] == expected[0]
    assert Decimal(str(totals[7])).quantize(Decimal("0.01")) == expected[1]
    assert Decimal(str(totals[11])).quantize(Decimal("0.01")) == expected[3]
    total_count = await _sql(session, "SELECT count(*) FROM sales WHERE family_id = :f", f=admin.family_id)
    assert len(rows) == total_count[0] + 2


async def _body_messages(app, path: str, headers: dict[str, str]) -> list[dict]:
    """Call the app as an ASGI server does and keep each body message it sends (httpx's ASGI transport
    joins them into one)."""
    sent: list[dict] = []
    path, _, query = path.partition("?")
    requested = False
    finished = asyncio.Event()

    async def receive() -> dict:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await finished.wait()  # the client stays connected until the response is complete
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver")]
        + [(name.lower().encode(), value.encode()) for name, value in headers.items()],
        "client": ("203.0.113.10", 50000),
        "server": ("testserver", 443),
    }
    await app(scope, receive, send)
    finished.set()
    assert sent[0]["status"] == 200
    return [message for message in sent if message["type"] == "http.response.body" and message.get("body")]


async def test_the_export_streams(app, client, session):
    admin = await register(client)
    await insert_sales(session, family_id=admin.family_id, user_id=admin.id, count=2_000)
    await session.commit()
    # CSV: a head, one message per batch of 500 rows, the totals.
    assert len(await _body_messages(app, "/api/v1/sales/export?format=csv", admin.headers)) == 6
    # XLSX: the book, built row by row in a temporary file, sent in 64 KiB chunks.
    assert len(await _body_messages(app, "/api/v1/sales/export?format=xlsx", admin.headers)) > 1


async def test_export_validation(client):
    member = await register(client)
    bad = await client.get("/api/v1/sales/export?format=pdf", headers=member.headers)
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "format"
    reversed_range = await client.get(
        "/api/v1/sales/export?date_from=2026-02-01&date_to=2026-01-01", headers=member.headers
    )
    assert reversed_range.status_code == 422 and reversed_range.json()["fields"][0]["field"] == "date_from"


async def test_a_sale_recorded_before_its_listing_was_added_sold_in_no_time(client):
    # Listed on Vinted first, added to the app afterwards: the sale is older than the listing's row.
    member = await register(client)
    early = await create_listing(client, member=member, status="published")
    await record_sale(
        client, member=member, listing_id=early["id"], sale_price="10.00", sold_at="2026-01-05T10:00:00"
    )
    stats = await client.get("/api/v1/sales/stats", headers=member.headers)
    assert stats.status_code == 200, stats.text
    assert stats.json()["totals"]["average_days_to_sell"] == "0.00"
