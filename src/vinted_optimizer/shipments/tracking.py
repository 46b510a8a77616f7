"""Following parcels: each tracking number registered with 17TRACK once (the free plan counts
registrations), then every open parcel polled with ``gettrackinfo`` by the cron job, in batches of 40,
across families; and what the webhooks report (Sendcloud per family, 17TRACK per number). Every report is
applied through ``progress.apply``, whose side effects (``progress.announce``) run after the commit.

Tracking is off without ``VO_TRACK17_API_KEY``: nothing is registered or polled, and the quota endpoint
says so. The Sendcloud webhooks work without it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from limits import parse
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vinted_optimizer.config import Settings
from vinted_optimizer.kit.errors import DomainError, UpstreamUnavailable
from vinted_optimizer.kit.events import EventBus
from vinted_optimizer.kit.queue import JobQueue
from vinted_optimizer.kit.ratelimit import RateLimits
from vinted_optimizer.models import Shipment, ShippingAccount
from vinted_optimizer.shipments import progress, repository
from vinted_optimizer.shipments.progress import Effects, Observation
from vinted_optimizer.shipments.track17 import (
    ALREADY_REGISTERED,
    MAX_BATCH,
    NO_INFO_YET,
    STOP_CODES,
    Quota,
    Track17Client,
    Track17Error,
    Track17Unavailable,
)

log = structlog.get_logger(__name__)

# 17TRACK's limit per key, counted in Redis so the worker and the API processes share it.
TRACK17_RATE = parse("3/second")
TRACK17_RATE_KEY = "track17"
# Which shipments 17TRACK follows: those sent with another label (Vinted's own) whose code a member
# entered. Sendcloud's parcels report through Sendcloud's webhooks; registering them too would spend the
# free plan's 100 registrations a month on parcels already followed.
FOLLOWED_SOURCES = ("other", "vinted")  # a Vinted label's code is followed like one entered by hand
# Sendcloud's carrier codes whose 17TRACK carrier id is known (else 17TRACK detects it from the number).
TRACK17_CARRIERS = {"brt": 100026, "poste_italiane": 8251}
OFF_MESSAGE = (
    "Il tracciamento con 17TRACK non è configurato su questo server: imposta VO_TRACK17_API_KEY "
    "(i webhook di Sendcloud funzionano comunque)."
)


class TrackingNotConfigured(DomainError):
    status_code = 409
    code = "tracking_not_configured"
    default_detail = OFF_MESSAGE


class Track17Down(UpstreamUnavailable):
    default_detail = "17TRACK non risponde: riprova tra qualche minuto."


def client(settings: Settings, rate_limits: RateLimits) -> Track17Client | None:
    """A 17TRACK client paced by the shared limit; None when tracking is off."""
    if settings.track17_api_key is None or not settings.track17_api_key.get_secret_value():
        return None

    async def pace() -> None:
        await rate_limits.pace(TRACK17_RATE, TRACK17_RATE_KEY)

    return Track17Client(settings.track17_api_key.get_secret_value(), settings.track17_base_url, pace=pace)


@dataclass
class Report:
    registered: int = 0
    already_registered: int = 0
    refused: int = 0
    polled: int = 0
    changed: int = 0
    stopped: str | None = None  # why the run stopped early (quota, 17TRACK down)


def _item(number: str, carrier: int | None) -> dict[str, object]:
    return {"number": number, **({"carrier": carrier} if carrier is not None else {})}


async def register_new(
    sessionmaker: async_sessionmaker[AsyncSession], track17: Track17Client, report: Report
) -> None:
    """Register every open shipment's number that 17TRACK has neither accepted nor refused yet, once."""
    after: uuid.UUID | None = None
    while True:
        async with sessionmaker() as session:
            batch = await repository.to_register(
                session, sources=FOLLOWED_SOURCES, after=after, limit=MAX_BATCH
            )
            wanted = [
                (s.id, str(s.tracking_code), s.track17_carrier or TRACK17_CARRIERS.get(s.carrier_code or ""))
                for s in batch
            ]
        if not wanted:
            return
        after = wanted[-1][0]
        try:
            answer = await track17.register([_item(number, carrier) for _, number, carrier in wanted])
        except Track17Error as error:
            report.stopped = f"register: {error}"
            log.warning("track17.register_refused", code=error.code, stops=error.code in STOP_CODES)
            return
        now = datetime.now(UTC)
        accepted = {str(item.get("number")): item.get("carrier") for item in answer.accepted}
        rejected = {rejection.number: rejection for rejection in answer.rejected}
        async with sessionmaker() as session, session.begin():
            for shipment in await repository.lock_many(session, [id_ for id_, _, _ in wanted]):
                number = str(shipment.tracking_code)
                if number in accepted:
                    shipment.track17_registered_at, shipment.track17_error = now, None
                    carrier = accepted[number]
                    shipment.track17_carrier = (
                        int(carrier) if isinstance(carrier, int) else shipment.track17_carrier
                    )
                    report.registered += 1
                elif (rejection := rejected.get(number)) is not None:
                    if rejection.code == ALREADY_REGISTERED:
                        shipment.track17_registered_at, shipment.track17_error = now, None
                        report.already_registered += 1
                    elif not rejection.stops:
                        shipment.track17_error = rejection.reason_it()
                        report.refused += 1
        stops = [rejection for rejection in answer.rejected if rejection.stops]
        if stops:
            report.stopped = f"register: 17TRACK {stops[0].code}"
            log.warning("track17.quota_reached", code=stops[0].code, left_unregistered=len(stops))
            return


async def _apply_batch(
    sessionmaker: async_sessionmaker[AsyncSession],
    wanted: Sequence[tuple[uuid.UUID, str, int | None]],
    infos: dict[str, dict[str, object]],
    refused: dict[str, str],
    report: Report,
) -> list[Effects]:
    now = datetime.now(UTC)
    effects = []
    async with sessionmaker() as session, session.begin():
        for shipment in await repository.lock_many(session, [id_ for id_, _, _ in wanted]):
            number = str(shipment.tracking_code)
            shipment.last_checked_at = now
            if number in refused:
                shipment.track17_error = refused[number]
                continue
            info = infos.get(number)
            if info is not None and shipment.track17_error is not None:
                shipment.track17_error = None  # answered again: whatever was wrong is over
            observation = progress.from_track17(info) if isinstance(info, dict) else None
            if observation is None:
                continue
            report.polled += 1
            outcome = await progress.apply(session, shipment, observation)
            if outcome.changed is not None:
                report.changed += 1
            if outcome:
                effects.append(outcome)
    return effects


async def poll_open(
    sessionmaker: async_sessionmaker[AsyncSession],
    track17: Track17Client,
    events: EventBus,
    queue: JobQueue,
    report: Report,
) -> None:
    """Ask 17TRACK about every registered open shipment, 40 numbers a request, and apply the answers."""
    after: uuid.UUID | None = None
    while True:
        async with sessionmaker() as session:
            wanted = await repository.to_poll(session, after=after, limit=MAX_BATCH)
        if not wanted:
            return
        after = wanted[-1][0]
        numbers = {number: carrier for _, number, carrier in wanted}
        try:
            answer = await track17.gettrackinfo(
                [_item(number, carrier) for number, carrier in numbers.items()]
            )
        except Track17Error as error:
            report.stopped = f"gettrackinfo: {error}"
            log.warning("track17.gettrackinfo_refused", code=error.code)
            return
        infos = {str(item.get("number")): item.get("track_info") or {} for item in answer.accepted}
        refused = {
            rejection.number: rejection.reason_it()
            for rejection in answer.rejected
            if rejection.code != NO_INFO_YET and not rejection.stops
        }
        for effects in await _apply_batch(sessionmaker, wanted, infos, refused, report):
            await progress.announce(effects, events, queue)
        if any(rejection.stops for rejection in answer.rejected):
            report.stopped = "gettrackinfo: daily limit"
            log.warning("track17.daily_limit")
            return


async def follow_all(
    settings: Settings,
    rate_limits: RateLimits,
    sessionmaker: async_sessionmaker[AsyncSession],
    events: EventBus,
    queue: JobQueue,
) -> Report:
    """The cron run: register what is new, then poll every open parcel. 17TRACK down ends the run (the
    next one tries again)."""
    report = Report()
    track17 = client(settings, rate_limits)
    if track17 is None:
        report.stopped = "off: VO_TRACK17_API_KEY is not set"
        log.info("tracking.off", detail="VO_TRACK17_API_KEY is not set: no parcel is registered or polled")
        return report
    async with track17:
        try:
            await register_new(sessionmaker, track17, report)
            await poll_open(sessionmaker, track17, events, queue, report)
        except Track17Unavailable as error:
            report.stopped = f"unavailable: {error}"
            log.warning("track17.unavailable", reason=str(error))
        log.info("tracking.run", requests=track17.requests, **{k: v for k, v in vars(report).items()})
    return report


async def quota(settings: Settings, rate_limits: RateLimits) -> Quota:
    track17 = client(settings, rate_limits)
    if track17 is None:
        raise TrackingNotConfigured()
    async with track17:
        try:
            return await track17.getquota()
        except Track17Unavailable as error:
            raise Track17Down(headers={"Retry-After": str(error.retry_after)}) from error
        except Track17Error as error:
            log.warning("track17.getquota_refused", code=error.code)
            raise Track17Down(
                f"17TRACK ha rifiutato la richiesta (codice {error.code}): controlla la chiave.",
                headers={"Retry-After": "300"},
            ) from error


# --- what the webhooks report -------------------------------------------------------------------------


async def sendcloud_account(session: AsyncSession, token: str) -> ShippingAccount | None:
    return await repository.account_by_webhook_token(session, token)


async def observe_sendcloud(
    session: AsyncSession,
    family_id: uuid.UUID,
    parcel_id: str,
    tracking_code: str | None,
    observation: Observation,
) -> Effects | None:
    """A Sendcloud webhook about one of the family's parcels; None when the family has no such shipment."""
    shipment: Shipment | None = await repository.by_sendcloud_parcel(
        session, family_id, parcel_id, tracking_code
    )
    if shipment is None:
        return None
    return await progress.apply(session, shipment, observation)


async def observe_track17(session: AsyncSession, number: str, observation: Observation) -> list[Effects]:
    """A 17TRACK webhook about a number: applied to every shipment that carries it (usually one)."""
    outcomes = []
    for shipment in await repository.every_with_tracking_code(session, number):
        outcomes.append(await progress.apply(session, shipment, observation))
    return outcomes
