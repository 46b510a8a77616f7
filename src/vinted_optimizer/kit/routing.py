"""The routers of the API's domains.

FastAPI 0.163 matches a request against every route of every included router in turn, whatever their
prefixes (and the router that has the route matches it twice): with the API's sixty routes, a request
for a listing paid for trying every auth and users route first. A ``DomainRouter`` knows where it is
mounted and answers "not mine" with one string comparison for a path outside its prefix.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette._utils import get_route_path
from starlette.routing import Match
from starlette.types import Scope

API_PREFIX = "/api/v1"


class DomainRouter(APIRouter):
    """An ``APIRouter`` for one domain's routes under ``mounted_at`` + ``prefix`` (include it with
    ``prefix=router.mounted_at``)."""

    def __init__(self, *, prefix: str, mounted_at: str = API_PREFIX, **kwargs: Any) -> None:
        super().__init__(prefix=prefix, **kwargs)
        self.mounted_at = mounted_at
        self._path = mounted_at + prefix
        self._under = self._path + "/"

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = get_route_path(scope)
        if path != self._path and not path.startswith(self._under):
            return Match.NONE, {}
        return super().matches(scope)
