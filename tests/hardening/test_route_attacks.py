"""The attack list of `make resilience` (resilience/attacks.py) comes from the route table: every route is
in it, the split between protected and public follows the routes' dependencies, and every path parameter
has an attack rule (a new one without a rule fails here, instead of silently getting only the token
attacks)."""

from __future__ import annotations

import pytest
from resilience.attacks import (
    EFFECT_ATTACKS,
    EFFECT_SCOPED,
    FAMILY_SCOPED,
    MALFORMED,
    NO_FAMILY,
    Endpoint,
    endpoints,
    unruled,
)


@pytest.fixture(scope="module")
def route_table() -> list[Endpoint]:
    """The table `run_attacks` builds (its own app: no database needed), once for the module."""
    return endpoints()


def test_every_api_route_is_attacked_and_classified_by_its_dependencies(route_table):
    table = {endpoint.name: endpoint for endpoint in route_table}
    assert len(table) > 90
    assert table["GET /api/v1/listings"].protected
    assert table["DELETE /api/v1/listings/{listing_id:uuid}"].params == ("listing_id",)
    assert table["GET /api/v1/admin/users"].protected  # InstanceAdmin depends on the access token too
    assert not table["POST /api/v1/auth/register"].protected
    assert not table["POST /api/v1/auth/login"].protected
    assert table["POST /api/v1/images/upload"].upload_fields == ("files",)
    assert not table["GET /api/v1/images/{image_id:uuid}/file"].protected  # a signed URL: attacked as such
    public = sorted(name for name, endpoint in table.items() if not endpoint.protected)
    assert all(
        "/auth/" in name
        or "/webhooks/" in name
        or "/meta" in name
        or "/health" in name
        or "/vinted-link/" in name
        or name.endswith("/file")
        for name in public
    ), public


def test_every_path_parameter_has_an_attack_rule(route_table):
    table = route_table
    missing = unruled(table)
    assert missing == {}, (
        f"path parameters with no attack rule: {missing}; add each to FAMILY_SCOPED (and seed family A's "
        "resource in _seed), EFFECT_SCOPED (with its check in EFFECT_ATTACKS) or NO_FAMILY (saying why no "
        "cross-family attack applies) in resilience/attacks.py"
    )
    # One rule each, and each parameter whose cross-family attack is an effect has its check.
    assert not set(FAMILY_SCOPED) & set(EFFECT_SCOPED) and not set(FAMILY_SCOPED) & set(NO_FAMILY)
    assert not set(EFFECT_SCOPED) & set(NO_FAMILY)
    assert set(EFFECT_ATTACKS) == set(EFFECT_SCOPED)
    assert all(reason.strip() for reason in NO_FAMILY.values())
    # The parameters that got only the token attacks before (issue 15, item 5) now have a rule of their own.
    params = {param for endpoint in table for param in endpoint.params}
    assert {"batch_id", "message_id", "jti"} <= set(FAMILY_SCOPED) & params
    assert {"key", "token"} <= set(EFFECT_SCOPED) & params
    assert {"catalog_id", "category_id"} <= set(NO_FAMILY) & params
    assert {"too long", "wrong type", "path traversal", "NUL byte", "unicode"} <= set(MALFORMED)
    # The check itself names a parameter it has no rule for, with its routes.
    widget = Endpoint("GET", "/api/v1/widgets/{widget_id:uuid}", ("widget_id",), True, ())
    assert unruled([*table, widget]) == {"widget_id": ["GET /api/v1/widgets/{widget_id:uuid}"]}
