"""Pins the Sendcloud stand-in to shared/contracts/sendcloud.md, over a real socket with httpx.

The next session's shipping client is written against this fake; these tests keep it speaking Sendcloud
v3: Basic auth, JSON:API errors with field pointers, the label bought even when the answer is lost, the
rate limits with ``Retry-After``, and webhook signatures recomputed here from the contract's definition.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import io
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from PIL import Image, PdfParser
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.limits import ManualClock
from tests.fakes.sendcloud import (
    PUBLIC_KEY,
    SECRET_KEY,
    WEBHOOK_SECRET,
    FakeSendcloud,
    Reply,
    error,
    post_webhook,
    sign_webhook,
)
from tests.fakes.server import serve_in_thread

ADDRESS_TO = {
    "name": "Giulia Bianchi",
    "address_line_1": "Via Appia Nuova",
    "house_number": "12",
    "postal_code": "00184",
    "city": "Roma",
    "country_code": "IT",
    "email": "giulia@example.it",
}
ADDRESS_FROM = {
    "name": "Famiglia Rossi",
    "address_line_1": "Corso Buenos Aires",
    "house_number": "3",
    "postal_code": "20124",
    "city": "Milano",
    "country_code": "IT",
}


def announce_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "to_address": copy.deepcopy(ADDRESS_TO),
        "from_address": copy.deepcopy(ADDRESS_FROM),
        "ship_with": {"type": "shipping_option_code", "properties": {"shipping_option_code": "brt:standard"}},
        "parcels": [{"weight": {"value": "1.320", "unit": "kg"}}],
        "label_details": {"mime_type": "application/pdf", "dpi": 72},
        "order_number": "VO-SALE-42",
        "external_reference": "sale-42",
    }
    body.update(overrides)
    return body


@pytest.fixture
async def api(
    fake_sendcloud_server: tuple[FakeSendcloud, str], fake_sendcloud: FakeSendcloud
) -> AsyncIterator[httpx.AsyncClient]:
    url = fake_sendcloud_server[1]
    async with httpx.AsyncClient(
        base_url=f"{url}/api/v3", auth=(PUBLIC_KEY, SECRET_KEY), timeout=10
    ) as client:
        yield client


async def client_post_with_header(url: str, authorization: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(url, json=announce_body(), headers={"Authorization": authorization})


def pointers(response: httpx.Response) -> set[str]:
    return {item["source"]["pointer"] for item in response.json()["errors"]}


def assert_pdf(data: bytes) -> None:
    """Parsed by Pillow's PDF reader, which follows the xref offsets to each object: one A6 page."""
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    parser = PdfParser.PdfParser(buf=data)
    assert len(parser.pages) == 1
    page = parser.read_indirect(parser.pages[0])
    assert page[b"MediaBox"] == [0, 0, 297.64, 419.53]


async def test_wrong_or_missing_keys_are_401_in_json_api_shape(
    fake_sendcloud_server: tuple[FakeSendcloud, str], fake_sendcloud: FakeSendcloud
) -> None:
    url = f"{fake_sendcloud_server[1]}/api/v3/shipments/announce"
    async with httpx.AsyncClient(timeout=10) as client:
        wrong = await client.post(url, json=announce_body(), auth=(PUBLIC_KEY, "not-the-secret"))
        missing = await client.post(url, json=announce_body())
        bearer = await client.post(
            url, json=announce_body(), headers={"Authorization": f"Bearer {SECRET_KEY}"}
        )
    garbage = await client_post_with_header(url, "Basic " + base64.b64encode("è:é".encode()).decode())
    for response in (wrong, missing, bearer, garbage):
        assert response.status_code == 401
        assert response.json() == {
            "errors": [{"status": "401", "code": "unauthorized", "detail": "Invalid username/password."}]
        }
    assert fake_sendcloud.labels_bought == {}
    assert fake_sendcloud.shipments == {}


async def test_shipping_options_list_carriers_with_prices_for_the_parcel(api: httpx.AsyncClient) -> None:
    body = {
        "from_address": {"country_code": "IT", "postal_code": "20124"},
        "to_address": {"country_code": "IT", "postal_code": "00184"},
        "parcels": [
            {
                "weight": {"value": "1320", "unit": "g"},
                "dimensions": {"length": "30", "width": "20", "height": "10", "unit": "cm"},
            }
        ],
        "calculate_quotes": True,
    }
    response = await api.post("/shipping-options", json=body)
    assert response.status_code == 200
    options = {option["code"]: option for option in response.json()["data"]}
    assert set(options) == {"poste_italiane:crono/home_address_only", "brt:standard", "dhl_parcel:europlus"}
    brt = options["brt:standard"]
    assert brt["carrier"] == {"code": "brt", "name": "BRT"}
    assert brt["quotes"][0]["price"]["total"] == {"value": "6.49", "currency": "EUR"}
    assert options["poste_italiane:crono/home_address_only"]["quotes"][0]["price"]["total"]["value"] == "6.90"

    abroad = await api.post("/shipping-options", json={**body, "to_address": {"country_code": "DE"}})
    assert [option["code"] for option in abroad.json()["data"]] == ["dhl_parcel:europlus"]

    heavy = {**body, "parcels": [{"weight": {"value": "30", "unit": "kg"}}]}
    assert [
        option["code"] for option in (await api.post("/shipping-options", json=heavy)).json()["data"]
    ] == ["dhl_parcel:europlus"]

    unquoted = await api.post("/shipping-options", json={**body, "calculate_quotes": False})
    assert all(option["quotes"] is None for option in unquoted.json()["data"])

    none = await api.post("/shipping-options", json={**body, "to_address": {"country_code": "US"}})
    assert none.status_code == 200
    assert none.json()["data"] == [] and "couldn't find any shipping options" in none.json()["message"]


async def test_shipping_options_validation_errors_point_at_the_field(api: httpx.AsyncClient) -> None:
    mixed = await api.post(
        "/shipping-options", json={"from_address": {"country_code": "IT"}, "from_country_code": "IT"}
    )
    assert mixed.status_code == 400 and pointers(mixed) == {"/from_address"}
    bad_weight = await api.post(
        "/shipping-options", json={"parcels": [{"weight": {"value": "-1", "unit": "kg"}}]}
    )
    assert bad_weight.status_code == 400
    assert bad_weight.json()["errors"] == [
        {"status": "400", "code": "invalid", "detail": "A positive decimal number is required.",
         "source": {"pointer": "/parcels/0/weight/value"}}
    ]  # fmt: skip


async def test_announce_buys_one_label_and_answers_tracking_carrier_price(
    api: httpx.AsyncClient, fake_sendcloud: FakeSendcloud
) -> None:
    response = await api.post("/shipments/announce", json=announce_body())
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["order_number"] == "VO-SALE-42" and data["external_reference"] == "sale-42"
    assert data["carrier"] == {"code": "brt", "name": "BRT"}
    assert data["price"] == {"value": "6.49", "currency": "EUR"}
    [parcel] = data["parcels"]
    assert isinstance(parcel["id"], int)
    assert parcel["status"] == {"code": "READY_TO_SEND", "message": "Ready to send"}
    assert parcel["tracking_number"] and f"code={parcel['tracking_number']}" in parcel["tracking_url"]
    assert parcel["documents"] == [
        {
            "type": "label",
            "size": "a6",
            "link": f"{str(api.base_url).rstrip('/')}/parcels/{parcel['id']}/documents/label",
        }
    ]
    label = base64.b64decode(data["label_file"], validate=True)
    assert_pdf(label)
    assert parcel["tracking_number"].encode() in label
    assert fake_sendcloud.labels_bought == {"VO-SALE-42": 1}

    [call] = fake_sendcloud.calls_to("POST", "/api/v3/shipments/announce")
    expected = "Basic " + base64.b64encode(f"{PUBLIC_KEY}:{SECRET_KEY}".encode()).decode()
    assert call.headers["authorization"] == expected
    assert call.json == announce_body()


async def test_announce_validation_errors_name_every_missing_field(
    api: httpx.AsyncClient, fake_sendcloud: FakeSendcloud
) -> None:
    body = announce_body(
        parcels=[{"weight": {"value": "abc", "unit": "stone"}}], label_details={"mime_type": "text/html"}
    )
    del body["to_address"]["name"], body["from_address"]["house_number"], body["order_number"]
    body["ship_with"]["properties"] = {}
    response = await api.post("/shipments/announce", json=body)
    assert response.status_code == 400
    assert pointers(response) == {
        "/to_address/name",
        "/from_address/house_number",
        "/ship_with/properties/shipping_option_code",
        "/parcels/0/weight/unit",
        "/parcels/0/weight/value",
        "/label_details/mime_type",
        "/order_number",
    }
    assert {item["code"] for item in response.json()["errors"]} <= {"required", "invalid", "invalid_choice"}
    assert all(item["status"] == "400" for item in response.json()["errors"])
    not_json = await api.post(
        "/shipments/announce", content=b"[1, 2]", headers={"Content-Type": "application/json"}
    )
    assert not_json.status_code == 400 and not_json.json()["errors"][0]["code"] == "parse_error"
    assert fake_sendcloud.labels_bought == {}


async def test_announce_422_for_an_option_that_cannot_carry_the_parcel(
    api: httpx.AsyncClient, fake_sendcloud: FakeSendcloud
) -> None:
    unknown = await api.post(
        "/shipments/announce",
        json=announce_body(
            ship_with={"type": "shipping_option_code", "properties": {"shipping_option_code": "ups:nope"}}
        ),
    )
    assert unknown.status_code == 422 and pointers(unknown) == {"/ship_with/properties/shipping_option_code"}
    overweight = await api.post(
        "/shipments/announce", json=announce_body(parcels=[{"weight": {"value": "26", "unit": "kg"}}])
    )
    assert overweight.status_code == 422 and pointers(overweight) == {"/parcels/0/weight/value"}
    poste = {
        "type": "shipping_option_code",
        "properties": {"shipping_option_code": "poste_italiane:crono/home_address_only"},
    }
    zpl = await api.post(
        "/shipments/announce",
        json=announce_body(ship_with=poste, label_details={"mime_type": "application/zpl"}),
    )
    assert zpl.status_code == 422 and pointers(zpl) == {"/label_details/mime_type"}
    abroad = await api.post(
        "/shipments/announce", json=announce_body(to_address={**ADDRESS_TO, "country_code": "DE"})
    )
    assert abroad.status_code == 422 and pointers(abroad) == {"/to_address/country_code"}
    assert fake_sendcloud.labels_bought == {}


async def test_announce_412_when_the_account_is_not_configured(
    api: httpx.AsyncClient, fake_sendcloud: FakeSendcloud
) -> None:
    fake_sendcloud.account_configured = False
    response = await api.post("/shipments/announce", json=announce_body())
    assert response.status_code == 412
    assert response.json()["errors"][0]["status"] == "412"
    assert response.json()["errors"][0]["code"] == "precondition_failed"
    assert fake_sendcloud.shipments == {}


async def test_shipments_are_found_by_order_number_and_external_reference(api: httpx.AsyncClient) -> None:
    first = (await api.post("/shipments/announce", json=announce_body())).json()["data"]
    await api.post(
        "/shipments/announce", json=announce_body(order_number="VO-SALE-43", external_reference="sale-43")
    )

    by_order = await api.get("/shipments", params={"order_number": "VO-SALE-42"})
    assert by_order.status_code == 200
    [found] = by_order.json()["data"]
    assert found["id"] == first["id"]
    assert found["parcels"][0]["tracking_number"] == first["parcels"][0]["tracking_number"]
    assert "label_file" not in found
    by_reference = await api.get("/shipments", params={"external_reference": "sale-43"})
    assert [s["order_number"] for s in by_reference.json()["data"]] == ["VO-SALE-43"]
    tracking = first["parcels"][0]["tracking_number"]
    assert [
        s["id"] for s in (await api.get("/shipments", params={"tracking_number": tracking})).json()["data"]
    ] == [first["id"]]
    assert (await api.get("/shipments", params={"order_number": "VO-SALE-99"})).json() == {"data": []}

    typo = await api.get("/shipments", params={"order_nr": "VO-SALE-42"})
    assert typo.status_code == 400
    assert typo.json()["errors"][0]["source"] == {"parameter": "order_nr"}

    one = await api.get(f"/shipments/{first['id']}")
    assert one.status_code == 200 and one.json()["data"]["id"] == first["id"]
    missing = await api.get("/shipments/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json()["errors"][0]["status"] == "404"


async def test_label_document_as_pdf_zpl_and_png(api: httpx.AsyncClient) -> None:
    dhl = {"type": "shipping_option_code", "properties": {"shipping_option_code": "dhl_parcel:europlus"}}
    data = (await api.post("/shipments/announce", json=announce_body(ship_with=dhl))).json()["data"]
    parcel = data["parcels"][0]
    link = f"/parcels/{parcel['id']}/documents/label"

    pdf = await api.get(link, headers={"Accept": "application/pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert_pdf(pdf.content)
    assert parcel["tracking_number"].encode() in pdf.content
    assert_pdf((await api.get(link)).content)  # no Accept: PDF

    zpl = await api.get(link, headers={"Accept": "application/zpl"})
    assert zpl.status_code == 200 and zpl.headers["content-type"].startswith("application/zpl")
    assert zpl.content.startswith(b"^XA") and zpl.content.rstrip().endswith(b"^XZ")
    assert parcel["tracking_number"].encode() in zpl.content

    png = await api.get(link, headers={"Accept": "image/png"}, params={"dpi": 300})
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(png.content))
    assert image.format == "PNG" and image.size == (int(4.13 * 300), int(5.83 * 300))

    bad_dpi = await api.get(link, headers={"Accept": "image/png"}, params={"dpi": "huge"})
    assert bad_dpi.status_code == 400 and bad_dpi.json()["errors"][0]["source"] == {"parameter": "dpi"}
    assert (await api.get(link, headers={"Accept": "text/html"})).status_code == 406
    assert (await api.get(f"/parcels/{parcel['id']}/documents/customs-declaration")).status_code == 404
    assert (await api.get("/parcels/1/documents/label")).status_code == 404


async def test_label_format_the_carrier_does_not_offer_is_406(api: httpx.AsyncClient) -> None:
    poste = {
        "type": "shipping_option_code",
        "properties": {"shipping_option_code": "poste_italiane:crono/home_address_only"},
    }
    parcel = (await api.post("/shipments/announce", json=announce_body(ship_with=poste))).json()["data"][
        "parcels"
    ][0]
    response = await api.get(
        f"/parcels/{parcel['id']}/documents/label", headers={"Accept": "application/zpl"}
    )
    assert response.status_code == 406
    assert response.json()["errors"][0] == {
        "status": "406", "code": "not_acceptable", "detail": "The requested document format is not available."
    }  # fmt: skip


async def test_several_parcels_have_no_inline_label(
    api: httpx.AsyncClient, fake_sendcloud: FakeSendcloud
) -> None:
    weights = [{"weight": {"value": "1", "unit": "kg"}}, {"weight": {"value": "500", "unit": "g"}}]
    data = (await api.post("/shipments/announce", json=announce_body(parcels=weights))).json()["data"]
    assert "label_file" not in data
    assert len({parcel["tracking_number"] for parcel in data["parcels"]}) == 2
    assert data["price"]["value"] == "10.98"  # 5.49 + 5.49
    assert fake_sendcloud.labels_bought == {"VO-SALE-42": 2}


async def test_timeout_after_purchase_leaves_the_label_bought(
    fake_sendcloud_server: tuple[FakeSendcloud, str], fake_sendcloud: FakeSendcloud
) -> None:
    """The answer never reaches the client, yet the shipment exists and a lookup finds it."""
    fake_sendcloud.script("announce", Reply.bought_but_lost(delay=5))
    base = f"{fake_sendcloud_server[1]}/api/v3"
    async with httpx.AsyncClient(base_url=base, auth=(PUBLIC_KEY, SECRET_KEY), timeout=0.5) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.post("/shipments/announce", json=announce_body())
        found = (await client.get("/shipments", params={"order_number": "VO-SALE-42"})).json()["data"]
    assert len(found) == 1 and found[0]["parcels"][0]["tracking_number"]
    assert fake_sendcloud.labels_bought == {"VO-SALE-42": 1}


async def test_an_error_after_purchase_still_leaves_the_label_bought(
    api: httpx.AsyncClient, fake_sendcloud: FakeSendcloud
) -> None:
    fake_sendcloud.script("announce", Reply(status=502, work_first=True))
    response = await api.post("/shipments/announce", json=announce_body())
    assert response.status_code == 502 and response.json()["errors"][0]["code"] == "bad_gateway"
    [found] = (await api.get("/shipments", params={"external_reference": "sale-42"})).json()["data"]
    assert found["parcels"][0]["tracking_number"]
    assert fake_sendcloud.labels_bought == {"VO-SALE-42": 1}


async def test_announcing_the_same_order_twice_buys_two_labels(
    api: httpx.AsyncClient, fake_sendcloud: FakeSendcloud
) -> None:
    """Like Sendcloud, the fake does not deduplicate: only the client's lookup prevents a second label."""
    first = await api.post("/shipments/announce", json=announce_body())
    second = await api.post("/shipments/announce", json=announce_body())
    assert first.status_code == second.status_code == 201
    assert first.json()["data"]["id"] != second.json()["data"]["id"]
    assert fake_sendcloud.labels_bought == {"VO-SALE-42": 2}
    assert len((await api.get("/shipments", params={"order_number": "VO-SALE-42"})).json()["data"]) == 2


async def test_scripted_errors_are_answered_in_order_and_buy_nothing(
    api: httpx.AsyncClient, fake_sendcloud: FakeSendcloud
) -> None:
    fake_sendcloud.script(
        "announce",
        Reply(status=503),
        Reply(status=429, headers={"Retry-After": "7"}),
        Reply(status=500),
        Reply(status=400, errors=[error(400, "required", "Required.", "/to_address/name")]),
    )  # fmt: skip
    statuses = []
    for _ in range(4):
        response = await api.post("/shipments/announce", json=announce_body())
        statuses.append(response.status_code)
        assert response.json()["errors"][0]["status"] == str(response.status_code)
        if response.status_code == 429:
            assert response.headers["Retry-After"] == "7"
    assert statuses == [503, 429, 500, 400]
    assert pointers(response) == {"/to_address/name"}
    assert fake_sendcloud.labels_bought == {}
    assert (await api.post("/shipments/announce", json=announce_body())).status_code == 201
    assert fake_sendcloud.labels_bought == {"VO-SALE-42": 1}
    fake_sendcloud.script("shipments:list", Reply(status=429))
    throttled = await api.get("/shipments")
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "1"


async def test_scripted_delay_is_a_slow_answer_not_an_error(
    fake_sendcloud_server: tuple[FakeSendcloud, str], fake_sendcloud: FakeSendcloud
) -> None:
    fake_sendcloud.script("shipping-options", Reply(delay=5))
    base = f"{fake_sendcloud_server[1]}/api/v3"
    async with httpx.AsyncClient(base_url=base, auth=(PUBLIC_KEY, SECRET_KEY), timeout=0.5) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.post("/shipping-options", json={})
        assert (await client.post("/shipping-options", json={})).status_code == 200


async def test_write_limits_burst_of_15_per_second_and_100_per_minute(
    api: httpx.AsyncClient, fake_sendcloud: FakeSendcloud
) -> None:
    clock = ManualClock()
    fake_sendcloud.clock = clock
    for _ in range(15):
        assert (await api.post("/shipping-options", json={})).status_code == 200
    throttled = await api.post("/shipping-options", json={})
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "1"
    assert throttled.json()["errors"][0]["status"] == "429"
    clock.advance(1.0)
    for _ in range(85):  # 100 within the minute, never more than 15 in a second
        clock.advance(0.1)
        assert (await api.post("/shipping-options", json={})).status_code == 200
    over = await api.post("/shipping-options", json={})
    assert over.status_code == 429
    assert over.headers["Retry-After"] == "51"  # the first write (t=0) leaves the minute at t=60; now t=9.5
    assert (await api.get("/shipments")).status_code == 200  # reads have their own budget


async def test_read_limit_is_1000_per_minute(api: httpx.AsyncClient, fake_sendcloud: FakeSendcloud) -> None:
    clock = ManualClock()
    fake_sendcloud.clock = clock
    for _ in range(1000):
        assert (await api.get("/shipments")).status_code == 200
    throttled = await api.get("/shipments")
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "60"
    clock.advance(60)
    assert (await api.get("/shipments")).status_code == 200


@pytest.fixture
def webhook_receiver() -> Any:
    received: list[tuple[bytes, dict[str, str]]] = []

    async def hook(request: Request) -> Response:
        received.append((await request.body(), dict(request.headers)))
        return Response(status_code=200)

    with serve_in_thread(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        yield f"{url}/hook", received


async def test_webhook_is_signed_with_hmac_sha256_of_the_raw_body(
    api: httpx.AsyncClient, fake_sendcloud: FakeSendcloud, webhook_receiver: Any
) -> None:
    url, received = webhook_receiver
    parcel = (await api.post("/shipments/announce", json=announce_body())).json()["data"]["parcels"][0]
    payload = fake_sendcloud.webhook_payload(parcel["id"], 11, timestamp=1_767_000_000)
    assert (await post_webhook(url, payload)).status_code == 200

    [(raw, headers)] = received
    expected = hmac.new(WEBHOOK_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert headers["sendcloud-signature"] == expected == sign_webhook(raw)
    assert headers["content-type"] == "application/json"
    event = json.loads(raw)
    assert event["action"] == "parcel_status_changed" and event["timestamp"] == 1_767_000_000
    assert event["parcel"]["id"] == parcel["id"]
    assert event["parcel"]["tracking_number"] == parcel["tracking_number"]
    assert event["parcel"]["status"] == {"id": 11, "message": "Delivered"}

    await post_webhook(url, payload, signature="0" * 64)
    await post_webhook(url, b'{"action":"parcel_status_changed"}', secret="another-secret")
    assert received[1][1]["sendcloud-signature"] == "0" * 64
    other = hmac.new(b"another-secret", received[2][0], hashlib.sha256).hexdigest()
    assert received[2][1]["sendcloud-signature"] == other != sign_webhook(received[2][0])
