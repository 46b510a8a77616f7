"""Finding 7: the dashboard's CSP allows no inline script but its own (by hash) and talks only to its
own origin; /api/docs comes from the installed package, and not at all in production."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
import pytest

from vinted_optimizer.app import create_app
from vinted_optimizer.kit.webapp import page_csp

INLINE = 'self.__next_f.push([1,"ciao"])'


@pytest.fixture
def export(tmp_path):
    (tmp_path / "index.html").write_text(
        f'<html><head><script src="/_next/static/app.js" async></script></head>'
        f"<body><script>{INLINE}</script><script>  </script></body></html>"
    )
    return tmp_path


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def directive(policy: str, name: str) -> str:
    return next(part.strip() for part in policy.split(";") if part.strip().startswith(name + " "))


async def test_a_page_allows_exactly_its_own_inline_scripts(settings, resources, export):
    app = create_app(
        settings.model_copy(update={"web_dir": export}), resources=resources, serve_dashboard=True
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://t") as client:
        page = await client.get("/")
        missing = await client.get("/nessuna-pagina")
    policy = page.headers["Content-Security-Policy"]
    scripts = directive(policy, "script-src")
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert scripts == f"script-src 'self' {sha256(INLINE)}"
    assert directive(policy, "connect-src") == "connect-src 'self'"  # no ws: or wss: to anywhere
    assert "'unsafe-inline'" not in directive(missing.headers["Content-Security-Policy"], "script-src")


def test_the_hash_covers_the_script_text_byte_for_byte():
    policy = page_csp(b"<script type='module'>a()</script><SCRIPT>b()</SCRIPT ><script src=x.js></script>")
    assert sha256("a()") in policy and sha256("b()") in policy
    assert policy.count("'sha256-") == 2


async def test_docs_come_from_the_package_with_a_hashed_inline_script(client):
    docs = await client.get("/api/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.text.lower() and "/api/docs/assets/swagger-ui-bundle.js" in docs.text
    inline = re.search(r"<script>(.*?)</script>", docs.text, re.S).group(1)
    assert sha256(inline) in docs.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in directive(docs.headers["Content-Security-Policy"], "script-src")
    asset = await client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and "SwaggerUIBundle" in asset.text[:2000]


@pytest.mark.parametrize("settings_overrides", [{"environment": "production", "cookie_secure": True}])
async def test_no_docs_in_production(client):
    assert (await client.get("/api/docs")).status_code == 404
    assert (await client.get("/api/docs/assets/swagger-ui-bundle.js")).status_code == 404
    assert (await client.get("/api/openapi.json")).status_code == 200  # the contract stays readable
