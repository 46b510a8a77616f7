"""The Sendcloud, 17TRACK and Vinted stand-ins on real loopback ports (one each per run, reset per test).

A test package that talks to them imports these fixtures into its conftest.py, as tests/fakes does:
``from tests.fakes.fixtures import fake_sendcloud, fake_sendcloud_server  # noqa: F401``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.sendcloud import FakeSendcloud
from tests.fakes.server import serve_in_thread
from tests.fakes.tracking17 import FakeTrack17
from tests.fakes.vinted import FakeVinted


@pytest.fixture(scope="session")
def fake_sendcloud_server() -> Iterator[tuple[FakeSendcloud, str]]:
    fake = FakeSendcloud()
    with serve_in_thread(fake.app) as url:
        yield fake, url


@pytest.fixture
def fake_sendcloud(fake_sendcloud_server: tuple[FakeSendcloud, str]) -> FakeSendcloud:
    fake, _ = fake_sendcloud_server
    fake.reset()
    return fake


@pytest.fixture(scope="session")
def fake_track17_server() -> Iterator[tuple[FakeTrack17, str]]:
    fake = FakeTrack17()
    with serve_in_thread(fake.app) as url:
        yield fake, url


@pytest.fixture
def fake_track17(fake_track17_server: tuple[FakeTrack17, str]) -> FakeTrack17:
    fake, _ = fake_track17_server
    fake.reset()
    return fake


@pytest.fixture(scope="session")
def fake_vinted_server() -> Iterator[tuple[FakeVinted, str]]:
    fake = FakeVinted()
    with serve_in_thread(fake.app) as url:
        yield fake, url


@pytest.fixture
def fake_vinted(fake_vinted_server: tuple[FakeVinted, str]) -> FakeVinted:
    fake, _ = fake_vinted_server
    fake.reset()
    return fake
