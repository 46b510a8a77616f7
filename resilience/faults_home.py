"""The home services' faults: the AI service and the scraper service, each a process of its own in the split
deployment (tests/support/split.py), reached by the cloud side (API and worker) through a `FaultProxy`
(resilience/faults.py) that is, in turn, down, slow and answering garbage.

For each service and mode, the features a member uses are driven through the public API:

- the AI service: an upload (the draft's analysis, done by the worker) and a question to the assistant;
- the scraper service: publishing a draft on Vinted and a sales sync (both jobs of the worker), the
  listing's market panel and the family's trends refresh (both answered at once by the API).

Each answer must be below 500 and leave a clear state: the analysis ``pending`` with an Italian error,
the assistant's reply an error said in words, the publish ``queued`` with why it waits, the sync
``failed`` saying it tries again by itself; the panel and the refresh, answered at once, a 503 with
``Retry-After`` and an Italian sentence (``may_refuse``). A garbage answer must not be described as the
service being unreachable or silent. Then the proxy is set back to ``ok``
and each feature must recover: the jobs by the worker's own retries; the assistant, the panel and the
refresh when the member asks again (what a person does: the outcome's note says so).

The proxy's ``slow`` holds a connection for `HOLD` seconds, past the cloud side's timeouts toward the home
side (set short here: 16 s for an analysis and a chat's first line, the scraper client's 15 s), then drops
it; a publish or a sync waits longer by design (minutes at the home side's pacing gate), so for them slow
is a connection held and then dropped.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
from resilience.faults import MODES, FaultOutcome, FaultProxy, FaultReport
from tests.auth.factories import DEFAULT_PASSWORD
from tests.images.factories import photo
from tests.support.serve import free_port
from tests.support.split import Split, embedded_cloud, link_vinted, running_split, sse_events

HOLD = 20.0
SETTLE = HOLD + 25.0  # seconds for the first failure to be seen (a held connection, the worker's pick-up)
RECOVER = 60.0  # seconds for every feature to be back once the fault is removed
QUESTION = "Come descrivo una giacca di jeans?"
READY = {
    "title": "Giacca di jeans Levi's",
    "description": "Giacca di jeans blu, taglia M, come nuova.",
    "price": "32.00",
    "category_id": 1908,  # Donna > Abbigliamento > Capispalla > Giacche
    "size_id": 4,
    "condition": "very_good",
    "package_size_id": 2,
}
CLOUD_ENV = {
    # The cloud side's timeouts toward the home AI service: one photo of a 1 s Ollama timeout plus the
    # client's 15 s margin, and a chat's first line 1 s plus the same margin (defaults: minutes).
    "VO_OLLAMA_TIMEOUT_SECONDS": "1",
    "VO_AI_MAX_IMAGES": "1",
    "VO_CHAT_FIRST_TOKEN_TIMEOUT_SECONDS": "1",
    "VO_TRENDS_REFRESH_COOLDOWN_MINUTES": "0",  # a refresh asked again after each fault
    "VO_RATE_LIMIT_USER": "100000/minute",
    "VO_RATE_LIMIT_CHAT": "10000/minute",
}
# What a garbage answer must not be called: the service is there, and answered.
MISLEADING = ("raggiungibile", "non risponde", "non ha risposto")


class Member:
    """A new account (its own family, so its admin) signed in over the API."""

    def __init__(self, api_url: str, name: str) -> None:
        self.client = httpx.Client(base_url=api_url, timeout=60)
        username = f"{name}{time.time_ns() % 10**12}"
        registered = self.client.post(
            "/api/v1/auth/register",
            json={"email": f"{username}@example.it", "username": username, "password": DEFAULT_PASSWORD},
        )
        registered.raise_for_status()
        self.client.headers["Authorization"] = f"Bearer {registered.json()['access_token']}"
        self.client.cookies.clear()

    def listing(self, listing_id: str) -> dict[str, Any]:
        response = self.client.get(f"/api/v1/listings/{listing_id}")
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def upload(self, seed: int) -> httpx.Response:
        files = [("files", (f"home-{seed}.jpg", photo(400, 300, seed=seed), "image/jpeg"))]
        return self.client.post("/api/v1/images/upload", files=files)

    def ask(self, question: str = QUESTION) -> tuple[int, str | None]:
        """The answer's status and the error the reply said (None: an answer, no error)."""
        created = self.client.post("/api/v1/chat/sessions", json={})
        if created.status_code != 201:
            return created.status_code, f"no session: {created.text[:200]}"
        path = f"/api/v1/chat/sessions/{created.json()['id']}/messages/stream"
        with self.client.stream("POST", path, json={"content": question}, timeout=120) as response:
            if response.status_code != 200:
                return response.status_code, f"{response.read()[:200]!r}"
            events = sse_events(response)
        names = [name for name, _ in events]
        if not names or names[-1] != "done":
            return 200, f"the stream ended without done: {names}"
        errors = [json.loads(data).get("detail") or "" for name, data in events if name == "error"]
        if errors:
            return 200, errors[0] or "an error without words"
        if "token" not in names:
            return 200, f"neither an answer nor an error: {names}"
        return 200, None

    def last_sync(self) -> dict[str, Any] | None:
        reports = self.client.get("/api/v1/vinted-link/sync")
        reports.raise_for_status()
        items: list[dict[str, Any]] = reports.json()["items"]
        return items[0] if items else None

    def close(self) -> None:
        self.client.close()


def until(check: Callable[[], Any], within: float, every: float = 0.5) -> Any:
    """The first truthy value of ``check`` within ``within`` seconds, else None."""
    deadline = time.monotonic() + within
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value or None
        time.sleep(every)


def misleading(mode: str, error: str) -> bool:
    return mode == "garbage" and any(words in error for words in MISLEADING)


def settle(outcome: FaultOutcome, state: str) -> None:
    """``state`` is the clear state seen, unless the words say the wrong thing about the fault."""
    if misleading(outcome.mode, outcome.error):
        outcome.note = "a garbage answer called unreachable or silent"
        return
    outcome.state = state


def recover(checks: dict[int, tuple[FaultOutcome, Callable[[], bool]]], within: float = RECOVER) -> None:
    """Poll every check until it holds (the time since the fault was removed, on its outcome)."""
    healed = time.monotonic()
    pending = dict(checks)
    while pending and time.monotonic() - healed < within:
        for key, (outcome, check) in list(pending.items()):
            if check():
                outcome.recovered_after = round(time.monotonic() - healed, 1)
                del pending[key]
        time.sleep(0.5)


def drill_ai_service(proxy: FaultProxy, member: Member, report: FaultReport) -> None:
    for seed, mode in enumerate(MODES, 1):
        report.outcomes += ai_fault(proxy, member, mode, seed)


def ai_fault(proxy: FaultProxy, member: Member, mode: str, seed: int) -> list[FaultOutcome]:
    analysis = FaultOutcome("AI service: draft analysis", mode)
    chat = FaultOutcome("AI service: assistant", mode, note="recovered when asked again")
    proxy.mode = mode
    upload = member.upload(seed)
    analysis.answer = upload.status_code
    listing_id = upload.json()["listing"]["id"] if upload.status_code == 201 else None
    chat.answer, said = member.ask()
    if said is not None and chat.answer == 200:
        chat.error = said
        settle(chat, "an error said in the reply")
    if listing_id is not None:
        tried = until(
            lambda: (found := member.listing(listing_id))["analysis_attempts"] > 0 and found, SETTLE
        )
        if tried and tried["analysis_status"] == "pending" and tried["analysis_error"]:
            analysis.error = tried["analysis_error"]
            settle(analysis, f"pending, attempt {tried['analysis_attempts']} failed, retry planned")
    proxy.mode = "ok"
    checks: dict[int, tuple[FaultOutcome, Callable[[], bool]]] = {
        1: (chat, lambda: member.ask() == (200, None)),
    }
    if listing_id is not None:
        checks[0] = (analysis, lambda: member.listing(listing_id)["analysis_status"] == "done")
    recover(checks)
    return [analysis, chat]


def ready_draft(member: Member, seed: int) -> str:
    """A draft ready for Vinted, analysed first (with the scraper healthy: not part of the drill)."""
    upload = member.upload(seed)
    upload.raise_for_status()
    listing_id: str = upload.json()["listing"]["id"]
    until(lambda: member.listing(listing_id)["analysis_status"] == "done", 30)
    member.client.patch(f"/api/v1/listings/{listing_id}", json=READY).raise_for_status()
    return listing_id


def refused_clearly(outcome: FaultOutcome, response: httpx.Response) -> None:
    outcome.answer = response.status_code
    retry_after = response.headers.get("Retry-After", "")
    if response.status_code == 503 and retry_after.isdigit():
        outcome.error = str(response.json().get("detail") or "")
        if outcome.error:
            settle(outcome, f"refused, Retry-After {retry_after} s")


def drill_scraper_service(proxy: FaultProxy, split: Split, publisher: Member, report: FaultReport) -> None:
    """``publisher`` publishes, reads the market and refreshes the trends; a new member syncs in each mode
    (a sync may be asked once a minute, and a member's Vinted calls take turns: a sync beside their own
    held publish would wait for it)."""
    for seed, mode in enumerate(MODES, 11):
        seller = Member(split.api.url, f"homesync{mode}")
        try:
            link_vinted(split, seller.client)
            report.outcomes += scraper_fault(proxy, publisher, seller, mode, seed)
        finally:
            seller.close()


def scraper_fault(
    proxy: FaultProxy, publisher: Member, seller: Member, mode: str, seed: int
) -> list[FaultOutcome]:
    publish = FaultOutcome("scraper service: publish on Vinted", mode)
    sync = FaultOutcome("scraper service: sales sync", mode)
    market = FaultOutcome(
        "scraper service: market panel", mode, note="recovered when opened again", may_refuse=True
    )
    trends = FaultOutcome(
        "scraper service: trends refresh", mode, note="recovered when asked again", may_refuse=True
    )
    listing_id = ready_draft(publisher, seed)
    proxy.mode = mode
    asked = publisher.client.post(f"/api/v1/listings/{listing_id}/publish")
    publish.answer = asked.status_code
    sync_asked = seller.client.post("/api/v1/vinted-link/sync", json={})
    sync.answer = sync_asked.status_code
    refused_clearly(market, publisher.client.get(f"/api/v1/listings/{listing_id}/market"))
    refused_clearly(trends, publisher.client.post("/api/v1/trends/refresh"))

    waiting = until(
        lambda: (
            (found := publisher.listing(listing_id))["publishing"] and found["publishing"]["error"] and found
        ),
        SETTLE,
    )
    if waiting and waiting["publishing"]["state"] == "queued" and waiting["vinted_id"] is None:
        publish.error = waiting["publishing"]["error"]
        settle(publish, f"queued until {waiting['publishing']['not_before']}")
    failed_at = None
    if sync.answer == 202:
        ended = until(
            lambda: (found := seller.last_sync()) and found["state"] not in ("queued", "running") and found,
            SETTLE,
        )
        if ended and ended["state"] == "failed" and any("Riprovo da solo" in n for n in ended["notes"]):
            sync.error, failed_at = ended["reason"] or "", ended["finished_at"]
            settle(sync, "failed, tries again by itself")

    proxy.mode = "ok"

    def synced() -> bool:
        found = seller.last_sync()
        return bool(
            found and found["state"] == "done" and (failed_at is None or found["finished_at"] > failed_at)
        )

    recover(
        {
            0: (
                publish,
                lambda: (
                    (found := publisher.listing(listing_id))["vinted_id"] is not None
                    and found["publishing"]["state"] == "published"
                ),
            ),
            1: (sync, synced),
            2: (
                market,
                lambda: publisher.client.get(f"/api/v1/listings/{listing_id}/market").status_code == 200,
            ),
            3: (trends, lambda: publisher.client.post("/api/v1/trends/refresh").status_code == 202),
        }
    )
    return [publish, sync, market, trends]


@contextlib.contextmanager
def proxies() -> Iterator[tuple[FaultProxy, int, FaultProxy, int]]:
    """A proxy in front of each home service's port-to-be (the service starts after its proxy)."""
    ai_port, scraper_port = free_port(), free_port()
    ai = FaultProxy(f"http://127.0.0.1:{ai_port}", hold=HOLD)
    scraper = FaultProxy(f"http://127.0.0.1:{scraper_port}", hold=HOLD)
    try:
        yield ai, ai_port, scraper, scraper_port
    finally:
        ai.close()
        scraper.close()


def run_home_faults(work: Path) -> FaultReport:
    """The whole drill on a split deployment of its own; the processes' logs in ``work/home-logs``."""
    report = FaultReport()
    with (
        proxies() as (ai_proxy, ai_port, scraper_proxy, scraper_port),
        embedded_cloud() as embedded,
        running_split(
            embedded,
            work / "home-logs",
            ai_port=ai_port,
            scraper_port=scraper_port,
            ai_url=ai_proxy.url,
            scraper_url=scraper_proxy.url,
            cloud_env=CLOUD_ENV,
        ) as split,
    ):
        asker, publisher = Member(split.api.url, "homeai"), Member(split.api.url, "homepub")
        try:
            link_vinted(split, publisher.client)
            drill_ai_service(ai_proxy, asker, report)
            drill_scraper_service(scraper_proxy, split, publisher, report)
        finally:
            asker.close()
            publisher.close()
    return report


if __name__ == "__main__":  # the drill alone: PYTHONPATH=src python -m resilience.faults_home
    import tempfile

    for outcome in run_home_faults(Path(tempfile.mkdtemp(prefix="vo-home-faults-"))).outcomes:
        print(outcome)
