"""The hardening review's findings, as probes against a real `serve`: each prints fixed or NOT FIXED.

    .venv/bin/python resilience/findings.py                  # this checkout
    .venv/bin/python resilience/findings.py --source /tmp/old/src   # another checkout's code (a worktree)

Run against the code from before the hardening, every probe says NOT FIXED; against this one, fixed.
The tests in tests/hardening/ hold the same facts; this script is the before/after evidence, and part of
`make resilience`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import jwt
import psutil
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.images.factories import photo  # noqa: E402
from tests.support.serve import Serve, base_env, new_data_dir, redis_pids, shut_down  # noqa: E402

PASSWORD = "Valigia-Rossa-2024"  # noqa: S105 - the probes' own accounts


@dataclass
class Probe:
    finding: str
    what: str
    fixed: bool
    evidence: str


class Lab:
    """One serve, and the helpers the probes share."""

    def __init__(self, server: Serve) -> None:
        self.server = server
        self.url = server.url
        self.counter = 0

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=15, **kwargs)  # type: ignore[arg-type]

    def name(self) -> str:
        self.counter += 1
        return f"probe{self.counter}x{os.getpid()}"

    def first_admin(self) -> dict[str, str]:
        with self.client() as client:
            name = self.name()
            body = client.post(
                "/api/v1/auth/register",
                json={"email": f"{name}@example.it", "username": name, "password": PASSWORD},
            ).json()
        self.admin = {"Authorization": f"Bearer {body['access_token']}"}
        return self.admin

    def member(self) -> tuple[str, str, dict[str, str]]:
        """A new member of the first family, through an invitation: (e-mail, username, headers)."""
        name = self.name()
        email = f"{name}@example.it"
        with self.client() as client:
            token = client.post(
                "/api/v1/users/family/invite", json={"email": email}, headers=self.admin
            ).json()["token"]
            body = client.post(
                "/api/v1/auth/register",
                json={"email": email, "username": name, "password": PASSWORD, "invite_token": token},
            ).json()
        return email, name, {"Authorization": f"Bearer {body['access_token']}"}

    def redis_client(self) -> redis.Redis:
        (pid,) = redis_pids(self.server.data_dir)
        path = next(c.laddr for c in psutil.Process(pid).net_connections(kind="unix") if c.laddr)
        return redis.Redis(unix_socket_path=path)

    def jwt_secret(self) -> str:
        for line in (self.server.data_dir / "secrets.env").read_text().splitlines():
            if line.startswith("VO_JWT_SECRET="):
                return line.split("=", 1)[1]
        raise LookupError("no JWT secret")


def probe_input(lab: Lab) -> Iterator[Probe]:
    headers = lab.admin
    with lab.client() as client:
        cases: list[tuple[str, Callable[[], httpx.Response]]] = [
            (
                "NUL in a title",
                lambda: client.post("/api/v1/listings", json={"title": "a\u0000"}, headers=headers),
            ),
            (
                "NUL in a filter",
                lambda: client.get("/api/v1/listings", params={"q": "a\u0000"}, headers=headers),
            ),
            (
                "category_id ≥ 2³¹",
                lambda: client.post("/api/v1/listings", json={"category_id": 2**31}, headers=headers),
            ),
            (
                "NUL in preferences",
                lambda: client.patch(
                    "/api/v1/users/me", json={"preferences": {"k\u0000": 1}}, headers=headers
                ),
            ),
        ]
        listing = client.post("/api/v1/listings", json={"title": "x"}, headers=headers).json()["id"]
        cases.append(
            (
                "status null",
                lambda: client.patch(f"/api/v1/listings/{listing}", json={"status": None}, headers=headers),
            )
        )
        image = client.post(
            "/api/v1/images/upload", files=[("files", ("a.jpg", photo(), "image/jpeg"))], headers=headers
        ).json()["images"][0]["id"]
        cases.append(
            (
                "non-ASCII photo signature",
                lambda: client.get(
                    f"/api/v1/images/{image}/file?variant=processed&expires=9999999999&signature={'à' * 32}"
                ),
            )
        )
        cases.append(("NUL in a static path", lambda: client.get("/index.html%00.json")))
        for what, call in cases:
            try:
                status = str(call().status_code)
            except httpx.HTTPError as error:  # the server broke the connection off
                status = type(error).__name__
            yield Probe("6", what, status.isdigit() and 400 <= int(status) < 500, status)


def probe_content_types(lab: Lab) -> Iterator[Probe]:
    with lab.client() as client:
        for content_type, data in (
            ("application/json; charset=utf-16", json.dumps({"title": "utf16"}).encode("utf-16")),
            ("application/vnd.api+json", json.dumps({"title": "vnd"}).encode()),
        ):
            response = client.post(
                "/api/v1/listings", content=data, headers={**lab.admin, "Content-Type": content_type}
            )
            yield Probe(
                "8", f"{content_type} is not JSON", response.status_code == 415, str(response.status_code)
            )


def probe_proxies(lab: Lab) -> Iterator[Probe]:
    with lab.client() as client:
        statuses = [
            client.post(
                "/api/v1/auth/login",
                json={"login": f"nobody{n}{lab.name()}@example.it", "password": "wrong-password"},
                headers={"X-Forwarded-For": f"192.0.2.{n + 1}"},
            ).status_code
            for n in range(7)
        ]
    yield Probe(
        "3", "a forged X-Forwarded-For does not reset the failed-login limit", 429 in statuses, str(statuses)
    )


def probe_enumeration(lab: Lab) -> Iterator[Probe]:
    email, username, _ = lab.member()
    with lab.client() as client:
        taken = client.post(
            "/api/v1/auth/register", json={"email": email, "username": lab.name(), "password": PASSWORD}
        )
        fresh = client.post(
            "/api/v1/auth/register",
            json={"email": f"{lab.name()}@example.it", "username": lab.name(), "password": PASSWORD},
        )
        invite = client.post("/api/v1/users/family/invite", json={"email": email}, headers=lab.admin)
    yield Probe(
        "4",
        "sign-up answers the same for a taken and a free address",
        (taken.status_code, taken.json().get("error")) == (fresh.status_code, fresh.json().get("error")),
        f"taken {taken.status_code}, free {fresh.status_code}",
    )
    yield Probe(
        "4",
        "inviting a taken address looks like any invitation",
        invite.status_code == 201,
        str(invite.status_code),
    )


def probe_lockout(lab: Lab) -> Iterator[Probe]:
    guessed_email, guessed_username, _ = lab.member()
    owner_email, _, _ = lab.member()
    with lab.client() as owner, lab.client() as attacker:
        signed_in = owner.post("/api/v1/auth/login", json={"login": owner_email, "password": PASSWORD})
        # The device cookie is Secure: httpx keeps it off plain http, a browser on localhost does not.
        cookies = [c for c in signed_in.headers.get_list("set-cookie") if c.startswith("vo_device=")]
        device = {"Cookie": cookies[0].split(";", 1)[0]} if cookies else {}
        for n in range(5):  # 3 guesses by e-mail, 2 by username: one account
            login = guessed_email if n < 3 else guessed_username
            attacker.post(
                "/api/v1/auth/login",
                json={"login": login, "password": "wrong-password"},
                headers={"X-Forwarded-For": f"198.51.100.{n + 1}"},
            )
        sixth = attacker.post(
            "/api/v1/auth/login",
            json={"login": guessed_username, "password": "wrong-password"},
            headers={"X-Forwarded-For": "198.51.100.9"},
        )
        for n in range(5):  # someone who knows the owner's e-mail
            attacker.post(
                "/api/v1/auth/login",
                json={"login": owner_email, "password": "wrong-password"},
                headers={"X-Forwarded-For": f"198.51.100.{n + 20}"},
            )
        right = owner.post(
            "/api/v1/auth/login", json={"login": owner_email, "password": PASSWORD}, headers=device
        )
    yield Probe(
        "5", "e-mail and username count as one account", sixth.status_code == 429, str(sixth.status_code)
    )
    yield Probe("5", "the owner's own device still gets in", right.status_code == 200, str(right.status_code))


def probe_browser(lab: Lab) -> Iterator[Probe]:
    with lab.client() as client:
        page = client.get("/")
        script_src = next(
            (p for p in page.headers.get("content-security-policy", "").split(";") if "script-src" in p), ""
        )
        connect_src = next(
            (p for p in page.headers.get("content-security-policy", "").split(";") if "connect-src" in p), ""
        )
        email, _, _ = lab.member()
        login = client.post("/api/v1/auth/login", json={"login": email, "password": PASSWORD})
        docs = client.get("/api/docs")
        claims = {
            "sub": str(uuid.uuid4()),
            "sid": str(uuid.uuid4()),
            "jti": "x",
            "iat": 1,
            "exp": 2,
            "typ": "access",
        }
        forged = jwt.encode(claims, "not-our-secret-but-long-enough-for-hs256!!", algorithm="HS256")
        expired = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {forged}"})
    yield Probe(
        "7",
        "no 'unsafe-inline' in the page's script-src",
        "unsafe-inline" not in script_src,
        script_src.strip(),
    )
    yield Probe("7", "connect-src is this origin only", "ws:" not in connect_src, connect_src.strip())
    yield Probe("7", "no refresh token in a browser's JSON", not login.json().get("refresh_token"), "")
    yield Probe(
        "7", "/api/docs loads nothing from a CDN", "cdn" not in docs.text.lower(), str(docs.status_code)
    )
    yield Probe("7", "no X-Token-Expired for a forged token", "x-token-expired" not in expired.headers, "")


def probe_sessions(lab: Lab) -> Iterator[Probe]:
    email, _, headers = lab.member()
    with lab.client() as client:
        client.post("/api/v1/auth/logout", headers=headers)
        lab.redis_client().flushall()  # Redis lost everything
        after = client.get("/api/v1/users/me", headers=headers).status_code
        me = client.get("/api/v1/users/me", headers=lab.admin).json()
        token = jwt.encode(
            {
                "sub": me["id"],
                "sid": str(uuid.uuid4()),
                "jti": "probe",
                "iat": int(time.time()),
                "exp": int(time.time()) + 600,
                "typ": "access",
            },
            lab.jwt_secret(),
            algorithm="HS256",
        )
        ghost = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}).status_code
    yield Probe("2", "a logged-out token stays refused after Redis loses its data", after == 401, str(after))
    yield Probe("2", "a signed token for a session that does not exist is refused", ghost == 401, str(ghost))


def probe_crash(lab: Lab) -> Iterator[Probe]:
    for pid in redis_pids(lab.server.data_dir):
        os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    statuses: list[int] = []
    with lab.client() as client:
        while time.monotonic() - killed < 12:
            with contextlib.suppress(httpx.HTTPError):
                statuses.append(
                    client.post("/api/v1/listings", json={"title": "crash"}, headers=lab.admin).status_code
                )
                if statuses[-1] == 201 and time.monotonic() - killed > 0.5:
                    break
            time.sleep(0.2)
    recovered = bool(statuses) and statuses[-1] == 201
    yield Probe(
        "1",
        "serve recovers from a SIGKILLed Redis by itself",
        recovered,
        f"{time.monotonic() - killed:.1f} s",
    )
    yield Probe("1", "while Redis is down: 503, never 500", 500 not in statuses, str(sorted(set(statuses))))


# In this order: the failed sign-ins of the last three lock the probes' one address for a minute.
PROBES = [
    probe_input,
    probe_content_types,
    probe_enumeration,
    probe_browser,
    probe_sessions,
    probe_lockout,
    probe_proxies,
    probe_crash,
]


def run(source: Path | None) -> list[Probe]:
    env = base_env(
        VO_RATE_LIMIT_IP="100000/minute",
        VO_RATE_LIMIT_USER="100000/minute",
        VO_OLLAMA_URL="http://127.0.0.1:9",
        VO_WEB_DIR=str(ROOT / "web" / "out"),
    )
    if source is not None:
        env["PYTHONPATH"] = str(source)
    data_dir = new_data_dir()
    server = Serve(data_dir=data_dir, log_path=data_dir / "serve.log", env=env)
    results: list[Probe] = []
    try:
        server.start()
        lab = Lab(server)
        lab.first_admin()
        for probe in PROBES:
            try:
                results += list(probe(lab))
            except Exception as error:  # noqa: BLE001 - a probe that breaks is a finding not fixed
                results.append(Probe("?", probe.__name__, False, f"{type(error).__name__}: {error}"[:120]))
    finally:
        shut_down(server)
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", type=Path, help="another checkout's src/ to run instead of this one")
    args = parser.parse_args()
    results = run(args.source)
    print(f"\nhardening findings against {args.source or 'this checkout'}:\n")
    print("| finding | probe | result | evidence |")
    print("|---|---|---|---|")
    for result in results:
        verdict = "fixed" if result.fixed else "NOT FIXED"
        print(f"| {result.finding} | {result.what} | {verdict} | {result.evidence} |")
    return 0 if all(result.fixed for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
