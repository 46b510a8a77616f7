"""kit.redis.SharedConnection: many concurrent callers on one connection, each with its own reply, and
redis-py's errors for what goes wrong (so kit.outages reads a lost Redis as a 503)."""

from __future__ import annotations

import asyncio
import uuid
from urllib.parse import urlsplit

import pytest
import redis.exceptions

from vinted_optimizer.kit.errors import ServiceUnavailable
from vinted_optimizer.kit.outages import outage_of
from vinted_optimizer.kit.redis import SharedConnection, create_redis


@pytest.fixture
async def shared(redis_url):
    connection = SharedConnection(redis_url, timeout=0.5)
    yield connection
    await connection.close()


def _key() -> str:
    return f"test:shared:{uuid.uuid4().hex}"


async def test_concurrent_callers_each_get_their_own_reply(shared):
    keys = [_key() for _ in range(300)]
    # Interleaved writes and reads of different keys, all in flight at once on the one connection.
    counted = await asyncio.gather(*(shared.execute("INCRBY", key, n) for n, key in enumerate(keys)))
    read = await asyncio.gather(*(shared.execute("GET", key) for key in reversed(keys)))
    assert counted == list(range(300))
    assert read == [str(n).encode() for n in reversed(range(300))]
    assert await shared.execute("GET", _key()) is None


async def test_an_error_reply_is_redis_pys_exception_and_the_connection_stays_usable(shared):
    key = _key()
    await shared.execute("SET", key, "not a number")
    with pytest.raises(redis.exceptions.ResponseError, match="not an integer"):
        await shared.execute("INCR", key)
    with pytest.raises(redis.exceptions.NoScriptError):
        await shared.execute("EVALSHA", "0" * 40, 0)
    assert await shared.execute("GET", key) == b"not a number"


async def test_an_unreachable_server_is_an_outage():
    connection = SharedConnection("unix:///tmp/vo-no-such-redis.sock", timeout=0.5)
    with pytest.raises(redis.exceptions.ConnectionError) as raised:
        await connection.execute("PING")
    assert isinstance(outage_of(raised.value), ServiceUnavailable)


async def test_a_killed_connection_is_replaced_on_the_next_command(shared, redis_url):
    first_id = await shared.execute("CLIENT", "ID")
    admin = create_redis(redis_url)
    try:
        assert await admin.execute_command("CLIENT", "KILL", "ID", first_id) == 1
    finally:
        await admin.aclose()
    replaced = None
    for _ in range(50):  # the first command may still meet the dying socket: that one is an outage
        try:
            replaced = await shared.execute("CLIENT", "ID")
            break
        except redis.exceptions.ConnectionError:
            await asyncio.sleep(0.01)
    assert replaced is not None and replaced != first_id


async def test_a_late_reply_is_a_timeout_and_never_answers_the_next_caller(shared):
    key = _key()
    await shared.execute("SET", key, "mine")
    with pytest.raises(redis.exceptions.TimeoutError) as raised:
        await shared.execute("BLPOP", _key(), 2)  # blocks 2 s, longer than the 0.5 s timeout
    assert isinstance(outage_of(raised.value), ServiceUnavailable)
    # A new connection: the blocked command's reply, when it comes, goes to nobody.
    assert await shared.execute("GET", key) == b"mine"


async def test_credentials_and_database_of_the_url_are_used(redis_url):
    admin = create_redis(redis_url)
    user, password = f"gate-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    await admin.execute_command("ACL", "SETUSER", user, "on", f">{password}", "~*", "+@all")
    socket_path = urlsplit(redis_url).path
    connection = SharedConnection(f"unix://{user}:{password}@{socket_path}?db=3", timeout=0.5)
    try:
        assert await connection.execute("ACL", "WHOAMI") == user.encode()
        key = _key()
        await connection.execute("SET", key, "in db 3")
        in_db_3 = create_redis(f"unix://{socket_path}?db=3")
        try:
            assert await in_db_3.get(key) == b"in db 3"
            assert await admin.get(key) is None  # not in the default database
            await in_db_3.delete(key)
        finally:
            await in_db_3.aclose()
        wrong = SharedConnection(f"unix://{user}:wrong@{socket_path}", timeout=0.5)
        with pytest.raises(redis.exceptions.AuthenticationError):
            await wrong.execute("PING")
        await wrong.close()
    finally:
        await connection.close()
        await admin.execute_command("ACL", "DELUSER", user)
        await admin.aclose()
