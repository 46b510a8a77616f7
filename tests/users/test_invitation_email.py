"""Invitation e-mails: enqueued after commit, sent by the worker through a real (local) SMTP server."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from tests.auth.factories import register
from vinted_optimizer.worker import build_worker


async def _invite(client, admin, email: str, role: str = "member"):
    return await client.post(
        "/api/v1/users/family/invite", json={"email": email, "role": role}, headers=admin.headers
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content.decode()))
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def settings_overrides(smtp_server):
    controller, _ = smtp_server
    return {
        "smtp_host": "127.0.0.1",
        "smtp_port": controller.port,
        "smtp_starttls": False,
        "worker_poll_seconds": 0.05,
    }


async def test_invitation_is_emailed_after_commit_by_the_worker(client, resources, smtp_server):
    _, inbox = smtp_server
    admin = await register(client)
    body = (await _invite(client, admin, "nipote@example.it")).json()
    assert body["emailed"] is True
    # The job was enqueued after the commit; the token is sealed in Redis, not in clear.
    raw_jobs = [await resources.redis.get(key) for key in await resources.redis.keys("arq:job:*")]
    assert raw_jobs and all(body["token"].encode() not in raw for raw in raw_jobs)
    worker = build_worker(resources, burst=True, max_jobs=1)
    try:
        await asyncio.wait_for(worker.async_run(), timeout=30)
    finally:
        await worker.close()
    assert worker.jobs_failed == 0
    assert len(inbox.messages) == 1
    _, recipients, content = inbox.messages[0]
    assert recipients == ["nipote@example.it"]
    message = email.message_from_string(content, policy=email.policy.default)
    assert message["Subject"].startswith("Invito a ")
    assert f"invito?token={body['token']}" in message.get_content()


async def test_no_job_is_enqueued_when_the_request_fails(client, resources):
    admin = await register(client)
    other = await register(client)
    response = await _invite(client, admin, other.email)
    assert response.status_code == 409
    assert await resources.redis.keys("arq:job:*") == []
