"""Buying a sale's label through Sendcloud: once, whatever is retried, and nothing half-stored."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.auth.factories import register
from tests.fakes.sendcloud import FakeSendcloud, Reply, error
from tests.shipments.conftest import CLIENT_TIMEOUT
from tests.shipments.factories import asked, buy_label, label_request, sale_to_ship, shipping_account
from vinted_optimizer.models import AuditLog, Shipment
from vinted_optimizer.shipments import service as shipment_service

ANNOUNCE = "/api/v3/shipments/announce"


def stored_labels(settings) -> list[Path]:
    folder = settings.data_dir / "objects" / "labels"
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


async def shipments_of(session, sale_id: str) -> list[Shipment]:
    return list((await session.scalars(select(Shipment).where(Shipment.sale_id == sale_id))).all())


@pytest.fixture
async def ready(client):
    admin = await register(client)
    await shipping_account(client, admin=admin)
    sale = await sale_to_ship(client, member=admin)
    return admin, sale


async def test_a_label_is_bought_stored_and_downloadable(client, session, settings, fake_sendcloud, ready):
    admin, sale = ready
    shipment = await buy_label(client, member=admin, sale_id=sale["id"])
    order_number = "VO-" + sale["id"]
    assert fake_sendcloud.labels_bought[order_number] == 1
    assert shipment["source"] == "sendcloud" and shipment["status"] == "ready"
    assert shipment["carrier"] == "BRT" and shipment["carrier_code"] == "brt"
    assert shipment["shipping_option_code"] == "brt:standard"
    assert shipment["tracking_code"].startswith("3SVOPT") and "sendcloud" in shipment["tracking_url"]
    assert shipment["shipping_cost"] == "6.49" and shipment["weight_kg"] == "1.250"
    assert shipment["label_formats"] == ["pdf", "zpl"]  # what BRT prints
    assert shipment["title"] == sale["title"] and shipment["buyer_username"] == "marco_r"
    announced = fake_sendcloud.calls_to("POST", ANNOUNCE)[0].json
    assert announced["order_number"] == announced["external_reference"] == order_number
    assert announced["from_address"]["city"] == "Milano" and announced["to_address"]["city"] == "Roma"
    assert announced["parcels"][0]["weight"] == {"value": "1.250", "unit": "kg"}

    row = (await shipments_of(session, sale["id"]))[0]
    assert row.order_number == order_number and row.sendcloud_parcel_id and row.sendcloud_shipment_id
    assert row.label_url == f"labels/{row.family_id}/{order_number}.pdf"
    assert stored_labels(settings) == [settings.data_dir / "objects" / row.label_url]

    label = await client.get(f"/api/v1/shipments/{shipment['id']}/label", headers=admin.headers)
    assert label.status_code == 200 and label.headers["content-type"] == "application/pdf"
    assert label.content.startswith(b"%PDF") and shipment["tracking_code"].encode() in label.content
    disposition = label.headers["content-disposition"]
    assert disposition == f'attachment; filename="etichetta-{shipment["tracking_code"]}.pdf"'
    actions = (
        await session.scalars(select(AuditLog.action).where(AuditLog.resource_id == shipment["id"]))
    ).all()
    assert actions == ["shipment.label_bought"]


async def test_asking_again_answers_the_same_shipment_and_buys_nothing(
    client, session, fake_sendcloud, ready
):
    admin, sale = ready
    first = await buy_label(client, member=admin, sale_id=sale["id"])
    again = await buy_label(client, member=admin, sale_id=sale["id"], expect=200)
    other_option = await buy_label(
        client, member=admin, sale_id=sale["id"], expect=200, shipping_option_code="dhl_parcel:europlus"
    )
    assert again == first and other_option["id"] == first["id"]
    assert fake_sendcloud.labels_bought["VO-" + sale["id"]] == 1
    assert len(fake_sendcloud.calls_to("POST", ANNOUNCE)) == 1
    assert len(await shipments_of(session, sale["id"])) == 1


@pytest.mark.parametrize(
    "lost",
    [Reply.bought_but_lost(delay=CLIENT_TIMEOUT * 3), Reply(status=502, work_first=True)],
    ids=["timeout after buying", "502 after buying"],
)
async def test_a_label_bought_but_whose_answer_was_lost_is_found_not_bought_again(
    client, session, settings, fake_sendcloud, ready, lost
):
    admin, sale = ready
    order_number = "VO-" + sale["id"]
    fake_sendcloud.script("announce", lost)
    failed = await client.post("/api/v1/shipments", json=label_request(sale["id"]), headers=admin.headers)
    assert failed.status_code == 503, failed.text
    assert failed.json()["error"] == "upstream_unavailable" and "Sendcloud" in failed.json()["detail"]
    assert int(failed.headers["Retry-After"]) > 0
    assert fake_sendcloud.labels_bought[order_number] == 1  # bought, although the answer was lost
    assert await shipments_of(session, sale["id"]) == [] and stored_labels(settings) == []

    retried = await buy_label(client, member=admin, sale_id=sale["id"])
    assert fake_sendcloud.labels_bought[order_number] == 1
    assert len(fake_sendcloud.calls_to("POST", ANNOUNCE)) == 1  # looked up, not announced again
    found = fake_sendcloud.calls_to("GET", "/api/v3/shipments")
    assert found and found[-1].query == {"order_number": order_number}
    assert (
        retried["tracking_code"]
        == next(iter(fake_sendcloud.shipments.values()))["parcels"][0]["tracking_number"]
    )
    assert len(stored_labels(settings)) == 1  # the label fetched from Sendcloud's documents
    label = await client.get(f"/api/v1/shipments/{retried['id']}/label", headers=admin.headers)
    assert label.status_code == 200 and label.content.startswith(b"%PDF")


async def test_a_label_stored_in_a_transaction_that_failed_is_not_left_behind(
    client, session, settings, fake_sendcloud, ready, monkeypatch
):
    """The label is uploaded, then the transaction fails (here its audit entry): the row never
    commits. The retry finds the parcel at Sendcloud and writes the same object: one file per sale."""
    admin, sale = ready

    async def database_gone(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("the connection was lost before the commit")

    with monkeypatch.context() as patch:
        patch.setattr(shipment_service.audit, "record", database_gone)
        failed = await client.post("/api/v1/shipments", json=label_request(sale["id"]), headers=admin.headers)
    assert failed.status_code == 500  # what a lost database looks like; the point is what stays behind
    assert await shipments_of(session, sale["id"]) == []
    assert len(stored_labels(settings)) == 1  # uploaded before the failure

    retried = await buy_label(client, member=admin, sale_id=sale["id"])
    assert fake_sendcloud.labels_bought["VO-" + sale["id"]] == 1
    row = (await shipments_of(session, sale["id"]))[0]
    assert stored_labels(settings) == [settings.data_dir / "objects" / row.label_url]
    label = await client.get(f"/api/v1/shipments/{retried['id']}/label", headers=admin.headers)
    assert label.status_code == 200 and label.content.startswith(b"%PDF")


async def test_two_requests_at_once_buy_one_label(client, session, fake_sendcloud, ready):
    admin, sale = ready
    fake_sendcloud.script("announce", Reply(delay=CLIENT_TIMEOUT / 2))  # slow, within the timeout
    first = asyncio.create_task(
        client.post("/api/v1/shipments", json=label_request(sale["id"]), headers=admin.headers)
    )
    for _ in range(500):  # until the first request is buying
        if fake_sendcloud.calls_to("POST", ANNOUNCE):
            break
        await asyncio.sleep(0.01)
    second = await client.post("/api/v1/shipments", json=label_request(sale["id"]), headers=admin.headers)
    assert second.status_code == 409 and second.json()["error"] == "label_in_progress"
    assert second.headers["Retry-After"] == "5"
    bought = await first
    assert bought.status_code == 201, bought.text
    assert fake_sendcloud.labels_bought["VO-" + sale["id"]] == 1
    later = await buy_label(client, member=admin, sale_id=sale["id"], expect=200)
    assert later["id"] == bought.json()["id"]
    assert len(await shipments_of(session, sale["id"])) == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"weight_kg": "30"}, "weight_kg"),  # BRT takes at most 25 kg
        ({"shipping_option_code": "nessuno:corriere"}, "shipping_option_code"),
        (
            {"shipping_option_code": "poste_italiane:crono/home_address_only", "to_country": "DE"},
            "to_address.country_code",
        ),
    ],
)
async def test_an_option_that_cannot_carry_the_parcel_is_a_422_naming_the_field(
    client, session, settings, fake_sendcloud, ready, payload, field
):
    admin, sale = ready
    body = label_request(sale["id"], **{k: v for k, v in payload.items() if k != "to_country"})
    if "to_country" in payload:
        body["to_address"] = {**body["to_address"], "country_code": payload["to_country"]}
    response = await client.post("/api/v1/shipments", json=body, headers=admin.headers)
    assert response.status_code == 422, response.text
    fields = response.json()["fields"]
    assert [f["field"] for f in fields] == [field]
    assert fields[0]["message"].endswith(".") and not fields[0]["message"].startswith("The")
    assert fake_sendcloud.labels_bought["VO-" + sale["id"]] == 0
    assert await shipments_of(session, sale["id"]) == [] and stored_labels(settings) == []


async def test_sendcloud_refusing_a_field_is_a_422_naming_our_field(client, session, fake_sendcloud, ready):
    admin, sale = ready
    refused = [
        error(400, "required", "This field is required.", "/to_address/name"),
        error(400, "invalid", "Enter a valid postal code.", "/to_address/postal_code"),
        error(400, "invalid", "Invalid street.", "/from_address/address_line_1"),
    ]
    fake_sendcloud.script("announce", Reply(status=400, errors=refused))
    response = await client.post("/api/v1/shipments", json=label_request(sale["id"]), headers=admin.headers)
    assert response.status_code == 422, response.text
    body = response.json()
    assert [f["field"] for f in body["fields"]] == [
        "to_address.name",
        "to_address.postal_code",
        "sender_address.address_line_1",
    ]
    assert body["fields"][0]["message"] == "Campo obbligatorio per Sendcloud."
    assert "Impostazioni" in body["fields"][2]["message"]  # the sender's address is the account's
    assert await shipments_of(session, sale["id"]) == []


@pytest.mark.parametrize(
    ("setup", "status", "code"),
    [
        ("wrong_keys", 409, "sendcloud_keys_rejected"),
        ("not_configured", 409, "sendcloud_account_incomplete"),
        ("rate_limited", 503, "sendcloud_busy"),
        ("server_error", 503, "upstream_unavailable"),
        ("bad_gateway", 503, "upstream_unavailable"),
        ("timeout", 503, "upstream_unavailable"),
    ],
)
async def test_sendcloud_failures_are_explained_and_leave_nothing(
    client, session, settings, fake_sendcloud: FakeSendcloud, ready, setup, status, code
):
    admin, sale = ready
    if setup == "wrong_keys":
        fake_sendcloud.secret_key = "ruotata-su-sendcloud"  # the saved keys were replaced at Sendcloud
    elif setup == "not_configured":
        fake_sendcloud.account_configured = False
    elif setup == "rate_limited":
        fake_sendcloud.script("announce", Reply(status=429, headers={"Retry-After": "7"}))
    elif setup == "server_error":
        fake_sendcloud.script("announce", Reply(status=500))
    elif setup == "bad_gateway":
        fake_sendcloud.script("announce", Reply(status=502))
    else:
        fake_sendcloud.script("announce", Reply(delay=CLIENT_TIMEOUT * 3))
    response = await client.post("/api/v1/shipments", json=label_request(sale["id"]), headers=admin.headers)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code and body["detail"]
    if status == 503:
        assert response.headers["Retry-After"] == ("7" if setup == "rate_limited" else "10")
    if setup == "wrong_keys":
        assert "Impostazioni" in body["detail"] and "chiavi" in body["detail"]
    assert fake_sendcloud.labels_bought["VO-" + sale["id"]] == 0
    assert await shipments_of(session, sale["id"]) == [] and stored_labels(settings) == []


async def test_a_read_that_fails_once_is_tried_again(client, fake_sendcloud, ready):
    admin, sale = ready
    fake_sendcloud.script("shipments:list", Reply(status=503))
    await buy_label(client, member=admin, sale_id=sale["id"])
    assert len(asked(fake_sendcloud, "GET", "/api/v3/shipments")) == 2
    assert fake_sendcloud.labels_bought["VO-" + sale["id"]] == 1


async def test_no_label_without_the_account_or_for_a_sale_that_ships_nothing(client, fake_sendcloud):
    admin = await register(client)
    sale = await sale_to_ship(client, member=admin)
    missing = await client.post("/api/v1/shipments", json=label_request(sale["id"]), headers=admin.headers)
    assert missing.status_code == 409 and missing.json()["error"] == "sender_address_missing"
    assert "Impostazioni" in missing.json()["detail"]
    await shipping_account(client, admin=admin, keys=False)
    no_keys = await client.post("/api/v1/shipments", json=label_request(sale["id"]), headers=admin.headers)
    assert no_keys.status_code == 409 and no_keys.json()["error"] == "sendcloud_keys_missing"
    assert "Impostazioni" in no_keys.json()["detail"]

    await shipping_account(client, admin=admin)
    cancelled = await client.patch(
        f"/api/v1/sales/{sale['id']}", json={"status": "cancelled"}, headers=admin.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    closed = await client.post("/api/v1/shipments", json=label_request(sale["id"]), headers=admin.headers)
    assert closed.status_code == 409 and closed.json()["error"] == "sale_closed"
    assert asked(fake_sendcloud) == []


async def test_another_familys_sale_is_not_found(client, fake_sendcloud, ready):
    admin, sale = ready
    other = await register(client)
    await shipping_account(client, admin=other)
    response = await client.post("/api/v1/shipments", json=label_request(sale["id"]), headers=other.headers)
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert fake_sendcloud.calls_to("POST", ANNOUNCE) == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"weight_kg": "0"}, "weight_kg"),
        ({"weight_kg": "1.2345"}, "weight_kg"),
        ({"to_address": {"name": "Marco"}}, "to_address.address_line_1"),
        ({"dimensions": {"length_cm": "-1", "width_cm": "10", "height_cm": "5"}}, "dimensions.length_cm"),
        ({"sale_id": "non-un-id"}, "sale_id"),
        ({"costo": "1"}, "costo"),
    ],
)
async def test_bad_input_is_refused_before_sendcloud(client, fake_sendcloud, ready, payload, field):
    admin, sale = ready
    response = await client.post(
        "/api/v1/shipments", json={**label_request(sale["id"]), **payload}, headers=admin.headers
    )
    assert response.status_code == 422, response.text
    assert field in [f["field"] for f in response.json()["fields"]], response.json()
    assert asked(fake_sendcloud) == []
