"""Domain errors carry their HTTP status; one handler renders ``{"error", "detail"}``."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    error: str = Field(description="A stable code, e.g. not_found, rate_limited")
    detail: str = Field(description="A readable message, in Italian")


class FieldError(BaseModel):
    field: str = Field(description="Where the problem is: a body field, query parameter or upload part")
    message: str


class ValidationErrorBody(ErrorBody):
    """Every 422: the request was understood but a field is not acceptable."""

    fields: list[FieldError]


class DomainError(Exception):
    # Class attributes that a subclass (or, for errors decided at run time, an instance) overrides.
    status_code: int = 400
    code: str = "bad_request"
    default_detail: ClassVar[str] = "Richiesta non valida."
    # Commit the unit of work before propagating (security facts such as failed logins).
    persist: ClassVar[bool] = False
    # For a 422: the input field at fault, named in the body's ``fields``.
    field: str = "body"

    def __init__(self, detail: str | None = None, *, headers: dict[str, str] | None = None) -> None:
        self.detail = detail or self.default_detail
        self.headers = headers or {}
        super().__init__(self.detail)


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    default_detail = "Risorsa non trovata."


class InvalidField(DomainError):
    """A 422 decided by a rule that needs more than the field itself (a size the chosen category does not
    offer): the body names the field, as a schema's 422 does."""

    status_code = 422
    code = "validation_error"
    default_detail = "Dati non validi."

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail)
        self.field = field


class InvalidFields(InvalidField):
    """A 422 naming several fields at once (an upstream service refusing two fields of one request)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(problems[0][0], "; ".join(f"{field}: {message}" for field, message in problems))
        self.problems = problems


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    default_detail = "La risorsa esiste già."


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"
    default_detail = "Autenticazione richiesta."

    def __init__(self, detail: str | None = None, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer", **(headers or {})})


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"
    default_detail = "Non hai i permessi per questa operazione."


class BadRequest(DomainError):
    status_code = 400
    code = "bad_request"


class Gone(DomainError):
    status_code = 410
    code = "gone"
    default_detail = "La risorsa non è più disponibile."


class TooManyRequests(DomainError):
    status_code = 429
    code = "rate_limited"
    default_detail = "Troppe richieste: riprova più tardi."

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(
            detail or f"Troppe richieste: riprova tra {self.retry_after} secondi.",
            headers={"Retry-After": str(self.retry_after)},
        )


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"
    default_detail = "La richiesta è troppo grande."


class ServiceUnavailable(DomainError):
    """One of our own servers (PostgreSQL, Redis) does not answer: the request can be tried again soon."""

    status_code = 503
    code = "unavailable"
    default_detail = "Il servizio è momentaneamente non disponibile: riprova tra qualche secondo."

    def __init__(self, detail: str | None = None, *, retry_after: int = 5) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


class UpstreamUnavailable(DomainError):
    status_code = 503
    code = "upstream_unavailable"
    default_detail = "Un servizio esterno non risponde: riprova più tardi."


def responses(*errors: type[DomainError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries for the domain errors a route can raise."""
    out: dict[int | str, dict[str, Any]] = {}
    for error in errors:
        model = ValidationErrorBody if error.status_code == 422 else ErrorBody
        out[error.status_code] = {"model": model, "description": error.default_detail}
    return out
