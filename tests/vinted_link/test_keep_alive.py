"""The keep-alive cron against the Vinted stand-in: each chain refreshed before its access token
expires and the rotated pair stored; a dead chain dropped, the member told (feed, e-mail, live event)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from tests.auth.factories import register
from tests.fakes.vinted import Reply
from tests.support.worker import run_jobs
from tests.users.factories import invite_and_join
from tests.vinted_link.factories import new_pairing, redeem
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.models import AuditLog, Notification, User
from vinted_optimizer.vinted_link.tasks import keep_alive


async def _linked(client, member, fake_vinted, *, access_ttl: float) -> tuple[str, str]:
    access, refresh = fake_vinted.member_session(access_ttl=access_ttl)
    pairing = await new_pairing(client, member)
    response = await redeem(
        client, pairing["code"], {"access_token_web": access, "refresh_token_web": refresh}
    )
    assert response.status_code == 200, response.text
    return access, refresh


async def _user(session, member) -> User:
    user = await session.scalar(select(User).where(User.username == member.username))
    await session.refresh(user)
    return user


async def test_a_chain_near_its_expiry_is_refreshed_and_the_new_pair_stored(
    client, session, resources, fake_vinted
):
    member = await register(client)
    old_access, old_refresh = await _linked(client, member, fake_vinted, access_ttl=15 * 60)
    fresh = await register(client)  # expires in 2 hours: not due yet
    await _linked(client, fresh, fake_vinted, access_ttl=7200)

    report = await keep_alive({"resources": resources})
    assert report == {"refreshed": 1, "dead": 0, "failed": 0}
    (call,) = fake_vinted.calls_to("refresh")
    assert call.cookies == {"access_token_web": old_access, "refresh_token_web": old_refresh}

    user = await _user(session, member)
    stored = resources.secret_box.decrypt_json(user.vinted_session_fernet)
    assert (
        stored["refresh_token_web"] != old_refresh
        and stored["refresh_token_web"] in fake_vinted.refresh_tokens
    )
    assert old_refresh in fake_vinted.used_refresh_tokens
    assert (
        stored["access_token_web"] in fake_vinted.access_tokens and stored["access_token_web"] != old_access
    )
    assert user.vinted_expires_at > utcnow() + timedelta(hours=1)
    assert user.vinted_status == "linked"

    # Run again: nothing is due (each pair lives two hours), Vinted is not asked.
    assert await keep_alive({"resources": resources}) == {"refreshed": 0, "dead": 0, "failed": 0}
    assert len(fake_vinted.calls_to("refresh")) == 1

    # The stored pair is the live one: a refresh with it works (the chain continues).
    await session.execute(update(User).where(User.id == user.id).values(vinted_expires_at=utcnow()))
    await session.commit()
    assert (await keep_alive({"resources": resources}))["refreshed"] == 1


async def test_a_dead_chain_is_dropped_and_the_member_told(client, session, resources, fake_vinted, inbox):
    admin = await register(client)
    member = await invite_and_join(client, admin=admin)
    await _linked(client, member, fake_vinted, access_ttl=5 * 60)
    await run_jobs(resources)
    inbox.messages.clear()
    fake_vinted.kill_chain()  # e.g. the member changed password on Vinted

    report = await keep_alive({"resources": resources})
    assert report == {"refreshed": 0, "dead": 1, "failed": 0}
    user = await _user(session, member)
    assert user.vinted_session_fernet is None and user.vinted_status == "dead"
    me = (await client.get("/api/v1/users/me", headers=member.headers)).json()
    assert me["vinted_status"] == "dead" and me["vinted_linked"] is False
    assert await session.scalar(select(AuditLog).where(AuditLog.action == "user.vinted_session_dead"))

    # The family's feed; the e-mail to that member only.
    (note,) = list(await session.scalars(select(Notification).where(Notification.kind == "vinted_relink")))
    assert note.user_id == user.id and "Ricollega" in note.body
    feed = (await client.get("/api/v1/notifications", headers=admin.headers)).json()["items"]
    assert [item["kind"] for item in feed] == ["vinted_relink"]
    assert await run_jobs(resources) == 1
    (message,) = inbox.parsed()
    assert message["To"] == member.email
    assert "/impostazioni" in message.get_content()

    events = (await client.get("/api/v1/events", headers=member.headers)).json()["events"]
    assert {"user_id": member.id, "status": "dead"} in [
        e["data"] for e in events if e["type"] == "vinted.link_changed"
    ]

    # A second run: nothing more to do, nobody told twice.
    assert await keep_alive({"resources": resources}) == {"refreshed": 0, "dead": 0, "failed": 0}

    # Linked again: alive.
    await _linked(client, member, fake_vinted, access_ttl=7200)
    assert (await client.get("/api/v1/users/me", headers=member.headers)).json()["vinted_status"] == "linked"


async def test_vinted_busy_leaves_the_pair_for_the_next_run(client, session, resources, fake_vinted):
    member = await register(client)
    _, refresh = await _linked(client, member, fake_vinted, access_ttl=60)
    fake_vinted.script("refresh", Reply.rate_limited(60))
    assert await keep_alive({"resources": resources}) == {"refreshed": 0, "dead": 0, "failed": 1}
    user = await _user(session, member)
    assert resources.secret_box.decrypt_json(user.vinted_session_fernet)["refresh_token_web"] == refresh
    assert user.vinted_status == "linked"


async def test_a_member_busy_with_another_vinted_call_is_left_for_the_next_run(
    client, session, resources, fake_vinted
):
    """The refresh token is single-use: while a publish or a sync of the member holds the pair (and
    refreshes it itself when it must), the keep-alive does not spend it a second time."""
    member = await register(client)
    await _linked(client, member, fake_vinted, access_ttl=15 * 60)
    user = await _user(session, member)
    lock = resources.redis.lock(f"vo:vinted:member:{user.id}", timeout=60)
    assert await lock.acquire()
    try:
        assert await keep_alive({"resources": resources}) == {"refreshed": 0, "dead": 0, "failed": 0}
        assert fake_vinted.calls_to("refresh") == []
    finally:
        await lock.release()
    assert (await keep_alive({"resources": resources}))["refreshed"] == 1


async def test_a_call_for_a_member_without_a_linked_account_is_a_clear_conflict(client, session, resources):
    import pytest

    from vinted_optimizer.vinted_link import service
    from vinted_optimizer.vinted_link.tasks import vinted_access

    member = await register(client)
    user = await _user(session, member)
    with pytest.raises(service.VintedNotLinked) as refused:
        await service.with_member(vinted_access(resources), user.id, resources.scraper.refresh_member)
    assert refused.value.status_code == 409 and "Impostazioni → Vinted" in refused.value.detail
