"""The token, cross-family and upload attacks over every endpoint, generated from the app's route table.

The endpoints come from `create_app(...).routes` (every HTTP route under /api/v1, its methods and path
parameters), so a new endpoint is attacked without anyone listing it:

- token: no token, a malformed one, an expired one, one signed with another secret and a logged-out
  session's token, on every route that depends on the access token (found in its dependency tree:
  `access_claims`, `current_member`, `current_user`, `instance_admin`, `family_admin`) → 401. The public
  routes (none of those dependencies) are called anonymously and must answer without a 5xx; one naming a
  family's resource (the signed photo URL) is called with family A's id and no signature → 4xx.
- cross-family: family B's member calls every route with a path parameter naming one of family A's
  resources (a listing, image, sale, shipment, tracking code, invitation, chat session, member, pairing)
  → 4xx, never a 2xx (and never A's id in the body).
- upload: every route whose body takes an `UploadFile` gets a non-image, a truncated JPEG, a
  decompression bomb, a file over the size limit and a non-image under an image content type → 4xx with
  a message (`detail`), and family B's listing count unchanged.

Each attack is a request against a real `serve` over HTTP. `run_attacks` returns the counts and the
failures, each naming the endpoint; `resilience/run.py` prints them.
"""

from __future__ import annotations

import io
import struct
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
from fastapi import UploadFile, routing
from fastapi.dependencies.models import Dependant
from PIL import Image
from tests.images.factories import photo

from vinted_optimizer.auth import dependencies

PASSWORD = "Valigia-Rossa-2024"  # noqa: S105 - the attackers' own accounts
PREFIX = "/api/v1"
GUARDS = {
    dependencies.access_claims,
    dependencies.current_member,
    dependencies.current_user,
    dependencies.instance_admin,
    dependencies.family_admin,
}
# Path parameters that name a family's resource, and the key of `Family.ids` that holds it.
FAMILY_SCOPED = {
    "listing_id": "listing",
    "image_id": "image",
    "sale_id": "sale",
    "shipment_id": "shipment",
    "tracking_code": "tracking_code",
    "invitation_id": "invitation",
    "session_id": "chat_session",
    "user_id": "member",
    "pairing_id": "pairing",
}
# Limit on the attack server's uploads (VO_MAX_UPLOAD_BYTES), so "over the limit" is a few hundred KB.
UPLOAD_LIMIT = 200_000


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # as declared, e.g. /api/v1/listings/{listing_id:uuid}
    params: tuple[str, ...]
    protected: bool
    upload_fields: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"

    def url(self, values: dict[str, str]) -> str:
        path = self.path
        for param in self.params:
            for spelled in (f"{{{param}}}", f"{{{param}:uuid}}", f"{{{param}:int}}", f"{{{param}:path}}"):
                path = path.replace(spelled, values.get(param, _filler(param, spelled)))
        return path


def _filler(param: str, spelled: str) -> str:
    if spelled.endswith(":int}"):
        return "1"
    if param in ("key", "token", "catalog_id", "tracking_code"):
        return "sconosciuto"
    return str(uuid.uuid4())


def _guarded(dependant: Dependant) -> bool:
    return dependant.call in GUARDS or any(_guarded(sub) for sub in dependant.dependencies)


def _takes_upload(annotation: Any) -> bool:
    return annotation is UploadFile or UploadFile in getattr(annotation, "__args__", ())


def endpoints(app: Any | None = None) -> list[Endpoint]:
    """Every HTTP route under /api/v1 of the app (one per method)."""
    if app is None:
        from vinted_optimizer.app import create_app
        from vinted_optimizer.config import Settings

        app = create_app(Settings(jwt_secret="route-table-only-" + "x" * 32))  # type: ignore[arg-type]
    found = []
    for route in routing.iter_route_contexts(app.routes):
        methods = getattr(route, "methods", None)
        dependant = getattr(route, "dependant", None)
        if not route.path or not route.path.startswith(PREFIX) or not methods or dependant is None:
            continue
        params = tuple(param.name for param in dependant.path_params)
        uploads = tuple(f.name for f in dependant.body_params if _takes_upload(f.field_info.annotation))
        for method in sorted(methods - {"HEAD", "OPTIONS"}):
            found.append(Endpoint(method, route.path, params, _guarded(dependant), uploads))
    return found


@dataclass
class AttackReport:
    tried: int = 0
    refused: int = 0
    public_routes: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [tried, refused]
    failures: list[str] = field(default_factory=list)

    def count(self, kind: str, refused: bool, failure: str | None = None) -> None:
        tried_refused = self.by_kind.setdefault(kind, [0, 0])
        tried_refused[0] += 1
        self.tried += 1
        if refused:
            tried_refused[1] += 1
            self.refused += 1
        elif failure:
            self.failures.append(failure)


@dataclass
class Family:
    headers: dict[str, str]
    token: str
    ids: dict[str, str] = field(default_factory=dict)


def _register(client: httpx.Client, name: str) -> Family:
    response = client.post(
        "/api/v1/auth/register",
        json={"email": f"{name}@example.it", "username": name, "password": PASSWORD},
    )
    response.raise_for_status()
    token = response.json()["access_token"]
    client.cookies.clear()
    return Family({"Authorization": f"Bearer {token}"}, token)


def _seed(client: httpx.Client, family: Family, stamp: str) -> None:
    """One resource of each kind in the family, through the API."""
    headers = family.headers
    upload = client.post(
        "/api/v1/images/upload",
        files=[("files", ("foto.jpg", photo(400, 300), "image/jpeg"))],
        headers=headers,
    )
    upload.raise_for_status()
    family.ids["listing"] = upload.json()["listing"]["id"]
    family.ids["image"] = upload.json()["images"][0]["id"]
    sold = client.post("/api/v1/listings", json={"title": "Borsa", "status": "published"}, headers=headers)
    sold.raise_for_status()
    sale = client.post(
        "/api/v1/sales", json={"listing_id": sold.json()["id"], "sale_price": "12"}, headers=headers
    )
    sale.raise_for_status()
    family.ids["sale"] = sale.json()["id"]
    followed = client.post(
        "/api/v1/shipments/follow",
        json={"sale_id": sale.json()["id"], "tracking_code": "RR123456789IT"},
        headers=headers,
    )
    followed.raise_for_status()
    family.ids["shipment"] = followed.json()["id"]
    family.ids["tracking_code"] = followed.json()["tracking_code"]
    invitation = client.post(
        "/api/v1/users/family/invite", json={"email": f"invitato{stamp}@example.it"}, headers=headers
    )
    invitation.raise_for_status()
    family.ids["invitation"] = invitation.json()["id"]
    joined = client.post(
        "/api/v1/auth/register",
        json={
            "email": f"m{stamp}@example.it",
            "username": f"m{stamp}",
            "password": PASSWORD,
            "invite_token": client.post(
                "/api/v1/users/family/invite", json={"email": f"m{stamp}@example.it"}, headers=headers
            ).json()["token"],
        },
    )
    joined.raise_for_status()
    client.cookies.clear()
    me = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {joined.json()['access_token']}"})
    family.ids["member"] = me.json()["id"]
    pairing = client.post("/api/v1/vinted-link/pairings", headers=headers)
    if pairing.status_code == 201:
        family.ids["pairing"] = pairing.json()["id"]
    chat = client.post("/api/v1/chat/sessions", json={}, headers=headers)
    if chat.status_code == 201:
        family.ids["chat_session"] = chat.json()["id"]


def _bad_tokens(victim: Family, secret: str) -> dict[str, dict[str, str]]:
    claims = jwt.decode(victim.token, options={"verify_signature": False})
    past = datetime.now(UTC) - timedelta(days=2)
    expired = {**claims, "iat": int(past.timestamp()), "exp": int((past + timedelta(minutes=15)).timestamp())}
    return {
        "no token": {},
        "malformed token": {"Authorization": "Bearer non.un.token"},
        "expired token": {"Authorization": f"Bearer {jwt.encode(expired, secret, algorithm='HS256')}"},
        "another secret": {
            "Authorization": f"Bearer {jwt.encode(claims, 'un-altro-segreto-' + 'y' * 32, algorithm='HS256')}"
        },
    }


def _revoked(client: httpx.Client, email: str) -> dict[str, str]:
    other = client.post("/api/v1/auth/login", json={"login": email, "password": PASSWORD})
    other.raise_for_status()
    headers = {"Authorization": f"Bearer {other.json()['access_token']}"}
    client.cookies.clear()
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    client.cookies.clear()
    return headers


def _body(endpoint: Endpoint) -> dict[str, Any]:
    return {"json": {}} if endpoint.method in ("POST", "PUT", "PATCH") and not endpoint.upload_fields else {}


def _png_bomb(side: int = 12_000) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" + b"\x00" * (side * 3), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def _huge_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((1400, 1000), 90).convert("RGB").save(buffer, "JPEG", quality=98)
    assert buffer.tell() > UPLOAD_LIMIT
    return buffer.getvalue()


def upload_attacks() -> Iterator[tuple[str, tuple[str, bytes, str]]]:
    yield "non-image", ("testo.jpg", b"Questo non e' una foto.", "image/jpeg")
    yield "truncated JPEG", ("troncata.jpg", photo(1600, 1200)[:30_000], "image/jpeg")
    yield "decompression bomb", ("bomba.png", _png_bomb(), "image/png")
    yield "over the size limit", ("enorme.jpg", _huge_jpeg(), "image/jpeg")
    yield "wrong content type", ("script.png", b"<?php echo 1; ?>" * 10, "image/png")


def _listings_total(client: httpx.Client, family: Family) -> int:
    response = client.get("/api/v1/listings", params={"limit": 1}, headers=family.headers)
    response.raise_for_status()
    return int(response.json()["total"])


def run_attacks(base_url: str, jwt_secret: str, *, log: Callable[[str], None] = print) -> AttackReport:
    report = AttackReport()
    table = endpoints()
    stamp = f"{time.time_ns()}"
    with httpx.Client(base_url=base_url, timeout=30) as client:
        victim = _register(client, f"vittima{stamp}")
        _seed(client, victim, stamp)
        attacker = _register(client, f"attacco{stamp}")
        tokens = _bad_tokens(victim, jwt_secret)
        tokens["logged-out session"] = _revoked(client, f"vittima{stamp}@example.it")
        log(
            f"attacks: {len(table)} endpoints ({sum(e.protected for e in table)} protected), "
            f"family A's resources {sorted(victim.ids)}"
        )

        for endpoint in table:
            if not endpoint.protected:
                report.public_routes += 1
                # A public route naming a family's resource (a signed photo URL) without its signature:
                # refused; any other public route: anything but a 5xx.
                scoped = any(param in FAMILY_SCOPED for param in endpoint.params)
                response = client.request(endpoint.method, endpoint.url(victim.ids), **_body(endpoint))
                client.cookies.clear()
                report.count(
                    "public route naming A's resource, anonymous" if scoped else "public route, anonymous",
                    400 <= response.status_code < 500 if scoped else response.status_code < 500,
                    f"{endpoint.name} anonymous → {response.status_code}",
                )
                continue
            for kind, headers in tokens.items():
                response = client.request(
                    endpoint.method, endpoint.url(victim.ids), headers=headers, **_body(endpoint)
                )
                client.cookies.clear()
                report.count(
                    f"token: {kind}",
                    response.status_code == 401,
                    f"{endpoint.name} with {kind} → {response.status_code}",
                )

        for endpoint in table:
            scoped = [param for param in endpoint.params if param in FAMILY_SCOPED]
            if (
                not endpoint.protected
                or not scoped
                or not all(FAMILY_SCOPED[p] in victim.ids for p in scoped)
            ):
                continue
            values = {param: victim.ids[FAMILY_SCOPED[param]] for param in scoped}
            response = client.request(
                endpoint.method, endpoint.url(values), headers=attacker.headers, **_body(endpoint)
            )
            leaked = response.status_code < 300 and any(value in response.text for value in values.values())
            report.count(
                "cross-family",
                400 <= response.status_code < 500,
                f"{endpoint.name} by another family → {response.status_code}"
                + (" with A's data" if leaked else ""),
            )

        before = _listings_total(client, attacker)
        for endpoint in table:
            for upload_field in endpoint.upload_fields:
                for kind, (name, content, content_type) in upload_attacks():
                    response = client.request(
                        endpoint.method,
                        endpoint.url({}),
                        files=[(upload_field, (name, content, content_type))],
                        headers=attacker.headers,
                    )
                    detail = _detail(response)
                    report.count(
                        f"upload: {kind}",
                        400 <= response.status_code < 500 and bool(detail),
                        f"{endpoint.name} {kind} → {response.status_code} {detail!r}",
                    )
        after = _listings_total(client, attacker)
        report.count(
            "upload: nothing stored",
            after == before,
            f"uploads refused but listings went from {before} to {after}",
        )
        # Family A is intact: the attacks (DELETEs included) removed none of its resources.
        still = client.get(f"/api/v1/listings/{victim.ids['listing']}", headers=victim.headers)
        report.count("victim intact", still.status_code == 200, f"A's listing → {still.status_code}")
    return report


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    detail = body.get("detail") if isinstance(body, dict) else None
    return detail if isinstance(detail, str) else ""
