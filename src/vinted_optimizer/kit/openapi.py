"""An OpenAPI document that tells the truth about errors, derived from the route table.

FastAPI documents a 422 body that is not the one we send and knows nothing of the 401 and 429 that
dependencies raise. ``document_errors`` fixes all three for every route, so a new endpoint is right
without anyone remembering to declare them:

- every 422 (FastAPI's automatic one and declared ones) is ``ValidationErrorBody``: ``{error, detail,
  fields}``, as ``error_handlers`` renders it;
- 401 and the bearer scheme on every operation that depends on the access token (the request gate reads
  the token itself, so no dependency declares the scheme to FastAPI);
- 429 on every operation under a rate-limited prefix;
- 400, 413 and 415 on every operation that takes a body (not UTF-8 JSON, too large, not JSON or a form:
  ``kit.middleware`` answers these before the operation runs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security.base import SecurityBase
from pydantic import BaseModel

from vinted_optimizer.kit.errors import ErrorBody, FieldError, ValidationErrorBody

REF = "#/components/schemas/"
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
BODY_ERRORS = {
    "400": "The body is not valid UTF-8",
    "413": "The body is larger than the server accepts",
    "415": "The body is not application/json in UTF-8 (or, for uploads, not a form)",
}


def _depends_on(dependant: Dependant, targets: tuple[Callable[..., Any], ...]) -> bool:
    return any(sub.call in targets or _depends_on(sub, targets) for sub in dependant.dependencies)


def _json(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF + model.__name__}}},
    }


def _with_declared_description(declared: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """The documented body and headers, keeping a route's own description of the case."""
    description = declared.get("description")
    if description and description != "Validation Error":  # FastAPI's own wording
        answer["description"] = description
    return answer


def _invalid_field() -> dict[str, Any]:
    return _json(ValidationErrorBody, "A field is not acceptable: `fields` names each one")


def _rate_limited() -> dict[str, Any]:
    answer = _json(ErrorBody, "Too many requests: wait the seconds in Retry-After")
    answer["headers"] = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}
    return answer


def _model_schemas(*models: type[BaseModel]) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for model in models:
        schema = model.model_json_schema(ref_template=REF + "{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    return schemas


def document_errors(
    app: FastAPI,
    *,
    authentication: tuple[Callable[..., Any], ...],
    scheme: SecurityBase,
    rate_limited_prefix: str,
) -> None:
    """Install an ``app.openapi`` that adds the error responses the route table implies, and ``scheme``
    on the operations that depend on one of the ``authentication`` dependencies."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = get_openapi(
            title=app.title, version=app.version, routes=app.routes, description=app.description
        )
        # FastAPI includes routers lazily: its route contexts carry each route's effective path and
        # dependencies (the including routers' ones too).
        for route in iter_route_contexts(app.routes):
            if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
                continue
            path = route.path_format
            if path is None:
                continue
            for method in route.methods or ():
                operation = document["paths"][path].get(method.lower())
                if operation is None:
                    continue
                answers: dict[str, Any] = operation.setdefault("responses", {})
                if "422" in answers:
                    answers["422"] = _with_declared_description(answers["422"], _invalid_field())
                if _depends_on(route.dependant, authentication):
                    answers.setdefault("401", _json(ErrorBody, "Not signed in, or the session has ended"))
                    operation.setdefault("security", [{scheme.scheme_name: []}])
                if "requestBody" in operation:
                    for code, description in BODY_ERRORS.items():
                        answers.setdefault(code, _json(ErrorBody, description))
                if "429" in answers or path.startswith(rate_limited_prefix):
                    answers["429"] = _with_declared_description(answers.get("429", {}), _rate_limited())
        security_schemes = document.setdefault("components", {}).setdefault("securitySchemes", {})
        security_schemes[scheme.scheme_name] = scheme.model.model_dump(
            mode="json", by_alias=True, exclude_none=True
        )
        components = document["components"].setdefault("schemas", {})
        for name in FASTAPI_VALIDATION_SCHEMAS:
            components.pop(name, None)
        components.update(_model_schemas(ErrorBody, FieldError, ValidationErrorBody))
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
