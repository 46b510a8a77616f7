"""The API serves the dashboard's static export at "/" in embedded mode."""

from __future__ import annotations

import httpx
import pytest

from vinted_optimizer.app import create_app


@pytest.fixture
def export(tmp_path):
    (tmp_path / "_next" / "static" / "chunks").mkdir(parents=True)
    (tmp_path / "index.html").write_text("<html>home</html>")
    (tmp_path / "famiglia.html").write_text("<html>famiglia</html>")
    (tmp_path / "404.html").write_text("<html>pagina non trovata</html>")
    (tmp_path / "manifest.webmanifest").write_text('{"name": "Vinted Optimizer"}')
    (tmp_path / "_next" / "static" / "chunks" / "app.js").write_text("console.log(1)")
    (tmp_path.parent / "secret.txt").write_text("do not serve")
    return tmp_path


@pytest.fixture
async def web_client(settings, resources, export):
    app = create_app(
        settings.model_copy(update={"web_dir": export}), resources=resources, serve_dashboard=True
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://testserver"
    ) as client:
        yield client


async def test_pages_are_served_by_their_route(web_client):
    home = await web_client.get("/")
    assert home.status_code == 200 and home.text == "<html>home</html>"
    assert home.headers["cache-control"] == "no-cache"
    for path in ("/famiglia", "/famiglia/", "/famiglia.html"):
        page = await web_client.get(path)
        assert page.status_code == 200 and "famiglia" in page.text, path
    query = await web_client.get("/famiglia?token=abc")
    assert query.status_code == 200


async def test_hashed_assets_are_cached_for_ever(web_client):
    asset = await web_client.get("/_next/static/chunks/app.js")
    assert asset.status_code == 200
    assert "immutable" in asset.headers["cache-control"]
    assert asset.headers["content-type"].startswith(("text/javascript", "application/javascript"))


async def test_unknown_pages_get_the_app_404(web_client):
    missing = await web_client.get("/non-esiste")
    assert missing.status_code == 404
    assert "pagina non trovata" in missing.text


async def test_api_paths_stay_json_and_are_never_shadowed(web_client):
    missing = await web_client.get("/api/v1/nothing")
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"
    assert (await web_client.get("/api/health")).json()["status"] == "ok"
    assert (await web_client.get("/api/openapi.json")).status_code == 200


@pytest.mark.parametrize(
    "path", ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/_next/../../secret.txt"]
)
async def test_no_path_traversal(web_client, path):
    response = await web_client.get(path)
    assert "do not serve" not in response.text


async def test_pages_carry_the_app_security_headers(web_client):
    home = await web_client.get("/")
    assert "script-src 'self'" in home.headers["content-security-policy"]
    assert home.headers["x-frame-options"] == "DENY"


async def test_without_a_build_the_root_explains_what_to_do(settings, resources, tmp_path):
    app = create_app(
        settings.model_copy(update={"web_dir": tmp_path / "nope"}), resources=resources, serve_dashboard=True
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://t") as client:
        response = await client.get("/")
    assert response.status_code == 503
    assert "make run" in response.text


async def test_a_nul_in_a_static_path_is_a_404_not_a_500(web_client):
    response = await web_client.get("/index.html%00.json")
    assert response.status_code == 404
    assert response.headers["X-Content-Type-Options"] == "nosniff"
