"""The OpenAPI document, built without a running server: the contract the dashboard client comes from."""

from __future__ import annotations

import json

from vinted_optimizer.app import create_app
from vinted_optimizer.config import Environment, Settings


def openapi_json() -> str:
    # No resources are opened: building the routes is enough to describe them.
    app = create_app(Settings(_env_file=None, environment=Environment.development))
    return json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
