"""Webhook deliveries: check the signature over the raw body, record the delivery once, hand the report
to shipments.tracking. Each answer is one short transaction; the live event and the e-mails go out
after its commit (the ``Effects`` returned).

- Sendcloud: ``POST /webhooks/sendcloud/{token}``; the token names the family (ShippingAccount), whose
  key signs: ``Sendcloud-Signature`` = hex HMAC-SHA256 of the raw body with its webhook key, or else its
  secret key. An unknown token and a bad signature get the same 401.
- 17TRACK: ``POST /webhooks/track17``; ``sign`` = lowercase hex SHA-256 of ``raw_body + "/" + api_key``
  (a plain hash, as third-party code documents it: the check is here only, in ``track17_signature``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.config import Settings
from vinted_optimizer.kit.errors import BadRequest, DomainError
from vinted_optimizer.kit.security import SecretBox
from vinted_optimizer.shipments import progress, tracking
from vinted_optimizer.shipments.progress import Effects
from vinted_optimizer.webhooks import repository
from vinted_optimizer.webhooks.schemas import WebhookAck

log = structlog.get_logger(__name__)

# What a key is compared against when there is none (an unknown token): the same work, the same answer.
_NO_KEY = secrets.token_bytes(32)


class WebhookRefused(DomainError):
    """Unknown token or wrong signature: the same answer for both, nothing said about which."""

    status_code = 401
    code = "webhook_refused"
    default_detail = "Webhook non autorizzato."


class NotJson(BadRequest):
    default_detail = "Il corpo del webhook non è JSON valido."


def body_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def sendcloud_signature(raw: bytes, key: bytes) -> str:
    return hmac.new(key, raw, hashlib.sha256).hexdigest()


def track17_signature(raw: bytes, api_key: str) -> str:
    return hashlib.sha256(raw + b"/" + api_key.encode()).hexdigest()


def _same(expected: str, given: str | None) -> bool:
    return hmac.compare_digest(expected.encode(), (given or "").strip().lower().encode())


def _json(raw: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(raw)
    except ValueError as error:
        raise NotJson() from error
    if not isinstance(payload, dict):
        raise NotJson()
    return payload


def _signing_key(secret_box: SecretBox, sealed: bytes | None) -> bytes | None:
    if sealed is None:
        return None
    try:
        keys = secret_box.decrypt_json(sealed)
    except ValueError:
        log.error("webhook.sendcloud_keys_unreadable")
        return None
    key = keys.get("webhook_key") or keys.get("secret_key")
    return str(key).encode() if key else None


async def receive_sendcloud(
    session: AsyncSession, secret_box: SecretBox, token: str, raw: bytes, signature: str | None
) -> tuple[WebhookAck, Effects | None]:
    account = await tracking.sendcloud_account(session, token)
    key = _signing_key(secret_box, account.sendcloud_keys) if account is not None else None
    valid = _same(sendcloud_signature(raw, key or _NO_KEY), signature)
    if account is None or key is None or not valid:
        log.warning("webhook.refused", source="sendcloud", known_token=account is not None)
        raise WebhookRefused()
    payload = _json(raw)
    if not await repository.record_receipt(session, "sendcloud", body_hash(raw)):
        return WebhookAck(result="duplicate"), None
    parsed = progress.from_sendcloud(payload)
    if parsed is None:
        log.info("webhook.ignored", source="sendcloud", action=str(payload.get("action"))[:60])
        return WebhookAck(result="ignored"), None
    parcel_id, tracking_code, observation = parsed
    effects = await tracking.observe_sendcloud(
        session, account.family_id, parcel_id, tracking_code, observation
    )
    if effects is None:
        log.info("webhook.unknown_parcel", source="sendcloud", parcel_id=parcel_id)
        return WebhookAck(result="ignored"), None
    return WebhookAck(result="applied"), effects


async def receive_track17(
    session: AsyncSession, settings: Settings, raw: bytes, signature: str | None
) -> tuple[WebhookAck, list[Effects]]:
    api_key = settings.track17_api_key.get_secret_value() if settings.track17_api_key else ""
    valid = _same(track17_signature(raw, api_key or _NO_KEY.hex()), signature)
    if not api_key or not valid:
        log.warning("webhook.refused", source="17track", configured=bool(api_key))
        raise WebhookRefused()
    payload = _json(raw)
    if not await repository.record_receipt(session, "17track", body_hash(raw)):
        return WebhookAck(result="duplicate"), []
    data: dict[str, Any] = payload["data"] if isinstance(payload.get("data"), dict) else {}
    number, info = data.get("number"), data.get("track_info")
    observation = progress.from_track17(info) if isinstance(info, dict) else None
    if payload.get("event") != "TRACKING_UPDATED" or not isinstance(number, str) or observation is None:
        log.info("webhook.ignored", source="17track", event=str(payload.get("event"))[:60])
        return WebhookAck(result="ignored"), []
    outcomes = await tracking.observe_track17(session, number, observation)
    if not outcomes:
        log.info("webhook.unknown_parcel", source="17track")
        return WebhookAck(result="ignored"), []
    return WebhookAck(result="applied"), [effects for effects in outcomes if effects]
