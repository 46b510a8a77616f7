"""`make resilience`: the long abuse and fault drill, against a real `serve`.

0. The token, cross-family, malformed-value and upload attacks over every endpoint of the route table
   (resilience/attacks.py).
1. Schemathesis over the whole OpenAPI document, as a member and anonymously, many more examples than
   the bounded run in `make test` (tests/hardening/test_schemathesis.py).
2. The fault drill of tests/hardening/test_faults.py, several rounds: SIGKILL the embedded Redis, then
   PostgreSQL, under a client loop, and let `serve` bring them back.
3. The external dependencies' faults (resilience/faults.py): Ollama behind a TCP fault proxy down,
   slow and answering garbage while drafts are uploaded; each must stay pending with an Italian error and
   be analysed by the worker's own retry once the fault is removed (about two minutes: the first retry
   is a minute after the failure).
4. The home services' faults (resilience/faults_home.py): the split deployment's four processes, the
   AI service and the scraper service each behind a TCP fault proxy down, slow and answering garbage
   while a member uploads, asks the assistant, publishes, syncs the sales, opens the market panel and
   refreshes the trends; each must answer below 500 in a clear state (pending, queued, a 503 with
   Retry-After, an Italian error that names the fault rightly) and recover once the fault is removed,
   the jobs by the worker's own retries (about two and a half minutes).
5. The outside services' faults (resilience/faults_external.py): Sendcloud, 17TRACK and the Vinted
   stand-in each behind a TCP fault proxy down, slow and answering garbage while a member buys a label,
   follows a parcel (and asks the registrations left) and publishes a listing; each answer must be a
   clear state (a 503 with Retry-After, a 502, a queued or pending 2xx; never a 500) with an Italian
   message, and the feature must come back once the fault is removed: by itself (the publish job's
   retry, the next tracking poll) or when the member tries again (said in the row). About two minutes.
6. The accessibility tour of tests/e2e/test_accessibility.py on every viewport (desktop and phone;
   `make test` tours the phone only), through pytest.

Prints: requests tried, 5xx count, schema violations, faults injected, the recovery time of each, rows
lost, the accessibility tour's outcome. Exits non-zero if any of 5xx, violations or lost rows is not zero,
a server did not recover, or the tour failed.

    make resilience                       # defaults below
    RESILIENCE_EXAMPLES=500 RESILIENCE_ROUNDS=5 make resilience
    RESILIENCE_PARTS=attacks,faults make resilience  # attacks fuzz faults external home services a11y
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

from resilience.attacks import UPLOAD_LIMIT, AttackReport, run_attacks  # noqa: E402
from resilience.faults import FaultReport, drill_ai, fake_ollama_behind_proxy  # noqa: E402
from resilience.faults_external import run_external_faults  # noqa: E402
from resilience.faults_home import run_home_faults  # noqa: E402
from tests.auth.factories import DEFAULT_PASSWORD  # noqa: E402
from tests.hardening.test_schemathesis import FUZZ_ENV  # noqa: E402
from tests.support.drill import run_fault_drill  # noqa: E402
from tests.support.fuzz import run_schemathesis  # noqa: E402
from tests.support.serve import running_serve  # noqa: E402

EXAMPLES = int(os.environ.get("RESILIENCE_EXAMPLES", "100"))
ROUNDS = int(os.environ.get("RESILIENCE_ROUNDS", "3"))
SEED = int(os.environ.get("RESILIENCE_SEED", "20261202"))
A11Y_TEST = "tests/e2e/test_accessibility.py"
PARTS = set(os.environ.get("RESILIENCE_PARTS", "attacks,fuzz,faults,external,home,services,a11y").split(","))


def _secret(data_dir: Path) -> str:
    for line in (data_dir / "secrets.env").read_text().splitlines():
        if line.startswith("VO_JWT_SECRET="):
            return line.split("=", 1)[1]
    raise LookupError("no JWT secret in the serve's data folder")


def attacks(work: Path) -> AttackReport:
    with running_serve(
        work / "attack-serve.log",
        VO_RATE_LIMIT_IP="1000000/minute",
        VO_RATE_LIMIT_USER="1000000/minute",
        VO_OLLAMA_URL="http://127.0.0.1:9",
        VO_REGISTRATION="open",
        VO_MAX_UPLOAD_BYTES=str(UPLOAD_LIMIT),
    ) as server:
        return run_attacks(server.url, _secret(server.data_dir))


def fault_rows(title: str, report: FaultReport, seconds: float) -> list[tuple[str, str]]:
    """One row for the count, then one per outcome: the answer, the state, the error, the recovery."""
    rows = [(f"{title} injected / survived", f"{report.injected} / {report.survived} ({seconds:.0f} s)")]
    for outcome in report.outcomes:
        recovered = (
            f"back {outcome.recovered_after} s after"
            if outcome.recovered_after is not None
            else "NOT RECOVERED"
        )
        note = f", {outcome.note}" if outcome.note else ""
        rows.append(
            (
                f"{outcome.dependency} {outcome.mode}",
                f"{'' if outcome.survived else 'NOT SURVIVED: '}answer {outcome.answer}, "
                f"{outcome.state or 'NO CLEAR STATE'} ({outcome.error}); {recovered}{note}",
            )
        )
    return rows


def main() -> int:  # noqa: C901, PLR0912, PLR0915 - one summary of seven parts
    work = Path(tempfile.mkdtemp(prefix="vo-resilience-"))
    print(
        f"resilience: parts {sorted(PARTS)}, {EXAMPLES} examples per operation, {ROUNDS} fault rounds, "
        f"seed {SEED}; logs in {work}"
    )
    rows: list[tuple[str, str]] = []
    failed = False
    tail: list[str] = []

    if "attacks" in PARTS:
        started = time.monotonic()
        attack = attacks(work)
        seconds = time.monotonic() - started
        rows.append(("attacks tried / refused", f"{attack.tried} / {attack.refused} ({seconds:.0f} s)"))
        rows.append(("public routes called anonymously", str(attack.public_routes)))
        for kind, (tried, refused) in attack.by_kind.items():
            rows.append((f"attack: {kind}", f"{refused} of {tried} {attack.verb(kind)}"))
        rows.append(("attack failures (5xx, 2xx, leaks)", f"{len(attack.failures)} {attack.failures or ''}"))
        failed = failed or bool(attack.failures)

    if "fuzz" in PARTS:
        started = time.monotonic()
        with running_serve(work / "fuzz-serve.log", **FUZZ_ENV) as server:
            fuzz = run_schemathesis(
                server.url, work / "st", password=DEFAULT_PASSWORD, max_examples=EXAMPLES, seed=SEED
            )
        fuzz_seconds = time.monotonic() - started
        passes = "+".join(fuzz.passes)
        rows.append(
            (
                f"generated requests ({passes})",
                f"{fuzz.requests} ({fuzz.test_cases} cases, {fuzz_seconds:.0f} s)",
            )
        )
        rows.append(("5xx answers to generated requests", str(fuzz.server_errors)))
        rows.append(("schema, status or header violations", f"{len(fuzz.failures)} {fuzz.failures or ''}"))
        rows.append(("status codes seen", str(dict(sorted(fuzz.statuses.items())))))
        if fuzz.server_errors or fuzz.failures:
            failed = True
            tail.append("the schemathesis output's end:\n" + fuzz.output[-4000:])

    if "faults" in PARTS:
        faults = []
        created: dict[str, int] = {}
        lost: dict[str, int] = {}
        revoked_accepted = 0
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
                for kind, ids in report.committed().items():
                    created[kind] = created.get(kind, 0) + len(ids)
                for kind, ids in report.lost().items():
                    lost[kind] = lost.get(kind, 0) + len(ids)
                revoked_accepted += report.revoked_token_accepted
                for status, count in report.statuses.items():
                    statuses[status] = statuses.get(status, 0) + count
        drill_seconds = time.monotonic() - started
        unexpected = {status: count for status, count in statuses.items() if status not in (201, 503)}
        rows.append(("faults injected (SIGKILL)", f"{len(faults)} ({drill_seconds:.0f} s)"))
        for index, fault in enumerate(faults, 1):
            recovered = (
                f"{fault.recovered_after:.2f} s" if fault.recovered_after is not None else "NOT RECOVERED"
            )
            rows.append((f"fault {index}: {fault.server}", f"recovered in {recovered}"))
        survived = sum(fault.recovered_after is not None for fault in faults)
        rows.append(("faults survived", f"{survived} of {len(faults)}"))
        rows.append(
            ("requests during the drill", f"{sum(statuses.values())} {dict(sorted(statuses.items()))}")
        )
        rows.append(("answers other than 201 and 503", f"{sum(unexpected.values())} {unexpected or ''}"))
        for kind in created:
            rows.append((f"{kind} committed (2xx) / lost", f"{created[kind]} / {lost.get(kind, 0)}"))
        rows.append(("rows lost", str(sum(lost.values()))))
        rows.append(("logged-out token let in", str(revoked_accepted)))
        failed = failed or bool(
            sum(lost.values()) or unexpected or revoked_accepted or survived < len(faults)
        )

    if "external" in PARTS:
        started = time.monotonic()
        with (
            fake_ollama_behind_proxy(hold=6) as proxy,
            running_serve(
                work / "external-serve.log",
                VO_RATE_LIMIT_IP="1000000/minute",
                VO_RATE_LIMIT_USER="1000000/minute",
                VO_REGISTRATION="open",
                VO_OLLAMA_URL=proxy.url,
                VO_OLLAMA_TIMEOUT_SECONDS="3",
            ) as server,
        ):
            external = drill_ai(server.url, proxy)
        seconds = time.monotonic() - started
        rows.append(
            (
                "external faults injected / survived",
                f"{external.injected} / {external.survived} ({seconds:.0f} s)",
            )
        )
        for outcome in external.outcomes:
            recovered = (
                f"done {outcome.recovered_after} s after" if outcome.recovered_after else "NOT RECOVERED"
            )
            rows.append(
                (
                    f"{outcome.dependency} {outcome.mode}",
                    f"upload {outcome.answer}, {outcome.state or 'NO CLEAR STATE'} "
                    f"({outcome.error}); {recovered}",
                )
            )
        failed = failed or external.survived < external.injected

    if "home" in PARTS:
        started = time.monotonic()
        home = run_home_faults(work)
        rows += fault_rows("home service faults", home, time.monotonic() - started)
        failed = failed or home.survived < home.injected

    if "services" in PARTS:
        started = time.monotonic()
        services = run_external_faults(work)
        rows += fault_rows("outside services' faults", services, time.monotonic() - started)
        failed = failed or services.survived < services.injected

    if "a11y" in PARTS:
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
        rows.append(("accessibility tour, desktop and phone", f"{tour_summary} ({tour_seconds:.0f} s)"))
        if tour.returncode != 0:
            failed = True
            tail.append("the accessibility tour's output's end:\n" + (tour.stdout + tour.stderr)[-6000:])

    print()
    print("| measure | value |")
    print("|---|---|")
    for measure, value in rows:
        print(f"| {measure} | {value} |")
    if failed:
        print("\nRESILIENCE FAILED\n" + "\n\n".join(tail))
        return 1
    print("\nresilience: all clear")
    return 0


if __name__ == "__main__":
    sys.exit(main())
