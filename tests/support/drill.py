"""The fault drill: a client loop against a real `serve` while its embedded Redis and PostgreSQL are
killed with SIGKILL, one after the other.

The load is mixed: a listing each turn, every third one published, sold and its parcel followed.
What it records: every answer (only 201 and 503 with Retry-After are acceptable), how long each server
took to be back (from the kill to the first 201 after it), whether a logged-out token was ever let in,
and, at the end, whether every listing, sale and shipment that got a 201 is still in PostgreSQL (read back
after the recovery). Used by tests/hardening and by
`make resilience` (resilience/drill.py), which runs it longer.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.images.factories import photo
from tests.support.serve import Serve, postgres_pid, redis_pids

PASSWORD = "Valigia-Rossa-2024"


@dataclass
class Fault:
    server: str
    killed_at: float
    recovered_after: float | None = None


@dataclass
class DrillReport:
    statuses: Counter[int] = field(default_factory=Counter)
    # The created listing read back at once (a GET: the reader's own pool, kit.db.PoolReader).
    reads: Counter[int] = field(default_factory=Counter)
    unavailable_without_retry_after: int = 0
    created: list[str] = field(default_factory=list)
    # The mixed load's other writes: a sale of every third listing, a followed shipment of every sale.
    sales: list[str] = field(default_factory=list)
    shipments: list[str] = field(default_factory=list)
    missing_sales: list[str] = field(default_factory=list)
    missing_shipments: list[str] = field(default_factory=list)
    revoked_token_accepted: int = 0
    revoked_token_checks: int = 0
    faults: list[Fault] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    # Seconds from an upload after the faults until the (restarted) job worker tried its analysis.
    worker_answered_after: float | None = None

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def server_errors_other_than_503(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500 and status != 503)

    def committed(self) -> dict[str, list[str]]:
        """What the client saw committed (a 2xx), by kind."""
        return {"listings": self.created, "sales": self.sales, "shipments": self.shipments}

    def lost(self) -> dict[str, list[str]]:
        """What was committed and is not in PostgreSQL after the recovery, by kind."""
        return {"listings": self.missing, "sales": self.missing_sales, "shipments": self.missing_shipments}

    def unexpected(self) -> dict[int, int]:
        """Answers other than 201 and 503 to the writes, and other than 200 and 503 to the reads."""
        writes = {status: count for status, count in self.statuses.items() if status not in (201, 503)}
        reads = {f"read {status}": count for status, count in self.reads.items() if status not in (200, 503)}
        return {**writes, **reads}


def _account(client: httpx.Client) -> tuple[dict[str, str], dict[str, str]]:
    """A member's headers, and the headers of a second session of theirs that has been logged out."""
    name = f"drill{time.time_ns()}"
    email = f"{name}@example.it"
    response = client.post(
        "/api/v1/auth/register", json={"email": email, "username": name, "password": PASSWORD}
    )
    response.raise_for_status()
    live = {"Authorization": f"Bearer {response.json()['access_token']}"}
    client.cookies.clear()
    other = client.post("/api/v1/auth/login", json={"login": email, "password": PASSWORD})
    other.raise_for_status()
    revoked = {"Authorization": f"Bearer {other.json()['access_token']}"}
    client.cookies.clear()
    assert client.post("/api/v1/auth/logout", headers=revoked).status_code == 204
    return live, revoked


def _kill(server: str, data_dir: Path) -> None:
    pids = [postgres_pid(data_dir)] if server == "postgres" else redis_pids(data_dir)
    assert pids and all(pids), f"no running {server} to kill"
    for pid in pids:
        assert pid is not None
        os.kill(pid, signal.SIGKILL)


def run_fault_drill(
    server: Serve,
    *,
    faults: tuple[str, ...] = ("redis", "postgres"),
    settle_seconds: float = 2.0,
    settle_created: int | None = None,
    recover_within: float = 10.0,
) -> DrillReport:
    """Before the first fault and after each recovery the load runs for ``settle_seconds``, or only until
    ``settle_created`` more listings got their 201 (then at most ``settle_seconds``): a condition, not a
    fixed delay, for a short run."""
    report = DrillReport()
    stop = threading.Event()
    recovered = threading.Event()
    lock = threading.Lock()
    settled = threading.Event()
    settle_target = [0]  # len(report.created) that ends the current settling (0: by time alone)
    with httpx.Client(base_url=server.url, timeout=10) as setup:
        live, revoked = _account(setup)

    def load() -> None:
        counter = 0
        with httpx.Client(base_url=server.url, timeout=10) as client:
            while not stop.is_set():
                counter += 1
                body: dict[str, str] = {"title": f"drill {counter}"}
                if counter % 3 == 0:
                    body["status"] = "published"  # to be sold below
                try:
                    response = client.post("/api/v1/listings", json=body, headers=live)
                except httpx.HTTPError:
                    continue  # the server process itself is never killed: a transport error is not an answer
                with lock:
                    report.statuses[response.status_code] += 1
                    if response.status_code == 201:
                        report.created.append(response.json()["id"])
                        recovered.set()
                        if settle_target[0] and len(report.created) >= settle_target[0]:
                            settled.set()
                    elif response.status_code == 503 and "Retry-After" not in response.headers:
                        report.unavailable_without_retry_after += 1
                if response.status_code == 201 and counter % 3 == 0:
                    _sell_and_ship(client, live, response.json()["id"], counter, report, lock)
                if response.status_code == 201:
                    try:
                        read = client.get(f"/api/v1/listings/{response.json()['id']}", headers=live)
                    except httpx.HTTPError:
                        continue
                    with lock:
                        report.reads[read.status_code] += 1
                        if read.status_code == 503 and "Retry-After" not in read.headers:
                            report.unavailable_without_retry_after += 1
                if counter % 5 == 0:
                    check = client.get("/api/v1/users/me", headers=revoked)
                    with lock:
                        report.revoked_token_checks += 1
                        if check.status_code == 200:
                            report.revoked_token_accepted += 1

    def settle() -> None:
        if settle_created is None:
            time.sleep(settle_seconds)
            return
        with lock:
            settled.clear()
            settle_target[0] = len(report.created) + settle_created
        settled.wait(settle_seconds)

    worker = threading.Thread(target=load, name="drill-load", daemon=True)
    worker.start()
    try:
        settle()
        for name in faults:
            recovered.clear()
            fault = Fault(server=name, killed_at=time.monotonic())
            _kill(name, server.data_dir)
            time.sleep(0.3)  # the kill lands before the next 201 can count as recovery
            recovered.clear()
            if recovered.wait(recover_within * 3):
                fault.recovered_after = round(time.monotonic() - fault.killed_at, 2)
            report.faults.append(fault)
            settle()
    finally:
        stop.set()
        worker.join(timeout=30)

    with httpx.Client(base_url=server.url, timeout=30) as client:
        seen: set[str] = set()
        offset = 0
        while True:
            page = client.get("/api/v1/listings", params={"limit": 100, "offset": offset}, headers=live)
            page.raise_for_status()
            items = page.json()["items"]
            seen.update(item["id"] for item in items)
            if len(items) < 100:
                break
            offset += 100
        report.missing = [listing_id for listing_id in report.created if listing_id not in seen]
        report.missing_sales = _absent(client, live, "/api/v1/sales", report.sales)
        report.missing_shipments = _absent(client, live, "/api/v1/shipments", report.shipments)
        report.worker_answered_after = _worker_answers(client, live, within=recover_within * 3)
    return report


def _sell_and_ship(
    client: httpx.Client,
    headers: dict[str, str],
    listing_id: str,
    counter: int,
    report: DrillReport,
    lock: threading.Lock,
) -> None:
    """The mixed load's sale of a published listing and its followed shipment; each 201 is committed."""
    try:
        sale = client.post(
            "/api/v1/sales", json={"listing_id": listing_id, "sale_price": "12.50"}, headers=headers
        )
    except httpx.HTTPError:
        return
    with lock:
        report.statuses[sale.status_code] += 1
        if sale.status_code == 201:
            report.sales.append(sale.json()["id"])
        elif sale.status_code == 503 and "Retry-After" not in sale.headers:
            report.unavailable_without_retry_after += 1
    if sale.status_code != 201:
        return
    try:
        shipment = client.post(
            "/api/v1/shipments/follow",
            json={"sale_id": sale.json()["id"], "tracking_code": f"RR{counter:09d}IT"},
            headers=headers,
        )
    except httpx.HTTPError:
        return
    with lock:
        report.statuses[shipment.status_code] += 1
        if shipment.status_code == 201:
            report.shipments.append(shipment.json()["id"])
        elif shipment.status_code == 503 and "Retry-After" not in shipment.headers:
            report.unavailable_without_retry_after += 1


def _absent(client: httpx.Client, headers: dict[str, str], collection: str, ids: list[str]) -> list[str]:
    """The ids whose row is not there (each read by id: a 404)."""
    absent = []
    for row_id in ids:
        response = client.get(f"{collection}/{row_id}", headers=headers)
        if response.status_code == 404:
            absent.append(row_id)
        else:
            response.raise_for_status()
    return absent


def _worker_answers(client: httpx.Client, headers: dict[str, str], *, within: float) -> float | None:
    """Upload a photo: the job worker (which died with Redis) must be back to try the analysis. Ollama is
    not running, so a tried analysis is one with an error and a retry planned."""
    started = time.monotonic()
    upload = client.post(
        "/api/v1/images/upload", files=[("files", ("a.jpg", photo(), "image/jpeg"))], headers=headers
    )
    upload.raise_for_status()
    listing_id = upload.json()["listing"]["id"]
    while time.monotonic() - started < within:
        listing = client.get(f"/api/v1/listings/{listing_id}", headers=headers).json()
        if listing["analysis_attempts"] > 0:
            return round(time.monotonic() - started, 2)
        time.sleep(0.2)
    return None
