"""Sendcloud answering a success whose body is not its JSON (a proxy's error page, a garbled answer, the
``data`` missing): a 503 with Retry-After and an Italian message, nothing stored; never a 500 (the fault
drill in resilience/faults_external.py found the 500)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.auth.factories import register
from tests.fakes.server import serve_in_thread
from tests.shipments.factories import label_request, sale_to_ship, shipping_account
from vinted_optimizer.models import Shipment

BODIES = {
    "not JSON": b'{"risposta": [1, 2, "\xff"}!!',
    "no data": b'{"errors": []}',
    "data of the wrong kind": b'{"data": "ok"}',
}


class Garbled:
    """Answers 200 with ``body`` to the operations in ``garbled``; the others as Sendcloud would with
    nothing announced yet (no shipment found, no options)."""

    def __init__(self) -> None:
        self.garbled: set[str] = set()
        self.body = b""
        self.app = Starlette(routes=[Route("/api/v3/{path:path}", self._answer, methods=["GET", "POST"])])

    async def _answer(self, request: Request) -> Response:
        path = request.url.path
        operation = {
            "/api/v3/shipments": "shipments:list",
            "/api/v3/shipments/announce": "announce",
            "/api/v3/shipping-options": "shipping-options",
        }.get(path, path)
        if operation in self.garbled:
            return Response(self.body, media_type="application/json")
        return JSONResponse({"data": []})


@pytest.fixture(scope="module")
def garbled_server() -> Iterator[tuple[Garbled, str]]:
    garbled = Garbled()
    with serve_in_thread(garbled.app) as url:
        yield garbled, url


@pytest.fixture
def garbled(garbled_server: tuple[Garbled, str]) -> Garbled:
    garbled_server[0].garbled = set()
    return garbled_server[0]


@pytest.fixture
def settings_overrides(garbled_server: tuple[Garbled, str]) -> dict[str, object]:
    return {"sendcloud_base_url": garbled_server[1], "sendcloud_timeout_seconds": 1.0}


@pytest.mark.parametrize("kind", list(BODIES))
@pytest.mark.parametrize("operation", ["shipments:list", "announce"])
async def test_a_garbled_answer_to_buying_a_label_is_a_503_and_stores_nothing(
    client, session, garbled: Garbled, operation: str, kind: str
) -> None:
    admin = await register(client)
    await shipping_account(client, admin=admin)  # the keys' check reads no body
    sale = await sale_to_ship(client, member=admin)
    garbled.garbled, garbled.body = {operation}, BODIES[kind]
    response = await client.post("/api/v1/shipments", json=label_request(sale["id"]), headers=admin.headers)
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "10"
    body = response.json()
    assert body["error"] == "upstream_unavailable"
    assert "Sendcloud ha dato una risposta illeggibile" in body["detail"]
    stored = await session.scalars(select(Shipment).where(Shipment.sale_id == sale["id"]))
    assert stored.all() == []


async def test_garbled_shipping_options_are_a_503(client, garbled: Garbled) -> None:
    admin = await register(client)
    await shipping_account(client, admin=admin)
    garbled.garbled, garbled.body = {"shipping-options"}, BODIES["not JSON"]
    response = await client.get("/api/v1/carriers?to_country=IT&weight_kg=1", headers=admin.headers)
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] and "illeggibile" in response.json()["detail"]
