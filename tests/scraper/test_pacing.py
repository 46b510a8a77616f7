"""The pacing gate on the suite's real Redis: buckets, the hourly cap, Retry-After, cool-downs, the status
— on a clock the test moves by hand — and, on Redis's own clock, callers in three processes at once."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from tests.fakes.limits import ManualClock
from tests.support.pacing_check import max_in_window, run_processes, worst_excess
from vinted_optimizer.config import Settings
from vinted_optimizer.scraper.errors import PacingExceeded
from vinted_optimizer.scraper.pacing import Grant, PacingGate

# The defaults of config.py: reads burst 3, one per 20 s, 120 an hour; writes burst 1, one per 30 s, 40.
DEFAULTS: dict[str, object] = {
    "vinted_read_burst": 3,
    "vinted_read_interval_seconds": 20.0,
    "vinted_read_hourly_cap": 120,
    "vinted_write_burst": 1,
    "vinted_write_interval_seconds": 30.0,
    "vinted_write_hourly_cap": 40,
    "vinted_max_wait_seconds": 0,
}


def manual_gate(redis: Redis, settings: Settings, **changes: object) -> tuple[PacingGate, ManualClock]:
    clock = ManualClock(start=1_800_000_000.0)
    values = {**DEFAULTS, **changes}
    return PacingGate(redis, settings.model_copy(update=values), clock=clock), clock


async def test_read_bucket_burst_then_sustained(redis: Redis, scraper_settings: Settings) -> None:
    gate, clock = manual_gate(redis, scraper_settings)
    grants = [await gate.try_acquire("read") for _ in range(3)]
    assert all(isinstance(g, Grant) for g in grants)
    assert await gate.try_acquire("read") == (pytest.approx(20.0), "burst")
    clock.advance(10)
    assert await gate.try_acquire("read") == (pytest.approx(10.0), "burst")
    clock.advance(10)
    assert isinstance(await gate.try_acquire("read"), Grant)
    assert isinstance(await gate.try_acquire("read"), tuple)
    # The write budget is apart: one now, the next 30 s later.
    assert isinstance(await gate.try_acquire("write"), Grant)
    assert await gate.try_acquire("write") == (pytest.approx(30.0), "burst")


async def test_hourly_cap_counts_the_last_hour(redis: Redis, scraper_settings: Settings) -> None:
    gate, clock = manual_gate(redis, scraper_settings, vinted_read_burst=10, vinted_read_interval_seconds=1,
                              vinted_read_hourly_cap=5)  # fmt: skip
    for _ in range(5):
        assert isinstance(await gate.try_acquire("read"), Grant)
        clock.advance(100)
    # 5 grants at 0, 100, …, 400; now is 500: the first leaves the hour at 3600.
    assert await gate.try_acquire("read") == (pytest.approx(3100.0), "hourly_cap")
    with pytest.raises(PacingExceeded) as raised:
        await gate.acquire("read", max_wait=60)
    assert raised.value.reason == "hourly_cap" and "Limite orario" in raised.value.detail
    assert raised.value.until == datetime.fromtimestamp(1_800_000_000 + 3600, UTC)
    clock.advance(3100)
    assert isinstance(await gate.try_acquire("read"), Grant)
    assert isinstance(await gate.try_acquire("read"), tuple)


async def test_retry_after_closes_the_gate(redis: Redis, scraper_settings: Settings) -> None:
    gate, clock = manual_gate(redis, scraper_settings)
    await gate.retry_after(60)
    assert await gate.try_acquire("read") == (pytest.approx(60.0), "retry_after")
    assert await gate.try_acquire("write") == (pytest.approx(60.0), "retry_after")  # the whole IP
    clock.advance(60.01)
    assert isinstance(await gate.try_acquire("read"), Grant)


async def test_cooldown_doubles_up_to_six_hours(redis: Redis, scraper_settings: Settings) -> None:
    gate, clock = manual_gate(redis, scraper_settings)
    lengths = []
    for _ in range(6):
        until = await gate.challenge("cloudflare")
        lengths.append(until.timestamp() - clock.now)
        clock.advance(lengths[-1] + 1)
    assert lengths == pytest.approx([1800, 3600, 7200, 14400, 21600, 21600])
    # A Retry-After never shortens a cool-down.
    await gate.challenge("datadome")
    await gate.retry_after(60)
    status = await gate.status()
    assert (status.reason, status.cause) == ("cooldown", "datadome")
    assert status.closed_until is not None and status.closed_until.timestamp() == pytest.approx(
        clock.now + 21600
    )
    with pytest.raises(PacingExceeded) as raised:
        await gate.acquire("read", max_wait=3600)
    assert raised.value.reason == "cooldown" and raised.value.headers["Retry-After"]


async def test_three_forbidden_answers_cool_down(redis: Redis, scraper_settings: Settings) -> None:
    gate, _ = manual_gate(redis, scraper_settings)
    assert await gate.forbidden() is None
    assert await gate.forbidden() is None
    until = await gate.forbidden()
    assert until is not None
    status = await gate.status()
    assert (status.reason, status.cause) == ("cooldown", "repeated_403")


async def test_status_reports_budgets_hour_cooldown_and_change(
    redis: Redis, scraper_settings: Settings
) -> None:
    gate, clock = manual_gate(redis, scraper_settings)
    empty = await gate.status()
    assert (empty.read.tokens, empty.read.burst, empty.read.hourly_count, empty.read.hourly_cap) == (
        3,
        3,
        0,
        120,
    )
    assert (empty.write.tokens, empty.closed_until, empty.last_changed) == (1, None, None)
    await gate.try_acquire("read")
    await gate.try_acquire("read")
    await gate.try_acquire("write")
    clock.advance(10)
    await gate.changed("search", "items[0].price: missing")
    status = await gate.status()
    assert status.read.tokens == pytest.approx(1.5) and status.read.hourly_count == 2
    assert status.write.tokens == pytest.approx(1 / 3) and status.write.hourly_count == 1
    assert status.last_changed is not None
    assert (status.last_changed.endpoint, status.last_changed.detail) == ("search", "items[0].price: missing")
    assert status.last_changed.at == datetime.fromtimestamp(clock.now, UTC)
    assert status.closed_until is None


@pytest.mark.parametrize("scraper_overrides", [{"vinted_read_burst": 1, "vinted_read_interval_seconds": 0.3}])
async def test_acquire_waits_for_the_next_token(gate: PacingGate) -> None:
    await gate.acquire("read")
    started = time.monotonic()
    grant = await gate.acquire("read", max_wait=2)
    assert 0.25 < time.monotonic() - started < 1.5
    assert grant.this_hour == 2
    with pytest.raises(PacingExceeded) as raised:
        await gate.acquire("read", max_wait=0.05)  # would need ~0.3 s
    assert raised.value.reason == "burst" and raised.value.until > datetime.now(UTC)


@pytest.mark.slow
async def test_callers_in_three_processes_never_exceed_the_rate(redis: Redis, redis_url: str) -> None:
    burst, interval = 3, 0.1
    reports = run_processes(
        redis_url, 3, "--callers", "8", "--each", "2", "--burst", str(burst), "--interval", str(interval)
    )
    grants = [at for report in reports for at in report["grants"]]
    assert len({report["pid"] for report in reports}) == 3
    assert len(grants) == 48 and all(report["refused"] == 0 for report in reports)
    # Every window of grants holds at most the burst plus what refilled over it (a little clock slack).
    assert worst_excess(grants, burst, interval) <= 0.01
    assert max_in_window(grants, 1.0) <= burst + 1.0 / interval
    # And the gate did let them through at that pace, not slower: 45 refills of 0.1 s.
    assert max(grants) - min(grants) == pytest.approx((48 - burst) * interval, abs=0.6)


@pytest.mark.slow
async def test_the_hourly_cap_holds_across_processes(redis: Redis, redis_url: str) -> None:
    reports = run_processes(
        redis_url, 3, "--callers", "5", "--each", "2", "--burst", "30", "--interval", "0.01", "--cap", "10",
        "--no-wait",
    )  # fmt: skip
    assert sum(len(report["grants"]) for report in reports) == 10
    assert sum(report["refused"] for report in reports) == 20
