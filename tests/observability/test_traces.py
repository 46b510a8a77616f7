"""One trace from an upload through the analysis job to the AI service's /analyze, SQL spans in it, the
request id on the request's span."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from pydantic import SecretStr

from tests.ai.factories import SERVICE_TOKEN
from tests.auth.factories import register
from tests.fakes.ollama import FakeOllama
from tests.fakes.server import serve_in_thread
from tests.images.factories import photo, upload
from tests.listings.factories import get_listing
from tests.observability.conftest import by_name
from tests.support.worker import run_jobs
from vinted_optimizer.ai.app import create_ai_app
from vinted_optimizer.ai.client import HttpAIClient
from vinted_optimizer.config import Environment, Settings
from vinted_optimizer.listings.analysis import ANALYZE_JOB


@pytest.fixture
def ai_service_url(
    spans: InMemorySpanExporter, fake_ollama_server: tuple[FakeOllama, str], tmp_path: Path
) -> Iterator[str]:
    """The AI service as its own app on a loopback port (built with tracing on), against the fake Ollama."""
    settings = Settings(
        environment=Environment.test,
        process="ai-service",
        data_dir=tmp_path / "ai",
        ollama_url=fake_ollama_server[1],
        ollama_vision_model="moondream",
        ollama_embed_model="nomic-embed-text:v1.5",
        ollama_timeout_seconds=5.0,
        service_token=SecretStr(SERVICE_TOKEN),
    )
    with serve_in_thread(create_ai_app(settings), lifespan=True) as url:
        yield url


@pytest.fixture
def settings_overrides(ai_service_url: str) -> dict[str, object]:
    return {"ai_service_url": ai_service_url, "service_token": SecretStr(SERVICE_TOKEN)}


async def test_one_trace_from_the_upload_through_the_job_to_the_ai_service(
    spans: InMemorySpanExporter, client, resources, fake_ollama: FakeOllama
) -> None:
    assert isinstance(resources.ai, HttpAIClient)  # over HTTP, as in the split deployment
    member = await register(client)
    spans.clear()
    response = await upload(client, member=member, files=[("giacca.jpg", photo(seed=31))])
    assert response.status_code == 201, response.text
    request_id = response.headers["X-Request-ID"]
    assert await run_jobs(resources) >= 1
    listing = await get_listing(client, member=member, listing_id=response.json()["listing"]["id"])
    assert listing["analysis_status"] == "done"

    finished = spans.get_finished_spans()
    (upload_span,) = [
        span
        for span in finished
        if span.kind is SpanKind.SERVER and span.attributes.get("http.route") == "/api/v1/images/upload"
    ]
    trace_id = upload_span.context.trace_id
    assert upload_span.attributes["http.request.id"] == request_id
    assert upload_span.attributes["http.response.status_code"] == 201

    (enqueue,) = by_name(finished, f"enqueue {ANALYZE_JOB}")
    (job,) = by_name(finished, f"job {ANALYZE_JOB}")
    assert enqueue.context.trace_id == job.context.trace_id == trace_id
    assert job.parent is not None and job.parent.span_id == enqueue.context.span_id
    assert job.kind is SpanKind.CONSUMER and job.attributes["job.name"] == ANALYZE_JOB

    # The worker's call (httpx, client span) and the AI service's answer (its FastAPI, server span).
    (call,) = [s for s in finished if s.kind is SpanKind.CLIENT and _url(s).endswith("/analyze")]
    assert call.context.trace_id == trace_id
    (analyze,) = [
        s for s in finished if s.kind is SpanKind.SERVER and s.attributes.get("http.route") == "/analyze"
    ]
    assert analyze.context.trace_id == trace_id
    assert analyze.parent is not None and analyze.parent.span_id == call.context.span_id
    assert call.parent is not None and _ancestor(finished, call, job.context.span_id)
    # The AI service's own calls to Ollama are in it too.
    ollama = [s for s in finished if s.kind is SpanKind.CLIENT and _url(s).endswith("/api/generate")]
    assert ollama and all(s.context.trace_id == trace_id for s in ollama)

    # SQL: the upload's inserts under the request, the job's reads and updates under the job.
    sql = [
        s
        for s in finished
        if s.attributes.get("db.system") == "postgresql" or s.attributes.get("db.system.name") == "postgresql"
    ]
    assert any(
        s.name.startswith("INSERT") and _ancestor(finished, s, upload_span.context.span_id) for s in sql
    )
    assert any(s.name.startswith("UPDATE") and _ancestor(finished, s, job.context.span_id) for s in sql)


def _url(span) -> str:  # noqa: ANN001 - the stable or the older HTTP conventions
    return str(span.attributes.get("url.full") or span.attributes.get("http.url") or "")


def _ancestor(finished, span, ancestor_id: int) -> bool:  # noqa: ANN001
    by_id = {s.context.span_id: s for s in finished}
    parent = span.parent
    while parent is not None:
        if parent.span_id == ancestor_id:
            return True
        above = by_id.get(parent.span_id)
        parent = above.parent if above is not None else None
    return False
