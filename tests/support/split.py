"""The split deployment as four processes: `api`, `worker`, `ai-service` and `scraper-service`, each its own
`vinted-optimizer` subprocess (`tests.support.serve.Process`), talking over HTTP with the service token (no
in-process shortcut), against embedded PostgreSQL and Redis started here (as Neon and Upstash would be) and
the local stand-ins of Ollama, Vinted, Sendcloud and 17TRACK.

The cloud side (API, worker) shares the object folder (R2 in production); the home side (AI, scraper) has
folders of its own, so nothing reaches it except over HTTP. Used by tests/test_split_mode.py and by the
home services' fault drill (resilience/faults_home.py), which puts a fault proxy between the cloud side and
each home service: `running_split(..., ai_url=..., scraper_url=...)` says where the cloud side reaches them.

    with embedded_cloud() as embedded, running_split(embedded, logs) as split:
        httpx.get(f"{split.api.url}/api/health")
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.fakes.ollama import FakeOllama
from tests.fakes.sendcloud import FakeSendcloud
from tests.fakes.server import serve_in_thread
from tests.fakes.tracking17 import FakeTrack17
from tests.fakes.vinted import FakeVinted
from tests.support.serve import Process, base_env, free_port, stop_all
from tests.vinted_link.factories import EXTENSION_ORIGIN
from vinted_optimizer.kit.embedded import EmbeddedServers, start_embedded
from vinted_optimizer.kit.migrations import upgrade

SERVICE_TOKEN = secrets.token_urlsafe(32)
TRACK17_KEY = "track17-test-key-0123456789"


@dataclass
class Split:
    api: Process
    worker: Process
    ai: Process
    scraper: Process
    ollama: FakeOllama
    vinted: FakeVinted
    sendcloud: FakeSendcloud
    track17: FakeTrack17
    track17_url: str
    cloud_dir: Path
    home_dir: Path

    @property
    def processes(self) -> list[Process]:
        return [self.api, self.worker, self.ai, self.scraper]

    def logs(self, tail: int = 3000) -> str:
        """The end of each process's log, for a failure's message."""
        return "\n".join(f"--- {p.name}\n{p.output()[-tail:]}" for p in self.processes)


@contextlib.contextmanager
def embedded_cloud() -> Iterator[EmbeddedServers]:
    """PostgreSQL and Redis of the cloud side, started in this process (Neon and Upstash in production);
    the migrations run once here, as Fly's release command does."""
    folder = Path(tempfile.mkdtemp(prefix="vo-sp", dir="/tmp"))
    started = start_embedded(folder, need_postgres=True, need_redis=True)
    try:
        assert started.database_url is not None
        upgrade(started.database_url)
        yield started
    finally:
        started.stop()
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def running_split(  # noqa: PLR0913 - where each side is reached, and what each side adds
    embedded: EmbeddedServers,
    logs: Path,
    *,
    ai_port: int | None = None,
    scraper_port: int | None = None,
    ai_url: str | None = None,
    scraper_url: str | None = None,
    cloud_env: dict[str, str] | None = None,
    home_env: dict[str, str] | None = None,
) -> Iterator[Split]:
    """The four processes started side by side and ready, with the stand-ins in threads of this process.

    The home services listen on ``ai_port`` / ``scraper_port`` (free ports by default); the cloud side
    reaches them at ``ai_url`` / ``scraper_url`` (by default those ports directly; a fault proxy's address
    otherwise). ``cloud_env`` and ``home_env`` add or override VO_* settings of each side. On exit: SIGTERM
    to all, the process groups killed if needed, the folders removed."""
    assert embedded.database_url and embedded.redis_url
    logs.mkdir(parents=True, exist_ok=True)
    cloud_dir = Path(tempfile.mkdtemp(prefix="vo-spc", dir="/tmp"))
    home_dir = Path(tempfile.mkdtemp(prefix="vo-sph", dir="/tmp"))
    ollama, vinted, sendcloud = FakeOllama(), FakeVinted(), FakeSendcloud()
    track17 = FakeTrack17(api_key=TRACK17_KEY)
    ai_port = ai_port or free_port()
    scraper_port = scraper_port or free_port()
    with contextlib.ExitStack() as stack:
        ollama_url = stack.enter_context(serve_in_thread(ollama.app))
        vinted_url = stack.enter_context(serve_in_thread(vinted.app))
        sendcloud_url = stack.enter_context(serve_in_thread(sendcloud.app))
        track17_url = stack.enter_context(serve_in_thread(track17.app))
        common = {
            "VO_SERVICE_TOKEN": SERVICE_TOKEN,
            "VO_REDIS_URL": embedded.redis_url,
            "VO_VINTED_BASE_URL": vinted_url,
            "VO_VINTED_API_URL": vinted_url,
            "VO_VINTED_WRITE_BURST": "10",
            "VO_VINTED_WRITE_INTERVAL_SECONDS": "0.01",
            "VO_VINTED_WRITE_HOURLY_CAP": "500",
            "VO_VINTED_READ_BURST": "30",
            "VO_VINTED_READ_INTERVAL_SECONDS": "0.01",
        }
        cloud = base_env(
            **common,
            VO_DATABASE_URL=embedded.database_url,
            VO_JWT_SECRET=secrets.token_urlsafe(48),
            VO_FERNET_KEYS="k" * 43 + "=",
            VO_DATA_DIR=str(cloud_dir),
            VO_AI_SERVICE_URL=ai_url or f"http://127.0.0.1:{ai_port}",
            VO_SCRAPER_SERVICE_URL=scraper_url or f"http://127.0.0.1:{scraper_port}",
            VO_SENDCLOUD_BASE_URL=sendcloud_url,
            VO_TRACK17_BASE_URL=track17_url,
            VO_REGISTRATION="open",
            VO_RATE_LIMIT_REGISTER="10000/hour",
            VO_RATE_LIMIT_IP="5000/minute",
            # A pending analysis is tried again after 1 s, and the worker's scheduler moves a due job every
            # second (defaults: a minute, 30 s), so the catch-up is seen within seconds.
            VO_ANALYSIS_RETRY_FIRST_SECONDS="1",
            VO_WORKER_SCHEDULE_SECONDS="1",
            # The home scraper unreachable: a queued publish tries again after 1 s (default: a minute).
            VO_SCRAPER_RETRY_SECONDS="1",
            VO_TRACK17_API_KEY=TRACK17_KEY,
            **(cloud_env or {}),
        )
        home = base_env(**common, VO_DATA_DIR=str(home_dir), VO_OLLAMA_URL=ollama_url, **(home_env or {}))
        home_args = ["--data-dir", str(home_dir)]
        split = Split(
            api=Process("api", ["api"], cloud, logs / "api.log", health="/api/health"),
            worker=Process("worker", ["worker"], cloud, logs / "worker.log", health=None),
            ai=Process(
                "ai-service",
                ["ai-service", *home_args],
                home,
                logs / "ai.log",
                health="/health",
                port=ai_port,
            ),
            scraper=Process(
                "scraper-service",
                ["scraper-service", *home_args],
                home,
                logs / "scraper.log",
                health="/health",
                port=scraper_port,
            ),
            ollama=ollama,
            vinted=vinted,
            sendcloud=sendcloud,
            track17=track17,
            track17_url=track17_url,
            cloud_dir=cloud_dir,
            home_dir=home_dir,
        )
        try:
            for process in split.processes:
                process.launch()
            for process in split.processes:
                process.wait_ready()
            yield split
        finally:
            stop_all(*split.processes)
            shutil.rmtree(cloud_dir, ignore_errors=True)
            shutil.rmtree(home_dir, ignore_errors=True)


def sse_events(response: httpx.Response) -> list[tuple[str, str]]:
    """A streamed answer's server-sent events, as (event, data) pairs."""
    events, name, data = [], "", []
    for line in response.iter_lines():
        if line.startswith("event: "):
            name = line[len("event: ") :]
        elif line.startswith("data: "):
            data.append(line[len("data: ") :])
        elif not line and name:
            events.append((name, "\n".join(data)))
            name, data = "", []
    return events


def link_vinted(split: Split, client: httpx.Client) -> None:
    """What the browser extension does: the member's code (``client`` signed in as them) and a vinted.it
    session of the Vinted stand-in to the redeem route."""
    code = client.post("/api/v1/vinted-link/pairings")
    assert code.status_code == 201, code.text
    access, refresh = split.vinted.member_session()
    redeemed = httpx.post(
        f"{split.api.url}/api/v1/vinted-link/redeem",
        json={"code": code.json()["code"], "access_token_web": access, "refresh_token_web": refresh},
        headers={"Origin": EXTENSION_ORIGIN},
        timeout=10,
    )
    assert redeemed.status_code == 200, redeemed.text
