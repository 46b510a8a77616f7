"""What can go wrong talking to Vinted, each with its HTTP status like every domain error.

The messages are Italian: they reach the family (the admin page, a publish button's error). Which ones
to retry: ``RateLimited`` and ``PacingExceeded`` after their time; ``VintedUnavailable`` later;
``Challenge`` never in a loop (the gate is closed for the cool-down); ``VintedChanged`` and
``SessionDead`` need a person (a code fix, a new link of the account).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from vinted_optimizer.kit.errors import DomainError, UpstreamUnavailable

PaceKind = Literal["read", "write"]


def _rome_time(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("Europe/Rome")).strftime("%H:%M")


class VintedError(DomainError):
    """Any failure of a call to Vinted."""

    status_code = 502
    code = "vinted_error"
    default_detail = "Vinted ha risposto in modo inatteso."


class VintedChanged(VintedError):
    """An answer that does not have the shape we parse (or an endpoint that moved): the code needs a fix."""

    code = "vinted_changed"

    def __init__(self, *, endpoint: str, detail: str) -> None:
        self.endpoint = endpoint
        self.problem = detail
        super().__init__(
            f"Vinted ha cambiato qualcosa ({endpoint}): la funzione va aggiornata. Dettaglio: {detail}"
        )


class VintedUnavailable(UpstreamUnavailable):
    """Vinted did not answer in time, or the connection failed: try again later."""

    code = "vinted_unavailable"
    default_detail = "Vinted non risponde: riprova più tardi."

    def __init__(self, detail: str | None = None, *, retry_after: int = 60) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})


class RateLimited(VintedError):
    """Vinted answered 429: the gate stays closed until ``retry_after`` seconds have passed."""

    status_code = 429
    code = "vinted_rate_limited"

    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1.0, retry_after)
        seconds = round(self.retry_after)
        super().__init__(
            f"Vinted chiede di rallentare: riprova tra {seconds} secondi.",
            headers={"Retry-After": str(seconds)},
        )


class Challenge(VintedError):
    """A Cloudflare block page or a DataDome captcha instead of an answer. Never retried: the gate closes
    for a cool-down (at least 30 minutes, doubling on repeats)."""

    status_code = 503
    code = "vinted_challenge"

    def __init__(self, *, endpoint: str, source: Literal["cloudflare", "datadome", "forbidden"]) -> None:
        self.endpoint = endpoint
        self.source = source
        super().__init__(
            "Vinted ha chiesto una verifica anti-robot: le richieste sono sospese per un po' per non "
            "rischiare un blocco."
        )


class CsrfMissing(VintedError):
    """403 code 106 on a write: the CSRF token is missing or stale (the client fetches it once again)."""

    status_code = 403
    code = "vinted_csrf"
    default_detail = "Vinted ha rifiutato l'operazione (token di sicurezza mancante)."


class AuthExpired(VintedError):
    """401 code 100 even after one refresh: the member's session is not accepted."""

    status_code = 401
    code = "vinted_auth_expired"
    default_detail = "La sessione Vinted non è più valida: collega di nuovo l'account Vinted."


class SessionDead(AuthExpired):
    """The refresh chain is dead (400 with an empty body): only a new link of the account revives it."""

    code = "vinted_session_dead"
    default_detail = (
        "La sessione Vinted è scaduta definitivamente: collega di nuovo l'account Vinted dalle Impostazioni."
    )


class VintedRefused(VintedError):
    """Vinted understood the request and refused it (a 4xx we have no better name for)."""

    status_code = 422
    code = "vinted_refused"

    def __init__(self, *, endpoint: str, status: int, vinted_code: int | None, message: str | None) -> None:
        self.endpoint = endpoint
        self.status = status
        self.vinted_code = vinted_code
        self.message = message
        super().__init__(
            f"Vinted ha rifiutato la richiesta ({endpoint}, {status}): {message or 'senza motivo'}."
        )


class PacingExceeded(DomainError):
    """The pacing gate will not let a request through soon enough: ``until`` says when it will."""

    status_code = 429
    code = "vinted_paced"

    def __init__(self, *, kind: PaceKind, until: datetime, reason: str) -> None:
        self.kind = kind
        self.until = until
        self.reason = reason
        seconds = max(1, int((until - datetime.now(UTC)).total_seconds() + 0.999))
        what = "letture" if kind == "read" else "pubblicazioni"
        if reason == "cooldown":
            message = (
                f"Richieste a Vinted sospese dopo una verifica anti-robot fino alle {_rome_time(until)}."
            )
        elif reason == "retry_after":
            message = f"Vinted ha chiesto di rallentare: riprova tra {seconds} secondi."
        elif reason == "hourly_cap":
            message = f"Limite orario di {what} su Vinted raggiunto: riprova alle {_rome_time(until)}."
        else:
            message = f"Troppe {what} su Vinted in poco tempo: riprova tra {seconds} secondi."
        super().__init__(message, headers={"Retry-After": str(seconds)})


class ScraperCoolingDown(UpstreamUnavailable):
    """The scraper will not call Vinted now (a cool-down after a challenge, or Vinted's Retry-After):
    asking again before ``Retry-After`` changes nothing, so a scrape is refused rather than queued."""

    code = "scraper_cooling_down"

    def __init__(self, *, until: datetime, reason: str | None) -> None:
        self.until = until
        self.reason = reason
        seconds = max(1, int((until - datetime.now(UTC)).total_seconds() + 0.999))
        if reason == "retry_after":
            message = (
                "Vinted ha chiesto di rallentare: i dati di mercato si aggiornano dopo le "
                f"{_rome_time(until)}."
            )
        else:
            message = (
                "Vinted ha chiesto una verifica anti-robot: per non rischiare un blocco le ricerche sono "
                f"sospese fino alle {_rome_time(until)}. Riprova dopo quell'ora."
            )
        super().__init__(message, headers={"Retry-After": str(seconds)})


class ScraperUnavailable(UpstreamUnavailable):
    """The home scraper service does not answer (the tunnel, the home machine)."""

    code = "scraper_unavailable"
    default_detail = "Il servizio di casa che parla con Vinted non risponde: riprova più tardi."

    def __init__(self, detail: str | None = None, *, retry_after: int = 60) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})


class RemoteVintedError(VintedError):
    """A member's call that failed on the home side, raised again on the cloud side with the same status,
    code and Italian message (``MemberError``). Its status is decided at run time."""

    def __init__(
        self,
        *,
        code: str,
        status_code: int,
        detail: str,
        retry_after: int | None = None,
        endpoint: str | None = None,
        vinted_code: int | None = None,
    ) -> None:
        self.code = code
        self.status_code = status_code
        self.endpoint = endpoint
        self.vinted_code = vinted_code
        self.retry_after = retry_after
        super().__init__(detail, headers={"Retry-After": str(retry_after)} if retry_after else None)

    @property
    def retryable(self) -> bool:
        """Worth trying again later by itself (the gate, Vinted's pace, the home side away)."""
        return self.code in {
            PacingExceeded.code,
            RateLimited.code,
            Challenge.code,
            VintedUnavailable.code,
            ScraperCoolingDown.code,
            ScraperUnavailable.code,
        }
