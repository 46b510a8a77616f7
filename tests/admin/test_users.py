"""GET /admin/users: every account of the instance, for its administrator, never a secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from tests.auth.factories import register
from tests.users.factories import invite_and_join
from vinted_optimizer.models import AuthSession

VINTED = {
    "access_token_web": "eyJhbGciOiJIUzI1NiJ9.ACCESS-COOKIE-VALUE-1234567890",
    "refresh_token_web": "eyJhbGciOiJIUzI1NiJ9.REFRESH-COOKIE-VALUE-0987654321",
    "vinted_user_id": 123456,
}


async def _users(client, root, **params) -> dict:  # noqa: ANN001
    response = await client.get("/api/v1/admin/users", params=params, headers=root.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_every_family_and_the_administrator_appear_with_family_and_role(client, root):
    bianchi = await register(client, username="anna", family_name="Famiglia Bianchi")
    member = await invite_and_join(client, admin=bianchi)
    verdi = await register(client, username="zeno", family_name="Famiglia Verdi")

    body = await _users(client, root)
    by_name = {item["username"]: item for item in body["items"]}
    assert body["total"] == 4
    assert set(by_name) == {"anna", member.username, "zeno", "root-admin"}
    assert by_name["anna"]["family"]["name"] == "Famiglia Bianchi"
    assert by_name["anna"]["role"] == "admin"
    assert by_name[member.username]["family"]["id"] == bianchi.family_id
    assert by_name[member.username]["role"] == "member"
    assert by_name["zeno"]["family"]["id"] == verdi.family_id
    assert by_name["root-admin"]["family"] is None and by_name["root-admin"]["role"] is None
    assert by_name["root-admin"]["is_instance_admin"] is True
    assert by_name["anna"]["is_instance_admin"] is False
    assert all(item["is_active"] for item in body["items"])
    # Sorted by username by default.
    assert [item["username"] for item in body["items"]] == sorted(by_name, key=str.lower)


async def test_pages_and_search(client, root):
    first = await register(client, username="paola", family_name="Famiglia Neri")
    for name in ("paolo", "piero", "pietro"):
        await invite_and_join(client, admin=first, username=name)

    page1 = await _users(client, root, limit=2, offset=0)
    page2 = await _users(client, root, limit=2, offset=2)
    page3 = await _users(client, root, limit=2, offset=4)
    assert page1["total"] == page2["total"] == 5 and page3["total"] == 5
    names = [item["username"] for page in (page1, page2, page3) for item in page["items"]]
    assert names == ["paola", "paolo", "piero", "pietro", "root-admin"]
    beyond = await _users(client, root, limit=2, offset=10)
    assert beyond["items"] == [] and beyond["total"] == 5

    found = await _users(client, root, q="PAOL")
    assert [item["username"] for item in found["items"]] == ["paola", "paolo"] and found["total"] == 2
    by_mail = await _users(client, root, q="pietro@example")
    assert [item["username"] for item in by_mail["items"]] == ["pietro"]
    # LIKE's wildcards are plain characters in a search.
    assert (await _users(client, root, q="p%o"))["total"] == 0
    assert (await _users(client, root, q="_"))["total"] == 0

    descending = await _users(client, root, sort="-username", limit=1)
    assert descending["items"][0]["username"] == "root-admin"


async def test_a_bad_query_is_422_naming_the_field(client, root):
    response = await client.get("/api/v1/admin/users?sort=password", headers=root.headers)
    assert response.status_code == 422
    assert [field["field"] for field in response.json()["fields"]] == ["sort"]
    response = await client.get("/api/v1/admin/users?limit=1000", headers=root.headers)
    assert response.status_code == 422
    assert [field["field"] for field in response.json()["fields"]] == ["limit"]


async def test_no_secret_is_ever_returned(client, root, session):
    member = await register(client, family_name="Famiglia Rossi")
    linked = await client.post("/api/v1/users/me/vinted", json=VINTED, headers=member.headers)
    assert linked.status_code == 200, linked.text

    response = await client.get("/api/v1/admin/users", headers=root.headers)
    text = response.text
    item = next(i for i in response.json()["items"] if i["username"] == member.username)
    assert item["vinted_status"] == "linked"
    assert set(item) == {
        "id", "username", "email", "family", "role", "is_instance_admin", "is_active", "created_at",
        "last_activity_at", "vinted_status",
    }  # fmt: skip
    for secret in ("ACCESS-COOKIE", "REFRESH-COOKIE", "argon2", member.refresh_token, member.access_token):
        assert secret not in text


async def test_last_activity_is_the_newest_session_use(client, root, session, settings):
    member = await register(client, username="lucia", family_name="Famiglia Gialli")
    body = await _users(client, root, sort="-last_activity")
    assert body["activity_window_minutes"] == settings.access_token_minutes
    item = next(i for i in body["items"] if i["username"] == "lucia")
    signed_up = datetime.fromisoformat(item["last_activity_at"])
    assert datetime.now(UTC) - signed_up < timedelta(minutes=1)

    # An old session, then a refresh of the newest: the refresh's time is the last activity.
    long_ago = datetime.now(UTC) - timedelta(days=3)
    await session.execute(
        update(AuthSession).where(AuthSession.id == member.session_id).values(last_used_at=long_ago)
    )
    await session.commit()
    item = next(i for i in (await _users(client, root))["items"] if i["username"] == "lucia")
    assert datetime.fromisoformat(item["last_activity_at"]) == long_ago

    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": member.refresh_token})
    assert refreshed.status_code == 200, refreshed.text
    item = next(i for i in (await _users(client, root))["items"] if i["username"] == "lucia")
    assert datetime.fromisoformat(item["last_activity_at"]) > long_ago + timedelta(days=2)

    # Most recent first: lucia refreshed just now, after root signed in.
    newest = await _users(client, root, sort="-last_activity", limit=1)
    assert newest["items"][0]["username"] == "lucia"
    oldest = await _users(client, root, sort="last_activity", limit=1)
    assert oldest["items"][0]["username"] == "root-admin"
