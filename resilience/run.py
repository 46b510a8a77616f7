"""`make resilience`: the long abuse and fault drill, against a real `serve`.

1. Schemathesis over the whole OpenAPI document, as a member and anonymously, many more examples than
   the bounded run in `make test` (tests/hardening/test_schemathesis.py).
2. The fault drill of tests/hardening/test_faults.py, several rounds: SIGKILL the embedded Redis, then
   PostgreSQL, under a client loop, and let `serve` bring them back.
3. The accessibility tour of tests/e2e/test_accessibility.py on every viewport (desktop and phone;
   `make test` tours the phone only), through pytest.

Prints: requests tried, 5xx count, schema violations, faults injected, the recovery time of each, rows
lost, the accessibility tour's outcome. Exits non-zero if any of 5xx, violations or lost rows is not zero,
a server did not recover, or the tour failed.

    make resilience                       # defaults below
    RESILIENCE_EXAMPLES=500 RESILIENCE_ROUNDS=5 make resilience
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.auth.factories import DEFAULT_PASSWORD  # noqa: E402
from tests.hardening.test_schemathesis import FUZZ_ENV  # noqa: E402
from tests.support.drill import run_fault_drill  # noqa: E402
from tests.support.fuzz import run_schemathesis  # noqa: E402
from tests.support.serve import running_serve  # noqa: E402

EXAMPLES = int(os.environ.get("RESILIENCE_EXAMPLES", "200"))
ROUNDS = int(os.environ.get("RESILIENCE_ROUNDS", "3"))
SEED = int(os.environ.get("RESILIENCE_SEED", "20261202"))
A11Y_TEST = "tests/e2e/test_accessibility.py"


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="vo-resilience-"))
    print(
        f"resilience: {EXAMPLES} examples per operation, {ROUNDS} fault rounds, seed {SEED}; logs in {work}"
    )
    started = time.monotonic()
    with running_serve(work / "fuzz-serve.log", **FUZZ_ENV) as server:
        fuzz = run_schemathesis(
            server.url, work / "st", password=DEFAULT_PASSWORD, max_examples=EXAMPLES, seed=SEED
        )
    fuzz_seconds = time.monotonic() - started

    faults = []
    rows_created = rows_lost = revoked_accepted = 0
    statuses: dict[int, int] = {}
    started = time.monotonic()
    with running_serve(
        work / "fault-serve.log",
        VO_RATE_LIMIT_IP="1000000/minute",
        VO_RATE_LIMIT_USER="1000000/minute",
        VO_OLLAMA_URL="http://127.0.0.1:9",
        VO_REGISTRATION="open",  # one new account a round (development without SMTP: at once)
    ) as server:
        for _ in range(ROUNDS):
            report = run_fault_drill(server)
            faults += report.faults
            rows_created += len(report.created)
            rows_lost += len(report.missing)
            revoked_accepted += report.revoked_token_accepted
            for status, count in report.statuses.items():
                statuses[status] = statuses.get(status, 0) + count
    drill_seconds = time.monotonic() - started

    started = time.monotonic()
    tour = subprocess.run(  # noqa: S603 - this interpreter's pytest on a test of ours
        [sys.executable, "-m", "pytest", A11Y_TEST, "-q", "-p", "no:randomly", "-k", "no_serious"],
        cwd=ROOT,
        env={**os.environ, "A11Y_VIEWPORTS": "desktop,phone"},
        capture_output=True,
        text=True,
        check=False,
    )
    tour_seconds = time.monotonic() - started
    tour_summary = (tour.stdout.strip().splitlines() or ["no output"])[-1]

    unexpected = {status: count for status, count in statuses.items() if status not in (201, 503)}
    print()
    print("| measure | value |")
    print("|---|---|")
    passes = "+".join(fuzz.passes)
    seconds = f"{fuzz_seconds:.0f} s"
    print(f"| generated requests ({passes}) | {fuzz.requests} ({fuzz.test_cases} cases, {seconds}) |")
    print(f"| 5xx answers to generated requests | {fuzz.server_errors} |")
    print(f"| schema, status or header violations | {len(fuzz.failures)} {fuzz.failures or ''} |")
    print(f"| status codes seen | {dict(sorted(fuzz.statuses.items()))} |")
    print(f"| faults injected (SIGKILL) | {len(faults)} ({drill_seconds:.0f} s) |")
    for index, fault in enumerate(faults, 1):
        recovered = f"{fault.recovered_after:.2f} s" if fault.recovered_after is not None else "NOT RECOVERED"
        print(f"| fault {index}: {fault.server} | recovered in {recovered} |")
    print(f"| requests during the drill | {sum(statuses.values())} {dict(sorted(statuses.items()))} |")
    print(f"| answers other than 201 and 503 | {sum(unexpected.values())} {unexpected or ''} |")
    print(f"| listings created (201) / lost | {rows_created} / {rows_lost} |")
    print(f"| logged-out token let in | {revoked_accepted} |")
    print(f"| accessibility tour, desktop and phone | {tour_summary} ({tour_seconds:.0f} s) |")
    failed = (
        fuzz.server_errors
        or fuzz.failures
        or rows_lost
        or unexpected
        or revoked_accepted
        or any(fault.recovered_after is None for fault in faults)
        or tour.returncode != 0
    )
    if failed:
        print("\nRESILIENCE FAILED; the schemathesis output's end:\n" + fuzz.output[-4000:])
        if tour.returncode != 0:
            print("\nthe accessibility tour's output's end:\n" + (tour.stdout + tour.stderr)[-6000:])
        return 1
    print("\nresilience: all clear")
    return 0


if __name__ == "__main__":
    sys.exit(main())
