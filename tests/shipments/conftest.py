"""Shipments talk to the local Sendcloud stand-in (tests/fakes), with a short timeout."""

from __future__ import annotations

import pytest

from tests.fakes.fixtures import (  # noqa: F401
    fake_sendcloud,
    fake_sendcloud_server,
)
from tests.fakes.sendcloud import FakeSendcloud

CLIENT_TIMEOUT = 1.0  # seconds; a scripted delay longer than this is a timeout


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, object]:
    server: tuple[FakeSendcloud, str] = request.getfixturevalue("fake_sendcloud_server")
    _, url = server
    return {"sendcloud_base_url": url, "sendcloud_timeout_seconds": CLIENT_TIMEOUT}
