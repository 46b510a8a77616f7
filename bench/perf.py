"""The original's performance table, measured: 100 members at once for 60 s against `serve`, then the
ratio to the stack's ceiling, in the same run.

    .venv/bin/python bench/perf.py [--seconds 60] [--workers 2] [--families 20] [--rounds 3] [--no-browser]

1. The demo family (`vinted-optimizer demo-data`: 3 members, 1,000 listings with photos, 5,000 sales,
   500 parcels) in a fresh data folder, then `vinted-optimizer serve --workers 2` on it (two API
   processes, one a core, the in-process job worker, embedded PostgreSQL and Redis, the built dashboard,
   the AI service in front of a local stand-in for Ollama; rate limits raised, as in the other benches).
2. 100 members through the API: the demo family's three and two invited into it, and 19 more families of
   five (an admin who signs up, four invited), each new member with five listings of their own.
3. The load generator, bench/load.py, as its own process (its docstring has the mix: CRUD, DB-heavy reads,
   photo uploads, a WebSocket each with events published to the families), for `--seconds`.
   Alongside it, in this process, headless Chromium (Debian's, as bench/dashboard.py) loads Panoramica
   as the demo family's admin, one load after another with a pause of three seconds: navigation → every chart
   drawn, on the page's own clock.
4. The ceiling (bench/api.py's method, in the same run, on the same data): wrk against the ceiling app
   (FastAPI + asyncpg, one SELECT by primary key) and against GET /api/v1/listings/{id} of a demo
   listing with its photos, both with as many processes as `serve` has, short runs side by side; the
   median of each round's ratio.

The machine has two cores, shared by everything above: `serve`'s processes, PostgreSQL, Redis, the load
generator and Chromium. The generator is kept light (each member pauses 0.5–1.5 s between requests,
about 100 requests a second in all); its own scheduling and Chromium's work are inside every figure.
Any error (a status ≥ 400, a transport error, a WebSocket delivery missing, a page that does not draw)
is counted and makes the run exit non-zero.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
from playwright.async_api import async_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.api import _wait_until_answered, ensure_wrk, wrk  # noqa: E402
from bench.dashboard import CHARTS_DRAWN, CHROMIUM, LAUNCH_ARGS  # noqa: E402
from bench.load import CRUD, DB, UPLOAD, WS  # noqa: E402
from tests.fakes.ollama import FakeOllama  # noqa: E402
from tests.fakes.server import serve_in_thread  # noqa: E402
from tests.support.serve import (  # noqa: E402
    Serve,
    base_env,
    free_port,
    new_data_dir,
    postgres_pid,
    redis_pids,
    shut_down,
)

from vinted_optimizer.demo import MEMBERS as DEMO_MEMBERS  # noqa: E402
from vinted_optimizer.demo import PASSWORD as DEMO_PASSWORD  # noqa: E402

PASSWORD = "Valigia-Rossa-2024"  # noqa: S105 - the bench's own accounts
FAST = {
    "VO_RATE_LIMIT_IP": "100000000/minute",
    "VO_RATE_LIMIT_USER": "100000000/minute",
    "VO_RATE_LIMIT_REGISTER": "100000000/minute",
    "VO_RATE_LIMIT_INVITATIONS": "100000000/minute",
    "VO_REGISTRATION": "open",  # without SMTP in development: the account at once
    "VO_ACCESS_TOKEN_MINUTES": "240",
    "VO_LOG_LEVEL": "WARNING",
}
DASHBOARD = "dashboard load"
PAGE_PAUSE = 3.0  # seconds between two page loads: a few, one after another, beside the load
# (category, p50, p95, p99 targets in ms; None: the original sets none)
TARGETS: tuple[tuple[str, float, float | None, float | None], ...] = (
    (CRUD, 30, 100, 300),
    (DB, 50, 200, 500),
    (UPLOAD, 500, 2000, None),
    (WS, 50, None, None),
    (DASHBOARD, 200, None, None),
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def seed_demo(data_dir: Path) -> None:
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "vinted_optimizer", "demo-data", "--data-dir", str(data_dir)],
        env=base_env(**FAST),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        sys.exit(f"demo-data failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    print(f"demo-data: {time.perf_counter() - started:.1f} s")


def _ok(response: httpx.Response) -> dict[str, Any]:
    if response.status_code >= 400:
        sys.exit(
            f"seeding: {response.request.method} {response.request.url} → "
            f"{response.status_code} {response.text}"
        )
    body: dict[str, Any] = response.json()
    return body


def _invite_and_join(client: httpx.Client, admin_token: str, email: str, username: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {admin_token}"}
    invitation = _ok(client.post("/api/v1/users/family/invite", json={"email": email}, headers=headers))
    body = {"email": email, "username": username, "password": PASSWORD, "invite_token": invitation["token"]}
    return _ok(client.post("/api/v1/auth/register", json=body))


def _own_listings(client: httpx.Client, token: str, count: int, tag: str) -> list[str]:
    headers = {"Authorization": f"Bearer {token}"}
    ids = []
    for n in range(count):
        body = {"title": f"Giacca {tag} {n}", "price": f"{15 + n}.00", "brand": "Levi's", "size": "M"}
        ids.append(_ok(client.post("/api/v1/listings", json=body, headers=headers))["id"])
    return ids


def seed_members(base_url: str, families: int) -> tuple[list[dict[str, Any]], str, str]:
    """100 members (5 a family): the plan's members, the demo admin's token and a demo listing's id."""
    members: list[dict[str, Any]] = []
    started = time.perf_counter()
    with httpx.Client(base_url=base_url, timeout=60) as client:
        demo_tokens = []
        for username, *_ in DEMO_MEMBERS:
            body = _ok(client.post("/api/v1/auth/login", json={"login": username, "password": DEMO_PASSWORD}))
            demo_tokens.append((body["access_token"], body["user"]["family"]["id"]))
        admin_token, demo_family = demo_tokens[0]
        for n in range(5 - len(demo_tokens)):
            body = _invite_and_join(client, admin_token, f"demo.extra{n}@example.it", f"demo_extra{n}")
            demo_tokens.append((body["access_token"], demo_family))
        headers = {"Authorization": f"Bearer {admin_token}"}
        page = _ok(client.get("/api/v1/listings", params={"limit": 100}, headers=headers))
        demo_listings = [item["id"] for item in page["items"]]
        with_photos = next(item["id"] for item in page["items"] if item["images"])
        for index, (token, family_id) in enumerate(demo_tokens):
            members.append(
                {
                    "token": token,
                    "family_id": family_id,
                    "listings": demo_listings[index * 20 : index * 20 + 20],
                }
            )
        for family in range(1, families):
            body = {
                "email": f"admin{family}@example.it",
                "username": f"admin{family}",
                "password": PASSWORD,
                "family_name": f"Famiglia {family}",
            }
            admin = _ok(client.post("/api/v1/auth/register", json=body))
            family_id = admin["user"]["family"]["id"]
            tokens = [admin["access_token"]]
            for n in range(4):
                joined = _invite_and_join(
                    client, admin["access_token"], f"m{family}.{n}@example.it", f"m{family}_{n}"
                )
                tokens.append(joined["access_token"])
            for n, token in enumerate(tokens):
                listings = _own_listings(client, token, 5, f"{family}.{n}")
                members.append({"token": token, "family_id": family_id, "listings": listings})
    print(f"members: {len(members)} in {families} families, seeded in {time.perf_counter() - started:.1f} s")
    return members, admin_token, with_photos


async def page_loads(
    base_url: str, stop: asyncio.Event, started: asyncio.Event
) -> tuple[list[float], list[str]]:
    """Panoramica loaded over and over, signed in as the demo admin, from ``started`` until ``stop``."""
    timings: list[float] = []
    errors: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
        page = await context.new_page()
        await page.goto(f"{base_url}/accedi")
        await page.get_by_label("E-mail o nome utente", exact=True).fill(DEMO_MEMBERS[0][0])
        await page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        await page.get_by_role("button", name="Accedi", exact=True).click()
        await page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
        for _ in range(2):  # warm the browser's cache, as for a member who comes back
            await page.goto(base_url + "/", wait_until="commit")
            await page.wait_for_function(CHARTS_DRAWN, timeout=60_000, polling="raf")
        await started.wait()
        while not stop.is_set():
            try:
                await page.goto(base_url + "/", wait_until="commit")
                await page.wait_for_function(CHARTS_DRAWN, timeout=30_000, polling="raf")
                timings.append(await page.evaluate("performance.now()"))
            except Exception as error:  # noqa: BLE001 - counted and shown: any failure is an error
                errors.append(f"{DASHBOARD}: {type(error).__name__}: {str(error)[:200]}")
            await asyncio.sleep(PAGE_PAUSE)
        await browser.close()
    return timings, errors


async def _no_page_loads(
    base_url: str, stop: asyncio.Event, started: asyncio.Event
) -> tuple[list[float], list[str]]:
    return [], []


async def load_with_pages(
    server: Serve, plan_path: Path, result_path: Path, *, browser: bool = True
) -> tuple[list[float], list[str], dict[str, float]]:
    """bench/load.py as a subprocess and the page loads here (unless not ``browser``), for as long as the
    generator runs."""
    base_url = server.url
    stop, started = asyncio.Event(), asyncio.Event()
    pages = asyncio.create_task((page_loads if browser else _no_page_loads)(base_url, stop, started))
    await asyncio.sleep(0)
    generator = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bench" / "load.py"),
        str(plan_path),
        str(result_path),
        cwd=ROOT,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
        },
        stdout=asyncio.subprocess.PIPE,
    )
    assert generator.stdout is not None
    first = await generator.stdout.readline()  # "load.py: …": the sockets are connected, the clock runs
    print(first.decode().rstrip(), flush=True)
    started.set()
    before = cpu_account(server, generator.pid)
    over = await generator.stdout.readline()  # the members have stopped (the last deliveries still due)
    print(over.decode().rstrip(), flush=True)
    after = cpu_account(server, generator.pid)
    rest = await generator.stdout.read()
    code = await generator.wait()
    stop.set()
    if rest:
        print(rest.decode().rstrip())
    if code != 0:
        sys.exit(f"bench/load.py exited with {code}")
    timings, errors = await pages
    return timings, errors, {group: after[group] - before.get(group, 0.0) for group in after}


SERVE_ROLES = (
    ("the job worker", " worker"),
    ("the AI service", "ai-service"),
    ("the scraper service", "scraper-service"),
)


def _cmdline_has(process: psutil.Process, words: str) -> bool:
    try:
        return words in " ".join(process.cmdline())
    except psutil.Error:
        return False


def _tree(pid: int | None) -> list[psutil.Process]:
    if pid is None:
        return []
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def cpu_account(server: Serve, generator: int) -> dict[str, float]:
    """CPU seconds so far (user + system) of each part of the bench, and of the whole machine."""
    groups: dict[str, list[psutil.Process]] = {
        "PostgreSQL": _tree(postgres_pid(server.data_dir)),
        "Redis": [p for pid in redis_pids(server.data_dir) for p in _tree(pid)],
        "load generator (bench/load.py)": _tree(generator),
    }
    assert server.process is not None
    served = _tree(server.process.pid)
    for role, words in SERVE_ROLES:
        groups[f"serve: {role}"] = [p for p in served if _cmdline_has(p, words)]
    groups["serve: the API processes"] = served  # what is left of serve's tree: uvicorn's processes
    mine = _tree(os.getpid())
    groups["Chromium (Panoramica's loads)"] = [p for p in mine if "chrom" in p.name().lower()]
    groups["perf.py (Playwright, the Ollama stand-in)"] = [
        p for p in mine if "chrom" not in p.name().lower() and p.pid != generator
    ]
    account: dict[str, float] = {}
    seen: set[int] = set()
    for group, processes in groups.items():
        total = 0.0
        for process in processes:
            if process.pid in seen:
                continue
            seen.add(process.pid)
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        account[group] = total
    machine = psutil.cpu_times()
    account["wall"] = time.monotonic()
    account["the whole machine"] = (
        machine.user + machine.system + machine.nice + machine.irq + machine.softirq
    )
    return account


def ceiling_ratio(
    server: Serve, data_dir: Path, token: str, listing_id: str, workers: int, rounds: int
) -> list[tuple[str, str]]:
    """bench/api.py's measure: wrk against the ceiling app and GET /listings/{id}, side by side."""
    dsn = f"postgresql://postgres@/vinted_optimizer?host={data_dir / 'postgres'}"
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "bench.ceiling_app:app", "--port", str(port)]
    command += ["--workers", str(workers), "--loop", "uvloop", "--http", "httptools"]
    command += ["--no-access-log", "--log-level", "warning"]
    ceiling = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "VO_CEILING_DSN": dsn})  # noqa: S603
    try:
        ceiling_url = f"http://127.0.0.1:{port}/listings/{listing_id}"
        _wait_until_answered(ceiling_url, seconds=20)
        ours_url = f"{server.url}/api/v1/listings/{listing_id}"
        headers = {"Authorization": f"Bearer {token}"}
        wrk(ceiling_url, seconds=2, connections=50, headers={})
        wrk(ours_url, seconds=2, connections=50, headers=headers)
        rows = []
        rps_ratios, p99_ratios = [], []
        for round_number in range(1, rounds + 1):
            base = wrk(ceiling_url, seconds=5, connections=50, headers={})
            ours = wrk(ours_url, seconds=5, connections=50, headers=headers)
            if base.errors or ours.errors:
                sys.exit(f"wrk errors: ceiling {base.errors}, ours {ours.errors}")
            rps_ratios.append(ours.rps / base.rps)
            p99_ratios.append(ours.p99_ms / base.p99_ms)
            rows.append(
                (
                    f"round {round_number}",
                    f"ceiling {base.rps:,.0f} req/s p99 {base.p99_ms:.1f} ms; GET /listings/{{id}} "
                    f"{ours.rps:,.0f} req/s p99 {ours.p99_ms:.1f} ms",
                )
            )
        rows.append(
            (
                f"median of {rounds}",
                f"req/s {statistics.median(rps_ratios):.2f}× the ceiling's, "
                f"p99 {statistics.median(p99_ratios):.2f}× the ceiling's",
            )
        )
        return rows
    finally:
        ceiling.terminate()
        ceiling.wait(10)


def _target(value: float | None) -> str:
    return "–" if value is None else f"< {value:,.0f} ms"


def report(
    result: dict[str, Any], pages: list[float], page_errors: list[str], seconds: float, members: int
) -> int:
    latencies: dict[str, list[float]] = {**result["latencies"], DASHBOARD: pages}
    errors: dict[str, int] = {**result["errors"], DASHBOARD: len(page_errors)}
    print(
        f"\nbench/perf.py: {members} members, mixed load for {seconds:.0f} s "
        "(the load generator a separate process)\n"
    )
    columns = ["category", *(f"{kind} {p}" for p in ("p50", "p95", "p99") for kind in ("target", "measured"))]
    print("| " + " | ".join([*columns, "requests", "errors", "targets met"]) + " |")
    print("|" + "---|" * (len(columns) + 3))
    failed = 0
    for category, *targets in TARGETS:
        values = latencies.get(category, [])
        measured = [percentile(values, share) if values else None for share in (0.5, 0.95, 0.99)]
        cells = [
            cell
            for target, value in zip(targets, measured, strict=True)
            for cell in (_target(target), "–" if value is None else f"{value:,.1f} ms")
        ]
        met = all(
            target is None or (value is not None and value < target)
            for target, value in zip(targets, measured, strict=True)
        )
        errs = errors.get(category, 0)
        failed += errs
        noun = " deliveries" if category == WS else " loads" if category == DASHBOARD else ""
        row = [category, *cells, f"{len(values):,}{noun}", str(errs), "yes" if met and not errs else "no"]
        print("| " + " | ".join(row) + " |")
    total = sum(len(v) for k, v in result["latencies"].items() if k != WS)
    print(f"\nHTTP requests answered: {total:,} ({total / seconds:.0f}/s)\n")
    print("| operation | count | p50 | p95 | p99 |")
    print("|---|---|---|---|---|")
    for name, values in result["by_operation"].items():
        figures = " | ".join(f"{percentile(values, share):,.1f} ms" for share in (0.5, 0.95, 0.99))
        print(f"| {name} | {len(values):,} | {figures} |")
    for sample in [*result["samples"], *page_errors][:20]:
        print(f"error: {sample}")
    return failed


def print_cpu(cpu: dict[str, float]) -> None:
    """Where the two cores went during the load (the rest: other work on the shared machine, and the
    processes that ended during the load, such as PostgreSQL's backends of closed connections)."""
    machine, seconds = cpu.pop("the whole machine"), cpu.pop("wall")
    print(f"\nCPU during the {seconds:.1f} s of load (2 cores = {2 * seconds:.0f} CPU-seconds):\n")
    print("| process | CPU-seconds | share of 2 cores |")
    print("|---|---|---|")
    for group, used in [*cpu.items(), ("anything else on the machine", machine - sum(cpu.values()))]:
        print(f"| {group} | {used:.1f} | {used / (2 * seconds):.0%} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2, help="API processes of serve")
    parser.add_argument("--families", type=int, default=20, help="five members each")
    parser.add_argument("--rounds", type=int, default=3, help="of the ceiling ratio")
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="the same load without Chromium's page loads: what the browser's share of the two cores costs",
    )
    args = parser.parse_args()
    ensure_wrk()
    data_dir = new_data_dir()
    seed_demo(data_dir)
    with serve_in_thread(FakeOllama().app) as ollama_url:
        env = base_env(**FAST, VO_OLLAMA_URL=ollama_url, VO_API_WORKERS=str(args.workers))
        if os.environ.get("VO_WEB_DIR"):  # another checkout's built dashboard (default: web/out of this one)
            env["VO_WEB_DIR"] = os.environ["VO_WEB_DIR"]
        server = Serve(data_dir=data_dir, log_path=data_dir / "serve.log", env=env)
        failed = 0
        try:
            server.start()
            members, admin_token, listing_id = seed_members(server.url, args.families)
            plan_path, result_path = data_dir / "plan.json", data_dir / "result.json"
            plan = {
                "base_url": server.url,
                "redis_url": f"unix://{data_dir / 'redis' / 'redis.sock'}",
                "seconds": args.seconds,
                "members": members,
            }
            plan_path.write_text(json.dumps(plan))
            before = os.getloadavg()[0]
            pages, page_errors, cpu = asyncio.run(
                load_with_pages(server, plan_path, result_path, browser=not args.no_browser)
            )
            after = os.getloadavg()[0]
            result = json.loads(result_path.read_text())
            failed = report(result, pages, page_errors, args.seconds, len(members))
            # The machine's 1-minute load average (2 cores): what else ran beside this bench.
            print(f"load average: {before:.1f} before the mixed load, {after:.1f} at its end (2 cores)")
            print_cpu(cpu)
            print(
                f"\nthe ceiling (bench/api.py's measure), {args.workers} processes each, "
                "wrk 50 connections:\n"
            )
            for label, text in ceiling_ratio(
                server, data_dir, admin_token, listing_id, args.workers, args.rounds
            ):
                print(f"- {label}: {text}")
        finally:
            shut_down(server)
            if failed:  # serve's log kept beside the errors, for their cause
                kept = Path(tempfile.gettempdir()) / f"perf-serve-{os.getpid()}.log"
                shutil.copy(server.log_path, kept)
                print(f"serve's log: {kept}")
            shutil.rmtree(data_dir, ignore_errors=True)
    if failed:
        sys.exit(f"\n{failed} errors (zero required)")


if __name__ == "__main__":
    main()
