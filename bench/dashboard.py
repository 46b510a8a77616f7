"""Panoramica with the demo family (issue 14): the dashboard's reads through `serve`, and the page's load
in headless Chromium from the navigation to the charts drawn.

    .venv/bin/python bench/dashboard.py [--requests 200] [--loads 20]

Seeds the demo family with the real command (`vinted-optimizer demo-data`: 3 members, 1,000 listings with
photos, 5,000 sales over two years, 500 parcels, market snapshots) in a fresh data folder, starts
`vinted-optimizer serve` on it (embedded PostgreSQL and Redis, one API process, the built dashboard), signs
in as the family's admin and times each read sequentially after a few warm-up requests: median, p95, p99,
and the ratio of each median to GET /users/me's in the same run (the cheapest authenticated read: what the
stack costs before any dashboard work; the machine is shared, so the ratio is the steadier figure). The
targets: the overview's median under 50 ms.

Then the page: Debian's Chromium (headless, as the browser tests drive it), signed in through the sign-in
form once; each load is a navigation to `/` and ends when every chart of Panoramica has drawn its bars
(Recharts' SVG rectangles inside each `chart-…-plot`); the time is the page's own clock at that moment
(`performance.now()`, from the navigation's start), so it includes the refresh of the session, the
dashboard's requests and the drawing. The first load (nothing cached) is printed apart; the median and p95
are over the next `--loads` (the browser's cache warm, as for a member who comes back). Beside it, the same
measure for the sign-in page to its heading (static, no data): the ratio is what Panoramica's data and
charts cost over the app's shell. Target: the median under 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from playwright.async_api import async_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.serve import Serve, base_env, new_data_dir, shut_down  # noqa: E402

from vinted_optimizer.demo import PASSWORD  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"]
ADMIN = "giulia"
FAST = {
    "VO_RATE_LIMIT_IP": "100000000/minute",
    "VO_RATE_LIMIT_USER": "100000000/minute",
    "VO_LOG_LEVEL": "WARNING",
}
ENDPOINTS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("users/me (reference)", "/api/v1/users/me", {}),
    ("dashboard/overview", "/api/v1/dashboard/overview", {}),
    ("dashboard/analytics (months)", "/api/v1/dashboard/analytics", {}),
    ("dashboard/analytics (weeks)", "/api/v1/dashboard/analytics", {"group": "week"}),
    ("dashboard/activity", "/api/v1/dashboard/activity", {}),
    ("dashboard/suggestions", "/api/v1/dashboard/suggestions", {}),
)
# Every chart of Panoramica has drawn: each plot holds at least one bar (an SVG path of Recharts' bars).
CHARTS_DRAWN = """() => {
  const plots = document.querySelectorAll('[data-testid$="-plot"]');
  return plots.length > 0 && [...plots].every(p => p.querySelector('.recharts-bar-rectangle path'));
}"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def seed(data_dir: Path) -> None:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "vinted_optimizer", "demo-data", "--data-dir", str(data_dir)],
        env=base_env(**FAST),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        sys.exit(f"demo-data failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    print(f"demo-data: {time.perf_counter() - started:.1f} s (embedded PostgreSQL, migrations and the seed)")


def api(server: Serve, requests: int) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        response = client.post("/api/v1/auth/login", json={"login": ADMIN, "password": PASSWORD})
        response.raise_for_status()
        client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
        print(
            f"\n{'read, as ' + ADMIN:30} {'median':>9} {'p95':>9} {'p99':>9} {'× me':>6}   ({requests} each)"
        )
        reference = None
        for name, path, params in ENDPOINTS:
            for _ in range(5):
                client.get(path, params=params).raise_for_status()
            timings = []
            for _ in range(requests):
                started = time.perf_counter()
                client.get(path, params=params).raise_for_status()
                timings.append((time.perf_counter() - started) * 1000)
            median = statistics.median(timings)
            reference = reference or median
            print(
                f"{name:30} {median:>6.1f} ms {percentile(timings, 0.95):>6.1f} ms "
                f"{percentile(timings, 0.99):>6.1f} ms {median / reference:>5.1f}×"
            )


async def page_loads(server: Serve, loads: int) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
        page = await context.new_page()
        await page.goto(f"{server.url}/accedi")
        await page.get_by_label("E-mail o nome utente", exact=True).fill(ADMIN)
        await page.get_by_label("Password", exact=True).fill(PASSWORD)
        await page.get_by_role("button", name="Accedi", exact=True).click()
        await page.wait_for_function(CHARTS_DRAWN, timeout=60_000)

        async def load(path: str, ready: str) -> float:
            await page.goto(f"{server.url}{path}", wait_until="commit")
            await page.wait_for_function(ready, timeout=60_000, polling="raf")
            elapsed: float = await page.evaluate("performance.now()")
            return elapsed

        first = await load("/", CHARTS_DRAWN)
        panoramica = [await load("/", CHARTS_DRAWN) for _ in range(loads)]
        heading = "() => !!document.querySelector('h1')"
        await context.clear_cookies()  # signed out: /accedi shows its form
        shell = [await load("/accedi", heading) for _ in range(loads)]
        await browser.close()
    panoramica_median, shell_median = statistics.median(panoramica), statistics.median(shell)
    print(f"\npage load in headless Chromium, navigation → drawn ({loads} loads, cache warm)")
    p95 = percentile(panoramica, 0.95)
    print(f"{'Panoramica, charts drawn':30} median {panoramica_median:>6.0f} ms  p95 {p95:>6.0f} ms")
    print(f"{'  (the first, after sign-in)':30}        {first:>6.0f} ms")
    p95 = percentile(shell, 0.95)
    print(f"{'sign-in page, heading shown':30} median {shell_median:>6.0f} ms  p95 {p95:>6.0f} ms")
    print(f"{'ratio Panoramica ÷ sign-in':30}        {panoramica_median / shell_median:>6.1f}×")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--loads", type=int, default=20)
    args = parser.parse_args()
    data_dir = new_data_dir()
    seed(data_dir)
    server = Serve(data_dir=data_dir, log_path=data_dir / "serve.log", env=base_env(**FAST))
    try:
        server.start()
        api(server, args.requests)
        asyncio.run(page_loads(server, args.loads))
    finally:
        shut_down(server)


if __name__ == "__main__":
    main()
