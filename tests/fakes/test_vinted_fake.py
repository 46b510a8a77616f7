"""The Vinted stand-in speaks the contract (shared/contracts/vinted.md), checked with plain httpx, so the
client's tests do not only agree with a fake written alongside them."""

from __future__ import annotations

import json

import httpx

from tests.fakes.vinted import CSRF_TOKEN, FakeVinted, Reply


def cookie(**values: str) -> dict[str, str]:
    """A Cookie header (per-request cookies are deprecated in httpx; the header wins over its jar)."""
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in values.items())}


async def test_home_cookies_and_search(
    fake_vinted_server: tuple[FakeVinted, str], fake_vinted: FakeVinted
) -> None:
    _, url = fake_vinted_server
    async with httpx.AsyncClient(base_url=url) as http:
        home = await http.get("/")
        access, anon = home.cookies["access_token_web"], home.cookies["anon_id"]
        assert access.count(".") == 2 and anon
        denied = await http.get("/svc-catalogue/items", headers={"Authorization": f"Bearer {access}"})
        assert denied.status_code == 401 and denied.json()["code"] == 100  # without x-anon-id
        found = await http.get(
            "/svc-catalogue/items",
            params={"page": 2},
            headers={"Authorization": f"Bearer {access}", "x-anon-id": anon},
        )
        assert found.status_code == 200
        assert [item["id"] for item in found.json()["items"]][0] == 10051317969
        assert found.json()["pagination"]["current_page"] == 2
        old = await http.get("/api/v2/catalog/items")
        assert (old.status_code, old.json()) == (404, {"code": 104, "message_code": "not_found"})


async def test_refresh_rotates_single_use(
    fake_vinted_server: tuple[FakeVinted, str], fake_vinted: FakeVinted
) -> None:
    _, url = fake_vinted_server
    access, refresh = fake_vinted.member_session()
    async with httpx.AsyncClient(base_url=url) as http:
        no_access = await http.post("/web/api/auth/refresh", headers=cookie(refresh_token_web=refresh))
        assert (no_access.status_code, no_access.content) == (400, b"")  # it needs the access cookie too
        # …and that attempt spent the token, as a dead chain would.
        access, refresh = fake_vinted.member_session()
        both = cookie(access_token_web=access, refresh_token_web=refresh)
        rotated = await http.post("/web/api/auth/refresh", headers=both)
        assert rotated.status_code == 200
        assert rotated.cookies["refresh_token_web"] != refresh
        assert rotated.cookies["access_token_web"] != access
        again = await http.post("/web/api/auth/refresh", headers=both)
        assert (again.status_code, again.content) == (400, b"")


async def test_member_endpoints_and_csrf(
    fake_vinted_server: tuple[FakeVinted, str], fake_vinted: FakeVinted
) -> None:
    _, url = fake_vinted_server
    access, _ = fake_vinted.member_session()
    async with httpx.AsyncClient(base_url=url, headers=cookie(access_token_web=access)) as http:
        orders = await http.get("/api/v2/my_orders", params={"type": "sold", "status": "all"})
        assert orders.status_code == 200 and len(orders.json()["my_orders"]) == 5
        async with httpx.AsyncClient(base_url=url) as stranger:
            refused = await stranger.get("/api/v2/users/1/items")
        assert (refused.status_code, refused.json()["code"]) == (401, 100)
        no_csrf = await http.delete("/api/v2/items/5")
        assert (no_csrf.status_code, no_csrf.json()) == (403, {"code": 106, "message_code": "access_denied"})
        page = await http.get("/items/new")
        assert f'\\"CSRF_TOKEN\\":\\"{CSRF_TOKEN}\\"' in page.text
        deleted = await http.delete("/api/v2/items/5", headers={"X-CSRF-Token": CSRF_TOKEN})
        assert deleted.status_code == 200 and fake_vinted.deleted == [5]
        no_package = await http.post(
            "/api/v2/item_upload/items",
            headers={"X-CSRF-Token": CSRF_TOKEN},
            json={"item": {"title": "x", "price": 5}},
        )
        assert (no_package.status_code, no_package.json()["code"]) == (400, 99)
        label = await http.get("/api/v2/transactions/1/shipment/pdf_label")
        assert label.content.startswith(b"%PDF")


async def test_scripted_misbehaviour(
    fake_vinted_server: tuple[FakeVinted, str], fake_vinted: FakeVinted
) -> None:
    _, url = fake_vinted_server
    fake_vinted.script("home", Reply.challenge_page(), Reply.datadome(), Reply.rate_limited(60))
    async with httpx.AsyncClient(base_url=url) as http:
        cloudflare = await http.get("/")
        assert cloudflare.status_code == 403 and cloudflare.headers["content-type"].startswith("text/html")
        datadome = await http.get("/")
        assert datadome.status_code == 403 and "captcha-delivery" in datadome.text
        limited = await http.get("/")
        assert (limited.status_code, limited.headers["retry-after"]) == (429, "60")
        normal = await http.get("/")
        assert normal.status_code == 200 and "access_token_web" in normal.cookies
    assert json.loads(Reply.changed_shape().body or b"{}").keys() == {"results", "meta"}
