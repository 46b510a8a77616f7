"""The outside services' faults: Sendcloud, 17TRACK and Vinted, each behind a `FaultProxy` down, slow and
answering garbage, while a member uses the feature that needs it through the public API of one `serve`.

Every stand-in (tests/fakes/) sits behind a proxy of its own, and the `serve` is pointed at the proxies.
For each service and mode the member's request must get a clear answer (never a 5xx): a 503 with
``Retry-After`` and an Italian message, a 502 with an Italian message, or a 2xx with a queued or pending
state; then the fault is removed and the feature must come back by itself, or, where only the member can
ask again, when the member asks again (the outcome's state says so: "retry by the user").

- **Vinted** — publish a listing (a queued job). Down and slow: the publish stays ``queued`` with the
  reason and ``not_before``, and the job's own retry (Retry-After, 60 s) publishes it once Vinted is back.
  Garbage: Vinted's answer is not what the client parses (``VintedChanged``): the publish ``failed``
  telling the member to try again, and the member publishes again. And the sales sync («Sincronizza
  ora», a queued job, another linked member for each mode: a member may ask once a minute): its report
  ``failed`` with the reason; its cron runs every 30 minutes, so the way back is the member asking again.
- **Sendcloud** — buy a sale's label (synchronous). A 503 with Retry-After; once Sendcloud is back the
  member's "Riprova" buys it, once (``labels_bought`` is checked: never two labels for one sale).
- **17TRACK** — a parcel followed by its code (``POST /shipments/follow``, 201 ``ready``), then the
  tracking poll (the cron job ``shipments.follow_parcels``; its next tick is brought forward by the drill,
  which enqueues the same job: the cron runs it every ``VO_TRACKING_POLL_HOURS``, at least an hour). The
  poll ends early ("unavailable"), the parcel stays as it was, unharmed; at the next poll after the fault
  it is registered and its carrier events arrive. And the registrations left (``GET
  /shipments/tracking/quota``, synchronous): a 503 with Retry-After, then the member asks again.

The three services are drilled side by side (each has its own proxy), so the whole run is about the
Vinted retry's minute plus the start of `serve`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from resilience.faults import MODES, FaultOutcome, FaultProxy, FaultReport
from tests.fakes import sendcloud as sendcloud_fake
from tests.fakes.sendcloud import FakeSendcloud
from tests.fakes.server import serve_in_thread
from tests.fakes.tracking17 import FakeTrack17
from tests.fakes.vinted import FakeVinted
from tests.images.factories import photo
from tests.support.serve import Serve, running_serve

from vinted_optimizer.kit.queue import create_queue, saq_queue
from vinted_optimizer.shipments.tasks import FOLLOW_JOB

HOLD = 6.0  # the proxy's "slow": longer than each client's timeout below (3 s)
TRACK17_HOLD = 20.0  # longer than the 17TRACK client's own (15 s, not a setting)
TIMEOUT = "3"
TRACK17_KEY = "track17-drill-key-0123456789"
EXTENSION_ORIGIN = "chrome-extension://" + "abcdefghijklmnopabcdefghijklmnop"
PASSWORD = "Valigia-Rossa-2024"  # noqa: S105 - a drill account's
SENDER = {
    "name": "Casa Guasti",
    "address_line_1": "Via Roma",
    "house_number": "12",
    "postal_code": "20121",
    "city": "Milano",
    "country_code": "IT",
}
BUYER = {
    "name": "Marco Rossi",
    "address_line_1": "Corso Vittorio Emanuele",
    "house_number": "5",
    "postal_code": "00186",
    "city": "Roma",
    "country_code": "IT",
}
READY = {
    "description": "Giacca di jeans blu, taglia M, come nuova.",
    "price": "32.00",
    "category_id": 1908,  # Donna > Abbigliamento > Capispalla > Giacche
    "size_id": 4,
    "condition": "very_good",
    "package_size_id": 2,
}
# Vinted's retryable faults wait the job's Retry-After (60 s) and the scheduler's tick.
VINTED_WITHIN = 150.0
WITHIN = 60.0


@dataclass
class StandIns:
    vinted: FakeVinted
    sendcloud: FakeSendcloud
    track17: FakeTrack17
    proxies: dict[str, FaultProxy]


@contextlib.contextmanager
def stand_ins_behind_proxies() -> Iterator[StandIns]:
    fakes = StandIns(FakeVinted(), FakeSendcloud(), FakeTrack17(api_key=TRACK17_KEY), {})
    with contextlib.ExitStack() as stack:
        for name, app, hold in (
            ("vinted", fakes.vinted.app, HOLD),
            ("sendcloud", fakes.sendcloud.app, HOLD),
            ("track17", fakes.track17.app, TRACK17_HOLD),
        ):
            proxy = FaultProxy(stack.enter_context(serve_in_thread(app)), hold=hold)
            stack.callback(proxy.close)
            fakes.proxies[name] = proxy
        yield fakes


def serve_env(fakes: StandIns) -> dict[str, str]:
    vinted = fakes.proxies["vinted"].url
    return {
        "VO_RATE_LIMIT_IP": "1000000/minute",
        "VO_RATE_LIMIT_USER": "1000000/minute",
        "VO_REGISTRATION": "open",
        "VO_OLLAMA_URL": "http://127.0.0.1:9",  # the AI down: drafts stay pending, publishing needs none
        "VO_VINTED_BASE_URL": vinted,
        "VO_VINTED_API_URL": vinted,
        "VO_VINTED_TIMEOUT_SECONDS": TIMEOUT,
        # A write budget that never makes the drill wait at the gate.
        "VO_VINTED_WRITE_BURST": "10",
        "VO_VINTED_WRITE_INTERVAL_SECONDS": "0.01",
        "VO_VINTED_WRITE_HOURLY_CAP": "500",
        "VO_VINTED_READ_BURST": "30",
        "VO_VINTED_READ_INTERVAL_SECONDS": "0.01",
        "VO_SENDCLOUD_BASE_URL": fakes.proxies["sendcloud"].url,
        "VO_SENDCLOUD_TIMEOUT_SECONDS": TIMEOUT,
        "VO_TRACK17_BASE_URL": fakes.proxies["track17"].url,
        "VO_TRACK17_API_KEY": TRACK17_KEY,
        # A delayed job (a publish's retry) moves to the queue within a second (default: 30 s).
        "VO_WORKER_SCHEDULE_SECONDS": "1",
    }


# --- the member and their data, through the API --------------------------------------------------------


class Member:
    def __init__(self, base_url: str, name: str) -> None:
        self.name = name
        self.client = httpx.Client(base_url=base_url, timeout=90)
        registered = self.client.post(
            "/api/v1/auth/register",
            json={
                "email": f"{name}@example.it",
                "username": name,
                "password": PASSWORD,
                "family_name": f"Casa {name}",
            },
        )
        registered.raise_for_status()
        self.client.cookies.clear()
        self.client.headers["Authorization"] = f"Bearer {registered.json()['access_token']}"

    def ok(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self.client.request(method, path, **kwargs)
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        body: dict[str, Any] = response.json()
        return body

    def listing(self, title: str, *, photos: int = 0, seed: int = 1) -> dict[str, Any]:
        if not photos:
            return self.ok("POST", "/api/v1/listings", json={"title": title, "price": "25.00"})
        files = [
            ("files", (f"{seed}-{n}.jpg", photo(600, 800, seed=seed + n), "image/jpeg"))
            for n in range(photos)
        ]
        draft = self.ok("POST", "/api/v1/images/upload", files=files)["listing"]
        return self.ok("PATCH", f"/api/v1/listings/{draft['id']}", json={"title": title, **READY})

    def sale(self, title: str) -> dict[str, Any]:
        listing = self.listing(title)
        return self.ok(
            "POST",
            "/api/v1/sales",
            json={"listing_id": listing["id"], "sale_price": "25.00", "buyer_username": "compratrice_lu"},
        )

    def close(self) -> None:
        self.client.close()


def _link_vinted(member: Member, server: Serve, fake: FakeVinted) -> None:
    """What the browser extension does: the pairing code and the vinted.it cookies to the redeem route."""
    code = member.ok("POST", "/api/v1/vinted-link/pairings")["code"]
    access, refresh = fake.member_session()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        redeemed = client.post(
            "/api/v1/vinted-link/redeem",
            json={"code": code, "access_token_web": access, "refresh_token_web": refresh},
            headers={"Origin": EXTENSION_ORIGIN},
        )
    if redeemed.status_code != 200:
        raise RuntimeError(f"redeem: {redeemed.status_code} {redeemed.text[:300]}")


def _said(response: httpx.Response) -> str:
    """The answer's Italian message (an error's detail), with its Retry-After."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    detail = str(body.get("detail") or "") if isinstance(body, dict) else ""
    retry_after = response.headers.get("Retry-After")
    return f"{detail} [Retry-After {retry_after}]" if retry_after else detail


def _clear(response: httpx.Response) -> bool:
    """A 503 with Retry-After or a 502, each with a message; a 2xx; never a 500."""
    if response.status_code < 300:
        return True
    message = _said(response)
    if response.status_code == 503:
        return bool(response.headers.get("Retry-After")) and bool(message)
    return response.status_code == 502 and bool(message)


def _wait(check: Callable[[], bool], within: float, every: float = 0.5) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return check()


# --- Vinted: publish a listing ---------------------------------------------------------------------


def _sync_report(member: Member) -> dict[str, Any]:
    reports = member.ok("GET", "/api/v1/vinted-link/sync")["items"]
    return next((r for r in reports if r["username"] == member.name), {})


def _sync_now(member: Member, within: float) -> tuple[httpx.Response, dict[str, Any]]:
    """«Sincronizza ora» (asked again once the minute between two asks has passed), and its report once the
    run ends."""
    asked = member.client.post("/api/v1/vinted-link/sync", json={})
    deadline = time.monotonic() + within
    while asked.status_code == 429 and time.monotonic() < deadline:
        time.sleep(min(float(asked.headers.get("Retry-After", "5")), 10.0))
        asked = member.client.post("/api/v1/vinted-link/sync", json={})
    seen: dict[str, Any] = {}

    def ended() -> bool:
        seen.update(_sync_report(member))
        return asked.status_code == 202 and seen.get("state") in ("done", "stopped", "failed")

    _wait(ended, within)
    return asked, seen


def drill_vinted(member: Member, syncing: dict[str, Member], proxy: FaultProxy) -> list[FaultOutcome]:
    """Publish a listing (a queued job), and the sales sync of another linked member («Sincronizza ora»)."""
    listings = {
        mode: member.listing(f"Giacca guasto {mode}", photos=1, seed=n + 1) for n, mode in enumerate(MODES)
    }
    outcomes = {mode: FaultOutcome("Vinted (publish)", mode) for mode in MODES}
    syncs = {mode: FaultOutcome("Vinted (sales sync)", mode) for mode in MODES}

    def publishing(listing_id: str) -> dict[str, Any]:
        record: dict[str, Any] = member.ok("GET", f"/api/v1/listings/{listing_id}").get("publishing") or {}
        return record

    # Garbage first: it fails for good, so no retry of it lands in another mode's fault; down and slow
    # retry after a minute, by then the proxy is healed.
    for mode in ("garbage", "down", "slow"):
        outcome, listing_id = outcomes[mode], listings[mode]["id"]
        proxy.mode = mode
        answer = member.client.post(f"/api/v1/listings/{listing_id}/publish")
        outcome.answer = answer.status_code
        if answer.status_code != 202:
            outcome.error = _said(answer)
        else:
            seen: dict[str, Any] = {}

            def settled(listing_id: str = listing_id, seen: dict[str, Any] = seen) -> bool:
                record = publishing(listing_id)
                seen.update(record)
                return record.get("state") == "failed" or (
                    record.get("state") == "queued" and int(record.get("attempts") or 0) > 0
                )

            if _wait(settled, HOLD * 4 + 20):
                outcome.state = f"{seen['state']} (attempts {seen.get('attempts', 0)})"
                outcome.error = str(seen.get("error") or "")
            else:
                outcome.error = f"still {seen.get('state')} after the fault"
        sync = syncs[mode]
        asked, report = _sync_now(syncing[mode], HOLD * 6 + 30)
        sync.answer = asked.status_code
        if report.get("state") in ("stopped", "failed"):
            sync.state = str(report["state"])
            sync.error = str(report.get("reason") or "")
        else:
            sync.error = f"{_said(asked)} report {report.get('state')} under the fault"
    proxy.mode = "ok"
    healed = time.monotonic()
    for mode, outcome in outcomes.items():
        if outcome.state.startswith("failed"):  # only the member can ask again
            again = member.client.post(f"/api/v1/listings/{listings[mode]['id']}/publish")
            outcome.state += f"; retry by the user ({again.status_code})"

    def sync_again() -> None:
        """The sync's next cron run is up to 30 minutes away: the member's «Sincronizza ora» is the way
        back (asked as soon as the minute between two asks allows), beside the publishes' retries."""
        for mode, sync in syncs.items():
            if not sync.state:
                continue
            asked, report = _sync_now(syncing[mode], VINTED_WITHIN)
            if report.get("state") == "done":
                sync.recovered_after = round(time.monotonic() - healed, 1)
                sync.state += f"; retry by the user ({asked.status_code}, done)"
            else:
                sync.state += f"; retry by the user: {asked.status_code} {report.get('state')}"

    syncing_again = ThreadPoolExecutor(max_workers=1)
    synced = syncing_again.submit(sync_again)
    pending = {mode for mode, outcome in outcomes.items() if outcome.state}

    def all_published() -> bool:
        for mode in list(pending):
            if publishing(listings[mode]["id"]).get("state") == "published":
                outcomes[mode].recovered_after = round(time.monotonic() - healed, 1)
                pending.discard(mode)
        return not pending

    _wait(all_published, VINTED_WITHIN, every=1.0)
    for mode in pending:
        outcomes[mode].state += f"; still {publishing(listings[mode]['id']).get('state')}"
    synced.result()
    syncing_again.shutdown()
    return [outcomes[mode] for mode in MODES] + [syncs[mode] for mode in MODES]


# --- Sendcloud: buy a sale's label -----------------------------------------------------------------------


def drill_sendcloud(member: Member, proxy: FaultProxy, fake: FakeSendcloud) -> list[FaultOutcome]:
    member.ok(
        "PUT",
        "/api/v1/shipments/account",
        json={
            "sender_address": SENDER,
            "sendcloud_public_key": sendcloud_fake.PUBLIC_KEY,
            "sendcloud_secret_key": sendcloud_fake.SECRET_KEY,
        },
    )
    sales = {mode: member.sale(f"Maglione guasto {mode}") for mode in MODES}

    def buy(mode: str) -> httpx.Response:
        return member.client.post(
            "/api/v1/shipments",
            json={
                "sale_id": sales[mode]["id"],
                "shipping_option_code": "brt:standard",
                "weight_kg": "0.8",
                "to_address": BUYER,
            },
        )

    outcomes = []
    for mode in MODES:
        outcome = FaultOutcome("Sendcloud (label)", mode, may_refuse=True)
        outcomes.append(outcome)
        proxy.mode = mode
        answer = buy(mode)
        outcome.answer, outcome.error = answer.status_code, _said(answer)
        if _clear(answer) and answer.status_code >= 300:
            outcome.state = f"{answer.json().get('error')}"
        proxy.mode = "ok"
        healed = time.monotonic()
        again = buy(mode)  # the page's "Riprova": only the member asks again
        order = f"VO-{sales[mode]['id']}"
        if again.status_code in (200, 201) and again.json().get("status") == "ready":
            outcome.recovered_after = round(time.monotonic() - healed, 1)
            outcome.state += f"; retry by the user ({again.status_code})"
        else:
            outcome.state += f"; retry by the user failed ({again.status_code} {_said(again)})"
        bought = fake.labels_bought[order]
        if bought != 1:
            outcome.recovered_after = None
            outcome.state += f"; {bought} labels bought"
    return outcomes


# --- 17TRACK: a parcel followed, the poll; the quota ----------------------------------------------------


async def _poll_once(redis_url: str, key: str, within: float = 90.0) -> dict[str, Any]:
    """The tracking cron's next tick, brought forward: the same job queued, its report once it ends."""
    queue = await create_queue(redis_url, {FOLLOW_JOB})
    reader = saq_queue(redis_url)
    try:
        await queue.enqueue(FOLLOW_JOB, job_id=key)
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            job = await reader.job(key)
            if job is not None and job.status in ("complete", "failed", "aborted"):
                return job.result if isinstance(job.result, dict) else {"status": str(job.status)}
            await asyncio.sleep(0.3)
        return {"stopped": f"the job did not end within {within:.0f} s"}
    finally:
        await queue.aclose()
        await reader.disconnect()


def drill_track17(member: Member, proxy: FaultProxy, fake: FakeTrack17, redis_url: str) -> list[FaultOutcome]:
    numbers = {mode: f"RR{100000001 + n}IT" for n, mode in enumerate(MODES)}
    sales = {mode: member.sale(f"Borsa guasto {mode}") for mode in MODES}
    shipments: dict[str, str] = {}
    followed, quotas = [], []
    run = f"{time.time_ns()}"
    for mode in MODES:
        proxy.mode = mode
        outcome = FaultOutcome("17TRACK (tracking poll)", mode)
        followed.append(outcome)
        answer = member.client.post(
            "/api/v1/shipments/follow", json={"sale_id": sales[mode]["id"], "tracking_code": numbers[mode]}
        )
        outcome.answer = answer.status_code
        if answer.status_code == 201:
            shipments[mode] = answer.json()["id"]
            report = asyncio.run(_poll_once(redis_url, f"{FOLLOW_JOB}:drill:{run}:{mode}"))
            shipment = member.ok("GET", f"/api/v1/shipments/{shipments[mode]}")
            outcome.state = f"{shipment['status']}, poll {report.get('stopped') or 'not stopped'}"
            outcome.error = str(shipment.get("tracking_error") or "")
            if not report.get("stopped", "").startswith("unavailable"):
                outcome.state = ""  # the fault did not reach the poll: not a drill of it
        else:
            outcome.error = _said(answer)
        quota = FaultOutcome("17TRACK (quota)", mode, may_refuse=True)
        quotas.append(quota)
        asked = member.client.get("/api/v1/shipments/tracking/quota")
        quota.answer, quota.error = asked.status_code, _said(asked)
        if _clear(asked) and asked.status_code >= 300:
            quota.state = str(asked.json().get("error"))
    proxy.mode = "ok"
    healed = time.monotonic()
    for quota in quotas:
        again = member.client.get("/api/v1/shipments/tracking/quota")
        if again.status_code == 200 and "quota_remain" in again.json():
            quota.recovered_after = round(time.monotonic() - healed, 1)
            quota.state += "; retry by the user (200)"
        else:
            quota.state += f"; retry by the user failed ({again.status_code})"
    # The next poll registers the parcels; the carrier scans them; the poll after brings the events.
    first = asyncio.run(_poll_once(redis_url, f"{FOLLOW_JOB}:drill:{run}:healed"))
    for mode in shipments:
        if numbers[mode] in fake.parcels:
            fake.add_event(
                numbers[mode],
                "Accettato",
                status="InTransit",
                sub_status="InTransit_PickedUp",
                stage="PickedUp",
                location="Milano",
            )
    second = asyncio.run(_poll_once(redis_url, f"{FOLLOW_JOB}:drill:{run}:scanned"))
    for outcome, mode in zip(followed, MODES, strict=True):
        if mode not in shipments:
            continue
        shipment = member.ok("GET", f"/api/v1/shipments/{shipments[mode]}")
        if shipment["status"] == "in_transit" and shipment["events"]:
            outcome.recovered_after = round(time.monotonic() - healed, 1)
            outcome.state += f"; {shipment['status']} at the next polls"
        else:
            outcome.state += f"; still {shipment['status']} (polls: {first}, {second})"
    return followed + quotas


# --- the whole drill ----------------------------------------------------------------------------------


def run_external_faults(work: Path) -> FaultReport:
    report = FaultReport()
    with (
        stand_ins_behind_proxies() as fakes,
        running_serve(work / "services-serve.log", **serve_env(fakes)) as server,
    ):
        name = f"servizi{time.time_ns()}"
        members = [Member(server.url, f"{name}{n}") for n in range(3)]
        # The sales sync is asked at most once a minute per member: one member (and family) per mode.
        syncing = {mode: Member(server.url, f"{name}{mode}") for mode in MODES}
        try:
            for linked in (members[0], *syncing.values()):
                _link_vinted(linked, server, fakes.vinted)
            redis_url = f"unix://{server.data_dir / 'redis' / 'redis.sock'}"
            with ThreadPoolExecutor(max_workers=3) as pool:
                drills = [
                    pool.submit(drill_vinted, members[0], syncing, fakes.proxies["vinted"]),
                    pool.submit(drill_sendcloud, members[1], fakes.proxies["sendcloud"], fakes.sendcloud),
                    pool.submit(
                        drill_track17, members[2], fakes.proxies["track17"], fakes.track17, redis_url
                    ),
                ]
                for drill in drills:
                    report.outcomes.extend(drill.result())
        finally:
            for member in (*members, *syncing.values()):
                member.close()
    return report
