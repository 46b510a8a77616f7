"""Panoramica's API: a varied family (and another whose rows must never show), every number checked
against SQL written in tests/dashboard/checks.py, the validation, the suggestions' dismissal and action."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from tests.auth.factories import Member, register
from tests.dashboard.checks import check_activity, check_analytics, check_overview, check_suggestions
from tests.sales.factories import insert_sales
from tests.users.factories import invite_and_join
from vinted_optimizer.models import AuditLog, Image, Listing, Sale, Shipment, Trend

NOW = datetime.now(UTC)
JACKETS = 1206  # Uomo > Abbigliamento > Capispalla (has sizes)


def _ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


@dataclass
class Family:
    admin: Member
    member: Member
    ids: dict[str, uuid.UUID]


def _listing(family_id: str, user_id: str, **fields: Any) -> Listing:
    complete = {
        "title": "Giacca",
        "description": "Giacca in ottimo stato",
        "price": Decimal("20.00"),
        "category": "Uomo > Abbigliamento > Capispalla",
        "category_id": JACKETS,
        "brand": "Zara",
        "condition": "very_good",
        "status_id": 2,
        "size_id": 207,
        "package_size_id": 2,
        "status": "published",
    }
    return Listing(
        id=uuid.uuid4(), family_id=uuid.UUID(family_id), user_id=uuid.UUID(user_id), **{**complete, **fields}
    )


def _on_vinted(days: float, item: str) -> dict[str, Any]:
    return {"vinted": {"item_id": int(item), "published_at": _ago(days).isoformat()}}


async def _build(client, session, *, family_name: str = "Famiglia Rossi") -> Family:
    admin = await register(client, family_name=family_name)
    member = await invite_and_join(client, admin=admin)
    fid, aid, mid = admin.family_id, admin.id, member.id
    rows = {
        "stale": _listing(
            fid,
            aid,
            title="Giacca Zara",
            price=Decimal("40.00"),
            vinted_id="9001",
            vinted_data=_on_vinted(45, "9001"),
        ),
        "outlier": _listing(
            fid, mid, title="Cappotto caro", price=Decimal("100.00"), vinted_data=_on_vinted(3, "9002")
        ),
        "repost": _listing(
            fid,
            aid,
            title="Parka",
            price=Decimal("20.00"),
            vinted_id="9003",
            vinted_data=_on_vinted(25, "9003"),
        ),
        "by_hand": _listing(
            fid,
            mid,
            title="Borsa a mano",
            category_id=None,
            category="Borse",
            brand=None,
            vinted_data={"published_by_hand": {"at": _ago(60).isoformat(), "user_id": mid}},
        ),
        "old_created": _listing(fid, mid, title="Maglione", brand="  ", created_at=_ago(50)),
        "pending": _listing(fid, aid, title="", status="draft", analysis_status="pending", price=None),
        "failed": _listing(fid, aid, title="Scarpe", status="draft", analysis_status="failed"),
        "fresh_draft": _listing(
            fid, mid, title="", description="", status="draft", price=None, category_id=None
        ),
        "ready": _listing(fid, aid, title="Felpa pronta", status="ready", package_size_id=None),
        "reserved": _listing(fid, aid, status="reserved"),
        "sold": _listing(fid, mid, status="sold"),
        "hidden": _listing(fid, mid, status="hidden", price=Decimal("7.50")),
    }
    session.add_all(rows.values())
    await session.flush()
    for name in ("stale", "outlier", "repost", "ready", "by_hand"):
        listing = rows[name]
        session.add(
            Image(listing_id=listing.id, family_id=listing.family_id, storage_path=f"x/{listing.id}.jpg")
        )
    # The admin's Vinted account is linked (a repost needs it); the member's is not.
    await session.execute(
        text("UPDATE users SET vinted_session_fernet = 'x' WHERE id = :id"), {"id": uuid.UUID(aid)}
    )

    session.add_all(
        [
            Trend(
                category_id=JACKETS,
                category_name="Capispalla",
                brand=None,
                median_price=Decimal("25.00"),
                min_price=Decimal("5"),
                q1_price=Decimal("18"),
                q3_price=Decimal("32"),
                max_price=Decimal("90"),
                total_items=60,
                scraped_at=_ago(1),
            ),
            Trend(
                category_id=JACKETS,
                category_name="Capispalla",
                brand="Zara",
                median_price=Decimal("20.00"),
                min_price=Decimal("6"),
                q1_price=Decimal("15"),
                q3_price=Decimal("28"),
                max_price=Decimal("70"),
                total_items=40,
                scraped_at=_ago(2),
            ),
            # An older Zara snapshot: the newest counts.
            Trend(
                category_id=JACKETS,
                category_name="Capispalla",
                brand="zara",
                median_price=Decimal("99.00"),
                min_price=Decimal("6"),
                q1_price=Decimal("50"),
                q3_price=Decimal("120"),
                max_price=Decimal("200"),
                total_items=40,
                scraped_at=_ago(20),
            ),
        ]
    )

    await insert_sales(session, family_id=fid, user_id=aid, count=220, start=_ago(75))
    await insert_sales(session, family_id=fid, user_id=mid, count=12, start=_ago(3.5))
    parcel_sales = [
        Sale(
            id=uuid.uuid4(),
            family_id=uuid.UUID(fid),
            user_id=uuid.UUID(mid),
            title=f"Pacco {n}",
            sale_price=Decimal("9.90"),
            status="shipped",
            sold_at=_ago(6 + n),
            category="Donna > Borse",
            brand=None,
        )
        for n in range(6)
    ]
    session.add_all(parcel_sales)
    await session.flush()
    statuses = [
        ("in_transit", None, _ago(1)),
        ("ready", None, None),
        ("delivered", _ago(2), _ago(2)),
        ("delivery_failed", None, _ago(3)),
        ("returned", None, _ago(40)),  # trouble, but too long ago for the overview
        ("exception", None, None),
    ]
    session.add_all(
        [
            Shipment(
                family_id=uuid.UUID(fid),
                sale_id=sale.id,
                user_id=uuid.UUID(mid),
                source="other",
                status=status,
                delivered_at=delivered,
                status_at=at,
                tracking_code=f"RR{n}IT",
            )
            for n, (sale, (status, delivered, at)) in enumerate(zip(parcel_sales, statuses, strict=True))
        ]
    )
    session.add_all(
        [
            AuditLog(
                family_id=uuid.UUID(fid),
                user_id=uuid.UUID(aid),
                action="listing.unpublished",
                resource_type="listing",
                resource_id=str(rows["hidden"].id),
                ip="10.9.8.7",
                created_at=_ago(1),
            ),
            AuditLog(family_id=uuid.UUID(fid), user_id=uuid.UUID(aid), action="auth.login", ip="10.9.8.7"),
            AuditLog(
                family_id=uuid.UUID(fid),
                user_id=uuid.UUID(mid),
                action="shipment.label_bought",
                resource_type="shipment",
                resource_id=str(uuid.uuid4()),
                meta={"sale_id": str(parcel_sales[0].id)},
            ),
        ]
    )
    await session.commit()
    return Family(admin, member, {name: listing.id for name, listing in rows.items()})


async def _other_family(client, session) -> Member:
    """A second family with rows of every kind: none of them may show in the first one's answers."""
    other = await register(client, family_name="Famiglia Verdi")
    fid = other.family_id
    stale = _listing(
        fid,
        other.id,
        title="Altrui",
        price=Decimal("80"),
        vinted_id="7001",
        vinted_data=_on_vinted(90, "7001"),
    )
    session.add(stale)
    await insert_sales(session, family_id=fid, user_id=other.id, count=40, start=_ago(30))
    sale = Sale(
        family_id=uuid.UUID(fid),
        user_id=uuid.UUID(other.id),
        title="Altro pacco",
        sale_price=Decimal("5"),
        status="shipped",
        sold_at=_ago(1),
    )
    session.add(sale)
    await session.flush()
    session.add(
        Shipment(
            family_id=uuid.UUID(fid), sale_id=sale.id, source="other", status="exception", status_at=_ago(1)
        )
    )
    session.add(AuditLog(family_id=uuid.UUID(fid), user_id=uuid.UUID(other.id), action="vinted.synced"))
    await session.commit()
    return other


async def test_overview_matches_sql(client, session):
    family = await _build(client, session)
    other = await _other_family(client, session)
    body = await check_overview(client, session, family.admin.family_id, family.admin.headers)
    # The data was built to exercise each figure: none of them is trivially zero.
    assert body["listings"]["total"] == 12 and body["listings"]["published"] == 5
    assert body["stale_count"] == 3  # stale (45 days), by hand (60), created 50 days ago
    assert [s["listing_id"] for s in body["stale"]][0] == str(family.ids["by_hand"])
    assert body["stale"][0]["thumbnail_url"] and body["stale"][0]["days_listed"] == 60
    assert body["parcels"] == {**body["parcels"], "in_transit": 2, "trouble": 2}
    assert body["parcels"]["trouble_parcels"][0]["status_text"] == "Problema con la spedizione"
    assert body["drafts"] == {"waiting_analysis": 1, "failed_analysis": 1, "not_analysed": 1}
    assert body["month"]["this_month"]["sales"] > 0 and body["week"]["sales"] > 0
    assert {m["username"] for m in body["dac7"]} == {family.admin.username, family.member.username}
    theirs = await check_overview(client, session, other.family_id, other.headers)
    assert theirs["listings"]["total"] == 1 and theirs["stale_count"] == 1
    assert theirs["parcels"]["trouble"] == 1 and [m["username"] for m in theirs["dac7"]] == [other.username]


async def test_analytics_matches_sql(client, session):
    family = await _build(client, session)
    await _other_family(client, session)
    headers, fid = family.admin.headers, family.admin.family_id
    body = await check_analytics(client, session, fid, headers)
    assert body["group"] == "month" and len(body["series"]) == 12
    assert sum(p["sales"] for p in body["series"]) == body["totals"]["sales"] > 100
    assert {"Senza marca", "Zara"} <= {b["key"] for b in body["brands"]}
    assert body["price_against_market"] and body["price_against_market"][0]["category_id"] == JACKETS
    start = (NOW - timedelta(days=40)).date().isoformat()
    weekly = await check_analytics(client, session, fid, headers, group="week", date_from=start)
    assert weekly["group"] == "week" and len(weekly["series"]) in (6, 7)
    mine = await check_analytics(client, session, fid, headers, member=family.member.id, group="week")
    assert [m["username"] for m in mine["members"]] == [family.member.username]
    assert mine["totals"]["sales"] < body["totals"]["sales"]


async def test_analytics_validation(client, session):
    family = await _build(client, session)
    other = await _other_family(client, session)

    async def refused(field: str, **params: Any) -> str:
        response = await client.get(
            "/api/v1/dashboard/analytics", params=params, headers=family.admin.headers
        )
        assert response.status_code == 422, response.text
        fields = response.json()["fields"]
        assert any(field in error["field"] for error in fields), fields
        return str(fields[0]["message"])

    assert "AAAA-MM-GG" in await refused("date_from", date_from="2026-13-01")
    assert "AAAA-MM-GG" in await refused("date_to", date_to="ieri")
    assert "dopo la data finale" in await refused("date_from", date_from="2026-05-02", date_to="2026-05-01")
    assert "famiglia" in await refused("member", member=str(uuid.uuid4()))
    assert "famiglia" in await refused("member", member=other.id)  # another family's member
    await refused("group", group="year")
    await refused("extra", extra="1")


async def test_activity_is_the_familys_only(client, session):
    family = await _build(client, session)
    other = await _other_family(client, session)
    items = await check_activity(client, session, family.admin.family_id, family.admin.headers)
    texts = [item["text"] for item in items]
    assert f"{family.admin.username} ha ritirato «Giacca» da Vinted" in texts
    assert f"{family.member.username} ha acquistato l'etichetta per «Pacco 0»" in texts
    assert "Il pacco di «Pacco 2» è stato consegnato" in texts
    assert "Il pacco di «Pacco 3»: consegna non riuscita" in texts
    assert f"{family.admin.username} ha pubblicato «Giacca Zara» su Vinted" in texts
    assert f"{family.member.username} ha creato un annuncio senza titolo" in texts
    assert not any("Altr" in t or "10.9.8.7" in t for t in texts)
    assert {item["kind"] for item in items} >= {
        "sale",
        "parcel",
        "listing_created",
        "listing_published",
        "vinted",
    }
    theirs = await check_activity(client, session, other.family_id, other.headers, limit=100)
    assert all(item["id"] not in {i["id"] for i in items} for item in theirs)
    bad = await client.get(
        "/api/v1/dashboard/activity", params={"before": "zzz"}, headers=family.admin.headers
    )
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "before"


async def test_suggestions_dismiss_and_act(client, session):
    family = await _build(client, session)
    await _other_family(client, session)
    headers, fid, ids = family.admin.headers, family.admin.family_id, family.ids
    items = {item["key"]: item for item in await check_suggestions(client, session, fid, headers)}
    assert set(items) >= {
        f"reprice_stale:{ids['stale']}",
        f"price_outlier:{ids['outlier']}",
        f"repost:{ids['repost']}",
        f"missing_fields:{ids['ready']}",
        f"missing_fields:{ids['fresh_draft']}",
        "best_time",
    }
    assert f"missing_fields:{ids['pending']}" not in items  # the analysis will fill it
    reprice = items[f"reprice_stale:{ids['stale']}"]
    assert reprice["action"]["price"] == "20.00" and "45 giorni" in reprice["reasoning"]
    assert "pacco" in items[f"missing_fields:{ids['ready']}"]["reasoning"]
    assert "vendite della famiglia" in items["best_time"]["reasoning"]
    # The member may not repost the admin's listing: not suggested to them.
    theirs = {item["key"] for item in await check_suggestions(client, session, fid, family.member.headers)}
    assert f"repost:{ids['repost']}" not in theirs and f"reprice_stale:{ids['stale']}" in theirs

    dismissed = await client.post("/api/v1/dashboard/suggestions/best_time/dismiss", headers=headers)
    assert dismissed.status_code == 204, dismissed.text
    gone = await client.post(
        f"/api/v1/dashboard/suggestions/price_outlier:{ids['outlier']}/dismiss", headers=headers
    )
    assert gone.status_code == 204
    bad = await client.post("/api/v1/dashboard/suggestions/DROP TABLE/dismiss", headers=headers)
    assert bad.status_code == 422

    priced = await client.patch(
        f"/api/v1/listings/{ids['stale']}", json={"price": reprice["action"]["price"]}, headers=headers
    )
    assert priced.status_code == 200, priced.text
    reposted = await client.post(
        f"/api/v1/listings/{ids['repost']}/repost", json={"confirm": True}, headers=headers
    )
    assert reposted.status_code == 202, reposted.text

    after = {item["key"] for item in await check_suggestions(client, session, fid, headers)}
    for key in (
        "best_time",
        f"price_outlier:{ids['outlier']}",
        f"reprice_stale:{ids['stale']}",
        f"repost:{ids['repost']}",
    ):
        assert key not in after, key
    assert f"missing_fields:{ids['ready']}" in after
    # Dismissed for the whole family, and only for it.
    assert "best_time" not in {
        item["key"] for item in await check_suggestions(client, session, fid, family.member.headers)
    }
