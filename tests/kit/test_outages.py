"""What a lost server looks like to the code: the errors read as an outage (503) and nothing else."""

from __future__ import annotations

import asyncio

import uvloop

from vinted_optimizer.kit.errors import ServiceUnavailable
from vinted_optimizer.kit.outages import is_closed_transport, outage_of


async def _write_on_a_closed_socket() -> BaseException:
    server = await asyncio.start_server(lambda reader, writer: writer.close(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        # The server hangs up (as a dying PostgreSQL does); uvloop closes the handle, and a write before
        # the protocol hears of the loss raises.
        for _ in range(200):
            try:
                writer.transport.write(b"SELECT 1")
            except RuntimeError as error:
                return error
            await asyncio.sleep(0.01)
    finally:
        writer.transport.abort()
        server.close()
    raise AssertionError("uvloop kept accepting writes after the server hung up")


def test_uvloop_s_write_on_a_closed_socket_is_a_database_outage():
    # serve runs on uvloop; a statement written as the server dies raises this, not asyncpg's own errors.
    error = uvloop.run(_write_on_a_closed_socket())
    assert is_closed_transport(error)
    assert isinstance(outage_of(error), ServiceUnavailable)


def test_other_runtime_errors_are_not_an_outage():
    assert not is_closed_transport(RuntimeError("dictionary changed size during iteration"))
    assert outage_of(RuntimeError("dictionary changed size during iteration")) is None
    assert outage_of(ValueError("closed")) is None
