"""Finding 2 and finding 7's token header: revocation's truth is PostgreSQL, Redis only remembers it.

Losing Redis costs a query, never lets a revoked token in; a token naming a session that does not
exist is refused; X-Token-Expired is only for a token we signed that has expired.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import jwt
from sqlalchemy import update

from tests.auth.factories import register
from tests.support.settings import TEST_JWT_SECRET
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.models import AuthSession


async def me(client, token: str):
    return await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})


async def test_a_logged_out_token_stays_refused_after_redis_loses_everything(client, resources):
    member = await register(client)
    assert (await me(client, member.access_token)).status_code == 200  # the cache now says "active"
    assert (await client.post("/api/v1/auth/logout", headers=member.headers)).status_code == 204
    assert (await me(client, member.access_token)).status_code == 401
    await resources.redis.flushall()  # Redis crashed and came back empty
    again = await me(client, member.access_token)
    assert again.status_code == 401
    assert "X-Token-Expired" not in again.headers


async def test_a_revocation_written_only_in_the_database_is_honoured(client, session, resources):
    member = await register(client)
    await session.execute(
        update(AuthSession).where(AuthSession.id == uuid.UUID(member.session_id)).values(revoked_at=utcnow())
    )
    await session.commit()
    await resources.redis.flushall()
    assert (await me(client, member.access_token)).status_code == 401


async def test_a_signed_token_for_a_session_that_does_not_exist_is_refused(client, resources):
    member = await register(client)
    forged = resources.tokens.issue(uuid.UUID(member.id), uuid.uuid4())
    response = await me(client, forged)
    assert response.status_code == 401
    # ...and for someone else's session: the session must belong to the token's user.
    other = await register(client)
    crossed = resources.tokens.issue(uuid.UUID(other.id), uuid.UUID(member.session_id))
    assert (await me(client, crossed)).status_code == 401
    assert (await me(client, member.access_token)).status_code == 200


async def test_a_session_past_its_expiry_is_refused(client, session, resources):
    member = await register(client)
    await session.execute(
        update(AuthSession)
        .where(AuthSession.id == uuid.UUID(member.session_id))
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    await session.commit()
    assert (await me(client, member.access_token)).status_code == 401


async def test_the_cache_answers_without_the_database_until_a_revocation(client, resources):
    member = await register(client)
    assert (await me(client, member.access_token)).status_code == 200
    key = f"vo:sess:{member.session_id}"
    assert await resources.redis.get(key) == f"active:{member.id}".encode()
    other_device = await register(client)
    # A revocation overwrites the cached answer at once.
    response = await client.delete(f"/api/v1/auth/sessions/{member.session_id}", headers=member.headers)
    assert response.status_code == 204
    assert await resources.redis.get(key) == b"revoked"
    assert (await me(client, member.access_token)).status_code == 401
    assert (await me(client, other_device.access_token)).status_code == 200


async def test_x_token_expired_only_for_our_own_expired_tokens(client):
    member = await register(client)
    claims = jwt.decode(member.access_token, options={"verify_signature": False})
    past = {**claims, "iat": int(time.time()) - 3600, "exp": int(time.time()) - 60}
    expired = jwt.encode(past, TEST_JWT_SECRET, algorithm="HS256")
    forged_expired = jwt.encode(past, "not-our-secret-but-long-enough-for-hs256!!", algorithm="HS256")
    answer = await me(client, expired)
    assert answer.status_code == 401 and answer.headers.get("X-Token-Expired") == "1"
    for token in (forged_expired, "not-a-jwt", member.access_token[:-3] + "abc"):
        refused = await me(client, token)
        assert refused.status_code == 401 and "X-Token-Expired" not in refused.headers, token
