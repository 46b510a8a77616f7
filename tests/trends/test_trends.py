"""The trends API: what a family follows (its inventory by default), a refresh that reaches the scraper's
queue once and is refused politely when asked again too soon or while Vinted asks us to wait, the scraped
aggregates collected into PostgreSQL and read back, and the validation of every input."""

from __future__ import annotations

from decimal import Decimal

from tests.auth.factories import register
from tests.fakes.vinted import Reply
from tests.listings.factories import create_listing
from tests.users.factories import invite_and_join
from vinted_optimizer.scraper.client import InProcessScraperClient
from vinted_optimizer.scraper.schemas import ScrapeRequest
from vinted_optimizer.trends import service as trends

SNEAKERS = 1242
SNEAKERS_IT = "Uomo > Scarpe > Sneakers"
JACKETS = 1908


def scraper(resources) -> InProcessScraperClient:
    client = resources.scraper
    assert isinstance(client, InProcessScraperClient)
    return client


async def test_a_family_follows_its_inventory_until_it_chooses(client):
    admin = await register(client)
    await create_listing(client, member=admin, category_id=SNEAKERS, brand="Nike")
    await create_listing(client, member=admin, category_id=SNEAKERS, brand="Nike")
    await create_listing(client, member=admin, category_id=SNEAKERS, brand="Adidas")
    await create_listing(client, member=admin, title="Senza categoria")
    body = (await client.get("/api/v1/trends/follows", headers=admin.headers)).json()
    assert body["source"] == "inventory"
    followed = [(f["category_id"], f["brand"]) for f in body["follows"]]
    assert followed == [(SNEAKERS, None), (SNEAKERS, "Nike"), (SNEAKERS, "Adidas")]
    assert body["follows"][0]["category_name"] == SNEAKERS_IT
    chosen = {"follows": [{"category_id": JACKETS, "category_name": "Giacche", "brand": "Levi's"}]}
    saved = await client.put("/api/v1/trends/follows", json=chosen, headers=admin.headers)
    assert saved.status_code == 200, saved.text
    assert saved.json()["source"] == "configured"
    assert [(f["category_id"], f["brand"]) for f in saved.json()["follows"]] == [(JACKETS, "Levi's")]
    back = await client.put("/api/v1/trends/follows", json={"follows": []}, headers=admin.headers)
    assert back.json()["source"] == "inventory" and len(back.json()["follows"]) == 3


async def test_only_the_family_admin_chooses_and_refreshes(client):
    admin = await register(client)
    member = await invite_and_join(client, admin=admin)
    chosen = {"follows": [{"category_id": JACKETS, "category_name": "Giacche"}]}
    assert (
        await client.put("/api/v1/trends/follows", json=chosen, headers=member.headers)
    ).status_code == 403
    assert (await client.post("/api/v1/trends/refresh", headers=member.headers)).status_code == 403
    assert (await client.get("/api/v1/trends/follows", headers=member.headers)).status_code == 200


async def test_a_refresh_is_queued_once_and_a_second_one_is_refused_politely(client, resources, fake_vinted):
    admin = await register(client)
    other = await register(client)
    await create_listing(client, member=admin, category_id=SNEAKERS, brand="Nike")
    first = await client.post("/api/v1/trends/refresh", headers=admin.headers)
    assert first.status_code == 202, first.text
    assert first.json()["queued"] is True and first.json()["searches"] == 2
    assert "Aggiornamento richiesto" in first.json()["message"]
    again = await client.post("/api/v1/trends/refresh", headers=admin.headers)
    assert again.status_code == 429
    assert int(again.headers["Retry-After"]) > 25 * 60
    assert "non disturbare Vinted" in again.json()["detail"]
    # Queued, not run: nothing reached Vinted; the scraper's queue holds one job.
    assert fake_vinted.calls_to("search") == []
    assert (await scraper(resources).status()).queued_scrapes == 1
    # Another family has its own turn (and nothing to follow yet: told so, in Italian).
    nothing = await client.post("/api/v1/trends/refresh", headers=other.headers)
    assert nothing.status_code == 409 and "categoria" in nothing.json()["detail"]


async def test_while_vinted_asks_to_wait_a_refresh_is_503_with_retry_after(client, resources, fake_vinted):
    admin = await register(client)
    await create_listing(client, member=admin, category_id=SNEAKERS)
    fake_vinted.script("search", Reply.challenge_page())
    service = scraper(resources).service
    report = await service.scrape(
        ScrapeRequest(follows=[{"category_id": SNEAKERS, "category_name": SNEAKERS_IT}])
    )
    assert report.stopped == "vinted_challenge" and len(fake_vinted.calls_to("search")) == 1
    refused = await client.post("/api/v1/trends/refresh", headers=admin.headers)
    assert refused.status_code == 503
    assert int(refused.headers["Retry-After"]) >= 29 * 60
    assert refused.json()["error"] == "scraper_cooling_down"
    assert "verifica anti-robot" in refused.json()["detail"]
    assert len(fake_vinted.calls_to("search")) == 1  # nothing more was asked of Vinted
    # The refusal did not spend the family's turn: once the gate opens it may ask at once.
    await resources.redis.delete("vo:vinted:pace:gate")
    assert (await client.post("/api/v1/trends/refresh", headers=admin.headers)).status_code == 202


async def test_scraped_trends_are_collected_and_read_back(client, resources, session, fake_vinted):
    admin = await register(client)
    stranger = await register(client)
    await create_listing(client, member=admin, category_id=SNEAKERS, brand="Nike Air")
    follows = (await client.get("/api/v1/trends/follows", headers=admin.headers)).json()["follows"]
    service = scraper(resources).service
    report = await service.scrape(ScrapeRequest(follows=follows))
    assert (report.searches, report.stopped) == (2, None)
    added = await trends.collect(session, resources.scraper)
    assert added > 2
    assert await trends.collect(session, resources.scraper) == 0  # collected once
    current = (await client.get("/api/v1/trends", headers=admin.headers)).json()["items"]
    # The category's row comes from the category-wide search, never from the brand's.
    assert [(row["category_id"], row["brand"]) for row in current] == [(SNEAKERS, None)]
    row = current[0]
    assert row["total_items"] == 5 and row["sample"]["pages"] == 2
    assert Decimal(row["q1_price"]) <= Decimal(row["median_price"]) <= Decimal(row["q3_price"])
    assert Decimal(row["min_price"]) <= Decimal(row["avg_price"]) <= Decimal(row["max_price"])
    assert row["top_brands"][0]["count"] >= 1 and row["demand_score"] is not None
    detail = (await client.get(f"/api/v1/trends/{SNEAKERS}", headers=admin.headers)).json()
    assert detail["current"]["id"] == row["id"]
    assert len(detail["history"]) == 1 and detail["history"][0]["id"] == row["id"]
    brands = (await client.get("/api/v1/trends/brands", headers=admin.headers)).json()["items"]
    # The brands seen in the category's run, and the followed brand's own search (its latest row wins).
    assert {b["brand"] for b in detail["brands"]} == {b["brand"] for b in brands}
    assert "Nike Air" in {b["brand"] for b in brands}
    followed = next(b for b in brands if b["brand"] == "Nike Air")
    assert followed["sample"]["search_id"] == 2  # the brand's own search, run after the category's
    assert all(b["category_id"] == SNEAKERS for b in brands)
    # Market data is shared, but a family reads what it follows: a stranger follows nothing yet.
    assert (await client.get("/api/v1/trends", headers=stranger.headers)).json()["items"] == []
    shared = await client.get(f"/api/v1/trends/{SNEAKERS}", headers=stranger.headers)
    assert shared.status_code == 200 and shared.json()["current"]["id"] == row["id"]


async def test_every_input_is_validated_in_italian(client):
    admin = await register(client)
    for path, field in (
        ("/api/v1/trends/0", "category_id"),
        ("/api/v1/trends/99999999999", "category_id"),
        ("/api/v1/trends/brands?category_id=-3", "category_id"),
    ):
        response = await client.get(path, headers=admin.headers)
        assert response.status_code == 422, path
        fields = response.json()["fields"]
        assert any(field in f["field"] for f in fields), fields
    bad = {"follows": [{"category_id": "giacche", "category_name": ""}]}
    response = await client.put("/api/v1/trends/follows", json=bad, headers=admin.headers)
    assert response.status_code == 422
    named = {f["field"]: f["message"] for f in response.json()["fields"]}
    assert any("category_id" in name for name in named) and any("category_name" in name for name in named)
    assert all(message and message[0].isupper() for message in named.values())
    # Not a number: no such category (the address is not one of ours); "refresh" is only for POST.
    assert (await client.get("/api/v1/trends/abc", headers=admin.headers)).status_code == 404
    wrong_method = await client.get("/api/v1/trends/refresh", headers=admin.headers)
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "POST"
    # What PostgreSQL cannot store, and what the API does not know, is refused before it.
    for follow, field in (
        ({"category_id": 5, "category_name": "Giacche\u0000"}, "follows.0.category_name"),
        ({"category_id": 5, "category_name": "Giacche", "colore": "rosso"}, "follows.0.colore"),
    ):
        refused = await client.put(
            "/api/v1/trends/follows", json={"follows": [follow]}, headers=admin.headers
        )
        assert refused.status_code == 422, refused.text
        assert [f["field"] for f in refused.json()["fields"]] == [field]
    unknown = await client.put("/api/v1/trends/follows", json={"seguiti": []}, headers=admin.headers)
    assert unknown.status_code == 422
    too_many = {"follows": [{"category_id": i, "category_name": "x"} for i in range(1, 40)]}
    assert (
        await client.put("/api/v1/trends/follows", json=too_many, headers=admin.headers)
    ).status_code == 422


async def test_the_instance_admin_triggers_every_followed_search(client, resources, instance_admin_headers):
    admin = await register(client)
    none = await client.post("/api/v1/admin/scraper/trigger", headers=instance_admin_headers)
    assert none.status_code == 409
    chosen = {"follows": [{"category_id": JACKETS, "category_name": "Giacche"}]}
    await client.put("/api/v1/trends/follows", json=chosen, headers=admin.headers)
    queued = await client.post("/api/v1/admin/scraper/trigger", headers=instance_admin_headers)
    assert queued.status_code == 202 and queued.json()["searches"] == 1
    status = (await client.get("/api/v1/admin/scraper", headers=instance_admin_headers)).json()
    assert status["status"] == "ok" and status["queued_scrapes"] == 1
    assert status["read"]["hourly_cap"] == 1000


async def test_with_the_home_scraper_down_a_refresh_is_503_with_retry_after(settings, resources):
    import dataclasses

    import httpx

    from tests.auth.factories import register as register_on
    from tests.fakes.server import free_port
    from vinted_optimizer.app import create_app

    dead = settings.model_copy(update={"scraper_service_url": f"http://127.0.0.1:{free_port()}"})
    moved = dataclasses.replace(resources, settings=dead)
    app = create_app(dead, resources=moved)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://t") as client:
        admin = await register_on(client)
        await create_listing(client, member=admin, category_id=SNEAKERS)
        refused = await client.post("/api/v1/trends/refresh", headers=admin.headers)
        assert refused.status_code == 503
        assert refused.json()["error"] == "scraper_unavailable"
        assert "non risponde" in refused.json()["detail"] and int(refused.headers["Retry-After"]) >= 1
        # The reads do not need the home side: they are PostgreSQL's.
        assert (await client.get("/api/v1/trends", headers=admin.headers)).status_code == 200
    await moved.close_scraper()


async def test_new_market_data_tells_every_familys_open_pages(client, resources, session, fake_vinted):
    """Market data is shared: the collect job stores it, then each family's sockets hear trends.updated
    (and nothing when there was nothing new)."""
    import uuid

    from vinted_optimizer.trends.tasks import collect

    admin = await register(client)
    other = await register(client)
    await create_listing(client, member=admin, category_id=SNEAKERS)
    follows = (await client.get("/api/v1/trends/follows", headers=admin.headers)).json()["follows"]
    await scraper(resources).service.scrape(ScrapeRequest(follows=follows))
    added = await collect({"resources": resources})
    assert added > 0
    for member in (admin, other):
        events, _ = await resources.events.since(
            uuid.UUID(member.family_id), None, user_id=uuid.UUID(member.id)
        )
        assert [(e.type, e.data) for e in events if e.type == "trends.updated"] == [
            ("trends.updated", {"rows": added})
        ]
    assert await collect({"resources": resources}) == 0
    events, _ = await resources.events.since(uuid.UUID(admin.family_id), None, user_id=uuid.UUID(admin.id))
    assert sum(e.type == "trends.updated" for e in events) == 1
