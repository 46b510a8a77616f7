"""The browser extension's pairing: a member's short-lived code, redeemed once with the vinted.it cookies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.auth.factories import register
from tests.users.factories import invite_and_join
from tests.vinted_link.factories import EXTENSION_ORIGIN, REDEEM, cookies, new_pairing, redeem, vinted_jwt
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.models import AuditLog, User, VintedPairing
from vinted_optimizer.vinted_link.schemas import CODE_ALPHABET, CODE_LENGTH


async def _actions(session) -> list[str]:
    return list(await session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


async def _status(client, member, pairing) -> dict:
    response = await client.get(f"/api/v1/vinted-link/pairings/{pairing['id']}", headers=member.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_pairing_life_create_redeem_linked_encrypted_audited_and_announced(client, session, resources):
    member = await register(client)
    pairing = await new_pairing(client, member)
    assert len(pairing["code"]) == CODE_LENGTH and set(pairing["code"]) <= set(CODE_ALPHABET)
    remaining = (
        await session.scalar(select(VintedPairing.expires_at).where(VintedPairing.id == pairing["id"]))
    ) - utcnow()
    assert timedelta(minutes=9) < remaining <= timedelta(minutes=10)
    assert (await _status(client, member, pairing))["state"] == "waiting"
    stored_hash = await session.scalar(
        select(VintedPairing.code_hash).where(VintedPairing.id == pairing["id"])
    )
    assert pairing["code"] not in stored_hash  # only the hash is kept

    access = vinted_jwt(subject="48151623")
    sent = cookies(access=access)
    # Typed as a person would: small letters, a dash in the middle.
    typed = pairing["code"][:4].lower() + "-" + pairing["code"][4:].lower()
    response = await redeem(client, typed, sent)
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "linked"}
    assert response.headers["access-control-allow-origin"] == EXTENSION_ORIGIN
    assert sent["access_token_web"] not in response.text and sent["refresh_token_web"] not in response.text

    assert (await _status(client, member, pairing))["state"] == "linked"
    me = (await client.get("/api/v1/users/me", headers=member.headers)).json()
    assert me["vinted_linked"] is True and me["vinted_status"] == "linked"
    assert me["vinted_user_id"] == 48151623
    assert access not in str(me)

    user = await session.scalar(select(User).where(User.username == member.username))
    await session.refresh(user)
    assert sent["refresh_token_web"].encode() not in user.vinted_session_fernet
    opened = resources.secret_box.decrypt_json(user.vinted_session_fernet)
    assert opened["access_token_web"] == access and opened["refresh_token_web"] == sent["refresh_token_web"]
    assert user.vinted_expires_at is not None and user.vinted_expires_at > utcnow() + timedelta(hours=1)

    actions = await _actions(session)
    assert "vinted.pairing_created" in actions and "user.vinted_linked" in actions
    linked = await session.scalar(select(AuditLog).where(AuditLog.action == "user.vinted_linked"))
    assert linked.meta.get("via") == "extension" and access not in str(linked.meta)

    events = (await client.get("/api/v1/events", headers=member.headers)).json()["events"]
    assert {"type": "vinted.link_changed", "data": {"user_id": member.id, "status": "linked"}} in [
        {"type": e["type"], "data": e["data"]} for e in events
    ]


async def test_a_code_is_single_use(client):
    member = await register(client)
    pairing = await new_pairing(client, member)
    assert (await redeem(client, pairing["code"])).status_code == 200
    again = await redeem(client, pairing["code"])
    assert again.status_code == 422
    assert again.json()["fields"][0]["field"] == "code"


async def test_an_expired_code_is_refused_like_a_wrong_one(client, session):
    member = await register(client)
    pairing = await new_pairing(client, member)
    await session.execute(
        update(VintedPairing).where(VintedPairing.id == pairing["id"]).values(expires_at=utcnow())
    )
    await session.commit()
    expired = await redeem(client, pairing["code"])
    wrong = await redeem(client, "ABCDEFGH" if pairing["code"] != "ABCDEFGH" else "HGFEDCBA")
    assert expired.status_code == wrong.status_code == 422
    assert expired.json() == wrong.json()  # nothing tells an expired code from one that never was
    assert "Codice non valido" in wrong.json()["detail"]
    assert (await _status(client, member, pairing))["state"] == "expired"
    me = (await client.get("/api/v1/users/me", headers=member.headers)).json()
    assert me["vinted_linked"] is False
    assert (await _actions(session)).count("vinted.pairing_refused") == 2


async def test_a_new_code_replaces_the_old_one(client):
    member = await register(client)
    first = await new_pairing(client, member)
    second = await new_pairing(client, member)
    # The app still asking about the first code hears that it expired (not a 404: schemathesis' check).
    replaced = await client.get(f"/api/v1/vinted-link/pairings/{first['id']}", headers=member.headers)
    assert replaced.status_code == 200 and replaced.json()["state"] == "expired", replaced.text
    assert (await redeem(client, first["code"])).status_code == 422
    assert (await redeem(client, second["code"])).status_code == 200


async def test_the_code_links_its_own_member_and_nobody_else_sees_it(client, session):
    admin = await register(client)
    member = await invite_and_join(client, admin=admin)
    pairing = await new_pairing(client, member)
    peek = await client.get(f"/api/v1/vinted-link/pairings/{pairing['id']}", headers=admin.headers)
    assert peek.status_code == 404
    assert (await redeem(client, pairing["code"])).status_code == 200
    assert (await client.get("/api/v1/users/me", headers=member.headers)).json()["vinted_linked"] is True
    assert (await client.get("/api/v1/users/me", headers=admin.headers)).json()["vinted_linked"] is False


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"code": "ABC"}, "code"),
        ({"code": "ABCDEFG0"}, "code"),  # 0 is not in the alphabet
        ({"code": "ABCDEFGH", "access_token_web": "corto"}, "access_token_web"),
        ({"code": "ABCDEFGH", "refresh_token_web": "x" * 30 + "; Path=/"}, "refresh_token_web"),
    ],
)
async def test_redeem_422s_name_the_field_in_italian(client, payload, field):
    body = {**cookies(), **payload}
    response = await client.post(REDEEM, json=body, headers={"Origin": EXTENSION_ORIGIN})
    assert response.status_code == 422
    assert field in [f["field"].split(".")[-1] for f in response.json()["fields"]]


async def test_redeem_tries_are_limited_per_ip(client):
    member = await register(client)
    pairing = await new_pairing(client, member)
    for _ in range(10):
        assert (await redeem(client, "ZZZZZZZZ")).status_code == 422
    limited = await redeem(client, pairing["code"])  # even the right code waits now
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert "Troppi tentativi" in limited.json()["detail"]


async def test_new_codes_are_limited_per_member(client):
    member = await register(client)
    for _ in range(6):
        await new_pairing(client, member)
    limited = await client.post("/api/v1/vinted-link/pairings", headers=member.headers)
    assert limited.status_code == 429
    other = await register(client)
    assert (await client.post("/api/v1/vinted-link/pairings", headers=other.headers)).status_code == 201


async def test_cors_preflight_for_extensions_on_redeem_only(client):
    preflight = {"Origin": EXTENSION_ORIGIN, "Access-Control-Request-Method": "POST"}
    allowed = await client.options(
        REDEEM, headers={**preflight, "Access-Control-Request-Headers": "content-type"}
    )
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == EXTENSION_ORIGIN
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in allowed.headers

    firefox = "moz-extension://0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"
    assert (await client.options(REDEEM, headers={**preflight, "Origin": firefox})).headers[
        "access-control-allow-origin"
    ] == firefox

    site = await client.options(REDEEM, headers={**preflight, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in site.headers
    elsewhere = await client.options("/api/v1/vinted-link/pairings", headers=preflight)
    assert "access-control-allow-origin" not in elsewhere.headers
    me = await client.options("/api/v1/users/me/vinted", headers=preflight)
    assert "access-control-allow-origin" not in me.headers


async def test_unlink_forgets_the_session(client, session):
    member = await register(client)
    pairing = await new_pairing(client, member)
    assert (await redeem(client, pairing["code"])).status_code == 200
    response = await client.delete("/api/v1/users/me/vinted", headers=member.headers)
    assert response.status_code == 200 and response.json()["vinted_status"] == "not_linked"
    user = await session.scalar(select(User).where(User.username == member.username))
    await session.refresh(user)
    assert user.vinted_session_fernet is None and user.vinted_expires_at is None
