"""Tracing on, into memory, for one test: every span this process ends is in ``spans``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.admin.conftest import root  # noqa: F401 - the instance administrator
from vinted_optimizer.kit import tracing


@pytest.fixture
def spans(engine: AsyncEngine) -> Iterator[InMemorySpanExporter]:
    """Ask for it before ``client``/``resources`` (the app and its HTTP clients are instrumented when
    built). The tests' engine is built once per run, so it is instrumented here."""
    exporter = InMemorySpanExporter()
    assert tracing.setup("api", exporter=exporter)
    tracing.instrument_engine(engine)
    yield exporter
    tracing.uninstall()


def by_name(spans: tuple[ReadableSpan, ...], name: str) -> list[ReadableSpan]:
    return [span for span in spans if span.name == name]
