"""GET /admin/metrics/prometheus: Prometheus's text format (parsed by prometheus_client's own parser),
its figures checked against what the test did, the instance administrator's only."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.auth.factories import register
from vinted_optimizer.kit.metrics import BOUNDS_SECONDS

PATH = "/api/v1/admin/metrics/prometheus"


def _families(text: str) -> dict:
    return {family.name: family for family in text_string_to_metric_families(text)}


def _value(families: dict, name: str, **labels: str) -> float:
    family = families[name]
    for sample in family.samples:
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
            return sample.value
    raise AssertionError(f"no {name} with {labels}")


async def test_the_figures_in_the_text_format(client, root) -> None:  # noqa: ANN001
    member = await register(client, family_name="Famiglia Verde")
    first = await client.get(PATH, headers=root.headers)
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    before = _families(first.text)
    for _ in range(5):
        assert (await client.get("/api/v1/meta")).status_code == 200
    for _ in range(2):
        assert (await client.get(PATH, headers=member.headers)).status_code == 403

    after = _families((await client.get(PATH, headers=root.headers)).text)
    # 5 + 2 refusals + the first scrape (counted once it ended).
    grew = _value(after, "vo_http_requests", window="5m") - _value(before, "vo_http_requests", window="5m")
    assert grew == 8
    assert (
        _value(after, "vo_http_errors", window="5m", **{"class": "4xx"})
        - _value(before, "vo_http_errors", window="5m", **{"class": "4xx"})
        == 2
    )

    histogram = after["vo_http_request_duration_seconds"]
    assert histogram.type == "histogram"
    buckets = [s for s in histogram.samples if s.name.endswith("_bucket")]
    assert [s.labels["le"] for s in buckets] == [*(str(float(b)) for b in BOUNDS_SECONDS), "+Inf"] or [
        float(s.labels["le"]) for s in buckets
    ] == [*BOUNDS_SECONDS, float("inf")]
    counts = [s.value for s in buckets]
    assert counts == sorted(counts)  # cumulative
    count = next(s.value for s in histogram.samples if s.name.endswith("_count"))
    assert counts[-1] == count == _value(after, "vo_http_requests", window="60m")

    assert _value(after, "vo_part_up", part="requests") == 1
    assert _value(after, "vo_part_up", part="database") == 1
    assert _value(after, "vo_database_size_bytes") > 1_000_000
    assert _value(after, "vo_queue_jobs", queue="vo", state="queued") >= 0
    # The tests' AI is down (nothing listens at its Ollama), which the figures say rather than fail.
    assert _value(after, "vo_ai_ollama_reachable") == 0


async def test_a_family_admin_is_refused(client) -> None:  # noqa: ANN001
    admin = await register(client, family_name="Famiglia Rossa")
    assert (await client.get(PATH, headers=admin.headers)).status_code == 403
    assert (await client.get(PATH)).status_code == 401
