"""The family's shipping account: its sender address, its Sendcloud keys (encrypted, never shown, never
logged) and the webhook URL to paste in Sendcloud; and what the other rules need of it.

Any member reads it; only the family admin writes it (the endpoints' ``FamilyAdmin``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import httpx
import structlog
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.audit import service as audit
from vinted_optimizer.kit.context import RequestContext
from vinted_optimizer.kit.errors import Conflict, InvalidField, InvalidFields
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.kit.security import SecretBox
from vinted_optimizer.kit.storage import Storage
from vinted_optimizer.models import ShippingAccount
from vinted_optimizer.shipments import repository
from vinted_optimizer.shipments.schemas import AccountRead, AccountUpdate, Address
from vinted_optimizer.shipments.sendcloud import (
    Keys,
    Sendcloud,
    SendcloudKeysRejected,
    SendcloudUnavailable,
)

WEBHOOK_PATH = "/api/v1/webhooks/sendcloud/"
SETTINGS_HINT = "l'amministratore della famiglia lo imposta in Impostazioni → Spedizioni"
KEY_CHECK_SECONDS = 5.0
KEYS_REFUSED = (
    "Sendcloud non riconosce queste chiavi: copiale di nuovo per intero da Sendcloud → Impostazioni → "
    "Integrazioni → Sendcloud API."
)

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Tools:
    """What the shipping rules use of the process's resources."""

    secret_box: SecretBox
    storage: Storage
    redis: Redis
    sendcloud_url: str
    timeout_seconds: float
    public_url: str
    transport: httpx.AsyncBaseTransport | None = None  # tests may swap the network

    def sendcloud(self, keys: Keys) -> Sendcloud:
        return Sendcloud(self.sendcloud_url, keys, timeout=self.timeout_seconds, transport=self.transport)


class KeysMissing(Conflict):
    code = "sendcloud_keys_missing"
    default_detail = (
        "Mancano le chiavi API di Sendcloud della famiglia: l'amministratore le inserisce in "
        "Impostazioni → Spedizioni (campi sendcloud_public_key e sendcloud_secret_key)."
    )


class SenderMissing(Conflict):
    code = "sender_address_missing"
    default_detail = (
        f"Manca l'indirizzo del mittente (campo sender_address): {SETTINGS_HINT}, prima di creare etichette."
    )


@dataclass(frozen=True)
class Ready:
    keys: Keys
    sender: Address | None


def _sender(account: ShippingAccount | None) -> Address | None:
    if account is None or not account.sender_address:
        return None
    return Address.model_validate(account.sender_address)


def _keys(account: ShippingAccount | None, secret_box: SecretBox) -> Keys | None:
    if account is None or account.sendcloud_keys is None:
        return None
    try:
        value = secret_box.decrypt_json(account.sendcloud_keys)
    except ValueError:  # sealed with a key no longer configured: as good as missing
        return None
    return Keys(str(value["public_key"]), str(value["secret_key"]))


async def ready(session: AsyncSession, member: Member, tools: Tools, *, sender: bool = True) -> Ready:
    """The family's keys (and sender address), or the 409 telling the admin what to set."""
    account = await repository.account(session, member.family_id)
    address = _sender(account)
    if sender and address is None:
        raise SenderMissing()
    keys = _keys(account, tools.secret_box)
    if keys is None:
        raise KeysMissing()
    return Ready(keys, address)


def _read(account: ShippingAccount | None, public_url: str) -> AccountRead:
    if account is None:
        return AccountRead(
            sender_address=None,
            has_sendcloud_keys=False,
            sendcloud_webhook_url=None,
            default_option_code=None,
        )
    return AccountRead(
        sender_address=_sender(account),
        has_sendcloud_keys=account.sendcloud_keys is not None,
        sendcloud_webhook_url=public_url.rstrip("/") + WEBHOOK_PATH + account.webhook_token,
        default_option_code=account.default_option_code,
    )


async def read(session: AsyncSession, member: Member, tools: Tools) -> AccountRead:
    return _read(await repository.account(session, member.family_id), tools.public_url)


async def _own(session: AsyncSession, member: Member) -> ShippingAccount:
    account = await repository.account(session, member.family_id, for_update=True)
    if account is None:
        account = ShippingAccount(
            family_id=member.family_id, sender_address={}, webhook_token=secrets.token_urlsafe(32)
        )
        session.add(account)
    return account


async def update(
    session: AsyncSession, member: Member, data: AccountUpdate, tools: Tools, context: RequestContext
) -> AccountRead:
    changes = data.model_dump(exclude_unset=True)
    public, secret = data.sendcloud_public_key, data.sendcloud_secret_key
    if (public is None) != (secret is None) and (
        "sendcloud_public_key" in changes or "sendcloud_secret_key" in changes
    ):
        missing = "sendcloud_secret_key" if secret is None else "sendcloud_public_key"
        raise InvalidField(missing, "Inserisci insieme la chiave pubblica e la chiave segreta di Sendcloud.")
    account = await _own(session, member)
    changed: list[str] = []
    if "sender_address" in changes:
        address = data.sender_address
        account.sender_address = address.model_dump(mode="json", exclude_none=True) if address else {}
        changed.append("sender_address")
    if "default_option_code" in changes:
        account.default_option_code = data.default_option_code
        changed.append("default_option_code")
    if public is not None and secret is not None:
        sealed: dict[str, Any] = {
            "public_key": public.get_secret_value().strip(),
            "secret_key": secret.get_secret_value().strip(),
        }
        await _check_keys(tools, Keys(**sealed))
        account.sendcloud_keys = tools.secret_box.encrypt_json(sealed)
    await session.flush()
    if public is not None:
        await _audit(session, member, context, "shipping.keys_set")
    if changed:
        await _audit(session, member, context, "shipping.account_updated", {"fields": changed})
    return _read(account, tools.public_url)


async def _check_keys(tools: Tools, keys: Keys) -> None:
    """Keys Sendcloud refuses are not stored (a 422 on both fields); when Sendcloud cannot answer now they
    are stored unchecked, and the first label or carrier list will say if they are wrong."""
    checker = Sendcloud(
        tools.sendcloud_url,
        keys,
        timeout=min(KEY_CHECK_SECONDS, tools.timeout_seconds),
        transport=tools.transport,
    )
    try:
        async with checker as sendcloud:
            await sendcloud.check_keys()
    except SendcloudKeysRejected as error:
        raise InvalidFields(
            [("sendcloud_public_key", KEYS_REFUSED), ("sendcloud_secret_key", KEYS_REFUSED)]
        ) from error
    except (SendcloudUnavailable, Conflict, InvalidField):
        log.warning("shipping.keys_not_checked")


async def remove_keys(session: AsyncSession, member: Member, context: RequestContext) -> None:
    account = await repository.account(session, member.family_id, for_update=True)
    if account is None or account.sendcloud_keys is None:
        return
    account.sendcloud_keys = None
    await session.flush()
    await _audit(session, member, context, "shipping.keys_removed")


async def _audit(
    session: AsyncSession,
    member: Member,
    context: RequestContext,
    action: str,
    metadata: dict[str, Any] | None = None,
) -> None:
    """What changed, never a value (the keys least of all)."""
    await audit.record(
        session,
        action,
        context=context,
        user_id=member.id,
        family_id=member.family_id,
        resource_type="shipping_account",
        resource_id=member.family_id,
        metadata=metadata,
    )
