"""Numbers from SQL: Italian questions about amounts, counts and dates, answered by chat.numbers and
checked against raw SQL written here (over the seeded rows, not through the services)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.auth.factories import Member, register
from tests.chat.factories import principal
from tests.users.factories import invite_and_join
from vinted_optimizer.chat import numbers
from vinted_optimizer.models import Listing, Sale, Shipment

TODAY = date(2026, 12, 3)  # a Thursday
BRANDS = ("Zara", "Nike", "Levi's", "Mango", None)
CATEGORIES = ("Donna > Giacche", "Uomo > Scarpe", "Bambini > Giochi", "Donna > Borse")
STATUSES = ("completed", "delivered", "shipped", "pending", "cancelled", "refunded", "completed")


def eur(value: Any) -> str:
    """Written here on purpose (not chat.numbers.euro): € 1.234,50."""
    amount = Decimal(value).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"€ {sign}{'.'.join(groups)},{cents}"


@dataclass
class World:
    me: Member
    relative: Member
    stranger: Member


def _sales(family: str, user: str, count: int, offset: int) -> list[dict[str, Any]]:
    start = datetime(2025, 1, 1, 9, tzinfo=UTC)
    rows = []
    for n in range(count):
        k = n + offset
        sold = start + timedelta(hours=(n * 151 + offset * 17) % 16_900)
        rows.append(
            {
                "family_id": uuid.UUID(family),
                "user_id": uuid.UUID(user),
                "title": f"Articolo {k}",
                "brand": BRANDS[k % 5],
                "category": CATEGORIES[k % 4],
                "buyer_username": f"compratore{k}",
                "sale_price": Decimal(7 + (k * 13) % 90) + Decimal((k * 7) % 100) / 100,
                "vinted_fees": Decimal("0.70") + Decimal(k % 5) / 10,
                "purchase_cost": Decimal(k % 9),
                "shipping_cost": Decimal("3.99") if k % 4 == 0 else Decimal("0"),
                "status": STATUSES[k % 7],
                "sold_at": sold,
                "listed_at": sold - timedelta(days=k % 23, hours=k % 5),
            }
        )
    return rows


@pytest.fixture
async def world(client, session: AsyncSession) -> World:
    me = await register(client, family_name="Rossi")
    relative = await invite_and_join(client, admin=me)
    stranger = await register(client, family_name="Verdi")
    rows = [
        *_sales(me.family_id, me.id, 110, 0),
        *_sales(me.family_id, relative.id, 60, 500),
        *_sales(stranger.family_id, stranger.id, 80, 900),
    ]
    # Around Italian midnights and the last days, so the periods' edges count.
    edges = [
        (datetime(2026, 10, 31, 23, 30, tzinfo=UTC), "99.90"),  # 1 November in Rome
        (datetime(2026, 9, 30, 22, 30, tzinfo=UTC), "45.00"),  # 1 October in Rome
        (datetime(2026, 12, 2, 10, tzinfo=UTC), "18.40"),
        (datetime(2026, 12, 3, 8, tzinfo=UTC), "1234.50"),
        (datetime(2026, 11, 24, 12, tzinfo=UTC), "31.00"),
        (datetime(2026, 11, 29, 22, 59, tzinfo=UTC), "12.00"),  # Sunday 23:59 in Rome
    ]
    for index, (moment, price) in enumerate(edges):
        rows.append(
            {
                **_sales(me.family_id, me.id, 1, 2000 + index)[0],
                "sold_at": moment,
                "listed_at": moment - timedelta(days=3),
                "sale_price": Decimal(price),
                "status": "completed",
            }
        )
    await session.execute(insert(Sale), rows)
    sale_ids = {
        family: (
            await session.scalars(text("SELECT id FROM sales WHERE family_id = :f LIMIT 1"), {"f": family})
        ).one()
        for family in (me.family_id, stranger.family_id)
    }
    parcels = [
        (me, "in_transit"), (me, "in_transit"), (me, "out_for_delivery"), (me, "pickup"), (me, "delivered"),
        (me, "delivered"), (me, "exception"), (me, "ready"), (relative, "in_transit"), (relative, "returned"),
        (relative, "delivery_failed"), (stranger, "in_transit"), (stranger, "in_transit"),
        (stranger, "exception"),
    ]  # fmt: skip
    await session.execute(
        insert(Shipment),
        [
            {
                "family_id": uuid.UUID(who.family_id),
                "sale_id": sale_ids[who.family_id],
                "user_id": uuid.UUID(who.id),
                "source": "other",
                "tracking_code": f"RR{n:09d}IT",
                "status": status,
            }
            for n, (who, status) in enumerate(parcels)
        ],
    )
    listings = [
        (me, "draft", 4), (me, "published", 6), (me, "reserved", 2), (me, "sold", 3), (me, "hidden", 1),
        (relative, "draft", 2), (relative, "published", 5), (stranger, "draft", 9),
        (stranger, "published", 9),
    ]  # fmt: skip
    await session.execute(
        insert(Listing),
        [
            {
                "family_id": uuid.UUID(who.family_id),
                "user_id": uuid.UUID(who.id),
                "title": f"A{n}",
                "status": status,
            }
            for who, status, count in listings
            for n in range(count)
        ],
    )
    await session.commit()
    return World(me, relative, stranger)


SALES_SQL = """
SELECT count(*) AS sales, coalesce(sum(sale_price), 0) AS revenue,
       coalesce(sum(sale_price - vinted_fees - purchase_cost - shipping_cost), 0) AS profit,
       round(avg(sale_price), 2) AS average_price,
       round((avg(extract(epoch FROM sold_at - listed_at)) / 86400)::numeric, 2) AS days
FROM sales
WHERE family_id = :family AND (CAST(:user AS uuid) IS NULL OR user_id = CAST(:user AS uuid))
  AND status NOT IN ('cancelled', 'refunded')
  AND (CAST(:start AS date) IS NULL OR (sold_at AT TIME ZONE 'Europe/Rome')::date >= CAST(:start AS date))
  AND (CAST(:end AS date) IS NULL OR (sold_at AT TIME ZONE 'Europe/Rome')::date <= CAST(:end AS date))
"""
BEST_SQL = """
SELECT {group} AS key, count(*) AS sales, sum(sale_price) AS revenue FROM sales
WHERE family_id = :family AND (CAST(:user AS uuid) IS NULL OR user_id = CAST(:user AS uuid))
  AND status NOT IN ('cancelled', 'refunded') AND {group} IS NOT NULL
  AND (CAST(:start AS date) IS NULL OR (sold_at AT TIME ZONE 'Europe/Rome')::date >= CAST(:start AS date))
  AND (CAST(:end AS date) IS NULL OR (sold_at AT TIME ZONE 'Europe/Rome')::date <= CAST(:end AS date))
GROUP BY {group} ORDER BY count(*) DESC, sum(sale_price) DESC LIMIT 1
"""
PARCELS_SQL = """
SELECT count(*) FROM shipments WHERE family_id = :family
  AND (CAST(:user AS uuid) IS NULL OR user_id = CAST(:user AS uuid)) AND status = ANY(:statuses)
"""
LISTINGS_SQL = """
SELECT count(*) FROM listings WHERE family_id = :family
  AND (CAST(:user AS uuid) IS NULL OR user_id = CAST(:user AS uuid))
  AND (CAST(:status AS text) IS NULL OR status = :status)
"""


def _scope(world: World, family: bool, start: date | None, end: date | None) -> dict[str, Any]:
    return {"family": world.me.family_id, "user": None if family else world.me.id, "start": start, "end": end}


Expect = Callable[[AsyncSession, World], Awaitable[list[str]]]


def sales_figure(figure: str, family: bool, start: date | None, end: date | None) -> Expect:
    async def expected(session: AsyncSession, world: World) -> list[str]:
        row = (await session.execute(text(SALES_SQL), _scope(world, family, start, end))).one()._mapping
        count = f"{row['sales']} vendit{'a' if row['sales'] == 1 else 'e'}"
        if figure == "revenue":
            return [eur(row["revenue"]), count]
        if figure == "profit":
            return [eur(row["profit"]), eur(row["revenue"])]
        if figure == "sales":
            return [count]
        if figure == "average_price":
            return [eur(row["average_price"])]
        return [f"{row['days']:.2f}".replace(".", ",") + " giorni"]

    return expected


def best(group: str, family: bool, start: date | None = None, end: date | None = None) -> Expect:
    async def expected(session: AsyncSession, world: World) -> list[str]:
        row = (
            await session.execute(text(BEST_SQL.format(group=group)), _scope(world, family, start, end))
        ).one()
        return [f"è {row.key}:", f"{row.sales} vendite per {eur(row.revenue)}"]

    return expected


def parcels(statuses: tuple[str, ...], family: bool) -> Expect:
    async def expected(session: AsyncSession, world: World) -> list[str]:
        params = {
            "family": world.me.family_id,
            "user": None if family else world.me.id,
            "statuses": list(statuses),
        }
        count = (await session.execute(text(PARCELS_SQL), params)).scalar_one()
        return [f"sono {count}." if count != 1 else "C'è 1 pacco"]

    return expected


def listings(status: str | None, family: bool) -> Expect:
    async def expected(session: AsyncSession, world: World) -> list[str]:
        params = {"family": world.me.family_id, "user": None if family else world.me.id, "status": status}
        count = (await session.execute(text(LISTINGS_SQL), params)).scalar_one()
        return [f"sono {count}"]

    return expected


def dac7(year: int) -> Expect:
    async def expected(session: AsyncSession, world: World) -> list[str]:
        row = (
            await session.execute(text(SALES_SQL), _scope(world, False, date(year, 1, 1), date(year, 12, 31)))
        ).one()
        return [f"nel {year}: {row.sales} vendite su 30 e {eur(row.revenue)} su € 2.000,00"]

    return expected


IN_TRANSIT = ("in_transit", "out_for_delivery", "pickup")
TROUBLE = ("delivery_failed", "exception", "returned", "expired")
OCT = (date(2026, 10, 1), date(2026, 10, 31))
NOV = (date(2026, 11, 1), date(2026, 11, 30))
Y2025 = (date(2025, 1, 1), date(2025, 12, 31))
Y2026 = (date(2026, 1, 1), TODAY)
LAST_WEEK = (date(2026, 11, 23), date(2026, 11, 29))
THIS_WEEK = (date(2026, 11, 30), TODAY)

QUESTIONS: list[tuple[str, tuple[str, ...], Expect]] = [
    ("Quanto ho guadagnato a ottobre?", (), sales_figure("profit", False, *OCT)),
    ("E nel 2025?", ("Quanto ho guadagnato a ottobre?",), sales_figure("profit", False, *Y2025)),
    ("Quanto ho incassato questo mese?", (), sales_figure("revenue", False, date(2026, 12, 1), TODAY)),
    ("Quanto abbiamo incassato a novembre?", (), sales_figure("revenue", True, *NOV)),
    ("Quanto ha guadagnato la famiglia nel 2025?", (), sales_figure("profit", True, *Y2025)),
    ("Quanto ho guadagnato la settimana scorsa?", (), sales_figure("profit", False, *LAST_WEEK)),
    ("Quanto ho guadagnato questa settimana?", (), sales_figure("profit", False, *THIS_WEEK)),
    ("Quante vendite ho fatto il mese scorso?", (), sales_figure("sales", False, *NOV)),
    ("Quanti articoli abbiamo venduto quest'anno?", (), sales_figure("sales", True, *Y2026)),
    (
        "Quante vendite ho fatto a marzo 2025?",
        (),
        sales_figure("sales", False, date(2025, 3, 1), date(2025, 3, 31)),
    ),
    (
        "Qual è il mio incasso di settembre 2026?",
        (),
        sales_figure("revenue", False, date(2026, 9, 1), date(2026, 9, 30)),
    ),
    ("Quanto ho guadagnato in totale?", (), sales_figure("profit", False, None, None)),
    ("Quanto ho guadagnato l'anno scorso?", (), sales_figure("profit", False, *Y2025)),
    ("Quanto ho incassato ieri?", (), sales_figure("revenue", False, date(2026, 12, 2), date(2026, 12, 2))),
    ("Quanto ho guadagnato oggi?", (), sales_figure("profit", False, TODAY, TODAY)),
    (
        "Quanto abbiamo guadagnato negli ultimi 30 giorni?",
        (),
        sales_figure("profit", True, TODAY - timedelta(days=29), TODAY),
    ),
    ("Quanto ho incassato a dicembre?", (), sales_figure("revenue", False, date(2026, 12, 1), TODAY)),
    (
        "Quanto ho incassato a gennaio?",
        (),
        sales_figure("revenue", False, date(2026, 1, 1), date(2026, 1, 31)),
    ),
    ("Quante vendite ho fatto a ottobre?", (), sales_figure("sales", False, *OCT)),
    ("E la famiglia?", ("Quante vendite ho fatto a ottobre?",), sales_figure("sales", True, *OCT)),
    ("Quale è il prezzo medio di vendita a ottobre?", (), sales_figure("average_price", False, *OCT)),
    ("In media a che prezzo vendiamo nel 2025?", (), sales_figure("average_price", True, *Y2025)),
    ("In quanti giorni vendo un articolo?", (), sales_figure("days", False, None, None)),
    ("Quanto tempo ci mettiamo a vendere quest'anno?", (), sales_figure("days", True, *Y2026)),
    ("Qual è la mia marca che vende di più?", (), best("brand", False)),
    ("Qual è la marca che vende di più della famiglia nel 2025?", (), best("brand", True, *Y2025)),
    ("Quale categoria vendo di più?", (), best("category", False)),
    ("Quanti pacchi sono in viaggio?", (), parcels(IN_TRANSIT, False)),
    ("Quanti pacchi abbiamo in viaggio?", (), parcels(IN_TRANSIT, True)),
    ("Ci sono spedizioni con problemi?", (), parcels(TROUBLE, False)),
    ("Quali pacchi della famiglia hanno problemi?", (), parcels(TROUBLE, True)),
    ("Quanti pacchi sono stati consegnati?", (), parcels(("delivered",), False)),
    ("Quanti annunci ho in bozza?", (), listings("draft", False)),
    ("Quanti annunci pubblicati abbiamo?", (), listings("published", True)),
    ("Quanti annunci riservati ho?", (), listings("reserved", False)),
    ("Quanti annunci ho?", (), listings(None, False)),
    (
        "Quanto ho incassato nel 2030?",
        (),
        sales_figure("revenue", False, date(2030, 1, 1), date(2030, 12, 31)),
    ),
    ("A che punto sono con il DAC7?", (), dac7(2026)),
    ("Quanto manca alla soglia DAC7 nel 2025?", (), dac7(2025)),
]


def test_the_set_is_big_enough():
    assert len(QUESTIONS) >= 30


@pytest.mark.parametrize(("question", "earlier", "expected"), QUESTIONS, ids=[q for q, _, _ in QUESTIONS])
async def test_a_question_is_answered_from_sql(session, world, question, earlier, expected):
    found = await numbers.answer(session, principal(world.me), question, list(earlier), TODAY)
    assert found is not None, question
    assert found.facts and all(fact.kind == "fact" and fact.id.startswith("fact:") for fact in found.facts)
    for piece in await expected(session, world):
        assert piece in found.answer, (question, piece, found.answer)
        for amount in re.findall(r"€ -?[\d.]+,\d\d", piece):  # the facts carry the same figures
            assert any(amount in fact.text for fact in found.facts), (question, amount)


async def test_another_familys_figures_never_count(session, world):
    found = await numbers.answer(
        session, principal(world.me), "Quanto abbiamo incassato in totale?", [], TODAY
    )
    assert found is not None
    stranger = (
        await session.execute(
            text(SALES_SQL), {"family": world.stranger.family_id, "user": None, "start": None, "end": None}
        )
    ).one()
    mine = (await session.execute(text(SALES_SQL), _scope(world, True, None, None))).one()
    assert eur(mine.revenue) in found.answer
    assert eur(mine.revenue + stranger.revenue) not in found.answer


async def test_dates_and_amounts_are_written_in_italian(session, world):
    week = await numbers.answer(
        session, principal(world.me), "Quanto ho guadagnato la settimana scorsa?", [], TODAY
    )
    assert week is not None and "dal 23 novembre 2026 al 29 novembre 2026" in week.answer
    today = await numbers.answer(session, principal(world.me), "Quanto ho incassato oggi?", [], TODAY)
    assert today is not None and "€ 1.234,50" in today.answer
    assert numbers.euro(Decimal("-3")) == "€ -3,00" and numbers.euro(Decimal("1234567.5")) == "€ 1.234.567,50"


@pytest.mark.parametrize("question", ["Ciao, come stai?", "Come si fotografa una giacca?", "Grazie!"])
async def test_other_questions_are_left_to_the_model(session, world, question):
    assert await numbers.answer(session, principal(world.me), question, [], TODAY) is None
