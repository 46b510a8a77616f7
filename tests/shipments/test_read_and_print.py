"""Following a parcel by its code, reading the family's parcels, their labels one by one and merged."""

from __future__ import annotations

import io
import logging

import pytest
from pypdf import PdfReader

from tests.auth.factories import register
from tests.fakes.sendcloud import PUBLIC_KEY, SECRET_KEY, Reply
from tests.shipments.factories import asked, buy_label, sale_to_ship, shipping_account
from tests.users.factories import invite_and_join


@pytest.fixture
async def family(client):
    admin = await register(client)
    await shipping_account(client, admin=admin)
    return admin


async def follow(client, member, sale_id, code="RR123456789IT", expect=201):
    response = await client.post(
        "/api/v1/shipments/follow", json={"sale_id": sale_id, "tracking_code": code}, headers=member.headers
    )
    assert response.status_code == expect, response.text
    return response.json()


async def test_a_parcel_with_vinteds_label_is_followed_by_its_code(client, fake_sendcloud, family):
    sale = await sale_to_ship(client, member=family)
    shipment = await follow(client, family, sale["id"], code="rr 1234-5678 9it")
    assert shipment["source"] == "other" and shipment["tracking_code"] == "RR123456789IT"
    assert shipment["label_formats"] == [] and shipment["status"] == "ready"
    assert asked(fake_sendcloud) == []
    again = await follow(client, family, sale["id"], code="RR999999999IT", expect=409)
    assert again["error"] == "shipment_exists"
    bought = await client.post(
        "/api/v1/shipments",
        json={
            "sale_id": sale["id"],
            "shipping_option_code": "brt:standard",
            "weight_kg": "1",
            "to_address": {
                "name": "A",
                "address_line_1": "Via B",
                "house_number": "1",
                "postal_code": "00100",
                "city": "Roma",
                "country_code": "IT",
            },
        },
        headers=family.headers,
    )
    assert bought.status_code == 409 and "RR123456789IT" in bought.json()["detail"]
    label = await client.get(f"/api/v1/shipments/{shipment['id']}/label", headers=family.headers)
    assert label.status_code == 409 and label.json()["error"] == "no_label"


@pytest.mark.parametrize("code", ["ABC12", "A" * 41, "RR12345678!T", ""])
async def test_a_tracking_code_is_letters_and_digits_6_to_40(client, family, code):
    sale = await sale_to_ship(client, member=family)
    response = await follow(client, family, sale["id"], code=code, expect=422)
    assert [f["field"] for f in response["fields"]] == ["tracking_code"]


async def test_list_filters_read_and_track(client, fake_sendcloud, family):
    bought_sale = await sale_to_ship(client, member=family)
    followed_sale = await sale_to_ship(client, member=family)
    bought = await buy_label(client, member=family, sale_id=bought_sale["id"])
    followed = await follow(client, family, followed_sale["id"])

    page = (await client.get("/api/v1/shipments", headers=family.headers)).json()
    assert page["total"] == 2 and [s["id"] for s in page["items"]] == [followed["id"], bought["id"]]
    by_sale = await client.get(f"/api/v1/shipments?sale_id={bought_sale['id']}", headers=family.headers)
    assert [s["id"] for s in by_sale.json()["items"]] == [bought["id"]]
    assert (await client.get("/api/v1/shipments?open=true", headers=family.headers)).json()["total"] == 2
    assert (await client.get("/api/v1/shipments?open=false", headers=family.headers)).json()["total"] == 0
    assert (await client.get("/api/v1/shipments?trouble=true", headers=family.headers)).json()["total"] == 0
    assert (await client.get("/api/v1/shipments?trouble=false", headers=family.headers)).json()["total"] == 2
    ready = await client.get("/api/v1/shipments?status=ready&sort=created_at&limit=1", headers=family.headers)
    assert ready.json()["total"] == 2 and ready.json()["items"][0]["id"] == bought["id"]
    wrong = await client.get("/api/v1/shipments?status=perso", headers=family.headers)
    assert wrong.status_code == 422 and wrong.json()["fields"][0]["field"] == "status.0"

    assert (await client.get(f"/api/v1/shipments/{bought['id']}", headers=family.headers)).json() == bought
    tracked = await client.get(f"/api/v1/shipments/track/{bought['tracking_code']}", headers=family.headers)
    assert tracked.status_code == 200 and tracked.json()["id"] == bought["id"]
    unknown = await client.get("/api/v1/shipments/track/NESSUNO123", headers=family.headers)
    assert unknown.status_code == 404


async def test_printer_formats_only_when_the_carrier_has_them(client, fake_sendcloud, family):
    sale = await sale_to_ship(client, member=family)
    brt = await buy_label(client, member=family, sale_id=sale["id"])
    zpl = await client.get(f"/api/v1/shipments/{brt['id']}/label?format=zpl", headers=family.headers)
    assert zpl.status_code == 200 and zpl.headers["content-type"].startswith("application/zpl")
    assert zpl.content.startswith(b"^XA") and brt["tracking_code"].encode() in zpl.content
    assert zpl.headers["content-disposition"].endswith(f'filename="etichetta-{brt["tracking_code"]}.zpl"')
    png = await client.get(f"/api/v1/shipments/{brt['id']}/label?format=png", headers=family.headers)
    assert png.status_code == 422 and png.json()["fields"][0]["field"] == "format"
    assert "PNG" in png.json()["detail"]

    other = await sale_to_ship(client, member=family)
    dhl = await buy_label(
        client, member=family, sale_id=other["id"], shipping_option_code="dhl_parcel:europlus"
    )
    assert dhl["label_formats"] == ["pdf", "zpl", "png"]
    png = await client.get(f"/api/v1/shipments/{dhl['id']}/label?format=png", headers=family.headers)
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    bad = await client.get(f"/api/v1/shipments/{dhl['id']}/label?format=gif", headers=family.headers)
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "format"


async def test_labels_merged_for_printing(client, fake_sendcloud, family):
    shipments = []
    for _ in range(5):
        sale = await sale_to_ship(client, member=family)
        shipments.append(await buy_label(client, member=family, sale_id=sale["id"]))
    ids = [s["id"] for s in shipments]

    a4 = await client.post(
        "/api/v1/shipments/labels", json={"shipment_ids": ids, "layout": "a4"}, headers=family.headers
    )
    assert a4.status_code == 200 and a4.headers["content-type"] == "application/pdf"
    sheets = PdfReader(io.BytesIO(a4.content)).pages
    assert len(sheets) == 2
    assert [round(float(v)) for v in sheets[0].mediabox] == [0, 0, 595, 842]
    first_sheet = sheets[0].extract_text()
    assert all(s["tracking_code"] in first_sheet for s in shipments[:4])
    assert shipments[4]["tracking_code"] in sheets[1].extract_text()

    thermal = await client.post(
        "/api/v1/shipments/labels", json={"shipment_ids": ids, "layout": "thermal"}, headers=family.headers
    )
    pages = PdfReader(io.BytesIO(thermal.content)).pages
    assert len(pages) == 5
    assert [s["tracking_code"] in page.extract_text() for s, page in zip(shipments, pages, strict=True)] == [
        True
    ] * 5


async def test_merging_refuses_too_many_unknown_or_label_less_shipments(client, fake_sendcloud, family):
    sale = await sale_to_ship(client, member=family)
    followed = await follow(client, family, sale["id"])
    too_many = await client.post(
        "/api/v1/shipments/labels", json={"shipment_ids": [followed["id"]] * 51}, headers=family.headers
    )
    assert too_many.status_code == 422 and too_many.json()["fields"][0]["field"] == "shipment_ids"
    none = await client.post("/api/v1/shipments/labels", json={"shipment_ids": []}, headers=family.headers)
    assert none.status_code == 422
    without = await client.post(
        "/api/v1/shipments/labels", json={"shipment_ids": [followed["id"]]}, headers=family.headers
    )
    assert without.status_code == 422
    assert without.json()["fields"][0]["field"] == "shipment_ids.0"
    assert "RR123456789IT" in without.json()["fields"][0]["message"]


async def test_another_familys_shipment_is_not_found_anywhere(client, fake_sendcloud, family):
    sale = await sale_to_ship(client, member=family)
    shipment = await buy_label(client, member=family, sale_id=sale["id"])
    other = await register(client)
    await shipping_account(client, admin=other)
    headers = other.headers
    for path in (
        f"/api/v1/shipments/{shipment['id']}",
        f"/api/v1/shipments/{shipment['id']}/label",
        f"/api/v1/shipments/{shipment['id']}/label?format=zpl",
        f"/api/v1/shipments/track/{shipment['tracking_code']}",
    ):
        response = await client.get(path, headers=headers)
        assert response.status_code == 404, path
    merged = await client.post(
        "/api/v1/shipments/labels", json={"shipment_ids": [shipment["id"]]}, headers=headers
    )
    assert merged.status_code == 404
    followed = await follow(client, other, sale["id"], expect=404)
    assert followed["error"] == "not_found"
    assert (await client.get(f"/api/v1/shipments?sale_id={sale['id']}", headers=headers)).json()["total"] == 0


# --- the account ------------------------------------------------------------------------------------


async def test_the_account_keeps_the_keys_secret(client, session, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    admin = await register(client)
    empty = (await client.get("/api/v1/shipments/account", headers=admin.headers)).json()
    assert empty == {
        "sender_address": None,
        "has_sendcloud_keys": False,
        "sendcloud_webhook_url": None,
        "default_option_code": None,
    }
    account = await shipping_account(client, admin=admin, default_option_code="brt:standard")
    assert account["has_sendcloud_keys"] is True and account["default_option_code"] == "brt:standard"
    assert account["sender_address"]["city"] == "Milano"
    token = account["sendcloud_webhook_url"].removeprefix(
        "https://vo.example.test/api/v1/webhooks/sendcloud/"
    )
    assert len(token) >= 40 and "/" not in token
    member = await invite_and_join(client, admin=admin)
    read = await client.get("/api/v1/shipments/account", headers=member.headers)
    assert read.status_code == 200 and read.json() == account
    # Changing the address keeps the keys and the webhook URL.
    moved = await client.put(
        "/api/v1/shipments/account",
        json={"sender_address": {**account["sender_address"], "city": "Torino", "postal_code": "10121"}},
        headers=admin.headers,
    )
    assert moved.json()["has_sendcloud_keys"] is True
    assert moved.json()["sendcloud_webhook_url"] == account["sendcloud_webhook_url"]
    removed = await client.delete("/api/v1/shipments/account/keys", headers=admin.headers)
    assert removed.status_code == 204
    assert (await client.get("/api/v1/shipments/account", headers=admin.headers)).json()[
        "has_sendcloud_keys"
    ] is False

    captured = capsys.readouterr()
    everything = captured.out + captured.err + caplog.text + read.text + moved.text
    assert PUBLIC_KEY not in everything and SECRET_KEY not in everything


async def test_keys_sendcloud_refuses_are_not_stored(client, fake_sendcloud):
    admin = await register(client)
    wrong = await client.put(
        "/api/v1/shipments/account",
        json={"sendcloud_public_key": PUBLIC_KEY, "sendcloud_secret_key": "chiave-copiata-male"},
        headers=admin.headers,
    )
    assert wrong.status_code == 422, wrong.text
    fields = {problem["field"]: problem["message"] for problem in wrong.json()["fields"]}
    assert set(fields) == {"sendcloud_public_key", "sendcloud_secret_key"}
    assert "Sendcloud non riconosce queste chiavi" in fields["sendcloud_secret_key"]
    assert "chiave-copiata-male" not in wrong.text
    assert fake_sendcloud.calls_to("GET", "/api/v3/shipments")[-1].query == {"order_number": "VO-key-check"}
    account = (await client.get("/api/v1/shipments/account", headers=admin.headers)).json()
    assert account["has_sendcloud_keys"] is False


async def test_keys_are_stored_unchecked_while_sendcloud_is_down(client, fake_sendcloud):
    admin = await register(client)
    fake_sendcloud.script("shipments:list", Reply(status=503))
    account = await shipping_account(client, admin=admin)
    assert account["has_sendcloud_keys"] is True
    assert len(fake_sendcloud.calls_to("GET", "/api/v3/shipments")) == 1  # tried once, not in a loop


async def test_only_the_family_admin_writes_the_account(client):
    admin = await register(client)
    member = await invite_and_join(client, admin=admin)
    for method, path, body in (
        ("PUT", "/api/v1/shipments/account", {"default_option_code": "brt:standard"}),
        ("DELETE", "/api/v1/shipments/account/keys", None),
    ):
        response = await client.request(method, path, json=body, headers=member.headers)
        assert response.status_code == 403, response.text


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"sendcloud_public_key": "solo-la-pubblica"}, "sendcloud_secret_key"),
        ({"sender_address": {"name": "Giulia"}}, "sender_address.address_line_1"),
        (
            {
                "sender_address": {
                    "name": "G",
                    "address_line_1": "Via",
                    "house_number": "1",
                    "postal_code": "20100",
                    "city": "Milano",
                    "country_code": "ITA",
                }
            },
            "sender_address.country_code",
        ),
    ],
)
async def test_account_input_is_checked(client, payload, field):
    admin = await register(client)
    response = await client.put("/api/v1/shipments/account", json=payload, headers=admin.headers)
    assert response.status_code == 422, response.text
    assert field in [f["field"] for f in response.json()["fields"]]


# --- carriers -----------------------------------------------------------------------------------------


async def test_carriers_from_the_sender_address_cheapest_first(client, fake_sendcloud, family):
    listed = await client.get("/api/v1/carriers?to_country=IT&weight_kg=2.5", headers=family.headers)
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [(o["code"], o["price"]) for o in items] == [
        ("brt:standard", "6.49"),
        ("poste_italiane:crono/home_address_only", "8.90"),
        ("dhl_parcel:europlus", "16.90"),
    ]
    assert items[0]["carrier_name"] == "BRT" and items[0]["max_weight_kg"] == "25.000"
    asked = fake_sendcloud.calls_to("POST", "/api/v3/shipping-options")[0].json
    assert asked["from_address"] == {"country_code": "IT", "postal_code": "20121"}

    abroad = await client.post(
        "/api/v1/carriers/quote",
        json={"to_country": "de", "to_postal_code": "10115", "weight_kg": "6"},
        headers=family.headers,
    )
    assert [(o["code"], o["price"]) for o in abroad.json()["items"]] == [("dhl_parcel:europlus", "24.90")]
    nowhere = await client.post(
        "/api/v1/carriers/quote", json={"to_country": "US", "weight_kg": "1"}, headers=family.headers
    )
    assert nowhere.status_code == 200 and nowhere.json()["items"] == []


async def test_carrier_answers_are_kept_a_few_minutes_per_family_and_question(client, fake_sendcloud, family):
    options = "/api/v3/shipping-options"
    first = await client.get("/api/v1/carriers?weight_kg=2.5", headers=family.headers)
    again = await client.get("/api/v1/carriers?weight_kg=2.5", headers=family.headers)
    assert again.json() == first.json() and len(fake_sendcloud.calls_to("POST", options)) == 1
    await client.get("/api/v1/carriers?weight_kg=3", headers=family.headers)  # another question
    assert len(fake_sendcloud.calls_to("POST", options)) == 2
    other = await register(client)
    await shipping_account(client, admin=other)
    theirs = await client.get("/api/v1/carriers?weight_kg=2.5", headers=other.headers)
    assert theirs.json() == first.json() and len(fake_sendcloud.calls_to("POST", options)) == 3


async def test_carriers_need_the_account(client, fake_sendcloud):
    admin = await register(client)
    response = await client.get("/api/v1/carriers", headers=admin.headers)
    assert response.status_code == 409 and response.json()["error"] == "sender_address_missing"
    await shipping_account(client, admin=admin, keys=False)
    response = await client.get("/api/v1/carriers", headers=admin.headers)
    assert response.status_code == 409 and response.json()["error"] == "sendcloud_keys_missing"
    assert asked(fake_sendcloud) == []
