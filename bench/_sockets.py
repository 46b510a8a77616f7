"""The dashboards a benchmark opens: sockets on /api/v1/ws of one family, each handing its events on."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

# (the event as sent, the perf_counter() instant it arrived) → True when this socket may stop listening.
Handler = Callable[[dict[str, Any], float], bool]


async def _listen(url: str, token: str, ready: asyncio.Event, handle: Handler) -> None:
    socket: ClientConnection
    async with connect(url, subprotocols=["vo.v1", f"vo.auth.{token}"], max_queue=None) as socket:  # type: ignore[list-item]
        while json.loads(await socket.recv())["type"] != "ready":
            pass
        ready.set()
        async for raw in socket:
            received = time.perf_counter()
            if handle(json.loads(raw), received):
                return


async def open_sockets(base_url: str, token: str, count: int, handle: Handler) -> list[asyncio.Task[None]]:
    """``count`` sockets, all past their "ready"; await the tasks for the end (each ends when told to)."""
    url = base_url.replace("http", "ws", 1) + "/api/v1/ws"
    readies = [asyncio.Event() for _ in range(count)]
    tasks = [asyncio.create_task(_listen(url, token, ready, handle)) for ready in readies]
    await asyncio.wait_for(asyncio.gather(*(ready.wait() for ready in readies)), 60)
    return tasks
