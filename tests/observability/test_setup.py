"""Tracing's configuration: off without an endpoint (the apps without FastAPI's telemetry), a malformed
endpoint refused with the setting's name, the OTLP/HTTP exporter posting to the endpoint configured (a
local stand-in collector), and the trace ids in the JSON logs."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
import structlog
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from vinted_optimizer.app import create_app
from vinted_optimizer.config import Settings
from vinted_optimizer.kit import tracing
from vinted_optimizer.kit.logging import configure_logging


def test_off_without_an_endpoint(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in tracing.ENDPOINT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert not tracing.setup("api")
    assert not tracing.active()
    assert tracing.fastapi_telemetry() == {"tracing": False, "metrics": False, "logs": False}
    app = create_app(settings)
    assert not app._native_telemetry.enabled()  # noqa: SLF001 - no per-request look-up of providers
    assert tracing.job_carrier() == {}


def test_a_malformed_endpoint_is_refused_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VO_OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")
    with pytest.raises(ValueError, match="VO_OTEL_EXPORTER_OTLP_ENDPOINT must be an http"):
        tracing.setup("worker")
    with pytest.raises(ValueError, match="VO_OTEL_EXPORTER_OTLP_ENDPOINT"):
        Settings(otel_exporter_otlp_endpoint="ftp://collector")
    with pytest.raises(ValueError, match="unknown service name"):
        tracing.setup("nobody", endpoint="http://127.0.0.1:4318")


class _Collector(BaseHTTPRequestHandler):
    """A stand-in OTLP/HTTP collector: records each POST (path, content type, body)."""

    received: ClassVar[list[tuple[str, str, bytes]]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.received.append((self.path, self.headers.get("Content-Type", ""), body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[tuple[str, list[tuple[str, str, bytes]]]]:
    _Collector.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Collector.received
    server.shutdown()
    server.server_close()


def test_the_otlp_exporter_posts_to_the_configured_endpoint(
    collector: tuple[str, list[tuple[str, str, bytes]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, received = collector
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.setenv("VO_OTEL_EXPORTER_OTLP_ENDPOINT", url + "/")
    assert tracing.setup("worker")
    try:
        with tracing.job_span("listings.analyze", None, {"job.name": "listings.analyze"}):
            ids = tracing.current_ids()
        assert ids is not None
        assert not received  # batched: nothing on the job's path
        tracing.shutdown()  # what the process does at exit
    finally:
        tracing.uninstall()
    assert received, "no OTLP request reached the collector"
    path, content_type, body = received[0]
    assert path == "/v1/traces"
    assert content_type == "application/x-protobuf"
    export = ExportTraceServiceRequest.FromString(body)
    (resource_spans,) = export.resource_spans
    service = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
    assert service["service.name"] == "worker"
    (span,) = [s for scope in resource_spans.scope_spans for s in scope.spans]
    assert span.name == "job listings.analyze"
    assert span.trace_id.hex() == ids[0] and span.span_id.hex() == ids[1]


@pytest.fixture
def json_logs() -> Iterator[None]:
    """The JSON logs of production for one test, then the configuration as it was."""
    saved = structlog.get_config()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("INFO", json=True)
    yield
    structlog.configure(**saved)
    root.handlers[:], root.level = handlers, level


def test_log_lines_carry_the_trace_and_span_ids(json_logs: None, capsys: pytest.CaptureFixture[str]) -> None:
    exporter = InMemorySpanExporter()
    tracing.setup("worker", exporter=exporter)
    log = structlog.get_logger("test")
    try:
        log.info("outside.span")
        with tracing.job_span("listings.analyze", None, {}):
            log.info("inside.span", detail="x")
    finally:
        tracing.uninstall()
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    outside = next(line for line in lines if line["event"] == "outside.span")
    inside = next(line for line in lines if line["event"] == "inside.span")
    assert "trace_id" not in outside
    (span,) = exporter.get_finished_spans()
    assert inside["trace_id"] == format(span.context.trace_id, "032x")
    assert inside["span_id"] == format(span.context.span_id, "016x")
