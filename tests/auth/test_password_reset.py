"""Password reset by e-mail: no hint whether an address has an account, a single-use expiring link
e-mailed by the worker through a real (local) SMTP server, every session revoked, audit-logged."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from tests.auth.factories import register
from tests.support.smtp import running_inbox
from tests.support.worker import run_jobs
from vinted_optimizer.kit.context import RequestContext
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.kit.security import token_hash
from vinted_optimizer.models import AuditLog, PasswordReset
from vinted_optimizer.users import password_reset

NEW_PASSWORD = "Ombrello-Giallo-2025"
LINK = re.compile(r"https://vo\.example\.test/reimposta-password\?token=(\S+)")


@pytest.fixture
def inbox():
    with running_inbox() as inbox:
        yield inbox


@pytest.fixture
def settings_overrides(inbox):
    return {**inbox.settings(), "rate_limit_password_reset": "3/hour"}


def client_from(app, ip: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(ip, 40000)), base_url="https://testserver"
    )


async def _ask(client, email: str) -> httpx.Response:
    return await client.post("/api/v1/auth/password-reset", json={"email": email})


async def _emailed_token(client, resources, inbox, email: str) -> str:
    assert (await _ask(client, email)).status_code == 202
    assert await run_jobs(resources) == 1
    message = inbox.to(email)[-1]
    assert message["Subject"] == "Reimposta la password di Vinted Optimizer"
    found = LINK.search(message.get_content())
    assert found is not None, message.get_content()
    return found.group(1)


async def _confirm(client, token: str, password: str = NEW_PASSWORD) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": password}
    )


async def test_known_and_unknown_addresses_get_the_same_answer(client, resources, inbox):
    member = await register(client)
    known = await _ask(client, member.email)
    unknown = await _ask(client, "nessuno@example.it")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert known.json()["detail"].startswith("Se l'indirizzo corrisponde a un account")
    # Both queued one job; only the worker knows which address has an account.
    assert await run_jobs(resources) == 2
    assert [m["To"] for m in inbox.parsed()] == [member.email]


async def test_the_emailed_link_sets_the_password_once_and_signs_out_everywhere(
    client, session, resources, inbox
):
    member = await register(client)
    token = await _emailed_token(client, resources, inbox, member.email)
    # Only the hash is stored; the job carried the address sealed, never the token.
    stored = await session.scalar(select(PasswordReset).where(PasswordReset.token_hash == token_hash(token)))
    assert stored is not None and stored.via == "email"
    assert timedelta(minutes=59) < stored.expires_at - utcnow() <= timedelta(minutes=60)

    response = await _confirm(client, token)
    assert response.status_code == 204, response.text
    # Every session of the account is revoked: the old access token and refresh token are dead.
    assert (await client.get("/api/v1/users/me", headers=member.headers)).status_code == 401
    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": member.refresh_token})
    assert refreshed.status_code == 401
    old = await client.post("/api/v1/auth/login", json={"login": member.email, "password": member.password})
    assert old.status_code == 401
    new = await client.post("/api/v1/auth/login", json={"login": member.email, "password": NEW_PASSWORD})
    assert new.status_code == 200
    # Single use: the same link a second time is the one "invalid or expired" answer.
    again = await _confirm(client, token, "Un-Altra-Password-99")
    assert again.status_code == 410
    assert again.json()["error"] == "reset_link_invalid"

    actions = list(
        await session.scalars(
            select(AuditLog.action).where(AuditLog.resource_id == member.id).order_by(AuditLog.id)
        )
    )
    assert "user.password_reset_requested" in actions and "user.password_reset_completed" in actions
    audit_rows = (await session.scalars(select(AuditLog))).all()
    assert all(token not in str(row.meta) for row in audit_rows)


async def test_unknown_used_and_expired_links_read_the_same(client, session, resources, inbox):
    member = await register(client)
    token = await _emailed_token(client, resources, inbox, member.email)
    unknown = await _confirm(client, "x" * 43)
    link = await session.scalar(select(PasswordReset).where(PasswordReset.token_hash == token_hash(token)))
    link.expires_at = utcnow() - timedelta(seconds=1)
    await session.commit()
    expired = await _confirm(client, token)
    assert unknown.status_code == expired.status_code == 410
    assert unknown.json() == expired.json()
    assert "non è valido o è scaduto" in unknown.json()["detail"]
    # Nothing changed: the old password still signs in.
    ok = await client.post("/api/v1/auth/login", json={"login": member.email, "password": member.password})
    assert ok.status_code == 200


async def test_a_link_expires_after_its_lifetime(client, session, resources, inbox):
    """The clock moved, not slept: the link is refused a minute after its hour, accepted a minute before."""
    member = await register(client)
    token = await _emailed_token(client, resources, inbox, member.email)
    context = RequestContext(ip=None, user_agent=None)
    later = utcnow() + timedelta(minutes=61)
    with pytest.raises(password_reset.InvalidResetLink):
        await password_reset.use_link(session, resources.passwords, token, NEW_PASSWORD, context, now=later)
    user = await password_reset.use_link(
        session, resources.passwords, token, NEW_PASSWORD, context, now=utcnow() + timedelta(minutes=59)
    )
    assert str(user.id) == member.id


async def test_a_new_request_replaces_the_older_link(client, resources, inbox):
    member = await register(client)
    first = await _emailed_token(client, resources, inbox, member.email)
    second = await _emailed_token(client, resources, inbox, member.email)
    assert (await _confirm(client, first)).status_code == 410
    assert (await _confirm(client, second)).status_code == 204


async def test_the_new_password_follows_the_sign_up_policy(client, resources, inbox):
    member = await register(client)
    token = await _emailed_token(client, resources, inbox, member.email)
    short = await _confirm(client, token, "corta")
    assert short.status_code == 422
    assert short.json()["fields"] == [
        {"field": "password", "message": "La password deve avere almeno 10 caratteri."}
    ]
    assert "Value error" not in short.text
    personal = await _confirm(client, token, f"{member.username}-2025!")
    assert personal.status_code == 422
    assert personal.json()["fields"] == [
        {"field": "password", "message": "La password non può contenere la tua e-mail o il tuo nome utente."}
    ]
    # A refused password does not spend the link.
    assert (await _confirm(client, token)).status_code == 204


async def test_requests_are_limited_per_address_and_per_ip(app, client, resources):
    member = await register(client)
    for _ in range(3):
        assert (await _ask(client, member.email)).status_code == 202
    # The address is limited from anywhere...
    async with client_from(app, "198.51.100.31") as elsewhere:
        blocked = await _ask(elsewhere, member.email)
        assert blocked.status_code == 429 and "Retry-After" in blocked.headers
        assert blocked.json()["detail"].startswith("Troppe richieste per reimpostare la password")
    # ...and one IP across addresses.
    async with client_from(app, "198.51.100.32") as spraying:
        for index in range(3):
            assert (await _ask(spraying, f"vittima{index}@example.it")).status_code == 202
        assert (await _ask(spraying, "ancora@example.it")).status_code == 429
    # The refused requests queued nothing: 3 + 3 jobs.
    assert await resources.queue.waiting() == 6


async def test_a_bad_address_is_an_italian_422_on_its_field(client):
    response = await _ask(client, "non-una-mail")
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "email"
    assert response.json()["fields"][0]["message"].startswith("Scrivi un indirizzo e-mail valido")


@pytest.mark.parametrize("settings_overrides", [{}])
async def test_without_smtp_the_request_says_to_ask_the_family_admin(client, resources):
    member = await register(client)
    known = await _ask(client, member.email)
    unknown = await _ask(client, "nessuno@example.it")
    assert known.status_code == unknown.status_code == 409
    assert known.json() == unknown.json()
    assert known.json()["error"] == "email_not_configured"
    assert "chiedi a chi gestisce la tua famiglia" in known.json()["detail"]
    assert await resources.queue.waiting() == 0
    assert (await client.get("/api/v1/meta")).json()["email_enabled"] is False
