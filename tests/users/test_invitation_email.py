"""Invitation e-mails: enqueued after commit, sent by the worker through a real (local) SMTP server."""

from __future__ import annotations

import email
import email.policy

import pytest

from tests.auth.factories import register
from tests.support.smtp import running_inbox
from tests.support.worker import run_jobs


async def _invite(client, admin, email: str, role: str = "member"):
    return await client.post(
        "/api/v1/users/family/invite", json={"email": email, "role": role}, headers=admin.headers
    )


@pytest.fixture
def smtp_server():
    with running_inbox() as inbox:
        yield inbox, inbox


@pytest.fixture
def settings_overrides(smtp_server):
    inbox, _ = smtp_server
    return {**inbox.settings(), "rate_limit_invitations": "2/hour"}


async def test_invitation_is_emailed_after_commit_by_the_worker(client, resources, smtp_server):
    _, inbox = smtp_server
    admin = await register(client)
    body = (await _invite(client, admin, "nipote@example.it")).json()
    assert body["emailed"] is True
    # The job was enqueued after the commit; the token is sealed in Redis, not in clear.
    raw_jobs = [await resources.redis.get(key) for key in await resources.redis.keys("saq:job:*")]
    assert raw_jobs and all(body["token"].encode() not in raw for raw in raw_jobs)
    assert await run_jobs(resources) == 1
    assert len(inbox.messages) == 1
    _, recipients, content = inbox.messages[0]
    assert recipients == ["nipote@example.it"]
    message = email.message_from_string(content, policy=email.policy.default)
    assert message["Subject"].startswith("Invito a ")
    assert f"invito?token={body['token']}" in message.get_content()


async def test_no_job_is_enqueued_when_the_request_fails(client, resources):
    admin = await register(client)
    for address in ("uno@example.it", "due@example.it"):
        assert (await _invite(client, admin, address)).status_code == 201
    before = set(await resources.redis.keys("saq:job:*"))
    refused = await _invite(client, admin, "tre@example.it")  # over the family's invitations per hour
    assert refused.status_code == 429
    assert set(await resources.redis.keys("saq:job:*")) == before


async def test_an_address_with_an_account_gets_a_notice_not_the_link(client, resources, smtp_server):
    _, inbox = smtp_server
    admin = await register(client)
    other = await register(client)
    response = await _invite(client, admin, other.email)
    assert response.status_code == 201 and response.json()["emailed"] is True  # as for anyone
    assert await run_jobs(resources) == 1
    (message,) = inbox.to(other.email)
    text = message.get_content()
    assert "hai già un account" in text and response.json()["token"] not in text
