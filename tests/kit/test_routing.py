"""kit.routing.DomainRouter: a path outside a domain's prefix is not that domain's, at once; inside it the
routes match as FastAPI matches them (status codes, 405, trailing slashes)."""

from __future__ import annotations

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from vinted_optimizer.kit.routing import DomainRouter


def _app() -> FastAPI:
    listings = DomainRouter(prefix="/listings")
    others = DomainRouter(prefix="/listingsx")

    @listings.get("")
    async def all_listings() -> dict[str, str]:
        return {"route": "list"}

    @listings.get("/{listing_id:int}")
    async def one_listing(listing_id: int) -> dict[str, int]:
        return {"listing": listing_id}

    @others.get("/{name}")
    async def other(name: str) -> dict[str, str]:
        return {"other": name}

    app = FastAPI()
    for router in (listings, others):
        app.include_router(router, prefix=router.mounted_at)
    return app


async def test_routes_inside_and_outside_a_prefix():
    async with AsyncClient(transport=ASGITransport(app=_app()), base_url="http://test") as client:
        assert (await client.get("/api/v1/listings")).json() == {"route": "list"}
        assert (await client.get("/api/v1/listings/7")).json() == {"listing": 7}
        # A longer word that starts like the prefix is another domain's.
        assert (await client.get("/api/v1/listingsx/a")).json() == {"other": "a"}
        assert (await client.post("/api/v1/listings/7")).status_code == 405
        assert (await client.get("/api/v1/listings/7/foto")).status_code == 404
        assert (await client.get("/api/v2/listings/7")).status_code == 404
        moved = await client.get("/api/v1/listings/", follow_redirects=False)
        assert moved.status_code == 307 and moved.headers["location"].endswith("/api/v1/listings")
