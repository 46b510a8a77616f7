"""The generated-request run that found 398 of the 421 server errors, now part of `make test`: bounded
and seeded, over the whole OpenAPI document of a real `serve`, as a member and anonymously.

Zero 5xx, zero responses that break their documented schema, status code, content type or headers.
`make resilience` runs it longer.
"""

from __future__ import annotations

import pytest

from tests.auth.factories import DEFAULT_PASSWORD
from tests.support.fuzz import run_schemathesis
from tests.support.serve import running_serve

pytestmark = pytest.mark.slow

# Generous limits: the run is thousands of requests from one address in a minute.
FUZZ_ENV = {
    "VO_RATE_LIMIT_IP": "1000000/minute",
    "VO_RATE_LIMIT_USER": "1000000/minute",
    "VO_RATE_LIMIT_REGISTER": "100000/hour",
    "VO_RATE_LIMIT_LOGIN_FAILURES": "100000/minute",
    "VO_RATE_LIMIT_INVITATIONS": "100000/hour",
    "VO_OLLAMA_URL": "http://127.0.0.1:9",
}


def test_no_generated_request_gets_a_server_error_or_an_undocumented_answer(tmp_path):
    with running_serve(tmp_path / "serve.log", **FUZZ_ENV) as server:
        report = run_schemathesis(
            server.url,
            tmp_path / "st",
            password=DEFAULT_PASSWORD,
            max_examples=12,
            anonymous_examples=4,
            seed=20261202,
        )
        log = server.output()
    assert report.test_cases > 800 and report.requests > 800, report.output
    assert report.server_errors == 0, (report.statuses, report.output, log[-3000:])
    assert report.failures == [], report.output
