"""Finding 4: no account enumeration, and a sign-up policy (VO_REGISTRATION).

- invite (default): the first visitor creates the first family; then accounts come from invitations,
  and a sign-up without one is refused the same way for any address (tests/auth/test_register_login.py);
- open (with SMTP): the answer is 202 whether or not the e-mail or the username exists; the link in the
  e-mail completes the sign-up, and an existing account's owner gets a notice instead;
- closed: no new accounts.
"""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from tests.auth.factories import DEFAULT_PASSWORD, register, unique_name
from tests.support.settings import make_settings
from tests.support.smtp import running_inbox
from tests.support.worker import run_jobs
from vinted_optimizer.models import Family, User

LINK = re.compile(r"/registrati\?completa=(\S+)")


@pytest.fixture
def inbox():
    with running_inbox() as inbox:
        yield inbox


def sign_up(email: str, username: str) -> dict[str, str]:
    return {"email": email, "username": username, "password": DEFAULT_PASSWORD, "family_name": "Famiglia Blu"}


async def users_count(session) -> int:
    return await session.scalar(select(func.count()).select_from(User)) or 0


async def test_the_first_visitor_creates_the_first_family_and_then_the_door_closes(client, session):
    assert (await client.get("/api/v1/meta")).json()["registration"] == {
        "mode": "invite",
        "first_family": True,
    }
    await register(client)  # the factory creates the first family directly
    assert (await client.get("/api/v1/meta")).json()["registration"]["first_family"] is False
    assert await session.scalar(select(func.count()).select_from(Family)) == 1


class TestOpenSignUp:
    @pytest.fixture
    def settings_overrides(self, inbox):
        return {**inbox.settings(), "registration": "open"}

    async def test_the_answer_is_the_same_whoever_the_address_or_the_username_belongs_to(
        self, client, session, resources, inbox
    ):
        existing = await register(client)  # (an open instance still accepts invitations; a factory detail)
        before = await users_count(session)
        answers = []
        for email, username in (
            (existing.email, unique_name()),
            (f"{unique_name()}@example.it", existing.username),
            ("nuova@example.it", "nuova-utente"),
        ):
            response = await client.post("/api/v1/auth/register", json=sign_up(email, username))
            answers.append((response.status_code, response.json(), set(response.cookies)))
        assert {status for status, _, _ in answers} == {202}
        assert answers[0][1] == answers[1][1] == answers[2][1] and answers[0][1]["status"] == "pending"
        assert answers[0][2] == answers[1][2] == answers[2][2] == set()  # nobody is signed in
        assert await users_count(session) == before  # nothing is created before the e-mail is opened

        await run_jobs(resources)
        (notice,) = inbox.to(existing.email)
        assert "hai già un account" in notice.get_content().replace("ne ha già uno", "hai già un account")
        assert not LINK.search(notice.get_content())
        (link,) = inbox.to("nuova@example.it")
        assert LINK.search(link.get_content())

    async def test_the_link_completes_the_sign_up_once(self, client, session, resources, inbox):
        response = await client.post("/api/v1/auth/register", json=sign_up("blu@example.it", "famiglia-blu"))
        assert response.status_code == 202
        await run_jobs(resources)
        token = LINK.search(inbox.to("blu@example.it")[0].get_content()).group(1)
        done = await client.post("/api/v1/auth/register/complete", json={"token": token})
        assert done.status_code == 201, done.text
        body = done.json()
        assert body["user"]["email"] == "blu@example.it" and body["user"]["role"] == "admin"
        assert body["user"]["family"]["name"] == "Famiglia Blu"
        client.cookies.clear()
        again = await client.post("/api/v1/auth/register/complete", json={"token": token})
        assert again.status_code == 409

    async def test_a_username_taken_meanwhile_asks_for_another(self, client, resources, inbox):
        response = await client.post(
            "/api/v1/auth/register", json=sign_up("rosa@example.it", "famiglia-rosa")
        )
        assert response.status_code == 202
        await run_jobs(resources)
        token = LINK.search(inbox.to("rosa@example.it")[0].get_content()).group(1)
        await register(client, username="famiglia-rosa")
        taken = await client.post("/api/v1/auth/register/complete", json={"token": token})
        assert taken.status_code == 409 and "nome utente" in taken.json()["detail"]
        other = await client.post(
            "/api/v1/auth/register/complete", json={"token": token, "username": "famiglia-rosa-2"}
        )
        assert other.status_code == 201 and other.json()["user"]["username"] == "famiglia-rosa-2"

    async def test_a_forged_or_stale_link_is_refused(self, client, resources):
        for token in ("x" * 40, resources.secret_box.encrypt_json({"email": "a@b.it"}).decode() + "x"):
            response = await client.post("/api/v1/auth/register/complete", json={"token": token})
            assert response.status_code == 410


class TestClosed:
    @pytest.fixture
    def settings_overrides(self):
        return {"registration": "closed"}

    async def test_no_sign_up_and_no_invitation(self, client, session):
        response = await client.post("/api/v1/auth/register", json=sign_up("x@example.it", unique_name()))
        assert response.status_code == 403 and response.json()["error"] == "registration_closed"
        assert await users_count(session) == 0


def test_open_sign_up_without_smtp_is_refused_outside_development(database_url, redis_url):
    with pytest.raises(ValidationError, match="VO_REGISTRATION=open needs SMTP"):
        make_settings(database_url, redis_url, registration="open")
    assert make_settings(database_url, redis_url, registration="open", environment="development")
