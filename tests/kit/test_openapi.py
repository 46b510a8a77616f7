"""The OpenAPI document tells the truth about errors: the 422 body we send, and 401/429 where they occur."""

from __future__ import annotations

import pytest

from tests.auth.factories import register
from tests.images.factories import upload
from vinted_optimizer.kit.errors import ValidationErrorBody

ERROR_BODY = "#/components/schemas/ErrorBody"
VALIDATION_BODY = "#/components/schemas/ValidationErrorBody"


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def schema_of(answer):
    return answer["content"]["application/json"]["schema"]["$ref"]


def test_every_422_is_the_body_the_handler_sends(app):
    document = app.openapi()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    declared = [
        (m, p, op["responses"]["422"]) for m, p, op in operations(document) if "422" in op["responses"]
    ]
    assert len(declared) > 20
    assert all(schema_of(answer) == VALIDATION_BODY for _, _, answer in declared)
    fields = document["components"]["schemas"]["ValidationErrorBody"]
    assert fields["required"] == ["error", "detail", "fields"]


def test_401_and_429_are_declared_where_they_happen(app):
    document = app.openapi()
    public = {
        "/api/v1/meta",
        "/api/v1/meta/catalogs",
        "/api/v1/meta/catalogs/{catalog_id}/fields",
        "/api/v1/auth/register",
        "/api/v1/auth/register/complete",
        "/api/v1/auth/invitation",
        "/api/v1/auth/logout",
        "/api/v1/auth/password-reset",
        "/api/v1/auth/password-reset/confirm",
        "/api/v1/vinted-link/redeem",  # the browser extension's: the pairing code is the authorisation
    }
    for method, path, operation in operations(document):
        answers = operation["responses"]
        if path.startswith("/api/v1"):
            assert "429" in answers and "Retry-After" in answers["429"]["headers"], (method, path)
        if path.startswith("/api/v1") and path not in public and not path.endswith("/file"):
            assert schema_of(answers["401"]) == ERROR_BODY, (method, path)
        if not path.startswith("/api/v1"):
            assert "429" not in answers and "401" not in answers, (method, path)


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("post", "/api/v1/auth/register", {"email": "non-una-mail", "username": "x", "password": "p"}),
        ("post", "/api/v1/listings", {"title": 7, "price": "-1"}),
        ("get", "/api/v1/listings?limit=0", None),
        ("post", "/api/v1/sales", {"listing_id": "x", "sale_price": "-1"}),
        ("get", "/api/v1/sales/export?format=pdf", None),
    ],
)
async def test_real_422_bodies_match_the_documented_schema(client, method, path, payload):
    member = await register(client)
    response = await client.request(method, path, json=payload, headers=member.headers)
    assert response.status_code == 422
    body = ValidationErrorBody.model_validate(response.json())
    assert body.error == "validation_error" and body.fields


async def test_a_domain_422_names_its_field_too(client):
    member = await register(client)
    response = await upload(client, member=member, files=[("vuota.jpg", b"")])
    assert response.status_code == 422
    body = ValidationErrorBody.model_validate(response.json())
    assert [field.field for field in body.fields] == ["files"]
    assert "vuota.jpg" in body.detail


async def test_a_real_401_is_the_documented_error_body(client):
    response = await client.get("/api/v1/listings")
    assert response.status_code == 401
    assert set(response.json()) == {"error", "detail"}
