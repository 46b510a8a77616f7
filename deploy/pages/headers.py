"""Write the dashboard's `_headers` for Cloudflare Pages: the security headers `serve` sends with it.

    python3 ../deploy/pages/headers.py out        (Pages' build command, after `next build`, in web/)

Each exported page gets its own Content-Security-Policy with the hash of each of its inline scripts (Next's
static export writes its bootstrap data inline), the same policy as ``kit.webapp.page_csp`` — with the API's
origin (``NEXT_PUBLIC_API_URL``, the build variable the dashboard reads) allowed for requests, the live
WebSocket and the photos. Only the standard library: Pages' build image has Python but not this project.
tests/test_deploy.py checks that, with no API origin, the policies equal ``kit.webapp.page_csp``'s.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

# kit.middleware.APP_CSP_TEMPLATE, with room for the API's origin in img-src and connect-src.
CSP_TEMPLATE = (
    "default-src 'self'; img-src 'self' data: blob:{images}; style-src 'self' 'unsafe-inline'; "
    "script-src {scripts}; connect-src 'self'{connect}; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)
COMMON = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}
IMMUTABLE = "public, max-age=31536000, immutable"
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.S | re.I)
# Cloudflare Pages reads at most 100 rules, each header line at most 2,000 characters.
MAX_RULES = 100
MAX_LINE = 2000


def api_origin(url: str) -> str:
    """``https://api.example.it`` from NEXT_PUBLIC_API_URL (empty: the API serves the dashboard itself)."""
    if not url:
        return ""
    parsed = urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.path not in ("", "/"):
        raise SystemExit(f"NEXT_PUBLIC_API_URL must be an origin such as https://api.example.it, not {url!r}")
    return f"{parsed.scheme}://{parsed.netloc}"


def page_csp(html: bytes, origin: str = "") -> str:
    hashes = sorted(
        {
            "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
            for body in _INLINE_SCRIPT.findall(html)
            if body.strip()
        }
    )
    images = f" {origin}" if origin else ""
    connect = f" {origin} {origin.replace('http', 'ws', 1)}" if origin else ""
    return CSP_TEMPLATE.format(scripts=" ".join(["'self'", *hashes]), images=images, connect=connect)


def route_of(page: Path, root: Path) -> str:
    """The URL Pages serves an exported file at: /index.html at /, /annunci.html at /annunci."""
    relative = page.relative_to(root).as_posix().removesuffix(".html")
    if relative == "index":
        return "/"
    return "/" + relative.removesuffix("/index")


def headers_file(root: Path, origin: str) -> str:
    rules = ["/*", *(f"  {name}: {value}" for name, value in COMMON.items()), "", "/_next/static/*"]
    rules += [f"  Cache-Control: {IMMUTABLE}", ""]
    count = 2
    for page in sorted(root.rglob("*.html")):
        route = route_of(page, root)
        if route in ("/404", "/_not-found"):
            continue  # served for unknown paths under their own URL; no route of their own
        rules += [route, f"  Content-Security-Policy: {page_csp(page.read_bytes(), origin)}", ""]
        count += 1
    if count > MAX_RULES:
        raise SystemExit(f"{count} rules: Cloudflare Pages reads at most {MAX_RULES}")
    if any(len(line) > MAX_LINE for line in rules):
        raise SystemExit(f"a header line is longer than {MAX_LINE} characters (too many inline scripts?)")
    return "\n".join(rules)


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        raise SystemExit("usage: headers.py <the static export's folder, web/out>")
    root = Path(argv[0]).resolve()
    if not (root / "index.html").is_file():
        raise SystemExit(f"{root} holds no index.html: run `next build` first")
    text = headers_file(root, api_origin(os.environ.get("NEXT_PUBLIC_API_URL", "")))
    (root / "_headers").write_text(text)
    print(f"{root / '_headers'}: {text.count('Content-Security-Policy')} pages")


if __name__ == "__main__":
    main(sys.argv[1:])
