"""Every error leaves as ``{"error": "<code>", "detail": "<message>"}`` (a 422 adds ``fields``); never a
stack trace. ``kit.openapi`` documents exactly these bodies. An exception nothing here handles is turned
into a 500 by ``kit.middleware.EdgeMiddleware``, with the security headers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy.exc
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from vinted_optimizer.kit.errors import DomainError
from vinted_optimizer.kit.outages import DATABASE_ERRORS, REDIS_ERRORS, outage_of

log = structlog.get_logger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


# Where FastAPI found the value: the field's name alone is what a form (or a person) needs.
_SOURCES = ("body", "query", "path", "header", "cookie", "form")


def _location(loc: tuple[object, ...]) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _message(item: Mapping[str, Any]) -> str:
    """Pydantic's message for one field, in Italian (its own words are English)."""
    kind = str(item.get("type", ""))
    context: Mapping[str, Any] = item.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):
        message = str(item.get("msg", ""))
        if message.startswith("value is not a valid email address"):  # email-validator's English
            return "Scrivi un indirizzo e-mail valido, come nome@esempio.it."
        # Our own validators' messages are already Italian: only Pydantic's prefix goes.
        return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind in ("string_too_short", "too_short") and context.get("min_length") == 1:
        return "Non può essere vuoto."
    template = _ITALIAN.get(kind)
    if template is None:
        return str(item.get("msg") or "Valore non valido.")
    try:
        return template.format(**context)
    except (KeyError, IndexError, ValueError):
        return template.split("{", 1)[0].strip() or "Valore non valido."


_ITALIAN = {
    "missing": "Campo obbligatorio.",
    "extra_forbidden": "Campo non previsto.",
    "string_type": "Deve essere un testo.",
    "string_too_short": "Deve avere almeno {min_length} caratteri.",
    "string_too_long": "Può avere al massimo {max_length} caratteri.",
    "string_pattern_mismatch": "Formato non valido.",
    "too_short": "Deve avere almeno {min_length} elementi.",
    "too_long": "Può avere al massimo {max_length} elementi.",
    "list_type": "Deve essere una lista.",
    "dict_type": "Deve essere un oggetto.",
    "model_attributes_type": "Deve essere un oggetto JSON.",
    "int_type": "Deve essere un numero intero.",
    "int_parsing": "Deve essere un numero intero.",
    "int_from_float": "Deve essere un numero intero.",
    "float_type": "Deve essere un numero.",
    "float_parsing": "Deve essere un numero.",
    "decimal_type": "Deve essere un importo.",
    "decimal_parsing": "Deve essere un importo.",
    "decimal_max_digits": "L'importo ha troppe cifre.",
    "decimal_max_places": "L'importo può avere al massimo {decimal_places} decimali.",
    "decimal_whole_digits": "L'importo è troppo grande.",
    "greater_than": "Deve essere maggiore di {gt}.",
    "greater_than_equal": "Deve essere almeno {ge}.",
    "less_than": "Deve essere minore di {lt}.",
    "less_than_equal": "Può essere al massimo {le}.",
    "bool_type": "Deve essere vero o falso.",
    "bool_parsing": "Deve essere vero o falso.",
    "uuid_type": "Deve essere un identificativo (UUID).",
    "uuid_parsing": "Deve essere un identificativo (UUID).",
    "literal_error": "Valore non ammesso: scegli tra {expected}.",
    "enum": "Valore non ammesso: scegli tra {expected}.",
    "json_invalid": "JSON non valido.",
    "json_type": "JSON non valido.",
    "datetime_type": "Deve essere una data e ora.",
    "datetime_parsing": "Deve essere una data e ora.",
    "date_parsing": "Deve essere una data.",
    "date_type": "Deve essere una data (AAAA-MM-GG).",
    "date_from_datetime_parsing": "Non è una data valida: scrivila come AAAA-MM-GG, per esempio 2026-03-31.",
    "date_from_datetime_inexact": "Deve essere un giorno, senza ora (AAAA-MM-GG).",
    "value_error": "Valore non valido.",
}


def error_response(error: DomainError) -> JSONResponse:
    """A DomainError's response: for the handler below, and for middleware that runs before routing."""
    body: dict[str, Any] = {"error": error.code, "detail": error.detail}
    if error.status_code == 422:
        problems = getattr(error, "problems", None) or [(error.field, error.detail)]
        body["fields"] = [{"field": field, "message": message} for field, message in problems]
    return JSONResponse(body, status_code=error.status_code, headers=error.headers)


def outage_response(error: BaseException, path: str) -> JSONResponse | None:
    """The 503 for an error that means PostgreSQL or Redis is unreachable (logged), else None."""
    unavailable = outage_of(error)
    if unavailable is None:
        return None
    log.warning("request.dependency_unavailable", path=path, error=type(error).__name__)
    return error_response(unavailable)


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> JSONResponse:
        return error_response(error)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        fields = []
        for item in error.errors():
            fields.append({"field": _location(tuple(item.get("loc", ()))), "message": _message(item)})
        detail = "; ".join(f"{f['field']}: {f['message']}" for f in fields) or "Dati non validi."
        return JSONResponse(
            {"error": "validation_error", "detail": detail, "fields": fields}, status_code=422
        )

    async def outage(request: Request, error: Exception) -> JSONResponse:
        response = outage_response(error, request.url.path)
        if response is None:
            raise error  # a database error that is a bug: the safety net makes it a 500
        return response

    for error_type in (*REDIS_ERRORS, *DATABASE_ERRORS, sqlalchemy.exc.DBAPIError):
        app.add_exception_handler(error_type, outage)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(error.status_code, "error")
        detail = error.detail if isinstance(error.detail, str) else code
        headers = dict(error.headers or {})
        if error.status_code == 405:
            headers["Allow"] = ", ".join(sorted(_allowed_methods(request)))
        return JSONResponse({"error": code, "detail": detail}, status_code=error.status_code, headers=headers)


def _allowed_methods(request: Request) -> set[str]:
    """Every method the app has for this path (Starlette names only those of the first route it met)."""
    allowed: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            allowed |= set(route.methods or ())
    return allowed
