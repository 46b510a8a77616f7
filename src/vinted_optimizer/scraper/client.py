"""How the API and the worker reach the scraper: the same interface in-process or over HTTP.

``create_scraper_client(settings, redis)`` picks the standalone service (``vinted-optimizer
scraper-service`` on the home machine, port 8002) when ``VO_SCRAPER_SERVICE_URL`` is set, else runs the
service inside the calling process (``serve``, tests), as ``ai/client.py`` does for the AI. Both raise the
same errors: ``ScraperCoolingDown`` (503 with ``Retry-After``: the gate is closed), ``ScraperUnavailable``
(the home side does not answer).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import datetime
from typing import NoReturn, Protocol, TypeVar, runtime_checkable

import httpx
import structlog
from pydantic import BaseModel, SecretStr
from redis.asyncio import Redis

from vinted_optimizer.config import Settings
from vinted_optimizer.kit.tracing import instrument_httpx
from vinted_optimizer.scraper.errors import ScraperCoolingDown, ScraperUnavailable
from vinted_optimizer.scraper.publishing import OnProgress
from vinted_optimizer.scraper.schemas import (
    AggregatesPage,
    ComparablesQuery,
    LabelOutcome,
    LabelRequest,
    MarketComparison,
    MemberOutcome,
    MemberSession,
    PacingReport,
    PublishOutcome,
    PublishProgress,
    PublishRequest,
    RefreshRequest,
    ScrapeAccepted,
    ScrapeRequest,
    SyncOutcome,
    SyncRequest,
    UnpublishOutcome,
    UnpublishRequest,
)
from vinted_optimizer.scraper.service import ScraperService

log = structlog.get_logger(__name__)

SERVICE_TOKEN_HEADER = "X-Service-Token"  # noqa: S105 - a header name, not a secret
HTTP_TIMEOUT_SECONDS = 15.0
# A member's call waits at the pacing gate on the home side (each request up to vinted_max_wait_seconds).
MEMBER_CALL_TIMEOUT_SECONDS = 600.0
# A publish is up to 21 writes, each waiting at the gate up to vinted_max_wait_seconds: giving up earlier
# would queue it again while the home side may still create the item.
PUBLISH_CALL_TIMEOUT_SECONDS = 44 * 60.0
# The home side answered, but not what it should (a proxy's page, a half-written body, another program):
# it is there, so not "does not answer"; tried again later all the same.
INVALID_ANSWER = (
    "Il servizio di casa che parla con Vinted ha inviato una risposta non valida: riprova più tardi."
)
# PacingReport.detail of a status that came back unreadable (beside the transport errors' class names).
INVALID_STATUS = "InvalidAnswer"

Parsed = TypeVar("Parsed", bound=BaseModel)


@runtime_checkable
class ScraperClient(Protocol):
    async def request_scrape(self, request: ScrapeRequest) -> ScrapeAccepted: ...

    async def status(self) -> PacingReport: ...

    async def aggregates(self, after: int) -> AggregatesPage: ...

    async def refresh_member(self, session: MemberSession) -> MemberOutcome: ...

    async def comparables(self, query: ComparablesQuery) -> MarketComparison: ...

    # The sales sync (issue 12 item 7).
    async def sync_member(self, session: MemberSession, known_transaction_ids: list[int]) -> SyncOutcome: ...

    async def member_label(self, session: MemberSession, transaction_id: int) -> LabelOutcome: ...

    # A member's publishing (the photos and the item; the item's deletion).
    async def publish_member(
        self, request: PublishRequest, on_progress: OnProgress | None = None
    ) -> PublishOutcome: ...

    async def unpublish_member(self, request: UnpublishRequest) -> UnpublishOutcome: ...

    async def aclose(self) -> None: ...


def unavailable_report(detail: str) -> PacingReport:
    return PacingReport(status="unavailable", detail=detail[:200])


class InProcessScraperClient:
    """The service in this process. ``start_worker()`` runs its queue's worker here too (``serve``);
    tests run the job themselves (``service.scrape``)."""

    def __init__(self, settings: Settings, redis: Redis, *, service: ScraperService | None = None) -> None:
        self.service = service or ScraperService(settings, redis)
        self._worker_task: asyncio.Task[None] | None = None

    def start_worker(self) -> None:
        from vinted_optimizer.scraper.worker import scraper_worker

        if self._worker_task is None:
            worker = scraper_worker(self.service)
            self._worker_task = asyncio.create_task(worker.start(), name="scraper-worker")

    async def request_scrape(self, request: ScrapeRequest) -> ScrapeAccepted:
        return await self.service.request(request)

    async def status(self) -> PacingReport:
        try:
            return await self.service.status()
        except Exception as error:  # noqa: BLE001 - a status is reported, never raised
            return unavailable_report(type(error).__name__)

    async def aggregates(self, after: int) -> AggregatesPage:
        return await self.service.aggregates(after)

    async def refresh_member(self, session: MemberSession) -> MemberOutcome:
        return await self.service.refresh_member(session)

    async def comparables(self, query: ComparablesQuery) -> MarketComparison:
        try:
            return await self.service.comparables(query)
        except Exception as error:
            # The file held by another process, or broken: said as the home side being unreachable.
            log.warning("scraper_client.comparables_failed", error=type(error).__name__)
            raise ScraperUnavailable() from error

    # The sales sync (issue 12 item 7).
    async def sync_member(self, session: MemberSession, known_transaction_ids: list[int]) -> SyncOutcome:
        request = SyncRequest(session=session, known_transaction_ids=known_transaction_ids)
        return await self.service.sync_member(request)

    async def member_label(self, session: MemberSession, transaction_id: int) -> LabelOutcome:
        return await self.service.member_label(LabelRequest(session=session, transaction_id=transaction_id))

    async def publish_member(
        self, request: PublishRequest, on_progress: OnProgress | None = None
    ) -> PublishOutcome:
        return await self.service.publish_member(request, on_progress)

    async def unpublish_member(self, request: UnpublishRequest) -> UnpublishOutcome:
        return await self.service.unpublish_member(request)

    async def aclose(self) -> None:
        if self._worker_task is not None:
            self._worker_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._worker_task
        await self.service.aclose()


class HttpScraperClient:
    """Speaks the standalone service's API (``scraper/app.py``) with the shared service token."""

    def __init__(
        self,
        base_url: str,
        service_token: str | SecretStr | None,
        *,
        timeout: float = HTTP_TIMEOUT_SECONDS,
        transport: httpx.AsyncBaseTransport | None = None,
        extra_headers: dict[str, str] | None = None,
        retry_seconds: int = 60,
    ) -> None:
        """``extra_headers``: Cloudflare Access's service-token headers (Settings.home_service_headers)."""
        token = service_token.get_secret_value() if isinstance(service_token, SecretStr) else service_token
        self._retry_seconds = retry_seconds  # the Retry-After of "unreachable"
        self._http = instrument_httpx(
            httpx.AsyncClient(
                base_url=base_url.rstrip("/"),
                headers={**(extra_headers or {}), **({SERVICE_TOKEN_HEADER: token} if token else {})},
                timeout=httpx.Timeout(timeout, connect=min(5.0, timeout)),
                transport=transport,
            )
        )

    async def request_scrape(self, request: ScrapeRequest) -> ScrapeAccepted:
        response = await self._send("POST", "/scrapes", json=request.model_dump(mode="json"))
        return self._parsed(ScrapeAccepted, response, "/scrapes")

    async def status(self) -> PacingReport:
        try:
            response = await self._http.get("/status")
            response.raise_for_status()
        except httpx.HTTPError as error:
            return unavailable_report(type(error).__name__)
        try:
            return PacingReport.model_validate(response.json())
        except ValueError:
            return unavailable_report(INVALID_STATUS)

    async def aggregates(self, after: int) -> AggregatesPage:
        response = await self._send("GET", "/aggregates", params={"after": after})
        return self._parsed(AggregatesPage, response, "/aggregates")

    async def refresh_member(self, session: MemberSession) -> MemberOutcome:
        body = RefreshRequest(session=session).model_dump(mode="json")
        response = await self._send(
            "POST", "/members/refresh", json=body, wait_seconds=MEMBER_CALL_TIMEOUT_SECONDS
        )
        return self._parsed(MemberOutcome, response, "/members/refresh")

    async def comparables(self, query: ComparablesQuery) -> MarketComparison:
        response = await self._send("POST", "/comparables", json=query.model_dump(mode="json"))
        return self._parsed(MarketComparison, response, "/comparables")

    # The sales sync (issue 12 item 7).
    async def sync_member(self, session: MemberSession, known_transaction_ids: list[int]) -> SyncOutcome:
        body = SyncRequest(session=session, known_transaction_ids=known_transaction_ids)
        response = await self._send(
            "POST",
            "/members/sync",
            json=body.model_dump(mode="json"),
            wait_seconds=MEMBER_CALL_TIMEOUT_SECONDS,
        )
        return self._parsed(SyncOutcome, response, "/members/sync")

    async def member_label(self, session: MemberSession, transaction_id: int) -> LabelOutcome:
        body = LabelRequest(session=session, transaction_id=transaction_id)
        response = await self._send(
            "POST",
            "/members/label",
            json=body.model_dump(mode="json"),
            wait_seconds=MEMBER_CALL_TIMEOUT_SECONDS,
        )
        return self._parsed(LabelOutcome, response, "/members/label")

    async def publish_member(
        self, request: PublishRequest, on_progress: OnProgress | None = None
    ) -> PublishOutcome:
        """The service's NDJSON answer read as it comes: each progress line told, then the outcome."""
        body = request.model_dump(mode="json")
        timeout = httpx.Timeout(PUBLISH_CALL_TIMEOUT_SECONDS, connect=5.0)
        try:
            async with self._http.stream("POST", "/members/publish", json=body, timeout=timeout) as response:
                if response.status_code >= 400:
                    await response.aread()
                    self._raise_for(response, "/members/publish")
                async for line in response.aiter_lines():
                    if not line.strip():
                        continue
                    try:
                        message = json.loads(line)
                        progress = (
                            PublishProgress.model_validate(message["progress"])
                            if "progress" in message
                            else None
                        )
                        outcome = (
                            PublishOutcome.model_validate(message["outcome"])
                            if "outcome" in message
                            else None
                        )
                    except (ValueError, TypeError) as error:  # not JSON, not an object, not these shapes
                        log.warning("scraper_client.invalid_answer", path="/members/publish")
                        raise ScraperUnavailable(INVALID_ANSWER, retry_after=self._retry_seconds) from error
                    if progress is not None and on_progress is not None:
                        await on_progress(progress)
                    elif outcome is not None:
                        return outcome
        except httpx.TransportError as error:
            log.warning("scraper_client.unreachable", path="/members/publish", error=type(error).__name__)
            raise ScraperUnavailable(retry_after=self._retry_seconds) from error
        log.warning("scraper_client.publish_unfinished")
        raise ScraperUnavailable(
            "Il servizio di casa ha interrotto la pubblicazione: riprova più tardi.",
            retry_after=self._retry_seconds,
        )

    async def unpublish_member(self, request: UnpublishRequest) -> UnpublishOutcome:
        body = request.model_dump(mode="json")
        response = await self._send(
            "POST", "/members/unpublish", json=body, wait_seconds=MEMBER_CALL_TIMEOUT_SECONDS
        )
        return self._parsed(UnpublishOutcome, response, "/members/unpublish")

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _send(
        self, method: str, path: str, *, wait_seconds: float | None = None, **kwargs: object
    ) -> httpx.Response:
        if wait_seconds is not None:
            kwargs["timeout"] = httpx.Timeout(wait_seconds, connect=5.0)
        try:
            response = await self._http.request(method, path, **kwargs)  # type: ignore[arg-type]
        except httpx.TransportError as error:
            log.warning("scraper_client.unreachable", path=path, error=type(error).__name__)
            raise ScraperUnavailable(retry_after=self._retry_seconds) from error
        if response.status_code < 400:
            return response
        self._raise_for(response, path)

    def _parsed(self, model: type[Parsed], response: httpx.Response, path: str) -> Parsed:
        """The answer's body as ``model``; a body that is not that is ``ScraperUnavailable`` in its own
        words (with the Retry-After of an unreachable home side)."""
        try:
            return model.model_validate(response.json())
        except ValueError as error:  # a JSONDecodeError, a UnicodeDecodeError or a ValidationError
            log.warning("scraper_client.invalid_answer", path=path, error=type(error).__name__)
            raise ScraperUnavailable(INVALID_ANSWER, retry_after=self._retry_seconds) from error

    def _raise_for(self, response: httpx.Response, path: str) -> NoReturn:
        body = _json(response)
        log.warning("scraper_client.error", path=path, status=response.status_code, code=body.get("error"))
        if body.get("error") == ScraperCoolingDown.code and body.get("until"):
            reason = body.get("reason")
            until = datetime.fromisoformat(str(body["until"]))
            raise ScraperCoolingDown(until=until, reason=str(reason) if reason else None)
        if response.status_code in (401, 403):
            raise ScraperUnavailable(
                "Il servizio di casa ha rifiutato il token di servizio: controlla VO_SERVICE_TOKEN."
            )
        raise ScraperUnavailable(str(body.get("detail") or "") or None, retry_after=_retry_after(response))


def _json(response: httpx.Response) -> dict[str, object]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _retry_after(response: httpx.Response) -> int:
    try:
        return int(response.headers.get("Retry-After", "60"))
    except ValueError:
        return 60


def create_scraper_client(settings: Settings, redis: Redis) -> ScraperClient:
    if settings.scraper_service_url:
        return HttpScraperClient(
            settings.scraper_service_url,
            settings.service_token,
            extra_headers=settings.home_service_headers,
            retry_seconds=settings.scraper_retry_seconds,
        )
    return InProcessScraperClient(settings, redis)
