"""AI errors carry their HTTP status like every domain error.

``AIUnavailable`` (and its subclass ``AIModelMissing``) means "try again later": the caller keeps the
listing draft and marks its analysis pending. The other two are mistakes to fix, not to retry.
"""

from __future__ import annotations

from vinted_optimizer.kit.errors import DomainError, UpstreamUnavailable

DEFAULT_RETRY_AFTER_SECONDS = 30


class AIUnavailable(UpstreamUnavailable):
    """Ollama (or the standalone AI service) is down, too slow, overloaded or broke off its answer."""

    code = "ai_unavailable"
    default_detail = "Il servizio di analisi (Ollama) non risponde: riprova più tardi."

    def __init__(self, detail: str | None = None, *, retry_after: int = DEFAULT_RETRY_AFTER_SECONDS) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(detail, headers={"Retry-After": str(self.retry_after)})


class AIModelMissing(AIUnavailable):
    """Ollama answers, but the configured model was never pulled: an administrator has to act."""

    code = "ai_model_missing"

    def __init__(self, model: str, detail: str | None = None) -> None:
        self.model = model
        super().__init__(
            detail
            or f"Il modello «{model}» non è installato in Ollama: esegui `ollama pull {model}` sul "
            "computer di casa, poi riprova.",
            retry_after=300,
        )


class AIInvalidInput(DomainError):
    """The request itself is wrong (no image, not a JPEG, too many texts): retrying cannot help."""

    status_code = 422
    code = "ai_invalid_input"
    default_detail = "Dati non validi per l'analisi."


class AIServiceUnauthorized(DomainError):
    """The standalone AI service refused our X-Service-Token: a configuration mistake on one side.

    Rendered as 502, not 401: the user's own session is fine, and a 401 would sign them out.
    """

    status_code = 502
    code = "ai_service_unauthorized"
    default_detail = (
        "Il servizio AI ha rifiutato il token di servizio: VO_SERVICE_TOKEN deve essere uguale sui due lati."
    )
