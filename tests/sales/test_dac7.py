"""DAC7: each member's year against Vinted's thresholds, the 80 % warning, and the yearly CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.auth.factories import register
from tests.sales.factories import insert_sales
from tests.users.factories import invite_and_join


async def _member_year(client, member, year=2026):
    response = await client.get(f"/api/v1/sales/dac7?year={year}", headers=member.headers)
    assert response.status_code == 200, response.text
    return {entry["username"]: entry for entry in response.json()["members"]}, response.json()


@pytest.mark.parametrize(
    ("count", "price", "reported", "warning"),
    [
        (23, "10.00", False, False),  # 23 sales, €230: below 80 % of both
        (24, "10.00", False, True),  # 24 sales = 80 % of 30
        (29, "10.00", False, True),
        (30, "10.00", True, False),  # 30 sales: reported
        (1, "1599.99", False, False),  # just below 80 % of €2,000
        (1, "1600.00", False, True),  # 80 % of €2,000
        (1, "1999.99", False, True),
        (1, "2000.00", True, False),  # €2,000: reported
    ],
)
async def test_thresholds_and_the_warning_at_their_boundaries(
    client, session, count, price, reported, warning
):
    member = await register(client)
    await insert_sales(
        session,
        family_id=member.family_id,
        user_id=member.id,
        count=count,
        sale_price=Decimal(price),
        status="completed",
        start=datetime(2026, 2, 1, tzinfo=UTC),
    )
    await session.commit()
    members, body = await _member_year(client, member)
    mine = members[member.username]
    assert (mine["sales"], Decimal(mine["gross"])) == (count, Decimal(price) * count)
    assert (mine["reported"], mine["warning"]) == (reported, warning)
    assert "non una tassa" in body["explanation"] and "partita IVA" in body["partita_iva"]
    assert body["sales_threshold"] == 30 and Decimal(body["amount_threshold"]) == Decimal("2000.00")


async def test_cancelled_refunded_and_other_years_do_not_count(client, session):
    admin = await register(client)
    member = await invite_and_join(client, admin=admin)
    family = admin.family_id
    in_2026 = datetime(2026, 5, 1, tzinfo=UTC)
    await insert_sales(
        session, family_id=family, user_id=admin.id, count=3, status="cancelled", start=in_2026
    )
    await insert_sales(session, family_id=family, user_id=admin.id, count=2, status="refunded", start=in_2026)
    await insert_sales(session, family_id=family, user_id=admin.id, count=4, status="shipped", start=in_2026)
    # 31 Dec 2025 at 23:30 UTC is already 2026 in Italy; 31 Dec 2026 at 23:30 UTC is 2027.
    await insert_sales(
        session, family_id=family, user_id=admin.id, count=1, start=datetime(2025, 12, 31, 23, 30, tzinfo=UTC)
    )
    await insert_sales(
        session, family_id=family, user_id=admin.id, count=1, start=datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    )
    other = await register(client, family_name="Famiglia Verdi")
    await insert_sales(session, family_id=other.family_id, user_id=other.id, count=5, start=in_2026)
    await session.commit()
    members, _ = await _member_year(client, admin)
    assert set(members) == {admin.username, member.username}  # every member, with or without sales
    assert members[admin.username]["sales"] == 5
    assert [q["sales"] for q in members[admin.username]["quarters"]] == [1, 4, 0, 0]
    assert members[member.username]["sales"] == 0 and members[member.username]["warning"] is False


async def test_the_yearly_csv_is_what_vinted_reports(client, session):
    admin = await register(client)
    await insert_sales(
        session,
        family_id=admin.family_id,
        user_id=admin.id,
        count=6,
        status="completed",
        sale_price=Decimal("12.50"),
        vinted_fees=Decimal("1.20"),
        start=datetime(2026, 3, 30, tzinfo=UTC),
    )
    await session.commit()
    response = await client.get(
        f"/api/v1/sales/dac7/export?year=2026&member={admin.id}", headers=admin.headers
    )
    assert response.status_code == 200, response.text
    assert f'filename="dac7_2026_{admin.username}.csv"' in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == ["Periodo", "Numero di vendite", "Importo lordo (€)", "Commissioni Vinted (€)"]
    by_period = {row[0]: row[1:] for row in rows[1:6]}
    # Seven hours apart from 30 March 00:00 UTC: the last is 31 March 11:00 UTC, still the first quarter.
    assert by_period["1° trimestre 2026"] == ["6", "75,00", "7,20"]
    assert by_period["2° trimestre 2026"] == ["0", "0,00", "0,00"]
    assert by_period["Totale 2026"] == ["6", "75,00", "7,20"]


async def test_dac7_validation_and_scope(client):
    member = await register(client)
    other = await register(client, family_name="Famiglia Verdi")
    assert (await client.get("/api/v1/sales/dac7", headers=member.headers)).json()["fields"][0][
        "field"
    ] == "year"
    wrong = await client.get("/api/v1/sales/dac7?year=1999", headers=member.headers)
    assert wrong.status_code == 422 and wrong.json()["fields"][0]["field"] == "year"
    theirs = await client.get(
        f"/api/v1/sales/dac7/export?year=2026&member={other.id}", headers=member.headers
    )
    assert theirs.status_code == 404 and "member" in theirs.json()["detail"]
