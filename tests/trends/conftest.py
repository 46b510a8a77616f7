"""The trends API with the scraper in-process, talking to the Vinted stand-in at a pace the tests can wait
for (tests/scraper's budgets)."""

from __future__ import annotations

import pytest

from tests.fakes.fixtures import fake_vinted, fake_vinted_server  # noqa: F401
from tests.fakes.vinted import FakeVinted

FAST_PACING: dict[str, object] = {
    "vinted_read_burst": 30,
    "vinted_read_interval_seconds": 0.01,
    "vinted_read_hourly_cap": 1000,
    "vinted_max_wait_seconds": 5,
    "vinted_timeout_seconds": 2.0,
    "scraper_max_pages": 2,
    "scraper_per_page": 5,
}


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, object]:
    server: tuple[FakeVinted, str] = request.getfixturevalue("fake_vinted_server")
    _, url = server
    return {"vinted_base_url": url, "vinted_api_url": url, **FAST_PACING}


@pytest.fixture
async def instance_admin_headers(client, session, resources) -> dict[str, str]:  # noqa: ANN001
    from tests.auth.factories import DEFAULT_PASSWORD, Member, login
    from vinted_optimizer.models import User

    root = User(
        email="root-trends@example.it",
        username="root-trends",
        password_argon2=await resources.passwords.hash(DEFAULT_PASSWORD),
        is_instance_admin=True,
        family_id=None,
    )
    session.add(root)
    await session.commit()
    member = Member(
        email=root.email, username=root.username, password=DEFAULT_PASSWORD, access_token="",
        refresh_token="", session_id="",
    )  # fmt: skip
    return (await login(client, member=member)).headers
