"""Run callers of the pacing gate in several processes and check what they were granted."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_processes(
    redis_url: str, processes: int | list[list[str]], *extra: str, lead: float = 1.5
) -> list[dict[str, Any]]:
    """Pacing workers started together (``lead`` seconds from now), with ``extra`` arguments each, and
    their JSON reports. ``processes``: how many, or each one's arguments (``[["--callers", "17"], …]``)."""
    start_at = time.time() + lead
    own: list[list[str]] = [[] for _ in range(processes)] if isinstance(processes, int) else processes
    worker = "tests.support.pacing_worker"
    command = [sys.executable, "-m", worker, redis_url, "--start-at", str(start_at), *extra]
    running = [
        subprocess.Popen(
            [*command, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for args in own
    ]
    reports = []
    for process in running:
        out, err = process.communicate(timeout=120)
        if process.returncode != 0:
            raise RuntimeError(f"pacing worker failed: {err[-2000:]}")
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports


def worst_excess(grants: list[float], burst: int, interval: float) -> float:
    """The most any window [t_i, t_j] of the grants goes over what a token bucket allows in it
    (``burst`` + the tokens refilled over its length); <= 0 means the rate was never exceeded."""
    times = sorted(grants)
    worst = float("-inf")
    for i in range(len(times)):
        for j in range(i, len(times)):
            allowed = burst + (times[j] - times[i]) / interval
            worst = max(worst, (j - i + 1) - allowed)
    return worst


def max_in_window(grants: list[float], window: float) -> int:
    """The most grants inside any window of ``window`` seconds."""
    times = sorted(grants)
    best = start = 0
    for end in range(len(times)):
        while times[end] - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best
