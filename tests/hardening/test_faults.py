"""Finding 1 and 2 under real crashes: `serve` restarts a SIGKILLed Redis and PostgreSQL by itself.

While a server is down the client sees only 201 and 503 with Retry-After; each recovers within 10 s;
every listing that got a 201 is there afterwards; a logged-out token is refused throughout (Redis comes
back without its cache, PostgreSQL has the truth); the in-process job worker comes back too.
"""

from __future__ import annotations

import re

import pytest

from tests.support.drill import run_fault_drill
from tests.support.serve import running_serve

pytestmark = pytest.mark.slow


def test_serve_survives_redis_then_postgres_being_killed(tmp_path):
    with running_serve(
        tmp_path / "serve.log",
        VO_RATE_LIMIT_IP="100000/minute",
        VO_RATE_LIMIT_USER="100000/minute",
        VO_OLLAMA_URL="http://127.0.0.1:9",
    ) as server:
        # Fifteen 201s before the first kill and after each recovery, not two seconds of load each time
        # (`make resilience` keeps the time-based settling).
        report = run_fault_drill(server, settle_created=15)
        log = server.output()
    # On failure, say what the server raised: each traceback's last lines (the exception and where).
    assert report.unexpected() == {}, (report.statuses, _tracebacks(log))
    assert report.unavailable_without_retry_after == 0
    assert report.statuses[201] > 20 and report.statuses[503] > 0, report.statuses
    assert report.reads[200] > 20, report.reads
    assert [fault.server for fault in report.faults] == ["redis", "postgres"]
    for fault in report.faults:
        assert fault.recovered_after is not None and fault.recovered_after < 10, (fault, log[-4000:])
    assert report.missing == []
    assert report.sales and report.shipments, report.committed()  # the mixed load wrote all three kinds
    assert report.lost() == {"listings": [], "sales": [], "shipments": []}
    assert report.revoked_token_checks > 0 and report.revoked_token_accepted == 0
    assert report.worker_answered_after is not None, log[-4000:]
    assert log.count("embedded.server.restarted") == 2
    # Nothing crashed before the faults: the log up to the first sign of the first kill (a request that
    # met the dead server can come before the supervisor's "died", and so can a sale's after-commit enqueue).
    first_signs = r"embedded\.server\.died|dependency_unavailable|redis_unavailable|after_commit\.failed"
    before = re.split(first_signs, log)[0]
    assert "Traceback" not in before, before[-6000:]


def _tracebacks(log: str) -> list[str]:
    tails = []
    for chunk in log.split("Traceback (most recent call last):")[1:]:
        lines = [line for line in chunk.splitlines() if line.strip()]
        frames = [line for line in lines if line.lstrip().startswith("File ")]
        errors = [line for line in lines if not line.startswith((" ", "\t"))]
        tails.append(" | ".join([*frames[-3:], *errors[:2]])[:1500])
    return tails[:5]
