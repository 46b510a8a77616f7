"""Serve the dashboard's static export at "/" (embedded): one origin, so no CORS and SameSite cookies work.

Next exports /famiglia as famiglia.html; ids travel as query parameters, so every page is a file. An
unknown path gets the app's own 404 page; /api/* never reaches here.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Match, Route
from starlette.types import Scope

from vinted_optimizer.kit.middleware import APP_CSP_TEMPLATE
from vinted_optimizer.kit.schemas import has_control_characters

_REPO_WEB_OUT = Path(__file__).resolve().parents[3] / "web" / "out"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

NOT_BUILT = """<!doctype html><html lang="it"><meta charset="utf-8"><title>Vinted Optimizer</title>
<body style="font-family:system-ui;max-width:40rem;margin:4rem auto;padding:0 1rem">
<h1>Vinted Optimizer</h1><p>La dashboard non è ancora stata compilata: avvia con <code>make run</code>.</p>
<p lang="en">The dashboard has not been built yet: start with <code>make run</code>. The API is at
<a href="/api/docs">/api/docs</a>.</p></body></html>"""


# An inline script: a <script> element without src. Its text, byte for byte, is what the hash covers.
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.S | re.I)


def page_csp(html: bytes) -> str:
    """The page's Content-Security-Policy: no 'unsafe-inline' for scripts, but the hash of each of its own
    inline scripts (Next's static export writes its bootstrap data inline)."""
    hashes = sorted(
        {
            "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
            for body in _INLINE_SCRIPT.findall(html)
            if body.strip()
        }
    )
    return APP_CSP_TEMPLATE.format(scripts=" ".join(["'self'", *hashes]))


@lru_cache(maxsize=512)
def _file_csp(path: Path, mtime_ns: int) -> str:
    return page_csp(path.read_bytes())


def csp_for(path: Path) -> str:
    return _file_csp(path, path.stat().st_mtime_ns)


def default_web_dir() -> Path:
    return _REPO_WEB_OUT


def _resolve(root: Path, path: str) -> Path | None:
    clean = path.strip("/")
    candidates = [clean, f"{clean}.html", f"{clean}/index.html"] if clean else ["index.html"]
    for candidate in candidates:
        target = (root / candidate).resolve()
        # Never leave the export folder (../ tricks, symlinks).
        if target.is_relative_to(root) and target.is_file():
            return target
    return None


def mount_dashboard(app: FastAPI, web_dir: Path | None) -> None:
    root = web_dir.resolve() if web_dir else None
    built = root is not None and (root / "index.html").is_file()

    async def dashboard(request: Request) -> Response:
        path: str = request.path_params["path"]
        if has_control_characters(path):  # "/index.html%00.json": no file has such a name
            return HTMLResponse("Not Found", status_code=404)
        if not built or root is None:
            return HTMLResponse(NOT_BUILT, status_code=503 if path == "" else 404)
        target = _resolve(root, path)
        if target is None:
            page = root / "404.html"
            if page.is_file():
                headers = {"Cache-Control": REVALIDATE, "Content-Security-Policy": csp_for(page)}
                return FileResponse(page, status_code=404, headers=headers)
            return HTMLResponse("Not Found", status_code=404)
        headers = {"Cache-Control": IMMUTABLE if path.startswith("_next/static/") else REVALIDATE}
        if target.suffix == ".html":
            headers["Content-Security-Policy"] = csp_for(target)
        return FileResponse(target, headers=headers)

    app.router.routes.append(_DashboardRoute("/{path:path}", dashboard, methods=["GET", "HEAD"]))


class _DashboardRoute(Route):
    """The catch-all for the dashboard's pages, which never matches under /api: an API path the router
    knows with another method stays a 405 (with Allow), an unknown one a JSON 404."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path: str = scope.get("path", "")
        if path == "/api" or path.startswith("/api/"):
            return Match.NONE, {}
        return super().matches(scope)
