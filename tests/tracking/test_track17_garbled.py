"""17TRACK answering a success that is not its JSON: the quota endpoint answers 503 (never a 500, never a
made-up quota) and the tracking run ends early as when 17TRACK is down, the parcel left for the next run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.auth.factories import register
from tests.fakes.server import serve_in_thread
from tests.fakes.tracking17 import API_KEY
from tests.tracking.factories import create_shipment
from vinted_optimizer.models import Shipment
from vinted_optimizer.shipments.tasks import follow_parcels

ENVELOPES = {
    "not JSON": b'{"code": 0, "data": [1, 2, "\xff"}!!',
    "data a list": json.dumps({"code": 0, "data": [1, 2]}).encode(),
    "data a string": json.dumps({"code": 0, "data": "ok"}).encode(),
}
QUOTA_WITHOUT_COUNTS = json.dumps({"code": 0, "data": {"quota_total": "molti"}}).encode()


class Garbled:
    def __init__(self) -> None:
        self.body = b""
        self.app = Starlette(routes=[Route("/track/v2.2/{operation}", self._answer, methods=["POST"])])

    async def _answer(self, request: Request) -> Response:
        return Response(self.body, media_type="application/json")


@pytest.fixture(scope="module")
def garbled_server() -> Iterator[tuple[Garbled, str]]:
    garbled = Garbled()
    with serve_in_thread(garbled.app) as url:
        yield garbled, url


@pytest.fixture
def settings_overrides(garbled_server: tuple[Garbled, str]) -> dict[str, object]:
    return {"track17_api_key": API_KEY, "track17_base_url": garbled_server[1]}


@pytest.mark.parametrize("body", [*ENVELOPES.values(), QUOTA_WITHOUT_COUNTS], ids=[*ENVELOPES, "no counts"])
async def test_a_garbled_quota_is_a_503(client, garbled_server: tuple[Garbled, str], body: bytes) -> None:
    garbled_server[0].body = body
    admin = await register(client)
    answer = await client.get("/api/v1/shipments/tracking/quota", headers=admin.headers)
    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == "60"
    assert answer.json()["error"] == "upstream_unavailable" and "17TRACK" in answer.json()["detail"]


@pytest.mark.parametrize("body", list(ENVELOPES.values()), ids=list(ENVELOPES))
async def test_a_garbled_answer_ends_the_run_and_leaves_the_parcel_for_the_next(
    client, session, resources, garbled_server: tuple[Garbled, str], body: bytes
) -> None:
    garbled_server[0].body = body
    member = await register(client)
    _, shipment = await create_shipment(client, session, member=member)
    report: dict[str, Any] = await follow_parcels({"resources": resources})
    assert report["stopped"].startswith("unavailable: register"), report
    row = await session.get(Shipment, shipment.id, populate_existing=True)
    assert row is not None and row.track17_registered_at is None and row.track17_error is None
