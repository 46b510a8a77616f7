"""Schemathesis over the whole OpenAPI document of a real `serve`, as a member and as nobody.

Every check schemathesis has runs (server errors, response schemas, status codes, content types,
headers, 405s and Allow…), except "positive data acceptance": a request that is valid for the schema
but refused by a business rule (a photo order that does not list every photo) is a correct 400, not a
defect. The three operations that end the member's own session (logout, revoking it, deleting the
account) are exercised in the anonymous pass, so the authenticated pass keeps its token.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.images.factories import photo

SESSION_ENDING = ("auth:logout", "auth:revoke_session", "users:delete_me")
ST = Path(sys.executable).with_name("st")


@dataclass
class FuzzReport:
    passes: list[str] = field(default_factory=list)
    test_cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    output: str = ""

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)


def member_with_data(base_url: str, password: str) -> dict[str, str]:
    """The first family's admin, with a listing and a photo, so some ids exist; returns auth headers."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        response = client.post(
            "/api/v1/auth/register",
            json={"email": "fuzz@example.it", "username": "fuzz", "password": password},
        )
        response.raise_for_status()
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        client.post(
            "/api/v1/images/upload", files=[("files", ("a.jpg", photo(), "image/jpeg"))], headers=headers
        ).raise_for_status()
    return headers


def _run_pass(
    name: str,
    base_url: str,
    out: Path,
    *,
    headers: dict[str, str],
    max_examples: int,
    seed: int,
    exclude: tuple[str, ...],
) -> tuple[dict, list[dict], str]:
    report, har = out / f"{name}.json", out / f"{name}.har"
    command = [
        str(ST),
        "run",
        f"{base_url}/api/openapi.json",
        "--checks",
        "all",
        "--exclude-checks",
        "positive_data_acceptance",
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        # One worker: with two threads, CPython 3.11.7's ast.parse (hypothesis describing a filter while
        # schemathesis builds coverage cases) fails with "SystemError: AST constructor recursion depth
        # mismatch", a race in the interpreter, not in the API.
        "--workers",
        "1",
        "--no-color",
        "--generation-database",
        "none",  # no examples remembered between runs: the seed alone decides
        "--request-timeout",
        "30",
        "--report",
        "json,har",
        "--report-json-path",
        str(report),
        "--report-har-path",
        str(har),
    ]
    for header, value in headers.items():
        command += ["-H", f"{header}: {value}"]
    for operation in exclude:
        command += ["--exclude-operation-id", operation]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)  # noqa: S603
    entries = json.loads(har.read_text())["log"]["entries"] if har.exists() else []
    summary = json.loads(report.read_text()) if report.exists() else {"failures": [{"code": "no report"}]}
    return summary, entries, done.stdout + done.stderr


def run_schemathesis(
    base_url: str,
    out: Path,
    *,
    password: str,
    max_examples: int,
    seed: int,
    anonymous_examples: int | None = None,
) -> FuzzReport:
    """A member's pass and an anonymous one (``anonymous_examples``, default ``max_examples``: nearly
    every anonymous answer is the same 401, so fewer examples find as much)."""
    out.mkdir(parents=True, exist_ok=True)
    headers = member_with_data(base_url, password)
    result = FuzzReport()
    for name, pass_headers, exclude, examples in (
        ("member", headers, SESSION_ENDING, max_examples),
        ("anonymous", {}, (), anonymous_examples or max_examples),
    ):
        summary, entries, output = _run_pass(
            name, base_url, out, headers=pass_headers, max_examples=examples, seed=seed, exclude=exclude
        )
        result.passes.append(name)
        result.test_cases += int(summary.get("test_cases", {}).get("generated", 0) or 0)
        result.statuses.update(entry["response"]["status"] for entry in entries)
        result.failures += [
            str(failure.get("code") or failure.get("title") or failure)
            for failure in summary.get("failures", [])
        ]
        result.failures += [f"error: {error}" for error in summary.get("errors", [])]
        result.output += f"--- {name} ---\n{output[-6000:]}\n"
    return result
