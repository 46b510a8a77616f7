"""The CSRF token every write needs (``X-CSRF-Token``), from the HTML of ``/items/new``.

The page carries it as ``CSRF_TOKEN`` in its Next.js data, plain (``"CSRF_TOKEN":"…"``) or inside an
escaped JSON string (``\\"CSRF_TOKEN\\":\\"…\\"``); older pages had ``<meta name="csrf-token">``.
Without it a write answers ``403 {"code":106}``.
"""

from __future__ import annotations

import re

from vinted_optimizer.scraper.errors import VintedChanged
from vinted_optimizer.scraper.vinted.transport import Request

CSRF_PAGE = "/items/new"
_TOKEN_CHARS = r"([A-Za-z0-9_\-:.+/=]{8,200})"  # noqa: S105 - a pattern, not a secret
_PATTERNS = (
    re.compile(r'CSRF_TOKEN\\*"\s*:\s*\\*"' + _TOKEN_CHARS + r'\\*"'),
    re.compile(r'<meta[^>]+name="csrf-token"[^>]+content="' + _TOKEN_CHARS + '"', re.IGNORECASE),
    re.compile(r'<meta[^>]+content="' + _TOKEN_CHARS + r'"[^>]+name="csrf-token"', re.IGNORECASE),
)


def csrf_request() -> Request:
    return Request("GET", "site", CSRF_PAGE, expect="html")


def parse_csrf(html: bytes | str) -> str:
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    for pattern in _PATTERNS:
        found = pattern.search(text)
        if found:
            return found.group(1)
    raise VintedChanged(endpoint="csrf", detail=f"no CSRF_TOKEN in the HTML of {CSRF_PAGE}")
