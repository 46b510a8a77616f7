"""The pairing of the browser extension, and keeping a linked Vinted session alive.

Pairing: a member asks for a code (8 characters, 10 minutes, single use, one live code a member, a few
an hour); the extension sends it back with the member's vinted.it cookies. Only the code's SHA-256 is
stored; the sent code is hashed and compared in constant time. A wrong, used or expired code get one
answer (nothing tells them apart, nor says whose code it was), and the tries are limited per IP.

Keep-alive: a cron job refreshes each stored chain before its access token expires and stores the
rotated pair at once (the refresh token is single-use). When Vinted refuses the chain, the pair is
dropped, the member is told (the family's feed, an e-mail to them, a live event) and the app asks to link
again.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vinted_optimizer.audit import service as audit
from vinted_optimizer.kit.context import RequestContext
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.kit.errors import InvalidField, NotFound
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.kit.ratelimit import RateLimits
from vinted_optimizer.kit.security import SecretBox, constant_time_equals, token_hash
from vinted_optimizer.models import VintedPairing
from vinted_optimizer.notifications import service as notifications
from vinted_optimizer.scraper.errors import PacingExceeded, SessionDead, VintedError, VintedUnavailable
from vinted_optimizer.scraper.vinted.session import VintedSession
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

# Continues a chain: (access, refresh) → the next session (scraper.keepalive.continue_chain in the worker).
Refresher = Callable[[str, str], Awaitable[VintedSession]]

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
    await repository.delete_open_for(session, member.id)
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


# --- keeping the session alive -------------------------------------------------------------------


@dataclass
class KeepAliveReport:
    refreshed: int = 0
    dead: int = 0
    failed: int = 0
    died: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)  # (family, member)
    notifications: list[uuid.UUID] = field(default_factory=list)


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


async def keep_alive(
    sessionmaker: async_sessionmaker[AsyncSession],
    secret_box: SecretBox,
    refresh: Refresher,
) -> KeepAliveReport:
    """Refresh every chain due, one member at a time (each in a short transaction of its own; no database
    connection is held while Vinted answers). Safe to run twice: a member refreshed meanwhile is no longer
    due, and the row lock makes two runs take turns on one member."""
    report = KeepAliveReport()
    async with sessionmaker() as session:
        members = await due(session)
    for user_id in members:
        async with sessionmaker() as session:
            user = await users.get(session, user_id)
            stored = users.open_vinted_session(secret_box, user) if user is not None else None
        if stored is None:
            continue
        try:
            fresh = await refresh(stored.access_token_web, stored.refresh_token_web)
        except SessionDead:
            await _chain_died(sessionmaker, secret_box, user_id, stored, report)
            continue
        except (VintedError, VintedUnavailable, PacingExceeded) as error:
            # A challenge, a 429, Vinted changed or away: the stored pair is still good; next run tries again.
            log.warning("vinted.keepalive_failed", user_id=str(user_id), error=type(error).__name__)
            report.failed += 1
            continue
        async with sessionmaker() as session, session.begin():
            user = await users.get(session, user_id, lock=True)
            current = users.open_vinted_session(secret_box, user) if user is not None else None
            # Stored only over the pair it continues: a new link meanwhile wins.
            if (
                user is not None
                and current is not None
                and current.refresh_token_web == stored.refresh_token_web
            ):
                await users.rotate_vinted_session(
                    session, secret_box, user, stored, fresh.access_token, fresh.refresh_token or ""
                )
                report.refreshed += 1
    return report


async def _chain_died(
    sessionmaker: async_sessionmaker[AsyncSession],
    secret_box: SecretBox,
    user_id: uuid.UUID,
    stored: users.StoredVintedSession,
    report: KeepAliveReport,
) -> None:
    async with sessionmaker() as session, session.begin():
        user = await users.get(session, user_id, lock=True)
        current = users.open_vinted_session(secret_box, user) if user is not None else None
        if user is None or current is None or current.refresh_token_web != stored.refresh_token_web:
            return  # linked again meanwhile: that new session is alive
        if not await users.vinted_session_died(session, user) or user.family_id is None:
            return
        assert user.vinted_dead_at is not None
        note = relink_note(user.id, user.family_id, user.username, user.vinted_dead_at)
        notification_id = await notifications.notify(session, note)
    report.dead += 1
    report.died.append((note.family_id, user_id))
    if notification_id is not None:
        report.notifications.append(notification_id)
    log.warning("vinted.session_dead", user_id=str(user_id))
