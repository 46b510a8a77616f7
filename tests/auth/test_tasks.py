from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.auth.factories import register
from vinted_optimizer.auth.tasks import cleanup as cleanup_auth
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.models import AuthSession, Invitation, RefreshToken


async def test_cleanup_drops_only_what_is_long_dead(client, session, resources):
    member = await register(client)
    await register(client)  # a live session that must survive
    old = utcnow() - timedelta(days=40)
    dead = await session.scalar(select(AuthSession).where(AuthSession.id == member.session_id))
    dead.revoked_at = old
    invitation = await client.post(
        "/api/v1/users/family/invite", json={"email": "v@example.it"}, headers=member.headers
    )
    stale = await session.get(Invitation, invitation.json()["id"])
    stale.expires_at = old
    await session.commit()

    first = await cleanup_auth({"resources": resources})
    assert first == {"refresh_tokens": 0, "sessions": 1, "invitations": 1, "password_resets": 0}
    second = await cleanup_auth({"resources": resources})  # idempotent
    assert second == {"refresh_tokens": 0, "sessions": 0, "invitations": 0, "password_resets": 0}
    remaining = (await session.scalars(select(AuthSession))).all()
    assert len(remaining) == 1
    assert len((await session.scalars(select(RefreshToken))).all()) == 1
