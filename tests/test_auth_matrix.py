"""Every protected endpoint as anonymous, member, family admin, another family, and instance admin."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.auth.factories import DEFAULT_PASSWORD, Member, login, register
from tests.images.factories import photo
from tests.support.chat_home import ScriptedHome
from tests.users.factories import invite_and_join
from vinted_optimizer.chat import replies
from vinted_optimizer.models import User

VINTED = {"access_token_web": "a" * 30, "refresh_token_web": "b" * 30}
PERSONAS = ("anonymous", "member", "family_admin", "other_family", "instance_admin")


@dataclass
class World:
    admin: Member
    member: Member
    other: Member
    instance_admin: Member
    invitation_id: str
    listing_id: str
    image_id: str
    sale_id: str
    shipment_id: str
    tracking_code: str
    pairing_id: str
    chat_session_id: str
    chat_message_id: str

    def headers(self, persona: str) -> dict[str, str]:
        if persona == "anonymous":
            return {}
        return {
            "member": self.member,
            "family_admin": self.admin,
            "other_family": self.other,
            "instance_admin": self.instance_admin,
        }[persona].headers


@pytest.fixture
async def world(client, session, resources) -> World:
    admin = await register(client, family_name="Famiglia Bianchi")
    member = await invite_and_join(client, admin=admin)
    other = await register(client, family_name="Famiglia Verdi")
    root = User(
        email="root@example.it",
        username="root-admin",
        password_argon2=await resources.passwords.hash(DEFAULT_PASSWORD),
        is_instance_admin=True,
        family_id=None,
    )
    session.add(root)
    await session.commit()
    instance_admin = await login(
        client,
        member=Member(
            email=root.email,
            username=root.username,
            password=DEFAULT_PASSWORD,
            access_token="",
            refresh_token="",
            session_id="",
        ),
    )
    invitation = await client.post(
        "/api/v1/users/family/invite", json={"email": "pending@example.it"}, headers=admin.headers
    )
    uploaded = await client.post(
        "/api/v1/images/upload", files=[("files", ("foto.jpg", photo(), "image/jpeg"))], headers=admin.headers
    )
    assert uploaded.status_code == 201, uploaded.text
    body = uploaded.json()
    sold = await client.post(
        "/api/v1/listings", json={"title": "Borsa", "status": "published"}, headers=admin.headers
    )
    sale = await client.post(
        "/api/v1/sales", json={"listing_id": sold.json()["id"], "sale_price": "12"}, headers=admin.headers
    )
    assert sale.status_code == 201, sale.text
    followed = await client.post(
        "/api/v1/shipments/follow",
        json={"sale_id": sale.json()["id"], "tracking_code": "RR123456789IT"},
        headers=admin.headers,
    )
    assert followed.status_code == 201, followed.text
    pairing = await client.post("/api/v1/vinted-link/pairings", headers=member.headers)
    assert pairing.status_code == 201, pairing.text
    resources.ai = ScriptedHome(resources.ai)  # the assistant's home side (tests/support/chat_home.py)
    chat = await client.post("/api/v1/chat/sessions", json={}, headers=member.headers)
    asked = await client.post(
        f"/api/v1/chat/sessions/{chat.json()['id']}/messages",
        json={"content": "Ciao"},
        headers=member.headers,
    )
    assert asked.status_code == 202, asked.text
    await replies.wait_all()
    return World(
        admin,
        member,
        other,
        instance_admin,
        invitation.json()["id"],
        body["listing"]["id"],
        body["images"][0]["id"],
        sale.json()["id"],
        followed.json()["id"],
        followed.json()["tracking_code"],
        pairing.json()["id"],
        chat.json()["id"],
        asked.json()["message_id"],
    )


# (method, path template, json body, expected status per persona)
UPLOAD = object()
PREVIEW = object()
# Inventory: members of the family work on it together; another family gets 404 (not even "it exists");
# the instance administrator has no family, so no inventory (403).
FAMILY = dict(anonymous=401, member=200, family_admin=200, other_family=404, instance_admin=403)
OWN = dict(anonymous=401, member=200, family_admin=200, other_family=200, instance_admin=403)
# A member's own (the world's member): nobody else, not even their family admin.
MINE = dict(anonymous=401, member=200, family_admin=404, other_family=404, instance_admin=403)


def _with(expected: dict[str, int], ok: int) -> dict[str, int]:
    return {persona: (ok if status == 200 else status) for persona, status in expected.items()}


INVENTORY = [
    ("GET", "/api/v1/listings", None, OWN),
    ("GET", "/api/v1/listings/brands", None, OWN),
    ("POST", "/api/v1/listings", {"title": "Sciarpa"}, _with(OWN, 201)),
    (
        "POST",
        "/api/v1/listings/bulk",
        lambda world: {"ids": [world.listing_id], "action": "set_status", "status": "ready"},
        FAMILY,
    ),
    ("GET", "/api/v1/listings/similar/{listing_id}", None, FAMILY),
    ("GET", "/api/v1/listings/{listing_id}", None, FAMILY),
    ("PATCH", "/api/v1/listings/{listing_id}", {"price": "3"}, FAMILY),
    ("DELETE", "/api/v1/listings/{listing_id}", None, _with(FAMILY, 204)),
    ("POST", "/api/v1/listings/{listing_id}/duplicate", None, _with(FAMILY, 201)),
    ("GET", "/api/v1/listings/{listing_id}/photos.zip", None, FAMILY),
    ("GET", "/api/v1/listings/{listing_id}/market", None, FAMILY),
    (
        "POST",
        "/api/v1/listings/{listing_id}/published-by-hand",
        {"vinted_url": "https://www.vinted.it/items/123-sciarpa"},
        FAMILY,
    ),
    # Undoing needs a listing marked published by hand first: the family's members are told there is none.
    ("DELETE", "/api/v1/listings/{listing_id}/published-by-hand", None, _with(FAMILY, 409)),
    # Publishing on Vinted: the owner's (the admin uploaded the world's listing) or a family admin's; the
    # owner has no linked Vinted account (409); nothing is on Vinted to unpublish or repost (409).
    (
        "POST",
        "/api/v1/listings/{listing_id}/publish",
        None,
        dict(anonymous=401, member=403, family_admin=409, other_family=404, instance_admin=403),
    ),
    (
        "POST",
        "/api/v1/listings/{listing_id}/unpublish",
        None,
        dict(anonymous=401, member=403, family_admin=409, other_family=404, instance_admin=403),
    ),
    (
        "POST",
        "/api/v1/listings/{listing_id}/repost",
        {"confirm": True},
        dict(anonymous=401, member=403, family_admin=409, other_family=404, instance_admin=403),
    ),
    # A bulk publish answers what it queued and what it refused (another family's listing: not found).
    ("POST", "/api/v1/listings/publish", lambda world: {"ids": [world.listing_id]}, _with(OWN, 202)),
    ("GET", "/api/v1/listings/publish-batches/{batch_id}", None, _with(OWN, 404)),
    ("POST", "/api/v1/images/upload", UPLOAD, _with(OWN, 201)),
    ("POST", "/api/v1/images/preview", PREVIEW, OWN),
    ("GET", "/api/v1/images/{image_id}", None, FAMILY),
    ("DELETE", "/api/v1/images/{image_id}", None, _with(FAMILY, 204)),
    ("POST", "/api/v1/images/{image_id}/set-primary", None, FAMILY),
    ("POST", "/api/v1/images/{image_id}/reanalyze", None, _with(FAMILY, 202)),
    ("PUT", "/api/v1/images/order/{listing_id}", lambda world: {"image_ids": [world.image_id]}, FAMILY),
    # The home page: each member reads their own family's figures; one member's analytics need a member of
    # the same family (another family's member is refused, 422 naming the field).
    ("GET", "/api/v1/dashboard/overview", None, OWN),
    ("GET", "/api/v1/dashboard/analytics", None, OWN),
    ("GET", "/api/v1/dashboard/analytics?member={admin_id}", None, {**OWN, "other_family": 422}),
    ("GET", "/api/v1/dashboard/activity", None, OWN),
    ("GET", "/api/v1/dashboard/suggestions", None, OWN),
    ("POST", "/api/v1/dashboard/suggestions/{key}/dismiss", None, _with(OWN, 204)),
    # Sales: the family's, as the inventory. Selling the world's listing works once per family member.
    ("GET", "/api/v1/sales", None, OWN),
    ("GET", "/api/v1/sales/stats", None, OWN),
    ("GET", "/api/v1/sales/export", None, OWN),
    ("GET", "/api/v1/sales/{sale_id}", None, FAMILY),
    ("GET", "/api/v1/sales/dac7?year=2026", None, OWN),
    # Each member's own DAC7 year; another family's member is not found.
    ("GET", "/api/v1/sales/dac7/export?year=2026&member={admin_id}", None, _with(FAMILY, 200)),
    ("PATCH", "/api/v1/sales/{sale_id}", {"buyer_username": "anna"}, FAMILY),
    (
        "POST",
        "/api/v1/sales",
        lambda world: {"listing_id": world.listing_id, "sale_price": "5"},
        _with(FAMILY, 201),
    ),
    # Shipments: the family's, as its sales. The world's sale is followed with a code (no label to
    # download, no second shipment); without a shipping account the carriers are not asked (409).
    ("GET", "/api/v1/shipments", None, OWN),
    ("GET", "/api/v1/shipments/account", None, OWN),
    (
        "PUT",
        "/api/v1/shipments/account",
        {"default_option_code": "brt:standard"},
        dict(anonymous=401, member=403, family_admin=200, other_family=200, instance_admin=403),
    ),
    (
        "DELETE",
        "/api/v1/shipments/account/keys",
        None,
        dict(anonymous=401, member=403, family_admin=204, other_family=204, instance_admin=403),
    ),
    ("GET", "/api/v1/shipments/track/{tracking_code}", None, FAMILY),
    ("GET", "/api/v1/shipments/{shipment_id}", None, FAMILY),
    ("GET", "/api/v1/shipments/{shipment_id}/label", None, _with(FAMILY, 409)),
    (
        "POST",
        "/api/v1/shipments/labels",
        lambda world: {"shipment_ids": [world.shipment_id]},
        _with(FAMILY, 422),
    ),
    (
        "POST",
        "/api/v1/shipments/follow",
        lambda world: {"sale_id": world.sale_id, "tracking_code": "RR987654321IT"},
        _with(FAMILY, 409),
    ),
    (
        "POST",
        "/api/v1/shipments",
        lambda world: {
            "sale_id": world.sale_id,
            "shipping_option_code": "brt:standard",
            "weight_kg": "1",
            "to_address": {
                "name": "Marco Rossi",
                "address_line_1": "Via Po",
                "house_number": "3",
                "postal_code": "10123",
                "city": "Torino",
                "country_code": "IT",
            },
        },
        _with(FAMILY, 409),
    ),
    ("GET", "/api/v1/carriers", None, _with(OWN, 409)),
    ("POST", "/api/v1/carriers/quote", {"to_country": "IT", "weight_kg": "1"}, _with(OWN, 409)),
    # Each member reads their own family's events (tests/events: which ones).
    ("GET", "/api/v1/events", None, OWN),
    # And their own family's activity feed (tests/notifications: which entries).
    ("GET", "/api/v1/notifications", None, OWN),
    # The family admin's: 17TRACK's quota (tracking is off in these tests: no key, so 409 says so).
    (
        "GET",
        "/api/v1/shipments/tracking/quota",
        None,
        dict(anonymous=401, member=403, family_admin=409, other_family=409, instance_admin=403),
    ),
]

MATRIX = [
    (
        "GET",
        "/api/v1/auth/sessions",
        None,
        dict(anonymous=401, member=200, family_admin=200, other_family=200, instance_admin=200),
    ),
    (
        "DELETE",
        "/api/v1/auth/sessions/{admin_session}",
        None,
        dict(anonymous=401, member=404, family_admin=204, other_family=404, instance_admin=404),
    ),
    (
        "GET",
        "/api/v1/users/me",
        None,
        dict(anonymous=401, member=200, family_admin=200, other_family=200, instance_admin=200),
    ),
    (
        "PATCH",
        "/api/v1/users/me",
        {"preferences": {"theme": "chiaro"}},
        dict(anonymous=401, member=200, family_admin=200, other_family=200, instance_admin=200),
    ),
    (
        "POST",
        "/api/v1/users/me/vinted",
        VINTED,
        dict(anonymous=401, member=200, family_admin=200, other_family=200, instance_admin=403),
    ),
    (
        "DELETE",
        "/api/v1/users/me/vinted",
        None,
        dict(anonymous=401, member=200, family_admin=200, other_family=200, instance_admin=403),
    ),
    (
        "POST",
        "/api/v1/vinted-link/pairings",
        None,
        dict(anonymous=401, member=201, family_admin=201, other_family=201, instance_admin=403),
    ),
    (
        # A pairing code is its member's own: not even the family admin sees another member's.
        "GET",
        "/api/v1/vinted-link/pairings/{pairing_id}",
        None,
        dict(anonymous=401, member=200, family_admin=404, other_family=404, instance_admin=403),
    ),
    # The sales sync: a member syncs their own account (nobody in the world is linked: 409, the queued
    # run in tests/vinted_link/test_sales_sync.py); everyone reads their own family's results.
    (
        "POST",
        "/api/v1/vinted-link/sync",
        None,
        dict(anonymous=401, member=409, family_admin=409, other_family=409, instance_admin=403),
    ),
    (
        "POST",
        "/api/v1/vinted-link/sync",
        {"all": True},
        dict(anonymous=401, member=403, family_admin=409, other_family=409, instance_admin=403),
    ),
    (
        "GET",
        "/api/v1/vinted-link/sync",
        None,
        dict(anonymous=401, member=200, family_admin=200, other_family=200, instance_admin=403),
    ),
    (
        "GET",
        "/api/v1/users/family",
        None,
        dict(anonymous=401, member=403, family_admin=200, other_family=200, instance_admin=403),
    ),
    (
        "POST",
        "/api/v1/users/family/invite",
        {"email": "nuovo@example.it"},
        dict(anonymous=401, member=403, family_admin=201, other_family=201, instance_admin=403),
    ),
    (
        "DELETE",
        "/api/v1/users/family/invitations/{invitation_id}",
        None,
        dict(anonymous=401, member=403, family_admin=204, other_family=404, instance_admin=403),
    ),
    (
        # A member of one's own family (here the family admin's member); another family's: 404.
        "POST",
        "/api/v1/users/family/members/{member_id}/password-reset",
        None,
        dict(anonymous=401, member=403, family_admin=201, other_family=404, instance_admin=403),
    ),
    (
        "POST",
        "/api/v1/admin/invitations",
        {"email": "prima@example.it", "family_name": "Famiglia Neri"},
        dict(anonymous=401, member=403, family_admin=403, other_family=403, instance_admin=201),
    ),
    # Trends: market data, read by every family for what it follows; choosing and refreshing is the family
    # admin's. The world's families follow nothing yet (no listing with a Vinted category): a refresh is
    # 409 and says so (tests/trends: the 202, the pacing, the cool-down).
    ("GET", "/api/v1/trends", None, OWN),
    ("GET", "/api/v1/trends/brands", None, OWN),
    ("GET", "/api/v1/trends/follows", None, OWN),
    (
        "PUT",
        "/api/v1/trends/follows",
        {"follows": [{"category_id": 1242, "category_name": "Sneakers"}]},
        dict(anonymous=401, member=403, family_admin=200, other_family=200, instance_admin=403),
    ),
    (
        "POST",
        "/api/v1/trends/refresh",
        None,
        dict(anonymous=401, member=403, family_admin=409, other_family=409, instance_admin=403),
    ),
    ("GET", "/api/v1/trends/{category_id}", None, OWN),
    # Every account of the instance and the installation's figures: the instance administrator's only (a
    # family admin is refused like a member).
    (
        "GET",
        "/api/v1/admin/users",
        None,
        dict(anonymous=401, member=403, family_admin=403, other_family=403, instance_admin=200),
    ),
    (
        "GET",
        "/api/v1/admin/metrics",
        None,
        dict(anonymous=401, member=403, family_admin=403, other_family=403, instance_admin=200),
    ),
    (
        "GET",
        "/api/v1/admin/metrics/prometheus",
        None,
        dict(anonymous=401, member=403, family_admin=403, other_family=403, instance_admin=200),
    ),
    # The scraper's pacing and an instance-wide scrape: the instance administrator's (nothing followed: 409).
    (
        "GET",
        "/api/v1/admin/scraper",
        None,
        dict(anonymous=401, member=403, family_admin=403, other_family=403, instance_admin=200),
    ),
    (
        "POST",
        "/api/v1/admin/scraper/trigger",
        None,
        dict(anonymous=401, member=403, family_admin=403, other_family=403, instance_admin=409),
    ),
    # The assistant: a conversation is its member's own; the family admin (another member) and another
    # family get 404 alike; the instance administrator has no family (403).
    ("GET", "/api/v1/chat/history", None, OWN),
    ("POST", "/api/v1/chat/sessions", {}, _with(OWN, 201)),
    ("GET", "/api/v1/chat/sessions/{chat_session_id}", None, MINE),
    ("GET", "/api/v1/chat/sessions/{chat_session_id}/messages", None, MINE),
    ("DELETE", "/api/v1/chat/sessions/{chat_session_id}", None, _with(MINE, 204)),
    ("POST", "/api/v1/chat/sessions/{chat_session_id}/messages", {"content": "E poi?"}, _with(MINE, 202)),
    ("POST", "/api/v1/chat/sessions/{chat_session_id}/messages/stream", {"content": "E poi?"}, MINE),
    ("POST", "/api/v1/chat/sessions/{chat_session_id}/messages/{chat_message_id}/stop", None, MINE),
    (
        "DELETE",
        "/api/v1/users/me",
        {"password": DEFAULT_PASSWORD},
        dict(anonymous=401, member=204, family_admin=409, other_family=204, instance_admin=204),
    ),
]


MATRIX += INVENTORY


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("method", "template", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX]
)
async def test_auth_matrix(client, world, persona, method, template, body, expected):
    path = template.format(
        admin_session=world.admin.session_id,
        invitation_id=world.invitation_id,
        member_id=world.member.id,
        listing_id=world.listing_id,
        image_id=world.image_id,
        sale_id=world.sale_id,
        admin_id=world.admin.id,
        shipment_id=world.shipment_id,
        tracking_code=world.tracking_code,
        category_id=1242,
        pairing_id=world.pairing_id,
        batch_id="0123abcd",
        chat_session_id=world.chat_session_id,
        chat_message_id=world.chat_message_id,
        key="best_time",
    )
    if body is UPLOAD or body is PREVIEW:
        field = "files" if body is UPLOAD else "file"
        files = [(field, ("nuova.jpg", photo(seed=11), "image/jpeg"))]
        response = await client.request(method, path, files=files, headers=world.headers(persona))
    else:
        body = body(world) if callable(body) else body
        response = await client.request(method, path, json=body, headers=world.headers(persona))
    await replies.wait_all()  # a question asked: its reply ends before the test's transaction does
    assert response.status_code == expected[persona], response.text
    if response.status_code >= 400:
        assert set(response.json()) >= {"error", "detail"}


async def test_family_overview_never_shows_another_family(client, world):
    mine = (await client.get("/api/v1/users/family", headers=world.admin.headers)).json()
    theirs = (await client.get("/api/v1/users/family", headers=world.other.headers)).json()
    assert {m["username"] for m in mine["members"]} == {world.admin.username, world.member.username}
    assert {m["username"] for m in theirs["members"]} == {world.other.username}
    assert theirs["pending_invitations"] == []
    assert mine["id"] != theirs["id"]


def test_matrix_covers_every_protected_route(app):
    public = {
        "/api/v1/auth/register",
        "/api/v1/auth/register/complete",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/auth/invitation",
        "/api/v1/auth/password-reset",
        "/api/v1/auth/password-reset/confirm",
        # Vinted's vocabulary and the server's limits: public facts the sign-up page needs too; Vinted's
        # catalog tree, public on Vinted itself.
        "/api/v1/meta",
        "/api/v1/meta/catalogs",
        "/api/v1/meta/catalogs/{catalog_id}/fields",
        # Signed URLs: the signature, handed out only to the family, is the authorisation (tested apart).
        "/api/v1/images/{image_id}/file",
        # The browser extension's redeem: the single-use pairing code is the authorisation
        # (tests/vinted_link).
        "/api/v1/vinted-link/redeem",
        # Webhooks: signed over the raw body by Sendcloud and 17TRACK (tests/webhooks).
        "/api/v1/webhooks/sendcloud/{token}",
        "/api/v1/webhooks/track17",
    }
    routes = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/v1") and path not in public
        for method in operations
    }
    covered = {
        (
            method,
            template.replace("{admin_session}", "{jti}")
            .replace("{member_id}", "{user_id}")
            .replace("{chat_session_id}", "{session_id}")
            .replace("{chat_message_id}", "{message_id}"),
        )
        for method, template, _, _ in MATRIX
    }
    covered = {(method, path.split("?")[0]) for method, path in covered}  # a query string is no route
    assert routes == covered
