"""One process of callers at the Vinted pacing gate, for the multi-process test and bench/scraper.py.

    python -m tests.support.pacing_worker REDIS_URL --callers 8 --each 2 --burst 3 --interval 0.1 \
        --cap 1000 --start-at <unix time> [--no-wait] [--prefix vo:vinted:pace]

Starts ``--callers`` concurrent tasks at ``--start-at`` (so several processes begin together); each
acquires a read token ``--each`` times (waiting at the gate, or once without waiting with ``--no-wait``)
and prints one JSON line: the gate's clock at each grant, and how many were refused.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time

from tests.support.settings import make_settings
from vinted_optimizer.kit.redis import create_redis
from vinted_optimizer.scraper.errors import PacingExceeded
from vinted_optimizer.scraper.pacing import PREFIX, PacingGate


async def run(args: argparse.Namespace) -> dict[str, object]:
    settings = make_settings(
        "postgresql://unused@127.0.0.1:9/unused",
        args.redis_url,
        vinted_read_burst=args.burst,
        vinted_read_interval_seconds=args.interval,
        vinted_read_hourly_cap=args.cap,
        vinted_max_wait_seconds=args.max_wait,
    )
    redis = create_redis(args.redis_url)
    gate = PacingGate(redis, settings, prefix=args.prefix)
    grants: list[float] = []
    refused = 0

    async def caller() -> None:
        nonlocal refused
        for _ in range(args.each):
            try:
                if args.no_wait:
                    answer = await gate.try_acquire("read")
                    if isinstance(answer, tuple):
                        refused += 1
                        continue
                    grants.append(answer.at)
                else:
                    grants.append((await gate.acquire("read")).at)
            except PacingExceeded:
                refused += 1

    await redis.ping()  # connected before the start, so the processes start together
    await asyncio.sleep(max(0.0, args.start_at - time.time()))
    await asyncio.gather(*(caller() for _ in range(args.callers)))
    await redis.aclose()
    return {"pid": os.getpid(), "grants": grants, "refused": refused}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("redis_url")
    parser.add_argument("--callers", type=int, default=8)
    parser.add_argument("--each", type=int, default=1)
    parser.add_argument("--burst", type=int, default=3)
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--cap", type=int, default=1000)
    parser.add_argument("--max-wait", type=float, default=120.0)
    parser.add_argument("--start-at", type=float, default=0.0)
    parser.add_argument("--no-wait", action="store_true")
    parser.add_argument("--prefix", default=PREFIX)
    print(json.dumps(asyncio.run(run(parser.parse_args()))), flush=True)


if __name__ == "__main__":
    main()
