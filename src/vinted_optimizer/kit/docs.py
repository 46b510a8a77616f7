"""/api/docs from the installed package (Swagger UI's files in fastapi-offline), never from a CDN, and
with a CSP that allows its one inline script by hash. Not served in production."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from vinted_optimizer.kit.webapp import page_csp

DOCS_PATH = "/api/docs"
ASSETS_PATH = "/api/docs/assets"


def mount_docs(app: FastAPI, *, openapi_url: str) -> None:
    assets = resources.files("fastapi_offline") / "static"
    app.mount(ASSETS_PATH, StaticFiles(directory=str(assets)), name="docs-assets")
    page = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=f"{app.title} — API",
        swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
    )
    body = bytes(page.body)
    csp = page_csp(body)

    @app.get(DOCS_PATH, include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(body, headers={"Content-Security-Policy": csp, "Cache-Control": "no-cache"})
