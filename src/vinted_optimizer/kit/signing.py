"""Short-lived signed URLs for photo bytes: an <img> tag cannot send the Authorization header, so the API
hands family members URLs that carry an HMAC of (image, variant, expiry) instead."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from functools import lru_cache

URL_LIFETIME_SECONDS = 6 * 3600


class UrlSigner:
    def __init__(self, secret: str) -> None:
        # A key of its own, derived from the JWT secret: a URL signature is never a token signature.
        self._key = hashlib.sha256(b"vo-image-urls:" + secret.encode()).digest()
        # A URL is the same for an hour (see ``url``), and a screen shows the same photos again and again:
        # the signed URLs of the last few thousand (image, variant, hour) are remembered.
        self._signed = lru_cache(maxsize=8192)(self._signed_url)

    def _mac(self, image_id: uuid.UUID | str, variant: str, expires: int) -> str:
        message = f"{image_id}:{variant}:{expires}".encode()
        return hmac.digest(self._key, message, "sha256").hex()[:32]

    def _signed_url(self, image_id: uuid.UUID | str, variant: str, expires: int) -> str:
        signature = self._mac(image_id, variant, expires)
        return f"/api/v1/images/{image_id}/file?variant={variant}&expires={expires}&signature={signature}"

    def url(self, image_id: uuid.UUID | str, variant: str, *, now: float | None = None) -> str:
        """``image_id`` as a UUID or its canonical string (as the listings' JSON column carries it)."""
        # Rounded expiry: the same URL for an hour, so browsers can cache the photo.
        expires = int(((now or time.time()) + URL_LIFETIME_SECONDS) // 3600 * 3600 + 3600)
        return self._signed(image_id, variant, expires)

    def verify(self, image_id: uuid.UUID, variant: str, expires: int, signature: str) -> bool:
        if expires < time.time():
            return False
        return hmac.compare_digest(self._mac(image_id, variant, expires), signature)


DEVICE_COOKIE = "vo_device"
DEVICE_LIFETIME_SECONDS = 365 * 24 * 3600


class DeviceCookies:
    """``v1.<user id>.<device id>.<issued>.<mac>``: which account signed in on this device, and when."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"vo-device-cookie:" + secret.encode()).digest()

    def _mac(self, body: str) -> str:
        return hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self, user_id: uuid.UUID, *, now: float | None = None) -> str:
        body = f"v1.{user_id}.{secrets.token_hex(8)}.{int(now or time.time())}"
        return f"{body}.{self._mac(body)}"

    def device_of(self, cookie: str | None, user_id: uuid.UUID, *, now: float | None = None) -> str | None:
        """The device id when the cookie is ours, for this account and not too old; else None."""
        if not cookie or len(cookie) > 200:
            return None
        body, _, mac = cookie.rpartition(".")
        parts = body.split(".")
        if len(parts) != 4 or parts[0] != "v1" or not hmac.compare_digest(self._mac(body), mac):
            return None
        _, owner, device, issued = parts
        if owner != str(user_id) or not issued.isdigit():
            return None
        if int(issued) + DEVICE_LIFETIME_SECONDS < (now or time.time()):
            return None
        return device
