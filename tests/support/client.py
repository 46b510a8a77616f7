"""The test client: an httpx client on the app's ASGI transport that also knows the app, so factories
can reach the app's resources for what the API deliberately does not offer (a second family on an
instance whose sign-ups are by invitation)."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI


class AppClient(httpx.AsyncClient):
    def __init__(
        self, app: FastAPI, *, peer: tuple[str, int] = ("203.0.113.10", 50000), **kwargs: Any
    ) -> None:
        super().__init__(
            transport=httpx.ASGITransport(app=app, client=peer), base_url="https://testserver", **kwargs
        )
        self.app = app
