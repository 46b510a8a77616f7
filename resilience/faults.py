"""Faults of an external dependency, injected at the TCP level between `serve` and the dependency's stand-in.

`FaultProxy` listens on a port of its own and, by its `mode`:

- ``ok``: pipes each connection to the stand-in (tests/fakes/), byte for byte;
- ``down``: accepts and resets at once (SO_LINGER 0), as a dependency whose process has gone;
- ``slow``: accepts, reads, and says nothing for ``hold`` seconds (beyond our timeout);
- ``garbage``: answers every request with a 200 whose body is not the JSON the client expects.

`drill_ai` drives the feature that uses the AI (an upload → the draft's analysis) through the API while
Ollama (behind the proxy) is down, slow, and answering garbage: each upload must be a 201 with the
analysis ``pending`` and an error said, never a 5xx; when the fault is removed the job worker's retry
completes the analyses by itself (``done``).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
from tests.images.factories import photo

MODES = ("down", "slow", "garbage")
GARBAGE_BODY = b'{"risposta": [1, 2, "\xff"}!!'  # says JSON, is not (and is not UTF-8 either)
GARBAGE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    + f"Content-Length: {len(GARBAGE_BODY)}\r\nConnection: close\r\n\r\n".encode()
    + GARBAGE_BODY
)


class FaultProxy:
    def __init__(self, upstream: str, *, hold: float = 8.0) -> None:
        host, port = upstream.removeprefix("http://").rstrip("/").split(":")
        self.upstream = (host, int(port))
        self._mode = "ok"
        self._piped: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.hold = hold
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True, name="fault-proxy").start()

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        """A fault applies to the connections already open too (a client's kept-alive pool): they are
        dropped, so the next request opens one that meets the fault."""
        self._mode = mode
        if mode != "ok":
            with self._lock:
                piped, self._piped = self._piped, set()
            for conn in piped:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._stop.set()
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn, self._mode), daemon=True).start()

    def _handle(self, conn: socket.socket, mode: str) -> None:
        with conn:
            if mode == "down":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            if mode == "slow":
                with contextlib.suppress(OSError):
                    _read_request(conn)
                time.sleep(self.hold)
                return
            if mode == "garbage":
                with contextlib.suppress(OSError):
                    _read_request(conn)  # all of it: closing on unread bytes would reset the connection
                    conn.sendall(GARBAGE)
                return
            try:
                upstream = socket.create_connection(self.upstream, timeout=30)
            except OSError:
                return
            with upstream:
                with self._lock:
                    self._piped.add(conn)
                back = threading.Thread(target=_pipe, args=(upstream, conn), daemon=True)
                back.start()
                _pipe(conn, upstream)
                back.join(timeout=60)
                with self._lock:
                    self._piped.discard(conn)


def _read_request(conn: socket.socket, limit: float = 10.0) -> None:
    """Read one HTTP request to its end (its Content-Length, or a chunked body's last chunk)."""
    conn.settimeout(limit)
    data = b""
    while b"\r\n\r\n" not in data:
        if not (chunk := conn.recv(65536)):
            return
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    headers = head.decode("latin-1").lower()
    length = next(
        (int(line.split(":", 1)[1]) for line in headers.split("\r\n") if line.startswith("content-length:")),
        None,
    )
    while (
        (len(body) < length)
        if length is not None
        else ("chunked" in headers and not body.endswith(b"0\r\n\r\n"))
    ):
        if not (chunk := conn.recv(65536)):
            return
        body += chunk


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
        sink.shutdown(socket.SHUT_WR)


@dataclass
class FaultOutcome:
    dependency: str
    mode: str
    answer: int | None = None
    state: str = ""
    error: str = ""
    recovered_after: float | None = None
    note: str = ""  # how it recovered when a person had to act (asked again), or what was wrong
    # A feature answered at once from the dependency (a market panel, not a queued job) refuses with a
    # 503 and Retry-After while it is away: that answer is its clear state, not a failure.
    may_refuse: bool = False

    @property
    def survived(self) -> bool:
        return (
            self.answer is not None
            and (self.answer < 500 or (self.may_refuse and self.answer == 503))
            and bool(self.state)
            and self.recovered_after is not None
        )


@dataclass
class FaultReport:
    outcomes: list[FaultOutcome] = field(default_factory=list)

    @property
    def injected(self) -> int:
        return len(self.outcomes)

    @property
    def survived(self) -> int:
        return sum(outcome.survived for outcome in self.outcomes)


@contextlib.contextmanager
def fake_ollama_behind_proxy(hold: float) -> Iterator[FaultProxy]:
    from tests.fakes.ollama import FakeOllama
    from tests.fakes.server import serve_in_thread

    with serve_in_thread(FakeOllama().app) as url:
        proxy = FaultProxy(url, hold=hold)
        try:
            yield proxy
        finally:
            proxy.close()


def drill_ai(base_url: str, proxy: FaultProxy, *, within: float = 240.0) -> FaultReport:
    """Each fault on its own upload; then the fault removed and every analysis must end ``done``."""
    report = FaultReport()
    with httpx.Client(base_url=base_url, timeout=60) as client:
        name = f"faults{time.time_ns()}"
        registered = client.post(
            "/api/v1/auth/register",
            json={"email": f"{name}@example.it", "username": name, "password": "Valigia-Rossa-2024"},
        )
        registered.raise_for_status()
        headers = {"Authorization": f"Bearer {registered.json()['access_token']}"}
        client.cookies.clear()
        listings: dict[str, FaultOutcome] = {}
        for mode in MODES:
            proxy.mode = mode
            outcome = FaultOutcome("AI (Ollama)", mode)
            report.outcomes.append(outcome)
            upload = client.post(
                "/api/v1/images/upload",
                files=[("files", (f"{mode}.jpg", photo(400, 300, seed=len(listings) + 1), "image/jpeg"))],
                headers=headers,
            )
            outcome.answer = upload.status_code
            if upload.status_code != 201:
                continue
            listing_id = upload.json()["listing"]["id"]
            listings[listing_id] = outcome
            deadline = time.monotonic() + proxy.hold * 3 + 30
            while time.monotonic() < deadline:  # the first attempt fails: pending, an error, a retry planned
                listing = client.get(f"/api/v1/listings/{listing_id}", headers=headers).json()
                if listing["analysis_attempts"] > 0:
                    outcome.state = (
                        listing["analysis_status"] if listing["analysis_status"] == "pending" else ""
                    )
                    outcome.error = listing["analysis_error"] or ""
                    break
                time.sleep(0.5)
        proxy.mode = "ok"
        healed = time.monotonic()
        while time.monotonic() - healed < within and any(
            o.recovered_after is None for o in listings.values()
        ):
            for listing_id, outcome in listings.items():
                if outcome.recovered_after is None:
                    listing = client.get(f"/api/v1/listings/{listing_id}", headers=headers).json()
                    if listing["analysis_status"] == "done":
                        outcome.recovered_after = round(time.monotonic() - healed, 1)
            time.sleep(1)
    return report
