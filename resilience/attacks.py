"""The token, cross-family, malformed-value and upload attacks over every endpoint, generated from the
app's route table.

The endpoints come from `create_app(...).routes` (every HTTP route under /api/v1, its methods and path
parameters), so a new endpoint is attacked without anyone listing it:

- token: no token, a malformed one, an expired one, one signed with another secret and a logged-out
  session's token, on every route that depends on the access token (found in its dependency tree:
  `access_claims`, `current_member`, `current_user`, `instance_admin`, `family_admin`) → 401. The public
  routes (none of those dependencies) are called anonymously and must answer without a 5xx; one naming a
  family's resource (the signed photo URL) is called with family A's id and no signature → 4xx.
- cross-family: family B's member calls every route with a path parameter naming one of family A's
  resources (FAMILY_SCOPED: a listing, image, sale, shipment, tracking code, invitation, chat session, chat
  reply, member, pairing, bulk publish, signed-in session) → 4xx, never a 2xx (and never A's id in the
  body); a route with two of them is also called with A's value in one and B's own in the other (B's chat,
  A's reply). The parameters where B's call is not refused but must leave A's data as it was
  (EFFECT_SCOPED: a dashboard suggestion's key, a Sendcloud webhook's token) get their own checks.
- malformed: every path parameter of every route gets a too long value, a wrong type, an out-of-range
  number, a path traversal, a NUL byte, unicode and a quote → 4xx (never a 5xx, never a 2xx).
- upload: every route whose body takes an `UploadFile` gets a non-image, a truncated JPEG, a
  decompression bomb, a file over the size limit and a non-image under an image content type → 4xx with
  a message (`detail`), and family B's listing count unchanged.

Every path parameter must have a rule (PARAM_RULES): `unruled` names the ones that have none, the
route-table test fails on them and `run_attacks` refuses to start, so a new parameter cannot silently get
only the token attacks.

Each attack is a request against a real `serve` over HTTP. `run_attacks` returns the counts and the
failures, each naming the endpoint; `resilience/run.py` prints them.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import struct
import time
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
from fastapi import UploadFile, routing
from fastapi.dependencies.models import Dependant
from PIL import Image
from tests.images.factories import photo
from tests.vinted_link.factories import cookies

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
# Path parameters that name a family's resource, and the key of `Family.ids` that holds it: B's call
# with A's value is refused.
FAMILY_SCOPED = {
    "listing_id": "listing",
    "image_id": "image",
    "sale_id": "sale",
    "shipment_id": "shipment",
    "tracking_code": "tracking_code",
    "invitation_id": "invitation",
    "session_id": "chat_session",
    "message_id": "chat_message",  # a chat reply, in A's chat session
    "user_id": "member",
    "pairing_id": "pairing",
    "batch_id": "publish_batch",  # a bulk publish on Vinted (its 16 hex digits)
    "jti": "auth_session",  # one of A's member's signed-in sessions (devices)
}
# Path parameters that name a family's resource where B's call is not necessarily refused, and the key of
# `Family.ids` that holds it; each has its own check (EFFECT_ATTACKS, after the functions).
EFFECT_SCOPED = {
    # A dashboard suggestion's key ("missing_fields:<listing id>"): dismissals are stored per family, so
    # B dismissing A's key may answer 204 (it hides the advice from B's family only); A must still see it.
    "key": "suggestion_key",
    # The Sendcloud webhook URL's token names A's shipping account: a delivery on it signed with B's key
    # is refused, and B's own correctly signed delivery naming A's parcel leaves A's shipment as it was.
    "token": "webhook_token",
}
# Path parameters that name nothing of a family, with the reason no cross-family attack applies: they get
# the malformed values only.
NO_FAMILY = {
    "catalog_id": "a Vinted catalog id: meta/ serves Vinted's static catalog tree, the same for every family",
    "category_id": "a Vinted catalog id: trends/ reads the market data shared by every family, none owns it",
}
PARAM_RULES = frozenset(FAMILY_SCOPED) | frozenset(EFFECT_SCOPED) | frozenset(NO_FAMILY)
# The malformed values every path parameter gets, as they go in the URL (percent-encoded): each → 4xx.
MALFORMED = {
    "too long": "9" * 3000,
    "wrong type": "12.5",
    "out of range": "-1",
    "path traversal": "..%2F..%2F..%2Fhealth",
    "NUL byte": "a%00b",
    "unicode": "%C3%A8%F0%9F%98%80%E2%80%AE",  # è, an emoji, the right-to-left override
    "quote": "%27%20OR%20%271%27%3D%271",  # ' OR '1'='1
}
# Limit on the attack server's uploads (VO_MAX_UPLOAD_BYTES), so "over the limit" is a few hundred KB.
UPLOAD_LIMIT = 200_000
# A Vinted category with sizes and its size M (women): what a listing needs to be publishable.
JACKETS, SIZE_M_WOMEN = 1908, 4


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


def unruled(table: Iterable[Endpoint]) -> dict[str, list[str]]:
    """The path parameters with no attack rule, each with the endpoints that have it: add the parameter to
    FAMILY_SCOPED (and seed A's resource), EFFECT_SCOPED (with its check) or NO_FAMILY (saying why)."""
    missing: dict[str, list[str]] = {}
    for endpoint in table:
        for param in endpoint.params:
            if param not in PARAM_RULES:
                missing.setdefault(param, []).append(endpoint.name)
    return missing


@dataclass
class AttackReport:
    tried: int = 0
    refused: int = 0
    public_routes: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [tried, refused]
    held_kinds: set[str] = field(default_factory=set)  # checks that something stayed, not refusals
    failures: list[str] = field(default_factory=list)

    def count(self, kind: str, refused: bool, failure: str | None = None, *, held: bool = False) -> None:
        tried_refused = self.by_kind.setdefault(kind, [0, 0])
        tried_refused[0] += 1
        self.tried += 1
        if held:
            self.held_kinds.add(kind)
        if refused:
            tried_refused[1] += 1
            self.refused += 1
        elif failure:
            self.failures.append(failure)

    def verb(self, kind: str) -> str:
        return "held" if kind in self.held_kinds else "refused"


@dataclass
class Family:
    headers: dict[str, str]
    token: str
    ids: dict[str, str] = field(default_factory=dict)
    sendcloud_secret: str = ""


def _register(client: httpx.Client, name: str) -> Family:
    response = client.post(
        "/api/v1/auth/register",
        json={"email": f"{name}@example.it", "username": name, "password": PASSWORD},
    )
    response.raise_for_status()
    token = response.json()["access_token"]
    client.cookies.clear()
    return Family({"Authorization": f"Bearer {token}"}, token)


def _seed(client: httpx.Client, family: Family, stamp: str, tracking_code: str) -> None:
    """One resource of each kind in the family, through the API (a step that fails raises: a resource not
    seeded would leave its routes unattacked)."""
    headers = family.headers

    def call(method: str, path: str, **kwargs: Any) -> Any:
        response = client.request(method, path, headers=headers, **kwargs)
        client.cookies.clear()
        if response.is_error:
            raise RuntimeError(f"seeding: {method} {path} → {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None

    upload = call(
        "POST", "/api/v1/images/upload", files=[("files", ("foto.jpg", photo(400, 300), "image/jpeg"))]
    )
    family.ids["listing"] = upload["listing"]["id"]
    family.ids["image"] = upload["images"][0]["id"]
    sold = call("POST", "/api/v1/listings", json={"title": "Borsa", "status": "published"})
    sale = call("POST", "/api/v1/sales", json={"listing_id": sold["id"], "sale_price": "12"})
    family.ids["sale"] = sale["id"]
    followed = call(
        "POST", "/api/v1/shipments/follow", json={"sale_id": sale["id"], "tracking_code": tracking_code}
    )
    family.ids["shipment"] = followed["id"]
    family.ids["tracking_code"] = followed["tracking_code"]
    invitation = call("POST", "/api/v1/users/family/invite", json={"email": f"invitato{stamp}@example.it"})
    family.ids["invitation"] = invitation["id"]
    invite = call("POST", "/api/v1/users/family/invite", json={"email": f"m{stamp}@example.it"})
    joined = client.post(
        "/api/v1/auth/register",
        json={
            "email": f"m{stamp}@example.it",
            "username": f"m{stamp}",
            "password": PASSWORD,
            "invite_token": invite["token"],
        },
    )
    joined.raise_for_status()
    client.cookies.clear()
    me = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {joined.json()['access_token']}"})
    family.ids["member"] = me.json()["id"]
    family.ids["pairing"] = call("POST", "/api/v1/vinted-link/pairings")["id"]
    chat = call("POST", "/api/v1/chat/sessions", json={})
    family.ids["chat_session"] = chat["id"]
    asked = call("POST", f"/api/v1/chat/sessions/{chat['id']}/messages", json={"content": "Quanto vale?"})
    family.ids["chat_message"] = asked["message_id"]
    family.ids["auth_session"] = next(s["jti"] for s in call("GET", "/api/v1/auth/sessions") if s["current"])
    family.ids["publish_batch"] = _seed_batch(call)
    draft = call("POST", "/api/v1/listings", json={"title": "Sciarpa da completare"})
    keys = [item["key"] for item in call("GET", "/api/v1/dashboard/suggestions")["items"]]
    family.ids["suggestion_key"] = next((key for key in keys if key.endswith(draft["id"])), "")
    family.sendcloud_secret = f"segreto-sendcloud-{stamp}"
    account = call(
        "PUT",
        "/api/v1/shipments/account",
        json={"sendcloud_public_key": f"pubblica-{stamp}", "sendcloud_secret_key": family.sendcloud_secret},
    )
    family.ids["webhook_token"] = account["sendcloud_webhook_url"].rsplit("/", 1)[1]
    unseeded = {
        kind for kind in {*FAMILY_SCOPED.values(), *EFFECT_SCOPED.values()} if not family.ids.get(kind)
    }
    if unseeded:
        raise RuntimeError(f"seeding: no {sorted(unseeded)} in the family: their routes would go unattacked")


def _seed_batch(call: Callable[..., Any]) -> str:
    """A bulk publish holding one publishable listing (the member's Vinted session linked; the publish job
    then fails against the offline Vinted, the listing stays in the batch)."""
    call("POST", "/api/v1/users/me/vinted", json=cookies())
    ready = call(
        "POST",
        "/api/v1/listings",
        json={
            "title": "Giacca di jeans",
            "description": "Giacca di jeans blu, come nuova.",
            "price": "25.50",
            "category_id": JACKETS,
            "size_id": SIZE_M_WOMEN,
            "condition": "very_good",
            "package_size_id": 2,
        },
    )
    call(
        "POST",
        "/api/v1/images/upload",
        files=[("files", ("giacca.jpg", photo(400, 300), "image/jpeg"))],
        data={"listing_id": ready["id"]},
    )
    batch = call("POST", "/api/v1/listings/publish", json={"ids": [ready["id"]]})
    if batch["queued"] != [ready["id"]]:
        raise RuntimeError(f"seeding: the bulk publish queued nothing: {batch}")
    call("GET", f"/api/v1/listings/publish-batches/{batch['batch_id']}")  # the family's own: found
    return str(batch["batch_id"])


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


def _values(family: Family, params: Iterable[str]) -> dict[str, str]:
    """The family's own value of each parameter that names a resource (the others get a filler)."""
    kinds = {**FAMILY_SCOPED, **EFFECT_SCOPED}
    return {param: family.ids[kinds[param]] for param in params if param in kinds}


@dataclass
class Attack:
    """What the attacks share: the client, the two families, the report."""

    client: httpx.Client
    victim: Family
    attacker: Family
    report: AttackReport

    def call(self, endpoint: Endpoint, values: dict[str, str], headers: dict[str, str]) -> httpx.Response:
        response = self.client.request(
            endpoint.method, endpoint.url(values), headers=headers, **_body(endpoint)
        )
        self.client.cookies.clear()
        return response

    # --- cross-family, refused -----------------------------------------------------------------------

    def cross_family(self, endpoint: Endpoint) -> None:
        scoped = [param for param in endpoint.params if param in FAMILY_SCOPED]
        if not endpoint.protected or not scoped:
            return
        # All of A's values; with two or more, also A's in one and B's own in the others (B's chat session
        # with A's reply): each parameter's own check, not only the first one's.
        variants = [("cross-family", scoped)]
        if len(scoped) > 1:
            variants += [("cross-family: A's id among B's own", [param]) for param in scoped]
        for kind, from_victim in variants:
            values = {
                **_values(self.attacker, endpoint.params),
                **{param: self.victim.ids[FAMILY_SCOPED[param]] for param in from_victim},
            }
            response = self.call(endpoint, values, self.attacker.headers)
            theirs = [values[param] for param in from_victim]
            leaked = response.status_code < 300 and any(value in response.text for value in theirs)
            self.report.count(
                kind,
                400 <= response.status_code < 500,
                f"{endpoint.name} by another family ({', '.join(from_victim)} of A) → {response.status_code}"
                + (" with A's data" if leaked else ""),
            )

    # --- cross-family, A's data unchanged --------------------------------------------------------------

    def suggestion_key(self, endpoint: Endpoint) -> None:
        """B calls the route with A's suggestion key: any 4xx, or a 2xx that changes only B's family; A
        still sees the suggestion."""
        key = self.victim.ids["suggestion_key"]
        if key not in self._suggestion_keys(self.victim):
            self.report.count(
                "cross-family: A's suggestion key", False, f"seeding: A has no suggestion {key}"
            )
            return
        response = self.call(
            endpoint, {**_values(self.attacker, endpoint.params), "key": key}, self.attacker.headers
        )
        still = key in self._suggestion_keys(self.victim)
        self.report.count(
            "cross-family: A's suggestion key used by B, A still sees it",
            response.status_code < 500 and still,
            f"{endpoint.name} with A's key {key} by another family → {response.status_code}"
            + ("" if still else ", and A no longer sees the suggestion"),
            held=True,
        )

    def _suggestion_keys(self, family: Family) -> list[str]:
        response = self.client.get("/api/v1/dashboard/suggestions", headers=family.headers)
        response.raise_for_status()
        return [item["key"] for item in response.json()["items"]]

    def webhook_token(self, endpoint: Endpoint) -> None:
        """A delivery on A's token signed with B's key → 4xx; B's own token with B's signature, naming A's
        parcel → not applied; A's shipment unchanged by both. Then the control: A's own signed delivery
        naming the parcel is applied, so the payload was one that would have changed it."""
        shipment = self._shipment(self.victim)
        token = self.victim.ids["webhook_token"]
        forged = self._delivery(endpoint, token, self.attacker, status_id=11)
        self.report.count(
            "cross-family: A's webhook token signed with B's key",
            400 <= forged.status_code < 500,
            f"{endpoint.name} on A's token signed with B's key → {forged.status_code}",
        )
        own = self._delivery(endpoint, self.attacker.ids["webhook_token"], self.attacker, status_id=11)
        result = own.json().get("result") if own.status_code == 200 else None
        self.report.count(
            "cross-family: B's signed webhook naming A's parcel, not applied",
            own.status_code < 500 and result != "applied",
            f"{endpoint.name} on B's token naming A's parcel → {own.status_code} {result}",
            held=True,
        )
        after = self._shipment(self.victim)
        self.report.count(
            "cross-family: A's shipment unchanged by B's webhooks",
            after == shipment,
            f"{endpoint.name}: A's shipment changed: {shipment} → {after}",
            held=True,
        )
        control = self._delivery(endpoint, token, self.victim, status_id=3)
        applied = control.status_code == 200 and control.json().get("result") == "applied"
        self.report.count(
            "control: A's own signed webhook applied",
            applied and self._shipment(self.victim)["status"] == "in_transit",
            f"{endpoint.name} A's own delivery → {control.status_code} {control.text[:200]}: "
            "the attacks above proved nothing",
            held=True,
        )

    def _delivery(self, endpoint: Endpoint, token: str, signer: Family, *, status_id: int) -> httpx.Response:
        payload = {
            "action": "parcel_status_changed",
            "timestamp": time.time_ns() // 1_000_000,
            "parcel": {
                "id": 4_000_000 + status_id,
                "tracking_number": self.victim.ids["tracking_code"],
                "status": {"id": status_id, "message": "Aggiornamento del corriere"},
            },
        }
        raw = json.dumps(payload).encode()
        signature = hmac.new(signer.sendcloud_secret.encode(), raw, hashlib.sha256).hexdigest()
        values = {**_values(signer, endpoint.params), "token": token}
        response = self.client.request(
            endpoint.method,
            endpoint.url(values),
            content=raw,
            headers={"Content-Type": "application/json", "Sendcloud-Signature": signature},
        )
        self.client.cookies.clear()
        return response

    def _shipment(self, family: Family) -> dict[str, Any]:
        response = self.client.get(f"/api/v1/shipments/{family.ids['shipment']}", headers=family.headers)
        response.raise_for_status()
        body = response.json()
        return {name: body[name] for name in ("status", "status_at", "delivered_at", "events")}

    # --- malformed values ------------------------------------------------------------------------------

    def malformed(self, endpoint: Endpoint) -> None:
        """Each parameter in turn gets each malformed value, the others B's own (or a filler), as B's
        member (anonymously on a public route) → 4xx."""
        headers = self.attacker.headers if endpoint.protected else {}
        for param in endpoint.params:
            for kind, value in MALFORMED.items():
                values = {**_values(self.attacker, endpoint.params), param: value}
                response = self.call(endpoint, values, headers)
                self.report.count(
                    f"malformed: {kind}",
                    400 <= response.status_code < 500,
                    f"{endpoint.name} with {param} {kind} → {response.status_code}",
                )


# The cross-family checks of the parameters in EFFECT_SCOPED, by parameter.
EFFECT_ATTACKS: dict[str, Callable[[Attack, Endpoint], None]] = {
    "key": Attack.suggestion_key,
    "token": Attack.webhook_token,
}
assert set(EFFECT_ATTACKS) == set(EFFECT_SCOPED)


def run_attacks(base_url: str, jwt_secret: str, *, log: Callable[[str], None] = print) -> AttackReport:
    table = endpoints()
    missing = unruled(table)
    if missing:
        raise LookupError(f"path parameters with no attack rule (see PARAM_RULES): {missing}")
    report = AttackReport()
    stamp = f"{time.time_ns()}"
    with httpx.Client(base_url=base_url, timeout=30) as client:
        victim = _register(client, f"vittima{stamp}")
        _seed(client, victim, stamp, "RR123456789IT")
        attacker = _register(client, f"attacco{stamp}")
        _seed(
            client, attacker, f"b{stamp}", "RR987654321IT"
        )  # its own code: a delivery naming A's is A's only
        tokens = _bad_tokens(victim, jwt_secret)
        tokens["logged-out session"] = _revoked(client, f"vittima{stamp}@example.it")
        attack = Attack(client, victim, attacker, report)
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
                response = client.request(
                    endpoint.method, endpoint.url(_values(victim, endpoint.params)), **_body(endpoint)
                )
                client.cookies.clear()
                report.count(
                    "public route naming A's resource, anonymous" if scoped else "public route, anonymous",
                    400 <= response.status_code < 500 if scoped else response.status_code < 500,
                    f"{endpoint.name} anonymous → {response.status_code}",
                )
                continue
            for kind, headers in tokens.items():
                response = client.request(
                    endpoint.method,
                    endpoint.url(_values(victim, endpoint.params)),
                    headers=headers,
                    **_body(endpoint),
                )
                client.cookies.clear()
                report.count(
                    f"token: {kind}",
                    response.status_code == 401,
                    f"{endpoint.name} with {kind} → {response.status_code}",
                )

        for endpoint in table:
            attack.cross_family(endpoint)
            for param in endpoint.params:
                if param in EFFECT_ATTACKS:
                    try:
                        EFFECT_ATTACKS[param](attack, endpoint)
                    except httpx.HTTPStatusError as error:  # A's own read refused: an attack got through
                        report.count(
                            f"cross-family: {param}",
                            False,
                            f"{endpoint.name}: A's own {error.request.url.path} → "
                            f"{error.response.status_code} during its check",
                        )
        for endpoint in table:
            attack.malformed(endpoint)

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
            held=True,
        )
        # Family A is intact: the attacks (DELETEs included) removed none of its resources, and its
        # member's session B tried to revoke still works.
        still = client.get(f"/api/v1/listings/{victim.ids['listing']}", headers=victim.headers)
        report.count(
            "victim intact", still.status_code == 200, f"A's listing → {still.status_code}", held=True
        )
        sessions = client.get("/api/v1/auth/sessions", headers=victim.headers)
        signed_in = sessions.status_code == 200 and victim.ids["auth_session"] in sessions.text
        report.count("victim intact", signed_in, f"A's session → {sessions.status_code}", held=True)
        # The ids B was refused were live: A's own calls still find them.
        for method, path in (
            ("GET", f"/api/v1/listings/publish-batches/{victim.ids['publish_batch']}"),
            (
                "POST",
                f"/api/v1/chat/sessions/{victim.ids['chat_session']}/messages/{victim.ids['chat_message']}/stop",
            ),
        ):
            own = client.request(method, path, headers=victim.headers)
            report.count(
                "control: A's own ids found",
                own.status_code == 200,
                f"A's {path} → {own.status_code}",
                held=True,
            )
    return report


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    detail = body.get("detail") if isinstance(body, dict) else None
    return detail if isinstance(detail, str) else ""
