"""The Vinted stand-in and a local inbox for the keep-alive's tests; generous pacing so no test waits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from tests.fakes.fixtures import fake_vinted, fake_vinted_server  # noqa: F401
from tests.fakes.server import free_port
from tests.fakes.vinted import FakeVinted
from tests.support.smtp import Inbox


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    inbox = Inbox(port=free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, object]:
    """Vinted at the stand-in and e-mail to the local inbox, for the tests that ask for them."""
    values: dict[str, object] = {}
    if "fake_vinted" in request.fixturenames:
        server: tuple[FakeVinted, str] = request.getfixturevalue("fake_vinted_server")
        values |= {
            "vinted_base_url": server[1],
            "vinted_api_url": server[1],
            "vinted_timeout_seconds": 2.0,
            "vinted_read_burst": 30,
            "vinted_read_interval_seconds": 0.01,
            "vinted_max_wait_seconds": 5,
        }
    if "inbox" in request.fixturenames:
        values |= request.getfixturevalue("inbox").settings()
    return values
