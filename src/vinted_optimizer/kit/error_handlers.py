"""Every error leaves as ``{"error": "<code>", "detail": "<message>"}`` (a 422 adds ``fields``); never a
stack trace. ``kit.openapi`` documents exactly these bodies."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from vinted_optimizer.kit.errors import DomainError

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


def _location(loc: tuple[object, ...]) -> str:
    parts = [str(part) for part in loc if part not in ("body",)]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> JSONResponse:
        body: dict[str, Any] = {"error": error.code, "detail": error.detail}
        if error.status_code == 422:
            body["fields"] = [{"field": error.field, "message": error.detail}]
        return JSONResponse(body, status_code=error.status_code, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        fields = []
        for item in error.errors():
            message = str(item.get("msg", "valore non valido"))
            fields.append({"field": _location(tuple(item.get("loc", ()))), "message": message})
        detail = "; ".join(f"{f['field']}: {f['message']}" for f in fields) or "Dati non validi."
        return JSONResponse(
            {"error": "validation_error", "detail": detail, "fields": fields}, status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(error.status_code, "error")
        detail = error.detail if isinstance(error.detail, str) else code
        return JSONResponse(
            {"error": code, "detail": detail}, status_code=error.status_code, headers=error.headers
        )

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
        log.exception("request.unhandled_error", path=request.url.path, method=request.method)
        return JSONResponse(
            {"error": "internal_error", "detail": "Errore interno: riprova più tardi."}, status_code=500
        )
