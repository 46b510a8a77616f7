"""The instance administrator (no family: `create-admin`'s account) for the admin tests."""

from __future__ import annotations

import pytest

from tests.auth.factories import DEFAULT_PASSWORD, Member, login
from vinted_optimizer.models import User


@pytest.fixture
async def root(client, session, resources) -> Member:  # noqa: ANN001
    user = User(
        email="root-admin@example.it",
        username="root-admin",
        password_argon2=await resources.passwords.hash(DEFAULT_PASSWORD),
        is_instance_admin=True,
        family_id=None,
    )
    session.add(user)
    await session.commit()
    member = Member(
        email=user.email, username=user.username, password=DEFAULT_PASSWORD, access_token="",
        refresh_token="", session_id="",
    )  # fmt: skip
    signed_in = await login(client, member=member)
    signed_in.user = {"id": str(user.id)}
    return signed_in
