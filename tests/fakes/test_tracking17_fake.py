"""Pins the 17TRACK stand-in to shared/contracts/tracking17.md, over a real socket with httpx.

The next session's tracking client and cron job are written against this fake; these tests keep its
envelopes, per-number error codes, the 40-number batch limit, the 3 requests/s limit and the webhook
``sign`` (recomputed here from the contract's definition) honest.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.limits import ManualClock
from tests.fakes.server import serve_in_thread
from tests.fakes.tracking17 import API_KEY, KEY_STAGES, FakeTrack17, Reply, post_webhook, sign_webhook

ITALIAN = "RR123456789IT"
NOT_DETECTED = "Carrier cannot be detected. Visit carrier info for carrier code and send as a parameter."
SENDCLOUD = "3SVOPT0400000001"


def rejected(number: str, code: int, message: str) -> dict[str, Any]:
    return {"number": number, "error": {"code": code, "message": message}}


@pytest.fixture
async def api(
    fake_track17_server: tuple[FakeTrack17, str], fake_track17: FakeTrack17
) -> AsyncIterator[httpx.AsyncClient]:
    """A client within the rate limit: the fake's clock moves 1 s before every request."""
    clock = ManualClock()
    fake_track17.clock = clock

    async def tick(request: httpx.Request) -> None:
        clock.advance(1.0)

    base = f"{fake_track17_server[1]}/track/v2.2"
    headers = {"17token": API_KEY}
    async with httpx.AsyncClient(
        base_url=base, headers=headers, timeout=10, event_hooks={"request": [tick]}
    ) as client:
        yield client


async def test_wrong_or_missing_token_is_401_with_the_envelope(
    fake_track17_server: tuple[FakeTrack17, str], fake_track17: FakeTrack17
) -> None:
    url = f"{fake_track17_server[1]}/track/v2.2/register"
    invalid = {
        "code": -18010002,
        "data": {"errors": [{"code": -18010002, "message": "Invalid security key."}]},
    }
    async with httpx.AsyncClient(timeout=10) as client:
        wrong = await client.post(url, json=[{"number": ITALIAN}], headers={"17token": "nope"})
        missing = await client.post(url, json=[{"number": ITALIAN}])
        fake_track17.account_disabled = True
        disabled = await client.post(url, json=[{"number": ITALIAN}], headers={"17token": API_KEY})
    assert wrong.status_code == missing.status_code == 401
    assert wrong.json() == missing.json() == invalid
    assert disabled.status_code == 401 and disabled.json()["code"] == -18010004
    assert fake_track17.parcels == {}


async def test_register_accepts_and_rejects_per_number(
    api: httpx.AsyncClient, fake_track17: FakeTrack17
) -> None:
    items = [
        {"number": ITALIAN, "tag": "shipment-7"},
        {"number": ITALIAN},
        {"number": SENDCLOUD, "carrier": 100026},
        {"number": "ABCDEFGH"},
        {"number": "bad number!"},
        {"number": "RR987654321IT", "carrier": 99999},
    ]
    response = await api.post("/register", json=items)
    assert response.status_code == 200
    assert response.json() == {
        "code": 0,
        "data": {
            "accepted": [
                {"origin": 2, "number": ITALIAN, "carrier": 8251, "tag": "shipment-7"},
                {"origin": 1, "number": SENDCLOUD, "carrier": 100026},
            ],
            "rejected": [
                rejected(ITALIAN, -18019901, f"Tracking number {ITALIAN} is already registered."),
                rejected("ABCDEFGH", -18019903, NOT_DETECTED),
                rejected("bad number!", -18010012, "The format of data 'bad number!' is invalid."),
                rejected("RR987654321IT", -18019910, "The carrier's value 99999 is not correct."),
            ],
        },
    }
    again = (await api.post("/register", json=[{"number": ITALIAN}])).json()["data"]
    assert again["accepted"] == [] and again["rejected"][0]["error"]["code"] == -18019901
    assert fake_track17.registrations == {ITALIAN: 1, SENDCLOUD: 1}

    quota = await api.post("/getquota", json=[])
    assert quota.json() == {
        "code": 0,
        "data": {"quota_total": 100, "quota_used": 2, "quota_remain": 98, "today_used": 2},
    }


async def test_register_rejects_when_the_quota_is_spent(
    api: httpx.AsyncClient, fake_track17: FakeTrack17
) -> None:
    fake_track17.quota_total = 1
    data = (await api.post("/register", json=[{"number": ITALIAN}, {"number": SENDCLOUD}])).json()["data"]
    assert [item["number"] for item in data["accepted"]] == [ITALIAN]
    assert data["rejected"] == [
        {"number": SENDCLOUD, "error": {"code": -18019908, "message": "The quota is not enough."}}
    ]
    assert (await api.post("/getquota")).json()["data"]["quota_remain"] == 0


async def test_gettrackinfo_before_and_after_the_carrier_moves(
    api: httpx.AsyncClient, fake_track17: FakeTrack17
) -> None:
    await api.post("/register", json=[{"number": ITALIAN, "tag": "shipment-7"}])
    early = (await api.post("/gettrackinfo", json=[{"number": ITALIAN}, {"number": "RR000000000IT"}])).json()
    assert early["code"] == 0 and early["data"]["accepted"] == []
    assert [(r["number"], r["error"]["code"]) for r in early["data"]["rejected"]] == [
        (ITALIAN, -18019909),
        ("RR000000000IT", -18019902),
    ]

    picked = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    fake_track17.add_event(ITALIAN, "Accettazione", status="InfoReceived", stage="InfoReceived", at=picked)
    fake_track17.add_event(ITALIAN, "In transito", status="InTransit", sub_status="InTransit_PickedUp",
                           stage="PickedUp", location="Milano", at=picked.replace(hour=15))  # fmt: skip
    fake_track17.add_event(ITALIAN, "Consegnato", status="Delivered", stage="Delivered", location="Roma",
                           at=picked.replace(day=30, hour=11))  # fmt: skip

    response = (await api.post("/gettrackinfo", json=[{"number": ITALIAN, "carrier": 8251}])).json()
    assert response["data"]["rejected"] == []
    [item] = response["data"]["accepted"]
    assert (item["number"], item["carrier"], item["tag"]) == (ITALIAN, 8251, "shipment-7")
    info = item["track_info"]
    assert info["latest_status"] == {
        "status": "Delivered",
        "sub_status": "Delivered_Other",
        "sub_status_descr": None,
    }
    assert info["latest_event"] == {
        "time_iso": "2026-11-30T12:00:00+01:00",
        "time_utc": "2026-11-30T11:00:00Z",
        "description": "Consegnato",
        "location": "Roma",
        "stage": "Delivered",
        "sub_status": "Delivered_Other",
        "address": {"country": "IT", "city": "Roma"},
    }
    events = info["tracking"]["providers"][0]["events"]
    assert [e["description"] for e in events] == ["Consegnato", "In transito", "Accettazione"]  # newest first
    assert info["tracking"]["providers"][0]["provider"]["key"] == 8251
    milestones = {m["key_stage"]: m["time_utc"] for m in info["milestone"]}
    assert list(milestones) == list(KEY_STAGES)
    assert milestones["PickedUp"] == "2026-11-28T15:00:00Z" and milestones["Returned"] is None
    assert info["time_metrics"]["days_of_transit"] == 2
    assert set(info["time_metrics"]["estimated_delivery_date"]) == {"source", "from", "to"}

    wrong_carrier = (await api.post("/gettrackinfo", json=[{"number": ITALIAN, "carrier": 3011}])).json()
    assert wrong_carrier["data"]["rejected"][0]["error"]["code"] == -18019902


async def test_status_changes_without_an_event(api: httpx.AsyncClient, fake_track17: FakeTrack17) -> None:
    await api.post("/register", json=[{"number": ITALIAN}])
    fake_track17.add_event(ITALIAN, "In transito", status="InTransit")
    fake_track17.set_status(ITALIAN, "Exception", "Exception_Returned", "Reso al mittente")
    [item] = (await api.post("/gettrackinfo", json=[{"number": ITALIAN}])).json()["data"]["accepted"]
    assert item["track_info"]["latest_status"] == {
        "status": "Exception", "sub_status": "Exception_Returned", "sub_status_descr": "Reso al mittente"
    }  # fmt: skip
    with pytest.raises(ValueError):
        fake_track17.set_status(ITALIAN, "Lost", "Lost_Other")
    with pytest.raises(ValueError):
        fake_track17.add_event(ITALIAN, "x", status="Delivered", stage="Teleported")


async def test_batches_hold_at_most_40_numbers(api: httpx.AsyncClient, fake_track17: FakeTrack17) -> None:
    forty = [{"number": f"RR{index:09d}IT"} for index in range(40)]
    full = (await api.post("/register", json=forty)).json()
    assert full["code"] == 0 and len(full["data"]["accepted"]) == 40

    over = await api.post("/gettrackinfo", json=[*forty, {"number": ITALIAN}])
    assert over.status_code == 200
    assert over.json() == {
        "code": -18010014,
        "data": {"errors": [{"code": -18010014, "message": "Tracking numbers exceed the 40 limit."}]},
    }
    over_register = (await api.post("/register", json=[{"number": f"RR{i:09d}CN"} for i in range(41)])).json()
    assert over_register["code"] == -18010014
    assert not any(number.endswith("CN") for number in fake_track17.parcels)

    not_an_array = await api.post("/register", json={"number": ITALIAN})
    assert not_an_array.json()["code"] == -18010013


async def test_more_than_3_requests_a_second_is_429(
    fake_track17_server: tuple[FakeTrack17, str], fake_track17: FakeTrack17
) -> None:
    clock = ManualClock()
    fake_track17.clock = clock
    base = f"{fake_track17_server[1]}/track/v2.2"
    async with httpx.AsyncClient(base_url=base, headers={"17token": API_KEY}, timeout=10) as client:
        for _ in range(3):
            assert (await client.post("/getquota", json=[])).status_code == 200
        limited = await client.post("/gettrackinfo", json=[{"number": ITALIAN}])
        assert limited.status_code == 429
        assert (
            limited.json()["data"]["errors"][0]["message"] == "Request frequency exceeds the allowed limit."
        )
        clock.advance(0.5)
        assert (await client.post("/getquota", json=[])).status_code == 429
        clock.advance(0.5)
        for _ in range(3):  # the refused requests did not count
            assert (await client.post("/getquota", json=[])).status_code == 200


async def test_scripted_errors_delays_and_rejections(
    fake_track17_server: tuple[FakeTrack17, str], fake_track17: FakeTrack17, api: httpx.AsyncClient
) -> None:
    await api.post("/register", json=[{"number": ITALIAN}, {"number": SENDCLOUD}])
    fake_track17.add_event(ITALIAN, "In transito", status="InTransit")
    fake_track17.add_event(SENDCLOUD, "In transito", status="InTransit")
    fake_track17.script("getquota", Reply(status=429))
    scripted_limit = await api.post("/getquota")
    assert scripted_limit.status_code == 429
    assert (
        scripted_limit.json()["data"]["errors"][0]["message"]
        == "Request frequency exceeds the allowed limit."
    )
    fake_track17.script("gettrackinfo", Reply(status=503), Reply(status=500), Reply(delay=5, as_error=False))
    body = [{"number": ITALIAN}, {"number": SENDCLOUD}]

    unavailable = await api.post("/gettrackinfo", json=body)
    assert unavailable.status_code == 503 and unavailable.json()["code"] == -18010003
    assert (await api.post("/gettrackinfo", json=body)).status_code == 500
    with pytest.raises(httpx.ReadTimeout):
        await api.post("/gettrackinfo", json=body, timeout=0.5)

    fake_track17.rejections[SENDCLOUD] = -18019907
    data = (await api.post("/gettrackinfo", json=body)).json()["data"]
    assert [item["number"] for item in data["accepted"]] == [ITALIAN]
    assert data["rejected"] == [
        rejected(SENDCLOUD, -18019907, f"Exceeded the daily limit for tracking number {SENDCLOUD}.")
    ]

    [call] = [c for c in fake_track17.calls_to("gettrackinfo")][-1:]
    assert call.headers["17token"] == API_KEY and call.json == body
    assert (await api.post("/stoptrackingeverything", json=[])).status_code == 404


@pytest.fixture
def webhook_receiver() -> Any:
    received: list[tuple[bytes, dict[str, str]]] = []

    async def hook(request: Request) -> Response:
        received.append((await request.body(), dict(request.headers)))
        return Response(status_code=200)

    with serve_in_thread(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        yield f"{url}/hook", received


async def test_webhook_sign_is_sha256_of_body_slash_key(
    api: httpx.AsyncClient, fake_track17: FakeTrack17, webhook_receiver: Any
) -> None:
    url, received = webhook_receiver
    await api.post("/register", json=[{"number": ITALIAN, "tag": "shipment-7"}])
    fake_track17.add_event(ITALIAN, "Consegnato", status="Delivered", stage="Delivered", location="Roma")
    assert (await post_webhook(url, fake_track17.webhook_payload(ITALIAN))).status_code == 200

    [(raw, headers)] = received
    expected = hashlib.sha256(raw + b"/" + API_KEY.encode()).hexdigest()
    assert headers["sign"] == expected == sign_webhook(raw)
    assert expected == expected.lower() and len(expected) == 64
    assert expected != hmac.new(API_KEY.encode(), raw, hashlib.sha256).hexdigest()  # a plain hash, not HMAC
    event = json.loads(raw)
    assert event["event"] == "TRACKING_UPDATED"
    assert (event["data"]["number"], event["data"]["carrier"], event["data"]["tag"]) == (
        ITALIAN,
        8251,
        "shipment-7",
    )
    assert event["data"]["track_info"]["latest_status"]["status"] == "Delivered"

    await post_webhook(url, raw, signature="f" * 64)
    assert received[1][0] == raw and received[1][1]["sign"] == "f" * 64


async def test_stoptrack_retrack_once_and_deletetrack(
    api: httpx.AsyncClient, fake_track17: FakeTrack17
) -> None:
    await api.post("/register", json=[{"number": ITALIAN}])
    one = [{"number": ITALIAN}]

    async def codes(operation: str) -> list[int]:
        data = (await api.post(f"/{operation}", json=one)).json()["data"]
        assert [item["number"] for item in data["accepted"] + data["rejected"]] == [ITALIAN]
        return [item["error"]["code"] for item in data["rejected"]]

    assert await codes("retrack") == [-18019904]  # only stopped numbers
    assert await codes("stoptrack") == []
    assert await codes("stoptrack") == [-18019906]  # only numbers being tracked
    assert await codes("retrack") == []
    assert await codes("stoptrack") == []
    assert await codes("retrack") == [-18019905]  # once per number
    assert await codes("deletetrack") == []
    assert await codes("deletetrack") == [-18019902]
    assert (await api.post("/gettrackinfo", json=one)).json()["data"]["rejected"][0]["error"][
        "code"
    ] == -18019902
    quota = (await api.post("/getquota")).json()["data"]
    assert quota["quota_used"] == 1  # deleting gives no registration back
