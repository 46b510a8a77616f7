"""Webhooks carry no token: they pass the request gate as anonymous requests, so its per-IP limit holds."""

from __future__ import annotations

import pytest

from tests.fakes.sendcloud import sign_webhook


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"rate_limit_ip": "3/minute"}


async def test_webhooks_are_limited_per_ip(client):
    body = b'{"action":"parcel_status_changed"}'
    headers = {"Content-Type": "application/json", "Sendcloud-Signature": sign_webhook(body)}
    answers = [
        (
            await client.post("/api/v1/webhooks/sendcloud/no-such-token", content=body, headers=headers)
        ).status_code
        for _ in range(4)
    ]
    assert answers == [401, 401, 401, 429]
