"""The demo family (vinted_optimizer.demo): its volumes and invariants on the full seed (the session's
``demo_database``), and determinism, refusal and reset on small seeds inside the test's transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.demo import DemoDatabase, sign_in
from vinted_optimizer.demo import FAMILY_NAME, PASSWORD, DemoError, seed_demo
from vinted_optimizer.demo.items import check_templates
from vinted_optimizer.kit.db import create_engine, create_sessionmaker
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.kit.security import Passwords
from vinted_optimizer.kit.storage import create_storage
from vinted_optimizer.sales import dac7
from vinted_optimizer.vocabulary import SHIPMENT_TROUBLE

ROME = ZoneInfo("Europe/Rome")
FIXED_TODAY = datetime(2026, 6, 15, 18, 0, tzinfo=UTC)


@pytest.fixture
async def demo_session(demo_database: DemoDatabase):  # noqa: ANN201
    engine = create_engine(demo_database.url, pool_size=1)
    try:
        async with create_sessionmaker(engine)() as session:
            yield session
    finally:
        await engine.dispose()


async def scalar(session: AsyncSession, sql: str, **params: object) -> object:
    return (await session.execute(text(sql), params)).scalar_one()


def test_the_templates_name_real_catalogs_and_colours() -> None:
    check_templates()


async def test_the_full_seed_has_the_promised_volumes(demo_database: DemoDatabase, demo_session) -> None:
    fid = demo_database.family_id
    summary = demo_database.summary
    assert (summary.listings, summary.sales, summary.shipments) == (1000, 5000, 500)
    assert summary.seconds < 60, summary.seconds  # ~3 s here; the target is well under 20 s
    counts = {
        table: await scalar(demo_session, f"SELECT count(*) FROM {table} WHERE family_id = :f", f=fid)  # noqa: S608
        for table in ("users", "listings", "sales", "shipments", "images", "notifications", "audit_log")
    }
    assert counts["users"] == 3
    assert counts["listings"] == 1000
    assert counts["sales"] == 5000
    assert counts["shipments"] == 500
    assert counts["images"] == summary.images >= 1000
    assert counts["notifications"] == summary.notifications > 0
    assert counts["audit_log"] == summary.audit > 0
    roles = (
        await demo_session.execute(
            text("SELECT username, role FROM users WHERE family_id = :f ORDER BY username"), {"f": fid}
        )
    ).all()
    assert [tuple(r) for r in roles] == [("giulia", "admin"), ("marco", "member"), ("nonna.rosa", "member")]
    assert await scalar(demo_session, "SELECT name FROM families WHERE id = :f", f=fid) == FAMILY_NAME
    # Every listing shows at least one photo, its cover first.
    assert (
        await scalar(
            demo_session,
            "SELECT count(*) FROM listings l WHERE family_id = :f AND NOT EXISTS "
            "(SELECT 1 FROM images i WHERE i.listing_id = l.id AND i.is_primary AND i.display_order = 0)",
            f=fid,
        )
        == 0
    )
    # Each listing of each status the dashboard distinguishes.
    statuses = dict(
        (
            await demo_session.execute(
                text("SELECT status, count(*) FROM listings WHERE family_id = :f GROUP BY status"), {"f": fid}
            )
        ).all()
    )
    assert set(statuses) == {"draft", "ready", "published", "reserved", "sold", "hidden"}, statuses


async def test_the_photos_files_are_in_storage(demo_database: DemoDatabase, demo_session) -> None:
    rows = (
        await demo_session.execute(
            text("SELECT storage_path, thumbnail_path, size_bytes FROM images WHERE family_id = :f"),
            {"f": demo_database.family_id},
        )
    ).all()
    storage = demo_database.storage
    paths = {path for path, _, _ in rows} | {thumb for _, thumb, _ in rows}
    assert len(paths) == 2 * len(rows)  # each image its own keys
    for path, thumb, size in rows[::25]:
        data = await storage.get(path)
        assert data[:3] == b"\xff\xd8\xff" and len(data) == size
        assert await storage.exists(thumb)
    # A few dozen distinct pictures, reused.
    distinct = await scalar(
        demo_session,
        "SELECT count(DISTINCT sha256) FROM images WHERE family_id = :f",
        f=demo_database.family_id,
    )
    assert 20 <= distinct <= 80, distinct


async def test_sales_respect_the_listings(demo_database: DemoDatabase, demo_session) -> None:
    fid = demo_database.family_id
    standing = "s.status NOT IN ('cancelled', 'refunded')"  # a constant, spliced into the queries below
    twice = await scalar(
        demo_session,
        f"SELECT count(*) FROM (SELECT listing_id FROM sales s WHERE family_id = :f AND {standing} "  # noqa: S608
        "AND listing_id IS NOT NULL GROUP BY listing_id HAVING count(*) > 1) t",
        f=fid,
    )
    assert twice == 0
    unsold_sold = await scalar(
        demo_session,
        "SELECT count(*) FROM listings l WHERE family_id = :f AND status = 'sold' AND NOT EXISTS "  # noqa: S608
        f"(SELECT 1 FROM sales s WHERE s.listing_id = l.id AND {standing})",
        f=fid,
    )
    assert unsold_sold == 0
    sold_elsewhere = await scalar(
        demo_session,
        "SELECT count(*) FROM sales s JOIN listings l ON l.id = s.listing_id "  # noqa: S608
        f"WHERE s.family_id = :f AND {standing} AND (l.status <> 'sold' OR l.user_id <> s.user_id "
        "OR l.title <> s.title OR l.brand IS DISTINCT FROM s.brand OR l.category <> s.category)",
        f=fid,
    )
    assert sold_elsewhere == 0
    # Most sales' listings were deleted long ago.
    orphans = await scalar(
        demo_session, "SELECT count(*) FROM sales WHERE family_id = :f AND listing_id IS NULL", f=fid
    )
    assert orphans > 2500
    # Two years, with a few sales still on their way and a few that fell through.
    statuses = dict(
        (
            await demo_session.execute(
                text("SELECT status, count(*) FROM sales WHERE family_id = :f GROUP BY status"), {"f": fid}
            )
        ).all()
    )
    assert statuses["completed"] > 4000
    assert {"pending", "shipped", "delivered", "cancelled", "refunded"} <= set(statuses), statuses
    oldest = await scalar(demo_session, "SELECT min(sold_at) FROM sales WHERE family_id = :f", f=fid)
    assert demo_database.today - oldest > timedelta(days=700)
    # Sellers pay no Vinted fee in Italy, nearly always.
    with_fees = await scalar(
        demo_session, "SELECT count(*) FROM sales WHERE family_id = :f AND vinted_fees > 0", f=fid
    )
    assert 0 < with_fees < 300


async def test_sales_have_seasons_weekends_and_evenings(demo_database: DemoDatabase, demo_session) -> None:
    fid = demo_database.family_id
    monthly = [
        n
        for (n,) in (
            await demo_session.execute(
                text(
                    "SELECT count(*) FROM sales WHERE family_id = :f "
                    "GROUP BY extract(month FROM sold_at AT TIME ZONE 'Europe/Rome')"
                ),
                {"f": fid},
            )
        ).all()
    ]
    assert len(monthly) == 12
    assert max(monthly) > 1.8 * min(monthly), monthly
    by_weekday = dict(
        (
            await demo_session.execute(
                text(
                    "SELECT extract(isodow FROM sold_at AT TIME ZONE 'Europe/Rome')::int, count(*) "
                    "FROM sales WHERE family_id = :f GROUP BY 1"
                ),
                {"f": fid},
            )
        ).all()
    )
    weekend = (by_weekday[6] + by_weekday[7]) / 2
    weekdays = sum(by_weekday[d] for d in range(1, 6)) / 5
    assert weekend > 1.4 * weekdays, by_weekday
    hour = await scalar(
        demo_session,
        "SELECT extract(hour FROM sold_at AT TIME ZONE 'Europe/Rome')::int FROM sales WHERE family_id = :f "
        "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
        f=fid,
    )
    assert 19 <= hour <= 22, hour


async def test_dac7_one_member_reported_one_near(demo_database: DemoDatabase, demo_session) -> None:
    admin = demo_database.member("giulia")
    member = Member(id=admin.id, family_id=demo_database.family_id, role="admin", username=admin.username)
    year = demo_database.today.astimezone(ROME).year
    summary = await dac7.summary(demo_session, member, year)
    by_name = {m.username: m for m in summary.members}
    assert by_name["giulia"].reported
    assert by_name["marco"].warning and not by_name["marco"].reported
    assert not by_name["nonna.rosa"].reported and not by_name["nonna.rosa"].warning


async def test_stale_listings_and_drafts_to_analyse(demo_database: DemoDatabase, demo_session) -> None:
    fid = demo_database.family_id
    stale = await scalar(
        demo_session,
        "SELECT count(*) FROM listings WHERE family_id = :f AND status = 'published' AND created_at < :cut",
        f=fid,
        cut=demo_database.today - timedelta(days=30),
    )
    fresh = await scalar(
        demo_session,
        "SELECT count(*) FROM listings WHERE family_id = :f AND status = 'published' AND created_at >= :cut",
        f=fid,
        cut=demo_database.today - timedelta(days=30),
    )
    assert stale > 50 and fresh > 50
    drafts = dict(
        (
            await demo_session.execute(
                text(
                    "SELECT analysis_status, count(*) FROM listings "
                    "WHERE family_id = :f AND status = 'draft' GROUP BY 1"
                ),
                {"f": fid},
            )
        ).all()
    )
    assert {"none", "pending", "failed", "done"} <= set(drafts), drafts


async def test_parcels_have_tracking_histories(demo_database: DemoDatabase, demo_session) -> None:
    rows = (
        await demo_session.execute(
            text(
                "SELECT s.status, s.carrier, s.source, s.tracking_events, s.status_at, sa.status "
                "FROM shipments s JOIN sales sa ON sa.id = s.sale_id WHERE s.family_id = :f"
            ),
            {"f": demo_database.family_id},
        )
    ).all()
    statuses = [row[0] for row in rows]
    assert statuses.count("delivered") > len(rows) / 2
    assert "in_transit" in statuses
    assert {"delivery_failed", "exception", "expired"} <= set(statuses) & SHIPMENT_TROUBLE
    assert {row[2] for row in rows} == {"sendcloud", "other", "vinted"}
    assert {"BRT", "Poste Italiane", "InPost"} <= {row[1] for row in rows}
    for status, _, _, events, status_at, sale_status in rows:
        assert events, status
        times = [datetime.fromisoformat(event["at"]) for event in events]
        assert times == sorted(times, reverse=True)  # newest first
        assert times[0] == status_at
        assert set(events[0]) == {"at", "status", "description", "location", "source"}
        assert sale_status != "cancelled"
        if status in ("delivered", "delivery_failed", "out_for_delivery", "pickup"):
            assert events[0]["status"] == status


async def test_market_snapshots_cover_the_listed_categories(
    demo_database: DemoDatabase, demo_session
) -> None:
    fid = demo_database.family_id
    missing = await scalar(
        demo_session,
        "SELECT count(DISTINCT category_id) FROM listings l WHERE family_id = :f AND NOT EXISTS "
        "(SELECT 1 FROM trends t WHERE t.category_id = l.category_id AND t.brand IS NULL)",
        f=fid,
    )
    assert missing == 0
    dates = await scalar(
        demo_session, "SELECT count(DISTINCT scraped_at::date) FROM trends WHERE sample->>'demo' = 'true'"
    )
    assert dates >= 5
    bad = await scalar(
        demo_session,
        "SELECT count(*) FROM trends WHERE NOT (min_price <= q1_price AND q1_price <= median_price "
        "AND median_price <= q3_price AND q3_price <= max_price)",
    )
    assert bad == 0
    assert await scalar(demo_session, "SELECT count(*) FROM trend_follows WHERE family_id = :f", f=fid) > 0


async def test_the_members_sign_in_with_the_printed_password(
    demo_database: DemoDatabase, demo_session
) -> None:
    stored = await scalar(demo_session, "SELECT password_argon2 FROM users WHERE username = 'marco'")
    passwords = Passwords(demo_database.settings)
    assert await passwords.verify(str(stored), PASSWORD)
    assert not await passwords.verify(str(stored), PASSWORD + "x")


# --- small seeds, inside the test's rolled-back transaction -------------------------------------------


SMALL = {"listings": 60, "sales": 240, "shipments": 25, "today": FIXED_TODAY}


async def totals(session: AsyncSession) -> tuple[object, ...]:
    row = (
        await session.execute(
            text(
                "SELECT (SELECT count(*) FROM listings l JOIN users u ON u.id = l.user_id "
                "        WHERE u.email LIKE '%.bellini@example.it'),"
                " (SELECT sum(sale_price) FROM sales s JOIN users u ON u.id = s.user_id "
                "        WHERE u.email LIKE '%.bellini@example.it'),"
                " (SELECT string_agg(title, '|' ORDER BY sold_at, title) FROM sales s JOIN users u ON "
                "        u.id = s.user_id WHERE u.email LIKE '%.bellini@example.it'),"
                " (SELECT count(*) FROM shipments sh JOIN users u ON u.id = sh.user_id "
                "        WHERE u.email LIKE '%.bellini@example.it')"
            )
        )
    ).one()
    return tuple(row)


async def test_same_seed_same_family_and_reset(session: AsyncSession, settings) -> None:  # noqa: ANN001
    storage = create_storage(settings)
    first, removed = await seed_demo(session, storage, settings, seed=7, **SMALL)
    assert removed == []
    before = await totals(session)
    assert before[0] == 60 and before[3] == 25
    again, removed = await seed_demo(session, storage, settings, seed=7, reset=True, **SMALL)
    assert again.family_id == first.family_id
    assert await totals(session) == before
    assert removed == []  # the same seed wrote the same keys again: nothing to delete
    other, removed = await seed_demo(session, storage, settings, seed=8, reset=True, **SMALL)
    assert other.family_id != first.family_id
    assert await totals(session) != before
    assert len(removed) == 2 * first.images  # the first family's photos, to delete after the commit
    assert await scalar(session, "SELECT count(*) FROM families WHERE id = :f", f=first.family_id) == 0
    assert (
        await scalar(session, "SELECT count(*) FROM audit_log WHERE family_id = :f", f=first.family_id) == 0
    )
    # The demo's market rows went with it: one seed's worth remains.
    assert await scalar(session, "SELECT count(*) FROM trends WHERE sample->>'demo' = 'true'") == other.trends


async def test_a_second_seed_is_refused(session: AsyncSession, settings) -> None:  # noqa: ANN001
    storage = create_storage(settings)
    await seed_demo(session, storage, settings, **SMALL)
    with pytest.raises(DemoError, match="--reset"):
        await seed_demo(session, storage, settings, **SMALL)


@pytest.mark.parametrize(
    ("email", "username"), [("marco@rossi.it", "Marco"), ("giulia.bellini@example.it", "giulia.rossi")]
)
async def test_a_real_account_with_a_demo_name_is_left_alone(
    session: AsyncSession,
    settings,  # noqa: ANN001
    email: str,
    username: str,
) -> None:
    await session.execute(
        text("INSERT INTO families (id, name) VALUES ('00000000-0000-4000-8000-000000000001', 'Rossi')")
    )
    await session.execute(
        text(
            "INSERT INTO users (id, family_id, email, username, password_argon2) VALUES "
            "('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', :e, :u, 'x')"
        ),
        {"e": email, "u": username},
    )
    with pytest.raises(DemoError, match="account vero"):
        await seed_demo(session, create_storage(settings), settings, reset=True, **SMALL)
    assert await scalar(session, "SELECT count(*) FROM users WHERE username = :u", u=username) == 1


async def test_the_api_over_the_demo_family(
    demo_client, demo_sessionmaker, demo_database: DemoDatabase
) -> None:  # noqa: ANN001
    headers = await sign_in(demo_client, "giulia")
    listings = await demo_client.get("/api/v1/listings", params={"limit": 1}, headers=headers)
    assert listings.status_code == 200, listings.text
    assert listings.json()["total"] == 1000
    photo = listings.json()["items"][0]["images"][0]
    picture = await demo_client.get(photo["url"])
    assert picture.status_code == 200 and picture.content[:3] == b"\xff\xd8\xff"
    stats = await demo_client.get("/api/v1/sales/stats", headers=headers)
    assert stats.status_code == 200, stats.text
    async with demo_sessionmaker() as session:
        standing = await scalar(
            session,
            "SELECT count(*) FROM sales WHERE family_id = :f AND status NOT IN ('cancelled', 'refunded')",
            f=demo_database.family_id,
        )
    assert stats.json()["totals"]["sales"] == standing
    # A write through the client is rolled back after the test: the next test sees 1,000 listings again.
    created = await demo_client.post("/api/v1/listings", json={"title": "Prova"}, headers=headers)
    assert created.status_code == 201, created.text


async def test_the_write_of_the_previous_test_was_rolled_back(demo_client) -> None:  # noqa: ANN001
    headers = await sign_in(demo_client, "marco")
    listings = await demo_client.get("/api/v1/listings", params={"limit": 1}, headers=headers)
    assert listings.json()["total"] == 1000
