"""Notification e-mails: sent by the worker through a real (local) SMTP server, one message per member
who wants that kind, once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import aiosmtplib
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from tests.auth.factories import register
from tests.fakes.server import free_port
from tests.listings.factories import create_listing
from tests.notifications.factories import choose_emails, feed
from tests.sales.factories import record_sale
from tests.support.smtp import Inbox
from tests.support.worker import run_jobs
from tests.users.factories import invite_and_join
from vinted_optimizer.models import Notification, User
from vinted_optimizer.notifications.schemas import SEND_JOB
from vinted_optimizer.notifications.service import send_job_id
from vinted_optimizer.notifications.tasks import send_notification


@dataclass
class RefusingInbox(Inbox):
    """The local inbox, refusing the addresses in ``refused`` (a mailbox the server will not take)."""

    refused: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201, N802 - aiosmtpd's hook
        if address in self.refused:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def inbox():
    inbox = RefusingInbox(port=free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def settings_overrides(inbox):
    return inbox.settings()


async def _family(client, resources, inbox):
    """An admin and a member; the invitation's e-mail sent and forgotten."""
    admin = await register(client)
    member = await invite_and_join(client, admin=admin)
    await run_jobs(resources)
    inbox.messages.clear()
    return admin, member


async def test_each_member_who_wants_it_gets_one_message_of_their_own(client, resources, inbox):
    admin, member = await _family(client, resources, inbox)
    quiet = await invite_and_join(client, admin=admin)
    await run_jobs(resources)
    inbox.messages.clear()
    await choose_emails(client, member=quiet, sale_recorded=False, parcel_trouble=True)

    listing = await create_listing(client, member=member, status="published", title="Giacca di pelle")
    sale = await record_sale(client, member=admin, listing_id=listing["id"], sale_price="20.00")
    assert await run_jobs(resources) == 1

    assert sorted(recipients[0] for _, recipients, _ in inbox.messages) == sorted([admin.email, member.email])
    assert all(len(recipients) == 1 for _, recipients, _ in inbox.messages)
    assert inbox.to(quiet.email) == []
    for person, other in ((admin, member), (member, admin)):
        (message,) = inbox.to(person.email)
        assert message["Subject"] == "Venduto: Giacca di pelle a 20,00 € · Vinted Optimizer"
        assert message["Cc"] is None and message["Bcc"] is None
        text = message.get_content()
        assert f"Ciao {person.username}," in text
        assert "Venduto: Giacca di pelle a 20,00 €" in text
        # The sale's own page, not the list of every sale.
        assert f"Apri «Vendite» su Vinted Optimizer: https://vo.example.test/vendite?id={sale['id']}" in text
        assert "/impostazioni" in text
        assert other.email not in message.as_string() and quiet.email not in message.as_string()
    (entry,) = (await feed(client, member=admin))["items"]
    assert entry["data"]["sale_id"] == sale["id"]
    assert entry["link"] == f"/vendite?id={sale['id']}"


async def test_a_rerun_sends_nothing_more(client, resources, session, inbox):
    admin, member = await _family(client, resources, inbox)
    await choose_emails(client, member=member, sale_recorded=False)
    await record_sale(client, member=admin)
    assert await run_jobs(resources) == 1
    (message,) = inbox.parsed()
    assert message["To"] == admin.email and message["Subject"].startswith("Venduto: ")
    notification = await session.scalar(select(Notification))
    assert notification is not None and notification.emailed_at is not None

    # Queued again (a new key: the first run's job is done), and the job itself run once more.
    assert await resources.queue.enqueue(SEND_JOB, str(notification.id))
    assert await run_jobs(resources) == 1
    assert await send_notification({"resources": resources}, str(notification.id)) == "skipped"
    assert len(inbox.messages) == 1


async def test_a_retry_after_a_refused_address_writes_only_to_those_not_reached(
    client, resources, session, inbox
):
    admin, member = await _family(client, resources, inbox)
    await record_sale(client, member=admin)
    notification = await session.scalar(select(Notification))
    assert notification is not None
    job = {"resources": resources}

    inbox.refused = {member.email}
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
        await send_notification(job, str(notification.id))
    assert [recipients for _, recipients, _ in inbox.messages] == [[admin.email]]
    await session.refresh(notification)
    assert notification.emailed_at is None

    inbox.refused = set()
    assert await send_notification(job, str(notification.id)) == "sent"
    assert [recipients for _, recipients, _ in inbox.messages] == [[admin.email], [member.email]]
    await session.refresh(notification)
    assert notification.emailed_at is not None


async def test_a_deactivated_member_is_not_written_to(client, resources, session, inbox):
    admin, member = await _family(client, resources, inbox)
    await session.execute(update(User).where(User.id == uuid.UUID(member.id)).values(is_active=False))
    await session.commit()
    await record_sale(client, member=admin)
    assert await run_jobs(resources) == 1
    assert [recipients for _, recipients, _ in inbox.messages] == [[admin.email]]


async def test_the_job_key_is_the_notifications_own(client, resources, session, inbox):
    admin = await register(client)
    await record_sale(client, member=admin)
    notification = await session.scalar(select(Notification))
    assert notification is not None
    assert await resources.redis.exists(f"saq:job:vo:{send_job_id(notification.id)}")
    # Enqueued again while the first is still queued: refused, one e-mail in the end.
    assert not await resources.queue.enqueue(
        SEND_JOB, str(notification.id), job_id=send_job_id(notification.id)
    )
    assert await run_jobs(resources) == 1
    assert len(inbox.messages) == 1
