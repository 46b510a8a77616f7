"""The pairing of the browser extension, and keeping a linked Vinted session alive.

Pairing: a member asks for a code (8 characters, 10 minutes, single use, one live code a member, a few
an hour); the extension sends it back with the member's vinted.it cookies. Only the code's SHA-256 is
stored; the sent code is hashed and compared in constant time. A wrong, used or expired code get one
answer (nothing tells them apart, nor says whose code it was), and the tries are limited per IP.

A member's calls (``with_member``): the member's stored pair goes to the home-side scraper service with
each call (publish, sync, the keep-alive's refresh), one call at a time per member (a Redis lock: the
refresh token is single-use), and the pair Vinted rotated on the way is stored before the lock is let go.

Keep-alive: a cron job refreshes each stored chain before its access token expires. When Vinted refuses
the chain, the pair is dropped, the member is told (the family's feed, an e-mail to them, a live event)
and the app asks to link again.
"""

from __future__ import annotations

import contextlib
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import structlog
from redis.asyncio import Redis
from redis.exceptions import LockError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vinted_optimizer.audit import service as audit
from vinted_optimizer.kit.context import RequestContext
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.kit.errors import Conflict, InvalidField, NotFound
from vinted_optimizer.kit.events import EventBus, EventType
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.kit.queue import JobQueue
from vinted_optimizer.kit.ratelimit import RateLimits
from vinted_optimizer.kit.security import SecretBox, constant_time_equals, token_hash
from vinted_optimizer.models import VintedPairing
from vinted_optimizer.notifications import service as notifications
from vinted_optimizer.scraper.client import ScraperClient
from vinted_optimizer.scraper.errors import RemoteVintedError, ScraperUnavailable, VintedChanged
from vinted_optimizer.scraper.schemas import MemberError, MemberOutcome, MemberSession, RotatedSession
from vinted_optimizer.users import service as users
from vinted_optimizer.users.schemas import VintedSessionLink
from vinted_optimizer.vinted_link import repository
from vinted_optimizer.vinted_link.schemas import (
    CODE_ALPHABET,
    CODE_LENGTH,
    PairingCreated,
    PairingRedeem,
    PairingStatus,
)

log = structlog.get_logger(__name__)

PAIRING_TTL = timedelta(minutes=10)
# Refresh a chain whose access token expires within this (the cron runs every 10 minutes; the token
# lives about 2 hours).
REFRESH_AHEAD = timedelta(minutes=40)
PAIRING_LIMIT_MESSAGE = "Hai chiesto troppi codici in poco tempo: riprova tra {seconds} secondi."
REDEEM_LIMIT_MESSAGE = "Troppi tentativi con codici sbagliati: riprova tra {seconds} secondi."


class WrongCode(InvalidField):
    code = "invalid_pairing_code"
    persist = True  # the audit row of a refused code survives the 422
    default_detail = "Codice non valido o scaduto: creane uno nuovo in Impostazioni → Vinted."

    def __init__(self) -> None:
        super().__init__("code", self.default_detail)


class PairingNotFound(NotFound):
    default_detail = "Codice di collegamento non trovato."


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def state_of(pairing: VintedPairing, now: datetime) -> str:
    if pairing.redeemed_at is not None:
        return "linked"
    return "expired" if pairing.expires_at <= now else "waiting"


async def create_pairing(
    session: AsyncSession, limits: RateLimits, member: Member, context: RequestContext
) -> PairingCreated:
    await limits.hit(limits.vinted_pairing, "vinted-pairing", str(member.id), message=PAIRING_LIMIT_MESSAGE)
    await repository.expire_open_for(session, member.id, utcnow())
    code = new_code()
    pairing = VintedPairing(user_id=member.id, code_hash=token_hash(code), expires_at=utcnow() + PAIRING_TTL)
    await repository.add(session, pairing)
    await audit.record(
        session,
        "vinted.pairing_created",
        context=context,
        user_id=member.id,
        family_id=member.family_id,
        resource_type="vinted_pairing",
        resource_id=pairing.id,
    )
    return PairingCreated(id=pairing.id, code=code, expires_at=pairing.expires_at)


async def pairing_status(session: AsyncSession, member: Member, pairing_id: uuid.UUID) -> PairingStatus:
    pairing = await repository.of_member(session, member.id, pairing_id)
    if pairing is None:
        raise PairingNotFound()
    return PairingStatus(
        id=pairing.id,
        state=state_of(pairing, utcnow()),  # type: ignore[arg-type]
        expires_at=pairing.expires_at,
        redeemed_at=pairing.redeemed_at,
    )


@dataclass(frozen=True)
class Redeemed:
    user_id: uuid.UUID
    family_id: uuid.UUID | None


async def redeem(
    session: AsyncSession,
    limits: RateLimits,
    secret_box: SecretBox,
    data: PairingRedeem,
    context: RequestContext,
) -> Redeemed:
    """The extension's call: the code and the cookies. The session is stored like a manual link."""
    await limits.hit(
        limits.vinted_redeem, "vinted-redeem", context.ip or "unknown", message=REDEEM_LIMIT_MESSAGE
    )
    digest = token_hash(data.code)
    pairing = await repository.by_code_hash(session, digest)
    now = utcnow()
    if (
        pairing is None
        or not constant_time_equals(pairing.code_hash, digest)
        or pairing.redeemed_at is not None
        or pairing.expires_at <= now
    ):
        await audit.record(session, "vinted.pairing_refused", context=context, resource_type="vinted_pairing")
        raise WrongCode()
    user = await users.get(session, pairing.user_id)
    if user is None or not user.is_active or user.family_id is None:
        raise WrongCode()
    pairing.redeemed_at = now
    session_data = data.model_dump(exclude={"code"})
    link = VintedSessionLink.model_validate(session_data)
    await users.link_vinted(session, secret_box, user, link, context, via="extension")
    log.info("vinted.paired", user_id=str(user.id))
    return Redeemed(user_id=user.id, family_id=user.family_id)


async def delete_stale_pairings(session: AsyncSession) -> int:
    return await repository.delete_stale(session, utcnow() - timedelta(days=1))


# --- a member's calls to Vinted, and keeping the session alive --------------------------------------


class VintedNotLinked(Conflict):
    code = "vinted_not_linked"
    default_detail = (
        "Nessun account Vinted collegato per questo membro: collegalo da Impostazioni → Vinted e riprova."
    )


class MemberBusy(Conflict):
    code = "vinted_member_busy"
    default_detail = "Un'altra operazione su Vinted di questo membro è in corso: riprova tra qualche minuto."


@dataclass(frozen=True)
class VintedAccess:
    """What a member's call to Vinted needs, handed in by a job or an endpoint from its resources."""

    sessionmaker: async_sessionmaker[AsyncSession]
    secret_box: SecretBox
    redis: Redis
    scraper: ScraperClient
    events: EventBus
    queue: JobQueue


Outcome = TypeVar("Outcome", bound=MemberOutcome)

# One call at a time per member: the refresh token is single-use, so two calls with one stored pair would
# spend it twice. The lock outlives the longest call (a publish paced at the write budget).
MEMBER_LOCK_SECONDS = 45 * 60
MEMBER_LOCK_WAIT_SECONDS = 30.0


def _member_lock_key(user_id: uuid.UUID) -> str:
    return f"vo:vinted:member:{user_id}"


def member_message(error: MemberError | RemoteVintedError) -> str:
    """What the member reads about a call that failed: the home side's Italian, except for an answer not in
    the shape the client reads (``vinted_changed``). One garbled answer and a page Vinted changed look the
    same, and only asking again tells them apart: the member is told to try again, not only that the app
    needs an update (the parser's English detail stays in the logs)."""
    if error.code == VintedChanged.code:
        where = f" ({error.endpoint})" if error.endpoint else ""
        return (
            f"Vinted ha dato una risposta che l'app non sa leggere{where}: riprova tra qualche minuto; se "
            "succede di nuovo, la funzione va aggiornata."
        )
    return error.detail


def raise_for(outcome: MemberOutcome) -> None:
    """The home side's error, raised again here with its status, code and Italian message."""
    if outcome.error is not None:
        error = outcome.error
        raise RemoteVintedError(
            code=error.code,
            status_code=error.status_code,
            detail=error.detail,
            retry_after=error.retry_after,
            endpoint=error.endpoint,
            vinted_code=error.vinted_code,
        )


async def with_member(
    access: VintedAccess,
    user_id: uuid.UUID,
    call: Callable[[MemberSession], Awaitable[Outcome]],
    *,
    wait: float = MEMBER_LOCK_WAIT_SECONDS,
) -> Outcome:
    """Run one call with the member's stored pair and store what Vinted rotated on the way, before the
    lock is released. A dead chain is dropped and the member told. ``VintedNotLinked`` without a pair,
    ``MemberBusy`` when another call of the member holds the lock longer than ``wait`` seconds. The
    outcome's error is the caller's to raise (``raise_for``) or to record."""
    lock = access.redis.lock(
        _member_lock_key(user_id), timeout=MEMBER_LOCK_SECONDS, blocking_timeout=max(0.01, wait)
    )
    if not await lock.acquire():
        raise MemberBusy()
    try:
        async with access.sessionmaker() as session:
            user = await users.get(session, user_id)
            stored = users.open_vinted_session(access.secret_box, user) if user is not None else None
            vinted_user_id = user.vinted_user_id if user is not None else None
        if stored is None:
            raise VintedNotLinked()
        member = MemberSession(
            access_token=stored.access_token_web,
            refresh_token=stored.refresh_token_web,
            vinted_user_id=vinted_user_id,
        )
        outcome = await call(member)
        if outcome.session is not None:
            await _store_rotation(access, user_id, stored, outcome.session)
        if outcome.dead:
            await _chain_died(access, user_id, stored)
        return outcome
    finally:
        with contextlib.suppress(LockError):
            await lock.release()


async def _store_rotation(
    access: VintedAccess, user_id: uuid.UUID, stored: users.StoredVintedSession, fresh: RotatedSession
) -> bool:
    async with access.sessionmaker() as session, session.begin():
        user = await users.get(session, user_id, lock=True)
        current = users.open_vinted_session(access.secret_box, user) if user is not None else None
        # Stored only over the pair it continues: a new link meanwhile wins.
        if user is None or current is None or current.refresh_token_web != stored.refresh_token_web:
            return False
        await users.rotate_vinted_session(
            session, access.secret_box, user, stored, fresh.access_token, fresh.refresh_token
        )
        return True


@dataclass
class KeepAliveReport:
    refreshed: int = 0
    dead: int = 0
    failed: int = 0


async def due(session: AsyncSession) -> list[uuid.UUID]:
    return await users.vinted_sessions_due(session, utcnow() + REFRESH_AHEAD)


def relink_note(
    user_id: uuid.UUID, family_id: uuid.UUID, username: str, dead_at: datetime
) -> notifications.Note:
    return notifications.Note(
        family_id=family_id,
        kind="vinted_relink",
        title=f"Vinted di {username} da ricollegare",
        body=(
            "Vinted ha chiuso la sessione collegata (capita dopo un cambio di password o un'uscita da tutti "
            "i dispositivi). Apri Impostazioni → Vinted e premi «Ricollega»: basta un minuto."
        ),
        dedupe_key=f"vinted_relink:{user_id}:{dead_at.isoformat()}",
        user_id=user_id,
    )


async def keep_alive(access: VintedAccess) -> KeepAliveReport:
    """Refresh every chain due, one member at a time, through the scraper service (each store in a short
    transaction of its own; no database connection is held while Vinted answers). Safe to run twice: a
    member refreshed meanwhile is no longer due, and a member busy with another call (which refreshes
    its session itself when it must) is left for the next run."""
    report = KeepAliveReport()
    async with access.sessionmaker() as session:
        members = await due(session)
    for user_id in members:
        try:
            outcome = await with_member(access, user_id, access.scraper.refresh_member, wait=0)
        except (VintedNotLinked, MemberBusy):
            continue
        except ScraperUnavailable as error:
            log.warning("vinted.keepalive_failed", user_id=str(user_id), error=error.code)
            report.failed += 1
            continue
        if outcome.dead:
            report.dead += 1
        elif outcome.error is not None:
            # A challenge, a 429, Vinted changed or away: the stored pair is still good; next run tries again.
            log.warning("vinted.keepalive_failed", user_id=str(user_id), error=outcome.error.code)
            report.failed += 1
        elif outcome.session is not None:
            report.refreshed += 1
    return report


async def _chain_died(access: VintedAccess, user_id: uuid.UUID, stored: users.StoredVintedSession) -> None:
    """The pair is dropped, the member told: the family's feed, an e-mail to them, a live event."""
    async with access.sessionmaker() as session, session.begin():
        user = await users.get(session, user_id, lock=True)
        current = users.open_vinted_session(access.secret_box, user) if user is not None else None
        if user is None or current is None or current.refresh_token_web != stored.refresh_token_web:
            return  # linked again meanwhile: that new session is alive
        if not await users.vinted_session_died(session, user) or user.family_id is None:
            return
        assert user.vinted_dead_at is not None
        note = relink_note(user.id, user.family_id, user.username, user.vinted_dead_at)
        notification_id = await notifications.notify(session, note)
    log.warning("vinted.session_dead", user_id=str(user_id))
    await access.events.publish_quietly(
        note.family_id, EventType.vinted_link_changed, {"user_id": str(user_id), "status": "dead"}
    )
    if notification_id is not None:
        await access.queue.enqueue(
            notifications.SEND_JOB, str(notification_id), job_id=notifications.send_job_id(notification_id)
        )
