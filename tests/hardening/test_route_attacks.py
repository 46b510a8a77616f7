"""The attack list of `make resilience` (resilience/attacks.py) comes from the route table: every route is
in it, and the split between protected and public follows the routes' dependencies."""

from __future__ import annotations

from resilience.attacks import endpoints


def test_every_api_route_is_attacked_and_classified_by_its_dependencies(app):
    table = {endpoint.name: endpoint for endpoint in endpoints(app)}
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
