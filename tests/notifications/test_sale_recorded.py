"""Recording a sale notifies the family: an entry in the feed, the e-mail job queued after the commit,
and the live event sale.recorded. Without SMTP the job sends nothing and succeeds."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.auth.factories import register
from tests.listings.factories import create_listing
from tests.notifications.factories import feed
from tests.sales.factories import record_sale
from tests.support.worker import run_jobs
from vinted_optimizer.models import Notification
from vinted_optimizer.notifications.service import send_job_id
from vinted_optimizer.sales.service import euro


async def _events(client, member):
    response = await client.get("/api/v1/events", headers=member.headers)
    assert response.status_code == 200, response.text
    return response.json()["events"]


async def _job_keys(resources):
    return sorted(key.decode() for key in await resources.redis.keys("saq:job:*"))


async def test_a_recorded_sale_is_in_the_feed_queued_for_email_and_announced(client, resources):
    seller = await register(client)
    stranger = await register(client)
    listing = await create_listing(client, member=seller, status="published", title="Borsa a tracolla")
    sale = await record_sale(
        client, member=seller, listing_id=listing["id"], sale_price="1234.50", buyer_username="mario88"
    )

    (entry,) = (await feed(client, member=seller))["items"]
    assert entry["kind"] == "sale_recorded"
    assert entry["title"] == "Venduto: Borsa a tracolla a 1.234,50 €"
    assert entry["body"] == "Acquirente: mario88."
    assert entry["user_id"] == seller.id
    assert entry["data"] == {"sale_id": sale["id"], "listing_id": listing["id"]}
    # The e-mail job, keyed by the notification: queued once the sale was committed.
    assert await _job_keys(resources) == [f"saq:job:vo:{send_job_id(uuid.UUID(entry['id']))}"]

    (event,) = [event for event in await _events(client, seller) if event["type"] == "sale.recorded"]
    assert event["data"] == {"sale_id": sale["id"], "listing_id": listing["id"]}
    assert all(event["type"] != "sale.recorded" for event in await _events(client, stranger))


async def test_a_refused_sale_notifies_nothing(client, resources, session):
    seller = await register(client)
    sale = await record_sale(client, member=seller)
    before = await _job_keys(resources)
    again = await client.post(
        "/api/v1/sales", json={"listing_id": sale["listing_id"], "sale_price": "9"}, headers=seller.headers
    )
    assert again.status_code == 409
    assert await _job_keys(resources) == before
    assert await session.scalar(select(func.count()).select_from(Notification)) == 1
    assert len([e for e in await _events(client, seller) if e["type"] == "sale.recorded"]) == 1


async def test_without_smtp_the_job_sends_nothing_and_succeeds(client, resources, session):
    assert resources.settings.smtp_host is None
    seller = await register(client)
    await record_sale(client, member=seller)
    assert await run_jobs(resources) == 1  # completed, not failed or retried
    notification = await session.scalar(select(Notification))
    assert notification is not None and notification.emailed_at is None


@pytest.mark.parametrize(
    ("amount", "written"),
    [("20", "20,00 €"), ("0.5", "0,50 €"), ("1234.5", "1.234,50 €"), ("1000000", "1.000.000,00 €")],
)
def test_amounts_are_written_the_italian_way(amount, written):
    assert euro(Decimal(amount)) == written
