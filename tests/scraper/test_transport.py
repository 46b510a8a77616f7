"""``classify`` on hand-made answers: each failure signature of the contract mapped to its error."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vinted_optimizer.scraper.errors import (
    AuthExpired,
    Challenge,
    CsrfMissing,
    RateLimited,
    VintedChanged,
    VintedRefused,
    VintedUnavailable,
)
from vinted_optimizer.scraper.vinted.transport import Reply, Request, classify, retry_after_seconds

GET = Request("GET", "api", "/svc-catalogue/items")
POST = Request("POST", "site", "/api/v2/item_upload/items")


def reply(status: int, body: bytes, content_type: str = "application/json", **headers: str) -> Reply:
    return Reply(status, {"content-type": content_type, **headers}, body, {}, "https://www.vinted.it/x")


@pytest.mark.parametrize(
    ("request_", "answer", "error"),
    [
        (GET, reply(401, b'{"code":100,"message_code":"invalid_authentication_token"}'), AuthExpired),
        (
            GET,
            reply(403, b"<!DOCTYPE html><html>Attention Required! | Cloudflare</html>", "text/html"),
            Challenge,
        ),
        (GET, reply(403, b"<html><body>blocked</body></html>", ""), Challenge),  # HTML without a type
        (GET, reply(403, b'{"url":"https://geo.captcha-delivery.com/captcha/?cid=1"}'), Challenge),
        (POST, reply(403, b'{"code":106,"message_code":"access_denied"}'), CsrfMissing),
        (GET, reply(403, b'{"code":106,"message_code":"access_denied"}'), VintedRefused),  # a read: no CSRF
        (GET, reply(404, b'{"code":104,"message_code":"not_found"}'), VintedChanged),
        (GET, reply(404, b'{"code":5,"message_code":"not_found"}'), VintedRefused),
        (POST, reply(400, b'{"code":99,"message_code":"validation_error"}'), VintedRefused),
        (GET, reply(429, b"", "text/plain", **{"retry-after": "60"}), RateLimited),
        (GET, reply(503, b"<html>down</html>", "text/html"), VintedUnavailable),
        (GET, reply(200, b"<html><body>Manutenzione</body></html>", "text/html"), VintedChanged),
        (Request("GET", "site", "/pdf", expect="pdf"), reply(200, b"{}", "application/json"), VintedChanged),
    ],
)
def test_failure_signatures(request_: Request, answer: Reply, error: type[Exception]) -> None:
    with pytest.raises(error):
        classify("search", request_, answer)


def test_what_passes() -> None:
    ok = reply(200, b'{"items":[]}')
    assert classify("search", GET, ok) is ok
    text_json = reply(200, b'{"items":[]}', "text/plain")  # JSON under another type is still JSON
    assert classify("search", GET, text_json) is text_json
    pdf = reply(200, b"%PDF-1.4 ...", "application/pdf")
    assert classify("label", Request("GET", "site", "/l", expect="pdf"), pdf) is pdf


def test_challenge_sources_and_refusal_details() -> None:
    with pytest.raises(Challenge) as cloudflare:
        classify("item", GET, reply(403, b"<!doctype html><title>Just a moment...</title>", "text/html"))
    assert cloudflare.value.source == "cloudflare"
    with pytest.raises(Challenge) as datadome:  # even a 200 that is a captcha page is a challenge
        classify("item", GET, reply(200, b"<script src='https://ct.captcha-delivery.com/c.js'>", "text/html"))
    assert datadome.value.source == "datadome"
    with pytest.raises(VintedRefused) as refused:
        classify("item.create", POST, reply(400, b'{"code":99,"message_code":"validation_error"}'))
    assert (refused.value.status, refused.value.vinted_code, refused.value.message) == (
        400,
        99,
        "validation_error",
    )


def test_retry_after_forms() -> None:
    assert retry_after_seconds("60") == 60
    assert retry_after_seconds("0") == 1  # never 0: it would hit the limit again
    assert retry_after_seconds(None) == 60 and retry_after_seconds("soon") == 60
    now = datetime(2026, 12, 3, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("Thu, 03 Dec 2026 12:02:00 GMT", now=now) == 120
