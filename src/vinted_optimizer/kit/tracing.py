"""OpenTelemetry traces, one tracer provider per process (``service.name``: api, worker, ai-service,
scraper-service or serve).

Off unless an OTLP endpoint is configured (``VO_OTEL_EXPORTER_OTLP_ENDPOINT``, or the standard
``OTEL_EXPORTER_OTLP_ENDPOINT``): then spans go by OTLP/HTTP (protobuf) to ``<endpoint>/v1/traces`` in
batches. Off, nothing is instrumented: FastAPI's native telemetry stays disabled (it would otherwise look
up the global providers on every request), the engines and HTTP clients are left as they are, and the
request path pays one read of a module global (``active()``).

What is traced when on:
- every request of the four apps (FastAPI's own telemetry, given this provider: it continues a
  ``traceparent`` it receives), with the request id as an attribute (kit.middleware);
- every SQL statement of a SQLAlchemy engine made by ``kit.db.create_engine`` (the read pool's raw
  asyncpg queries are not);
- every call of the httpx clients the code builds (AI and scraper services, Ollama, Sendcloud,
  17TRACK): ``traceparent`` goes with them, so the AI service's span joins the caller's trace;
- every job (kit.queue carries the enqueuing context in the job's kwargs; worker.py opens a span for the
  job as its child).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace

if TYPE_CHECKING:
    import httpx
    from fastapi.telemetry import TelemetryConfig
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from sqlalchemy.ext.asyncio import AsyncEngine

ENDPOINT_VARIABLES = ("VO_OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
SERVICE_NAMES = frozenset({"api", "worker", "ai-service", "scraper-service", "serve"})
# The key of a job's kwargs that carries the enqueuing request's trace context (W3C traceparent).
JOB_CONTEXT_KEY = "trace"

_provider: TracerProvider | None = None
_tracer: trace.Tracer | None = None


def checked_endpoint(value: str, name: str) -> str:
    """``value`` if it is an http(s) URL with a host, else ValueError naming the setting."""
    value = value.strip()
    parsed = urlsplit(value)
    try:
        parsed.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as error:
        raise ValueError(f"{name} has an invalid port") from error
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ValueError(f"{name} must be an http(s) URL such as http://localhost:4318")
    return value


def endpoint_from_environment(environ: Mapping[str, str] | None = None) -> str | None:
    """The first of ``ENDPOINT_VARIABLES`` set, checked (ValueError naming it when malformed)."""
    environ = os.environ if environ is None else environ
    for name in ENDPOINT_VARIABLES:
        value = environ.get(name, "").strip()
        if value:
            return checked_endpoint(value, name)
    return None


def traces_url(endpoint: str) -> str:
    """OTLP/HTTP's rule: the base endpoint gets ``/v1/traces``; a URL already ending so is kept."""
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith("/v1/traces") else endpoint + "/v1/traces"


def setup(service: str, *, endpoint: str | None = None, exporter: SpanExporter | None = None) -> bool:
    """Configure this process's tracing: OTLP/HTTP to ``endpoint`` (default: the environment's), or
    ``exporter`` (tests: an in-memory one, exported at once). Nothing, and False, when neither is given."""
    if service not in SERVICE_NAMES:
        raise ValueError(f"unknown service name {service!r}")
    endpoint = endpoint or endpoint_from_environment()
    if exporter is None and endpoint is None:
        return False
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    from vinted_optimizer import __version__

    provider = TracerProvider(
        resource=Resource.create({"service.name": service, "service.version": __version__})
    )
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        assert endpoint is not None
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=traces_url(endpoint))))
    install(provider)
    return True


def install(provider: TracerProvider) -> None:
    """Make ``provider`` this process's (what is built from now on is instrumented with it)."""
    global _provider, _tracer
    _provider = provider
    _tracer = provider.get_tracer("vinted_optimizer")


def uninstall() -> None:
    """Back to off (tests); the provider is flushed and shut down."""
    global _provider, _tracer
    provider, _provider, _tracer = _provider, None, None
    if provider is not None:
        provider.shutdown()
        from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

        EngineTracer.remove_all_event_listeners()  # type: ignore[no-untyped-call] # the engines instrumented


def shutdown() -> None:
    """Flush what is batched (end of the process)."""
    if _provider is not None:
        _provider.force_flush(timeout_millis=5000)


def active() -> bool:
    return _provider is not None


def provider() -> TracerProvider | None:
    return _provider


def fastapi_telemetry() -> TelemetryConfig:
    """The ``telemetry`` of a FastAPI app: its native request spans with this process's provider when on;
    all off otherwise (no per-request look-up of the global providers)."""
    if _provider is None:
        return {"tracing": False, "metrics": False, "logs": False}
    return {
        "tracer_provider": _provider,
        "tracing": True,
        "metrics": False,
        "logs": False,
        "operation_spans": False,
        "auto_configure": False,
    }


def instrument_engine(engine: AsyncEngine) -> None:
    """A span per SQL statement of ``engine`` (when on)."""
    if _provider is None:
        return
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.instrumentation.sqlalchemy.version import __version__ as version
    from opentelemetry.metrics import NoOpMeterProvider

    tracer = _provider.get_tracer("opentelemetry.instrumentation.sqlalchemy", version)
    usage = NoOpMeterProvider().get_meter("sqlalchemy").create_up_down_counter("db.client.connections.usage")
    EngineTracer(tracer, engine.sync_engine, usage)  # type: ignore[no-untyped-call]


def instrument_httpx(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """A client span per request of ``client``, with ``traceparent`` injected (when on)."""
    if _provider is not None:
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        HTTPXClientInstrumentor.instrument_client(client, tracer_provider=_provider)
    return client


def current_ids() -> tuple[str, str] | None:
    """The current span's trace and span ids (hex), or None outside a span."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


def set_attribute(name: str, value: str) -> None:
    if _provider is not None:
        trace.get_current_span().set_attribute(name, value)


def job_carrier() -> dict[str, str]:
    """The current trace context as a job's carrier (empty when off or outside a span)."""
    if _provider is None:
        return {}
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@contextmanager
def _job_span(name: str, carrier: Mapping[str, str] | None, attributes: Mapping[str, Any]) -> Iterator[None]:
    assert _tracer is not None
    parent = propagate.extract(dict(carrier)) if carrier else otel_context.Context()
    with _tracer.start_as_current_span(
        f"job {name}", context=parent, kind=trace.SpanKind.CONSUMER, attributes=dict(attributes)
    ):
        yield


def job_span(
    name: str, carrier: Mapping[str, str] | None, attributes: Mapping[str, Any]
) -> AbstractContextManager[None]:
    """The span of one run of a job, child of the context it was enqueued in (a new trace without)."""
    if _tracer is None:
        return nullcontext()
    return _job_span(name, carrier, attributes)


def enqueue_span(name: str) -> AbstractContextManager[Any]:
    """A producer span around an enqueue (when on), so the job's span hangs under it."""
    if _tracer is None:
        return nullcontext()
    return _tracer.start_as_current_span(f"enqueue {name}", kind=trace.SpanKind.PRODUCER)


def add_trace_ids(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: the current span's ``trace_id`` and ``span_id`` on every log line."""
    ids = current_ids()
    if ids is not None:
        event.setdefault("trace_id", ids[0])
        event.setdefault("span_id", ids[1])
    return event
