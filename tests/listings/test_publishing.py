"""Publishing on Vinted from the app, against the Vinted stand-in through the in-process scraper: the
photos uploaded in order, the item created with the listing's Vinted ids, the result stored; refusals
before anything is queued; Vinted's refusals and its pace told apart; unpublish, repost, bulk publish."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.auth.factories import Member
from tests.fakes.vinted import FakeVinted, Reply
from tests.images.factories import photo, upload
from tests.listings.factories import create_listing, get_listing
from tests.support.settings import NOWHERE
from tests.support.worker import run_jobs
from tests.users.factories import invite_and_join, register
from tests.vinted_link.factories import new_pairing, redeem
from vinted_optimizer.images import service as images
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.listings import publish_rules
from vinted_optimizer.listings.tasks import publish as publish_job
from vinted_optimizer.models import AuditLog, Listing
from vinted_optimizer.scraper.client import HttpScraperClient

JACKETS = 1908  # Donna > Abbigliamento > Capispalla > Giacche: it has sizes
SIZE_M_WOMEN = 4
VERY_GOOD = 2  # the status id of "very_good"


@pytest.fixture
def settings_overrides(fake_vinted_server: tuple[FakeVinted, str]) -> dict[str, object]:
    _, url = fake_vinted_server
    return {
        "vinted_base_url": url,
        "vinted_api_url": url,
        "vinted_timeout_seconds": 2.0,
        "vinted_read_burst": 30,
        "vinted_read_interval_seconds": 0.01,
        "vinted_write_burst": 10,
        "vinted_write_interval_seconds": 0.01,
        "vinted_write_hourly_cap": 500,
        "vinted_max_wait_seconds": 5,
    }


async def link(client, member: Member, fake: FakeVinted) -> None:
    access, refresh = fake.member_session()
    pairing = await new_pairing(client, member)
    linked = await redeem(client, pairing["code"], {"access_token_web": access, "refresh_token_web": refresh})
    assert linked.status_code == 200, linked.text


async def ready_listing(client, member: Member, *, photos: int = 2, **fields) -> dict:
    values = {
        "title": "Giacca di jeans",
        "description": "Giacca di jeans blu, come nuova.",
        "price": "25.50",
        "category_id": JACKETS,
        "size_id": SIZE_M_WOMEN,
        "condition": "very_good",
        "package_size_id": 2,
        "colors": ["Blu"],
        **fields,
    }
    listing = await create_listing(client, member=member, **values)
    for seed in range(photos):
        added = await upload(
            client, member=member, files=[(f"{seed}.jpg", photo(seed=seed))], listing_id=listing["id"]
        )
        assert added.status_code == 201, added.text
    return await get_listing(client, member=member, listing_id=listing["id"])


async def post(client, member: Member, listing: dict, action: str, body: dict | None = None):
    return await client.post(f"/api/v1/listings/{listing['id']}/{action}", json=body, headers=member.headers)


async def row(session, listing: dict) -> Listing:
    found = await session.get(Listing, uuid.UUID(listing["id"]))
    assert found is not None
    await session.refresh(found)
    return found


async def publish_jobs(resources, listing_ids: list[str]) -> list[str]:
    """What the worker does with each listing's queued job (the job itself, called with its ticket)."""
    results = []
    for listing_id in listing_ids:
        async with resources.sessionmaker() as session:
            found = await session.get(Listing, uuid.UUID(listing_id))
            record = found.vinted_data["publish"]
        job = await publish_job({"resources": resources}, listing_id, record["ticket"], record["attempts"])
        results.append(job)
    return results


async def test_a_publish_uploads_the_photos_in_order_and_creates_the_item_with_the_listing_ids(
    client, session, resources, fake_vinted
):
    member = await register(client)
    await link(client, member, fake_vinted)
    listing = await ready_listing(client, member)
    await run_jobs(resources)  # the uploads' analyses (the AI is away: nothing changes)

    accepted = await post(client, member, listing, "publish")
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["publishing"]["state"] == "queued"
    assert accepted.json()["vinted_id"] is None and fake_vinted.calls_to("photo") == []
    assert await run_jobs(resources) == 1

    stored = await row(session, listing)
    photos = (await images.photos_of(session, [stored.id]))[stored.id]
    ids = stored.vinted_data["vinted"]["photo_ids"]
    # Every photo uploaded, in display order: the bytes Vinted got are the processed files.
    assert [fake_vinted.photos[i] for i in ids] == [
        await resources.storage.get(p.storage_path) for p in photos
    ]
    (create,) = fake_vinted.calls_to("create")
    item = json.loads(create.body)["item"]
    assert item["price"] == 25.5 and item["currency"] == "EUR"
    assert item["catalog_id"] == JACKETS and item["package_size_id"] == 2
    assert item["size_id"] == SIZE_M_WOMEN and item["status_id"] == VERY_GOOD
    assert {"code": "size", "ids": [SIZE_M_WOMEN]} in item["item_attributes"]
    assert {"code": "condition", "ids": [VERY_GOOD]} in item["item_attributes"]
    assert [p["id"] for p in item["assigned_photos"]] == ids
    assert item["title"] == "Giacca di jeans" and item["description"] == "Giacca di jeans blu, come nuova."

    (item_id,) = fake_vinted.items
    shown = await get_listing(client, member=member, listing_id=listing["id"])
    assert shown["vinted_id"] == str(item_id) and shown["status"] == "published"
    assert shown["vinted_url"] == f"{resources.settings.vinted_base_url.rstrip('/')}/items/{item_id}"
    assert shown["publishing"]["state"] == "published" and shown["publishing"]["error"] is None
    assert stored.vinted_data["vinted"]["item_id"] == item_id
    audit = await session.scalar(select(AuditLog).where(AuditLog.action == "listing.published"))
    assert audit is not None and audit.meta["vinted_id"] == item_id and str(audit.user_id) == member.id

    events = (await client.get("/api/v1/events", headers=member.headers)).json()["events"]
    moves = [
        (e["data"]["state"], e["data"].get("step")) for e in events if e["type"] == "listing.publish_changed"
    ]
    assert moves == [
        ("queued", None),
        ("publishing", None),
        ("publishing", "Caricamento foto 1 di 2"),
        ("publishing", "Caricamento foto 2 di 2"),
        ("publishing", "Creazione dell'annuncio su Vinted"),
        ("published", None),
    ]

    # Published already: a second publish is refused, nothing queued.
    again = await post(client, member, listing, "publish")
    assert again.status_code == 409 and again.json()["error"] == "already_on_vinted"


async def test_each_missing_vinted_field_is_a_422_naming_it_and_nothing_is_queued(
    client, session, resources, fake_vinted
):
    member = await register(client)
    await link(client, member, fake_vinted)
    listing = await ready_listing(client, member, photos=1)
    for field, value in [
        ("description", ""),
        ("price", None),
        ("category_id", None),
        ("condition", None),
        ("package_size_id", None),
        ("size_id", None),
    ]:
        broken = await create_listing(client, member=member, **_fields(listing))
        patched = await client.patch(
            f"/api/v1/listings/{broken['id']}", json={field: value}, headers=member.headers
        )
        assert patched.status_code == 200 and patched.json()[field] == value, patched.text
        await upload(client, member=member, files=[("a.jpg", photo())], listing_id=broken["id"])
        refused = await post(client, member, broken, "publish")
        assert refused.status_code == 422, (field, refused.text)
        named = {problem["field"] for problem in refused.json()["fields"]}
        assert field in named, (field, refused.json())
        assert (await get_listing(client, member=member, listing_id=broken["id"]))["publishing"] is None
    no_photos = await create_listing(client, member=member, **_fields(listing))
    refused = await post(client, member, no_photos, "publish")
    assert refused.status_code == 422 and [f["field"] for f in refused.json()["fields"]] == ["photos"]
    assert "foto" in refused.json()["detail"]
    await run_jobs(resources)
    assert fake_vinted.calls_to("photo") == [] and fake_vinted.calls_to("create") == []


def _fields(listing: dict) -> dict:
    keys = ("title", "description", "price", "category_id", "size_id", "condition", "package_size_id")
    return {key: listing[key] for key in keys}


async def test_who_may_publish_and_with_which_account(client, session, resources, fake_vinted):
    admin = await register(client)
    member = await invite_and_join(client, admin=admin)
    other = await register(client)
    listing = await ready_listing(client, member, photos=1)

    # Another family: not found. Another member of the family (not an admin): not theirs to publish.
    assert (await post(client, other, listing, "publish")).status_code == 404
    refused = await post(client, await invite_and_join(client, admin=admin), listing, "publish")
    assert refused.status_code == 403 and refused.json()["error"] == "not_listing_owner"
    # The owner has not linked Vinted: a conflict saying where to link it, even when the admin asks.
    unlinked = await post(client, admin, listing, "publish")
    assert unlinked.status_code == 409 and unlinked.json()["error"] == "vinted_not_linked"
    assert "Impostazioni → Vinted" in unlinked.json()["detail"]

    # Linked: the family admin may publish it, on the owner's account.
    await link(client, member, fake_vinted)
    accepted = await post(client, admin, listing, "publish")
    assert accepted.status_code == 202, accepted.text
    # A second request while it is queued: one operation at a time.
    busy = await post(client, member, listing, "publish")
    assert busy.status_code == 409 and busy.json()["error"] == "publish_in_progress"
    await run_jobs(resources)
    (create,) = fake_vinted.calls_to("create")
    owner_access = fake_vinted.calls_to("photo")[0].cookies["access_token_web"]
    assert create.cookies["access_token_web"] == owner_access
    audit = await session.scalar(select(AuditLog).where(AuditLog.action == "listing.published"))
    assert str(audit.user_id) == admin.id  # who asked


async def test_a_refusal_by_vinted_fails_with_an_italian_message(client, session, resources, fake_vinted):
    member = await register(client)
    await link(client, member, fake_vinted)
    listing = await ready_listing(client, member, photos=1)
    fake_vinted.script("create", Reply.error(400, 99, "validation_error"))
    assert (await post(client, member, listing, "publish")).status_code == 202
    await run_jobs(resources)
    shown = await get_listing(client, member=member, listing_id=listing["id"])
    assert shown["publishing"]["state"] == "failed" and "codice 99" in shown["publishing"]["error"]
    assert shown["vinted_id"] is None and shown["status"] == listing["status"]
    assert await resources.queue.waiting() == 0  # not tried again by itself
    # The member fixes it and asks again.
    assert (await post(client, member, listing, "publish")).status_code == 202
    await run_jobs(resources)
    assert (await get_listing(client, member=member, listing_id=listing["id"]))["publishing"][
        "state"
    ] == "published"


async def test_an_answer_vinted_garbled_fails_asking_to_try_again(client, session, resources, fake_vinted):
    """Not the shape the client reads (a garbled answer, or a changed page: one answer cannot tell): failed,
    and the member is told to publish again, which goes through once Vinted answers as it should."""
    member = await register(client)
    await link(client, member, fake_vinted)
    listing = await ready_listing(client, member, photos=1)
    fake_vinted.script("create", Reply.not_json())
    assert (await post(client, member, listing, "publish")).status_code == 202
    await run_jobs(resources)
    shown = (await get_listing(client, member=member, listing_id=listing["id"]))["publishing"]
    assert shown["state"] == "failed", shown
    error = shown["error"]
    assert "riprova tra qualche minuto" in error and "(item.create)" in error, error
    assert "Dettaglio" not in error  # the parser's English stays in the logs
    assert (await post(client, member, listing, "publish")).status_code == 202
    await run_jobs(resources)
    shown = (await get_listing(client, member=member, listing_id=listing["id"]))["publishing"]
    assert shown["state"] == "published"


@pytest.mark.parametrize("trouble", ["challenge", "rate_limited"])
async def test_a_check_or_vinted_pace_mid_publish_queues_it_again_not_failed(
    client, session, resources, fake_vinted, trouble
):
    member = await register(client)
    await link(client, member, fake_vinted)
    listing = await ready_listing(client, member, photos=2)
    await run_jobs(resources)
    bad = Reply.challenge_page() if trouble == "challenge" else Reply.rate_limited(120)
    fake_vinted.script("photo", Reply(), bad)  # the first photo goes, the second is stopped
    assert (await post(client, member, listing, "publish")).status_code == 202
    before = utcnow()
    assert await publish_jobs(resources, [listing["id"]]) == ["retry"]

    shown = await get_listing(client, member=member, listing_id=listing["id"])
    state = shown["publishing"]
    assert state["state"] == "queued" and state["attempts"] == 1 and state["error"]
    not_before = datetime.fromisoformat(state["not_before"])
    assert not_before > before + timedelta(seconds=60)
    assert shown["vinted_id"] is None and fake_vinted.items == {}
    # The job is scheduled again at that time, and the gate is closed meanwhile.
    stored = await row(session, listing)
    ticket = stored.vinted_data["publish"]["ticket"]
    scheduled = await resources.queue.scheduled_at(publish_rules.job_id(stored.id, ticket, 1))
    assert scheduled is not None and abs((scheduled - not_before).total_seconds()) <= 1
    assert (await resources.scraper.status()).status == "cooling_down"
    # The first job run again (a worker's retry) does nothing: the next attempt is the scheduled one.
    assert await publish_job({"resources": resources}, listing["id"], ticket, 0) == "skipped"
    assert len(fake_vinted.calls_to("photo")) == 2


async def test_unpublish_deletes_the_item_and_keeps_its_history(client, session, resources, fake_vinted):
    member = await register(client)
    await link(client, member, fake_vinted)
    listing = await ready_listing(client, member, photos=1)
    refused = await post(client, member, listing, "unpublish")
    assert refused.status_code == 409 and refused.json()["error"] == "not_on_vinted"
    await post(client, member, listing, "publish")
    await run_jobs(resources)
    (item_id,) = fake_vinted.items

    accepted = await post(client, member, listing, "unpublish")
    assert accepted.status_code == 202 and accepted.json()["publishing"]["operation"] == "unpublish"
    await run_jobs(resources)
    assert fake_vinted.deleted == [item_id]
    shown = await get_listing(client, member=member, listing_id=listing["id"])
    assert shown["vinted_id"] is None and shown["vinted_url"] is None and shown["status"] == "ready"
    assert shown["publishing"] is None
    stored = await row(session, listing)
    assert [gone["item_id"] for gone in stored.vinted_data["history"]] == [str(item_id)]
    assert stored.vinted_data["history"][0]["already_gone"] is False
    assert await session.scalar(select(AuditLog).where(AuditLog.action == "listing.unpublished"))

    # Published again, then deleted on Vinted itself: taking it off still works (nothing left there).
    await post(client, member, listing, "publish")
    await run_jobs(resources)
    gone = Reply.error(404, 0, "not_found")
    fake_vinted.script("delete", gone)
    fake_vinted.script("delete_post", gone)
    await post(client, member, listing, "unpublish")
    await run_jobs(resources)
    shown = await get_listing(client, member=member, listing_id=listing["id"])
    assert shown["vinted_id"] is None and shown["status"] == "ready" and shown["publishing"] is None
    assert (await row(session, listing)).vinted_data["history"][-1]["already_gone"] is True


async def test_a_repost_needs_confirming_then_deletes_and_creates_again(
    client, session, resources, fake_vinted
):
    member = await register(client)
    await link(client, member, fake_vinted)
    listing = await ready_listing(client, member, photos=2)
    assert (await post(client, member, listing, "repost", {"confirm": True})).status_code == 409
    await post(client, member, listing, "publish")
    await run_jobs(resources)
    (old_id,) = fake_vinted.items
    first = json.loads(fake_vinted.calls_to("create")[0].body)["item"]

    for body in (None, {}, {"confirm": False}, {"confirm": "yes"}):
        refused = await post(client, member, listing, "repost", body)
        assert refused.status_code == 422, refused.text
        assert "confirm" in {f["field"] for f in refused.json().get("fields", [])} or body is None
    accepted = await post(client, member, listing, "repost", {"confirm": True})
    assert accepted.status_code == 202 and accepted.json()["publishing"]["operation"] == "repost"
    await run_jobs(resources)

    assert fake_vinted.deleted == [old_id]
    operations = [call.operation for call in fake_vinted.calls if call.operation in ("delete", "create")]
    assert operations == ["create", "delete", "create"]  # deleted before it is created again
    new_id = max(fake_vinted.items)
    second = json.loads(fake_vinted.calls_to("create")[1].body)["item"]
    assert new_id != old_id and len(fake_vinted.calls_to("photo")) == 4  # the photos again
    assert {k: v for k, v in second.items() if k != "assigned_photos"} == {
        k: v for k, v in first.items() if k != "assigned_photos"
    }
    shown = await get_listing(client, member=member, listing_id=listing["id"])
    assert shown["vinted_id"] == str(new_id) and shown["status"] == "published"
    assert shown["publishing"]["state"] == "published"
    audit = await session.scalar(select(AuditLog).where(AuditLog.action == "listing.reposted"))
    assert audit.meta["vinted_id"] == new_id and audit.meta["replaced"] == str(old_id)


async def test_a_repost_stopped_after_the_delete_only_creates_on_its_next_run(
    client, session, resources, fake_vinted
):
    member = await register(client)
    await link(client, member, fake_vinted)
    listing = await ready_listing(client, member, photos=1)
    await post(client, member, listing, "publish")
    await run_jobs(resources)
    (old_id,) = fake_vinted.items
    await post(client, member, listing, "repost", {"confirm": True})
    fake_vinted.script("photo", Reply.rate_limited(90))
    assert await publish_jobs(resources, [listing["id"]]) == ["retry"]
    assert fake_vinted.deleted == [old_id]
    await resources.redis.flushdb()  # the gate reopens (Vinted's pause is over)
    assert await publish_jobs(resources, [listing["id"]]) == ["published"]
    assert fake_vinted.deleted == [old_id]  # not deleted twice
    audit = await session.scalar(select(AuditLog).where(AuditLog.action == "listing.reposted"))
    assert audit.meta["replaced"] == str(old_id)


async def test_a_bulk_publish_spreads_its_jobs_within_the_write_budget_and_reports_progress(
    client, session, resources, fake_vinted
):
    member = await register(client)
    other = await register(client)
    await link(client, member, fake_vinted)
    ready = [await ready_listing(client, member, photos=n) for n in (1, 2, 1)]
    incomplete = await create_listing(client, member=member, title="Sciarpa")
    unknown = str(uuid.uuid4())
    await run_jobs(resources)

    too_many = {"ids": [str(uuid.uuid4()) for _ in range(51)]}
    refused_all = await client.post("/api/v1/listings/publish", json=too_many, headers=member.headers)
    assert refused_all.status_code == 422 and refused_all.json()["fields"][0]["field"] == "ids"

    ids = [ready[0]["id"], incomplete["id"], ready[1]["id"], unknown, ready[2]["id"]]
    accepted = await client.post("/api/v1/listings/publish", json={"ids": ids}, headers=member.headers)
    assert accepted.status_code == 202, accepted.text
    body = accepted.json()
    assert body["queued"] == [ready[0]["id"], ready[1]["id"], ready[2]["id"]]
    refused = {(r["id"], r["field"]) for r in body["refused"]}
    assert (unknown, "id") in refused and (incomplete["id"], "category_id") in refused
    assert (incomplete["id"], "photos") in refused
    spacing = publish_rules.write_spacing(resources.settings)
    assert body["estimated_minutes"] == -(-((2 + 3 + 2) * spacing) // 60)

    # Each job is scheduled after the writes of the ones before it (photos + 1 each).
    scheduled = []
    for listing in ready:
        stored = await row(session, listing)
        record = stored.vinted_data["publish"]
        assert record["batch_id"] == body["batch_id"]
        scheduled.append(
            await resources.queue.scheduled_at(publish_rules.job_id(stored.id, record["ticket"], 0))
        )
    assert all(when is not None for when in scheduled)
    gaps = [(b - a).total_seconds() for a, b in zip(scheduled, scheduled[1:], strict=False)]
    assert abs(gaps[0] - 2 * spacing) <= 1 and abs(gaps[1] - 3 * spacing) <= 1

    progress = await client.get(
        f"/api/v1/listings/publish-batches/{body['batch_id']}", headers=member.headers
    )
    assert progress.status_code == 200, progress.text
    assert progress.json()["total"] == 3 and progress.json()["counts"]["queued"] == 3
    theirs = await client.get(f"/api/v1/listings/publish-batches/{body['batch_id']}", headers=other.headers)
    assert theirs.status_code == 404

    assert await publish_jobs(resources, body["queued"]) == ["published"] * 3
    progress = (
        await client.get(f"/api/v1/listings/publish-batches/{body['batch_id']}", headers=member.headers)
    ).json()
    assert progress["counts"]["published"] == 3 and progress["counts"]["queued"] == 0
    assert all(item["vinted_url"] for item in progress["items"])
    assert len(fake_vinted.items) == 3


async def test_a_listing_edited_while_queued_fails_saying_what_to_fix(client, resources, fake_vinted):
    member = await register(client)
    await link(client, member, fake_vinted)
    listing = await ready_listing(client, member, photos=1)
    assert (await post(client, member, listing, "publish")).status_code == 202
    edited = await client.patch(
        f"/api/v1/listings/{listing['id']}", json={"price": None}, headers=member.headers
    )
    assert edited.status_code == 200
    await run_jobs(resources)
    state = (await get_listing(client, member=member, listing_id=listing["id"]))["publishing"]
    assert state["state"] == "failed" and "prezzo" in state["error"]
    assert fake_vinted.calls_to("photo") == []
    events = (await client.get("/api/v1/events", headers=member.headers)).json()["events"]
    assert [e["data"]["state"] for e in events if e["type"] == "listing.publish_changed"][-1] == "failed"


async def test_a_dead_vinted_session_fails_the_publish_and_asks_to_link_again(
    client, session, resources, fake_vinted
):
    member = await register(client)
    await link(client, member, fake_vinted)
    listing = await ready_listing(client, member, photos=1)
    assert (await post(client, member, listing, "publish")).status_code == 202
    fake_vinted.expire_access_tokens()
    fake_vinted.kill_chain()  # the member changed password on Vinted
    assert await publish_jobs(resources, [listing["id"]]) == ["failed"]
    state = (await get_listing(client, member=member, listing_id=listing["id"]))["publishing"]
    assert state["state"] == "failed" and "collega di nuovo" in state["error"].lower()
    me = (await client.get("/api/v1/users/me", headers=member.headers)).json()
    assert me["vinted_status"] == "dead" and fake_vinted.items == {}


async def test_the_home_side_away_queues_it_again(client, session, resources, fake_vinted):
    member = await register(client)
    await link(client, member, fake_vinted)
    listing = await ready_listing(client, member, photos=1)
    assert (await post(client, member, listing, "publish")).status_code == 202
    scraper = resources.scraper

    # The tunnel is down: the home side's address does not answer.
    resources.__dict__["scraper"] = HttpScraperClient(NOWHERE, "token")
    try:
        assert await publish_jobs(resources, [listing["id"]]) == ["retry"]
    finally:
        await resources.__dict__["scraper"].aclose()
        resources.__dict__["scraper"] = scraper
    state = (await get_listing(client, member=member, listing_id=listing["id"]))["publishing"]
    assert state["state"] == "queued" and "non risponde" in state["error"]
    assert datetime.fromisoformat(state["not_before"]) > utcnow() + timedelta(seconds=30)
    # The home side back, the scheduled attempt publishes it.
    assert await publish_jobs(resources, [listing["id"]]) == ["published"]


async def test_a_sold_listing_is_not_published_and_a_lost_job_does_not_block_for_ever(
    client, session, resources, fake_vinted
):
    member = await register(client)
    await link(client, member, fake_vinted)
    sold = await ready_listing(client, member, photos=1, status="sold")
    refused = await post(client, member, sold, "publish")
    assert refused.status_code == 409 and refused.json()["error"] == "listing_past_selling"

    listing = await ready_listing(client, member, photos=1)
    assert (await post(client, member, listing, "publish")).status_code == 202
    assert (await post(client, member, listing, "publish")).status_code == 409  # queued: one at a time
    # Its job lost (the queue flushed) two hours ago: the member may ask again.
    stored = await row(session, listing)
    long_ago = (utcnow() - timedelta(hours=2)).isoformat()
    stored.vinted_data = {
        **stored.vinted_data,
        "publish": {**stored.vinted_data["publish"], "updated_at": long_ago},
    }
    await session.commit()
    assert (await post(client, member, listing, "publish")).status_code == 202
