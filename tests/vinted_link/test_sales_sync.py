"""The sales sync against the Vinted stand-in: new sales recorded once (matched to the family's listing by
Vinted's item id, or a listing created), listings following the wardrobe, what Vinted later drops kept,
Vinted's prepaid labels stored and printed in bulk; a challenge part way keeps what was stored; a dead
chain tells the member; the button, its limits and who may see the results."""

from __future__ import annotations

import io
import uuid
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import select, update

from tests.auth.factories import register
from tests.fakes.vinted import Reply
from tests.support.worker import run_jobs
from tests.users.factories import invite_and_join
from tests.vinted_link.factories import new_pairing, redeem
from vinted_optimizer.models import AuditLog, Listing, Notification, Sale, Shipment, User
from vinted_optimizer.vinted_link import sales_sync
from vinted_optimizer.vinted_link.tasks import sync_all, sync_member

VINTED_USER_ID = 4242
SYNC = "/api/v1/vinted-link/sync"


def tid(n: int) -> str:
    return str(7_000_000_000 + n)


def item(n: int) -> str:
    return str(9_000_000_000 + n)


async def _linked(
    client, session, member, fake_vinted, *, vinted_user_id: int | None = VINTED_USER_ID
) -> User:
    access, refresh = fake_vinted.member_session()
    pairing = await new_pairing(client, member)
    body = {"access_token_web": access, "refresh_token_web": refresh}
    if vinted_user_id is not None:
        body["vinted_user_id"] = vinted_user_id  # type: ignore[assignment]
    response = await redeem(client, pairing["code"], body)
    assert response.status_code == 200, response.text
    user = await session.scalar(select(User).where(User.username == member.username))
    await session.refresh(user)
    return user


async def _listing(client, session, member, *, title: str, vinted_id: str, status: str = "published") -> str:
    response = await client.post(
        "/api/v1/listings", json={"title": title, "status": status, "price": "30"}, headers=member.headers
    )
    assert response.status_code == 201, response.text
    listing_id = response.json()["id"]
    await session.execute(
        update(Listing).where(Listing.id == uuid.UUID(listing_id)).values(vinted_id=vinted_id)
    )
    await session.commit()
    return listing_id


async def _sales(session) -> dict[str, Sale]:
    rows = (await session.scalars(select(Sale).where(Sale.vinted_transaction_id.is_not(None)))).all()
    for sale in rows:
        await session.refresh(sale)
    return {str(sale.vinted_transaction_id): sale for sale in rows}


async def _run(resources, user: User, trigger: str = "button") -> str | None:
    return await sync_member({"resources": resources}, str(user.id), trigger)


async def _report(resources, user: User):
    return await sales_sync._load(resources.redis, user.id)


async def test_a_sync_records_new_sales_marks_listings_sold_and_stores_vinted_labels(
    client, session, resources, fake_vinted
):
    member = await register(client)
    user = await _linked(client, session, member, fake_vinted)
    fake_vinted.wardrobe_total = 10
    # Orders 4 and 3 wait to be shipped (Vinted's prepaid label); 2 is on its way; 1 completed; 0 shipped.
    fake_vinted.order_statuses = {4: "Da spedire", 3: "In attesa di spedizione", 2: "Spedito"}
    fake_vinted.without_shipment = {3}  # sold with the buyer's own arrangement: no label
    matched = await _listing(client, session, member, title="Giacca di jeans", vinted_id=item(2))
    only_on_wardrobe = await _listing(client, session, member, title="Stivali", vinted_id=item(5))
    reserved = await _listing(client, session, member, title="Borsa", vinted_id=item(9))
    draft = await _listing(client, session, member, title="Bozza", vinted_id=item(8), status="draft")

    assert await _run(resources, user) == "done"

    sales = await _sales(session)
    assert set(sales) == {tid(n) for n in range(5)}
    assert str(sales[tid(2)].listing_id) == matched and sales[tid(2)].title == "Giacca di jeans"
    assert {n: sales[tid(n)].status for n in range(5)} == {
        0: "shipped",
        1: "completed",
        2: "shipped",
        3: "pending",
        4: "pending",
    }
    assert sales[tid(4)].sale_price == Decimal("24.00") and sales[tid(4)].buyer_username == "compratrice"
    assert sales[tid(4)].vinted_data["order"]["conversation_id"] == 8_000_000_004
    assert sales[tid(4)].vinted_data["transaction"]["shipment"]["tracking_code"] == "3SVOPT000004"

    listings = {listing.vinted_id: listing for listing in (await session.scalars(select(Listing))).all()}
    for listing in listings.values():
        await session.refresh(listing)
    # The orders of items the family never listed here brought their listing, sold.
    for n in (0, 1, 3, 4):
        created = listings[item(n)]
        assert created.status == "sold" and created.title == f"Venduto {n}"
        assert created.vinted_data["vinted_sync"]["source"] == "sales_sync"
        assert str(sales[tid(n)].listing_id) == str(created.id)
    assert listings[item(2)].status == "sold"
    # The wardrobe: item 5 sold on Vinted (its order not seen yet): sold, no sale; item 9 reserved there.
    assert listings[item(5)].status == "sold" and str(listings[item(5)].id) == only_on_wardrobe
    assert not [s for s in sales.values() if str(s.listing_id) == only_on_wardrobe]
    assert listings[item(9)].status == "reserved" and str(listings[item(9)].id) == reserved
    assert listings[item(9)].vinted_url.endswith(f"/items/{item(9)}-articolo-9")
    assert listings[item(8)].status == "draft" and str(listings[item(8)].id) == draft

    # Vinted's label of the one sale to ship that has a Vinted shipment, in storage, in the bulk print.
    assert [c.path for c in fake_vinted.calls_to("label")] == [
        f"/api/v2/transactions/{tid(4)}/shipment/pdf_label"
    ]
    (shipment,) = (await session.scalars(select(Shipment))).all()
    await session.refresh(shipment)
    assert shipment.sale_id == sales[tid(4)].id and shipment.source == "vinted"
    assert shipment.tracking_code == "3SVOPT000004" and shipment.carrier == "BRT"
    assert shipment.label_url == f"labels/{shipment.family_id}/VO-{shipment.sale_id}.pdf"
    assert (await resources.storage.get(shipment.label_url)).startswith(b"%PDF")
    printed = await client.post(
        "/api/v1/shipments/labels",
        json={"shipment_ids": [str(shipment.id)], "layout": "thermal"},
        headers=member.headers,
    )
    assert printed.status_code == 200, printed.text
    pages = PdfReader(io.BytesIO(printed.content)).pages
    assert len(pages) == 1 and f"Ordine {tid(4)}" in pages[0].extract_text()

    report = await _report(resources, user)
    assert report.state == "done" and report.reason is None
    assert (report.new_sales, report.listings_created, report.labels_fetched) == (5, 4, 1)
    assert "5 nuove vendite, 1 etichetta scaricata" in report.summary
    assert await session.scalar(select(AuditLog).where(AuditLog.action == "vinted.synced"))
    events = (await client.get("/api/v1/events", headers=member.headers)).json()["events"]
    assert {"user_id": member.id, "state": "done"} in [
        e["data"] for e in events if e["type"] == "vinted.synced"
    ]
    # Only the new sales still to ship are announced like a sale recorded by hand (not months of history).
    notes = (await session.scalars(select(Notification).where(Notification.kind == "sale_recorded"))).all()
    assert sorted(note.title for note in notes) == [
        "Venduto: Venduto 3 a 23,00 €",
        "Venduto: Venduto 4 a 24,00 €",
    ]

    # Sold on Vinted but its order not read yet: it may still be recorded by hand, once.
    sale = {"listing_id": only_on_wardrobe, "sale_price": "15"}
    assert (await client.post("/api/v1/sales", json=sale, headers=member.headers)).status_code == 201
    assert (await client.post("/api/v1/sales", json=sale, headers=member.headers)).status_code == 409


async def test_a_second_sync_adds_nothing_twice_and_keeps_what_vinted_dropped(
    client, session, resources, fake_vinted
):
    member = await register(client)
    user = await _linked(client, session, member, fake_vinted)
    fake_vinted.order_statuses = {4: "Da spedire"}
    assert await _run(resources, user) == "done"
    assert len(fake_vinted.calls_to("transaction")) == 5 and len(fake_vinted.calls_to("label")) == 1
    first = await _sales(session)
    kept = first[tid(0)].vinted_data

    # Weeks later: Vinted dropped order 0's details, order 4 shipped, a new order came.
    fake_vinted.calls.clear()
    fake_vinted.dropped_orders = frozenset({0})
    fake_vinted.order_statuses = {4: "Spedito"}
    fake_vinted.orders_total = 6
    assert await _run(resources, user, "cron") == "done"

    # Only the new transaction's details were read; no label asked again.
    assert [c.path for c in fake_vinted.calls_to("transaction")] == [f"/api/v2/transactions/{tid(5)}"]
    assert fake_vinted.calls_to("label") == []
    sales = await _sales(session)
    assert set(sales) == {tid(n) for n in range(6)}
    assert len((await session.scalars(select(Sale))).all()) == 6
    assert sales[tid(4)].status == "shipped"
    # The poorer answer took nothing away.
    dropped = sales[tid(0)].vinted_data
    assert (
        dropped["order"]["conversation_id"] == 8_000_000_000
        and dropped["order"]["price"] == kept["order"]["price"]
    )
    assert dropped["transaction"] == kept["transaction"] and dropped["first_seen_at"] == kept["first_seen_at"]
    report = await _report(resources, user)
    assert (report.new_sales, report.updated_sales, report.labels_fetched) == (1, 1, 0)
    assert report.trigger == "cron"


async def test_a_sale_recorded_by_hand_is_not_doubled(client, session, resources, fake_vinted):
    member = await register(client)
    user = await _linked(client, session, member, fake_vinted)
    listing_id = await _listing(client, session, member, title="Maglione", vinted_id=item(1))
    by_hand = await client.post(
        "/api/v1/sales",
        json={"listing_id": listing_id, "sale_price": "20", "buyer_username": "maria"},
        headers=member.headers,
    )
    assert by_hand.status_code == 201, by_hand.text

    assert await _run(resources, user) == "done"
    of_listing = (await session.scalars(select(Sale).where(Sale.listing_id == uuid.UUID(listing_id)))).all()
    assert len(of_listing) == 1
    (sale,) = of_listing
    await session.refresh(sale)
    assert str(sale.id) == by_hand.json()["id"] and sale.vinted_transaction_id == tid(1)
    assert sale.buyer_username == "maria" and sale.sale_price == Decimal(
        "20.00"
    )  # what the member wrote stays
    assert sale.status == "completed" and sale.vinted_data["order"]["title"] == "Venduto 1"
    report = await _report(resources, user)
    assert (report.new_sales, report.updated_sales) == (4, 1)
    listed = (await client.get("/api/v1/sales", headers=member.headers)).json()
    assert listed["total"] == 5
    assert {row["vinted_transaction_id"] for row in listed["items"]} == {tid(n) for n in range(5)}


async def test_a_challenge_part_way_keeps_what_was_stored_and_says_it_stopped(
    client, session, resources, fake_vinted
):
    member = await register(client)
    user = await _linked(client, session, member, fake_vinted)
    fake_vinted.order_statuses = {4: "Da spedire"}
    fake_vinted.script("transaction", Reply(), Reply(), Reply.challenge_page())

    assert await _run(resources, user) == "stopped"
    # The two newest transactions were read before the challenge: their sales are stored.
    assert set(await _sales(session)) == {tid(4), tid(3)}
    report = await _report(resources, user)
    assert report.state == "stopped" and "verifica anti-robot" in report.reason
    assert report.new_sales == 2 and "Interrotta" in report.summary and "prossimo giro" in report.summary
    # The gate stays closed after the challenge: no label was asked for.
    assert fake_vinted.calls_to("label") == []


async def test_an_answer_vinted_garbled_fails_the_sync_asking_to_try_again(
    client, session, resources, fake_vinted
):
    """Not the shape the client reads (one garbled answer or a changed page look the same): the member is
    told to sync again, and the next run reads everything."""
    member = await register(client)
    user = await _linked(client, session, member, fake_vinted)
    fake_vinted.script("orders", Reply.not_json())

    assert await _run(resources, user) == "failed"
    report = await _report(resources, user)
    assert "riprova tra qualche minuto" in report.reason and "Dettaglio" not in report.reason, report.reason
    assert await _sales(session) == {}
    assert await _run(resources, user) == "done"


async def test_a_dead_chain_fails_the_sync_and_the_member_is_told(client, session, resources, fake_vinted):
    admin = await register(client)
    member = await invite_and_join(client, admin=admin)
    user = await _linked(client, session, member, fake_vinted)
    fake_vinted.expire_access_tokens()
    fake_vinted.kill_chain()

    assert await _run(resources, user) == "failed"
    report = await _report(resources, user)
    assert "collega di nuovo" in report.reason and "non riuscita" in report.summary
    await session.refresh(user)
    assert user.vinted_session_fernet is None and user.vinted_status == "dead"
    assert await session.scalar(select(Notification).where(Notification.kind == "vinted_relink"))
    assert await _sales(session) == {}


async def test_without_vinted_user_id_the_wardrobe_is_skipped_with_a_note(
    client, session, resources, fake_vinted
):
    member = await register(client)
    user = await _linked(client, session, member, fake_vinted, vinted_user_id=None)
    assert await _run(resources, user) == "done"
    assert fake_vinted.calls_to("wardrobe") == []
    report = await _report(resources, user)
    assert report.new_sales == 5 and any("Guardaroba non letto" in note for note in report.notes)


async def test_the_button_queues_the_sync_and_shows_its_result(client, session, resources, fake_vinted):
    admin = await register(client)
    member = await invite_and_join(client, admin=admin)
    stranger = await register(client)
    user = await _linked(client, session, member, fake_vinted)

    # Nobody linked asked for: 409; only the family admin may sync everyone.
    refused = await client.post(SYNC, headers=admin.headers)
    assert refused.status_code == 409 and refused.json()["error"] == "vinted_not_linked"
    forbidden = await client.post(SYNC, json={"all": True}, headers=member.headers)
    assert forbidden.status_code == 403 and "campo all" in forbidden.json()["detail"]
    assert (await client.post(SYNC, json={"all": True}, headers=stranger.headers)).status_code == 409

    asked = await client.post(SYNC, headers=member.headers)
    assert asked.status_code == 202, asked.text
    assert asked.json() == {"queued": [member.id]}
    again = await client.post(SYNC, headers=member.headers)
    assert again.status_code == 429 and int(again.headers["Retry-After"]) <= 60
    assert (await client.post(SYNC, json={"all": True}, headers=admin.headers)).status_code == 429

    queued = (await client.get(SYNC, headers=admin.headers)).json()["items"]
    assert [(r["username"], r["state"]) for r in queued] == [(member.username, "queued")]
    assert await run_jobs(resources) >= 1
    (done,) = (await client.get(SYNC, headers=member.headers)).json()["items"]
    assert done["state"] == "done" and done["new_sales"] == 5 and done["trigger"] == "button"
    assert done["summary"].startswith("Ultima sincronizzazione alle ")
    # Another family sees nothing of it.
    assert (await client.get(SYNC, headers=stranger.headers)).json() == {"items": []}
    assert await session.scalar(
        select(AuditLog).where(AuditLog.action == "vinted.synced", AuditLog.user_id == user.id)
    )


async def test_the_cron_queues_one_sync_per_linked_member(client, session, resources, fake_vinted):
    first = await register(client)
    await _linked(client, session, first, fake_vinted)
    second = await register(client)
    await _linked(client, session, second, fake_vinted)
    await register(client)  # not linked

    assert await sync_all({"resources": resources}) == 2
    assert await sync_all({"resources": resources}) == 0  # already queued: kept once
    assert await run_jobs(resources) == 2
    assert len(await _sales(session)) == 5  # the stand-in's orders, once (transaction ids are unique)


async def test_the_label_of_a_sale_of_another_members_listing_comes_with_the_seller_account(
    client, session, resources, fake_vinted
):
    """The listing is the admin's, the Vinted account that sold it the member's: the sale is the listing
    owner's (as by hand), the label is fetched with the account that sold it."""
    admin = await register(client)
    member = await invite_and_join(client, admin=admin)
    user = await _linked(client, session, member, fake_vinted)
    listing_id = await _listing(client, session, admin, title="Cappotto", vinted_id=item(4))
    fake_vinted.order_statuses = {4: "Da spedire"}

    assert await _run(resources, user) == "done"
    sale = (await _sales(session))[tid(4)]
    assert str(sale.listing_id) == listing_id and str(sale.user_id) == admin.id
    (shipment,) = (await session.scalars(select(Shipment))).all()
    assert shipment.sale_id == sale.id and str(shipment.user_id) == member.id and shipment.label_url


async def test_a_label_vinted_refuses_is_asked_for_again_next_run(client, session, resources, fake_vinted):
    member = await register(client)
    user = await _linked(client, session, member, fake_vinted)
    fake_vinted.order_statuses = {4: "Da spedire"}
    fake_vinted.script("label", Reply.error(400, 99, "label_not_ready"))

    assert await _run(resources, user) == "done"
    report = await _report(resources, user)
    assert report.labels_fetched == 0 and any("non ancora disponibile" in note for note in report.notes)
    assert (await session.scalars(select(Shipment))).all() == []

    assert await _run(resources, user) == "done"
    assert (await _report(resources, user)).labels_fetched == 1
    assert len(fake_vinted.calls_to("label")) == 2
