"""What tracing costs a request, in-process (no network, no load generator): a quick timing loop.

    .venv/bin/python bench/tracing.py [--requests 3000] [--rounds 5]

Two routes through the whole stack of middleware (request id, security headers, the request gate, the
router): GET /api/v1/meta (no database) and an authenticated GET /api/v1/listings/{id} (the hot path
bench/api.py loads: a session check and the listing's reads). Three modes, each in a process of its own:
``off`` (no endpoint configured: what every deployment without a collector runs), ``on`` (a provider with
a batch processor and an exporter that drops the spans: the cost of making them, not of sending them),
and, with ``--before SRC`` (a checkout's src folder from before tracing), the code without it. Prints, per
mode, the median request's wall time and the API process's CPU time per request (process_time over a
round), each the lowest of the rounds: on a shared machine the least disturbed round is the closest to
the code's own cost, and the CPU time is the figure other processes' load disturbs least.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _child(mode: str, requests: int, rounds: int) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    import httpx
    from tests.auth.factories import register
    from tests.support.settings import make_settings

    from vinted_optimizer.app import close_resources, create_app, open_resources
    from vinted_optimizer.kit.embedded import start_embedded
    from vinted_optimizer.kit.migrations import upgrade

    if mode == "on":
        from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

        from vinted_optimizer.kit import tracing

        class Drop(SpanExporter):
            def export(self, spans: object) -> SpanExportResult:
                return SpanExportResult.SUCCESS

        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider = TracerProvider(resource=Resource.create({"service.name": "api"}))
        provider.add_span_processor(BatchSpanProcessor(Drop()))
        tracing.install(provider)

    folder = Path(tempfile.mkdtemp(prefix="vo-tb-", dir="/tmp"))
    servers = start_embedded(folder, need_postgres=True, need_redis=True)
    assert servers.database_url and servers.redis_url
    upgrade(servers.database_url)
    unlimited = {"rate_limit_ip": "100000000/minute", "rate_limit_user": "100000000/minute"}
    settings = make_settings(servers.database_url, servers.redis_url, data_dir=folder / "data", **unlimited)

    async def run() -> dict[str, float]:
        resources = await open_resources(settings)
        app = create_app(settings, resources=resources)
        transport = httpx.ASGITransport(app=app)
        results: dict[str, float] = {}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            member = await register(client)
            created = await client.post(
                "/api/v1/listings", json={"title": "Giacca", "price": "20"}, headers=member.headers
            )
            listing = created.json()["id"]
            for name, url, headers in (
                ("meta", "/api/v1/meta", {}),
                ("listing", f"/api/v1/listings/{listing}", member.headers),
            ):
                medians, cpu = [], []
                for _ in range(rounds):
                    times = []
                    cpu_began = time.process_time()
                    for _ in range(requests):
                        began = time.perf_counter()
                        response = await client.get(url, headers=headers)
                        times.append(time.perf_counter() - began)
                        assert response.status_code == 200, response.text
                    cpu.append((time.process_time() - cpu_began) / requests * 1e6)
                    medians.append(statistics.median(times) * 1e6)
                # The least disturbed round of each: the machine is shared.
                results[name] = min(medians)
                results[name + "_cpu"] = min(cpu)
        await close_resources(resources)
        return results

    try:
        return asyncio.run(run())
    finally:
        servers.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--before", help="a src folder from before tracing, for the comparison")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.requests, args.rounds)))
        return
    modes = [("before", args.before)] if args.before else []
    modes += [("off", str(ROOT / "src")), ("on", str(ROOT / "src"))]
    rows = []
    for mode, src in modes:
        path = os.pathsep.join(part for part in (src, str(ROOT), os.environ.get("PYTHONPATH", "")) if part)
        env = {**os.environ, "PYTHONPATH": path, "VO_LOG_LEVEL": "WARNING"}
        env.pop("VO_OTEL_EXPORTER_OTLP_ENDPOINT", None)
        env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
        command = [sys.executable, __file__, "--child", "on" if mode == "on" else "off"]
        command += ["--requests", str(args.requests), "--rounds", str(args.rounds)]
        done = subprocess.run(command, env=env, check=False, capture_output=True, text=True)  # noqa: S603
        if done.returncode:
            raise SystemExit(f"{mode}: {done.stderr[-2000:]}")
        rows.append((mode, json.loads(done.stdout.strip().splitlines()[-1])))
    print("µs per request: the median's wall time, and the API process's CPU time (what tracing adds;")
    print("the servers work in their own processes, so other load on the machine barely moves it)")
    print(f"{'mode':<8} {'/meta wall':>11} {'/meta CPU':>10} {'/listings/{id} wall':>20} {'CPU':>8}")
    for mode, r in rows:
        meta, listing = (
            f"{r['meta']:>11.1f} {r['meta_cpu']:>10.1f}",
            f"{r['listing']:>20.1f} {r['listing_cpu']:>8.1f}",
        )
        print(f"{mode:<8} {meta} {listing}")


if __name__ == "__main__":
    main()
