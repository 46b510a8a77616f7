"""Data a browser test starts from, made through the real API of the `serve` under test (never written into
the database behind its back): a signed-in member's headers, listings with photos, their copies."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.browser import Person
from tests.images.factories import photo
from tests.support.serve import Serve


class Member:
    """A member signed in over the API, for the data a test needs before its browser arrives."""

    def __init__(self, server: Serve, person: Person) -> None:
        self.client = httpx.Client(base_url=server.url, timeout=30)
        response = self.client.post(
            "/api/v1/auth/login", json={"login": person.email, "password": person.password}
        )
        assert response.status_code == 200, response.text
        self.client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def listing_with_photos(self, *, photos: int = 1, seed: int = 1, **fields: Any) -> dict[str, Any]:
        """A new draft from `photos` uploaded photos, then `fields` saved on it (title, brand, size…)."""
        files = [
            ("files", (f"foto-{seed}-{n}.jpg", photo(900, 1200, seed=seed + n), "image/jpeg"))
            for n in range(photos)
        ]
        response = self.client.post("/api/v1/images/upload", files=files)
        assert response.status_code == 201, response.text
        listing: dict[str, Any] = response.json()["listing"]
        if fields:
            response = self.client.patch(f"/api/v1/listings/{listing['id']}", json=fields)
            assert response.status_code == 200, response.text
            listing = response.json()
        return listing

    def duplicate(self, listing_id: str) -> dict[str, Any]:
        response = self.client.post(f"/api/v1/listings/{listing_id}/duplicate")
        assert response.status_code == 201, response.text
        copy: dict[str, Any] = response.json()
        return copy

    def invite(self, email: str) -> str:
        """A family invitation's link (the admin's own, shown once)."""
        response = self.client.post("/api/v1/users/family/invite", json={"email": email})
        assert response.status_code == 201, response.text
        url: str = response.json()["invite_url"]
        return url

    def close(self) -> None:
        self.client.close()
