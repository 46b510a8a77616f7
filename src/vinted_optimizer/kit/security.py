"""Passwords (Argon2id), access tokens (JWT HS256 only), opaque refresh/invitation tokens, Fernet."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from vinted_optimizer.config import Settings

ACCESS_TOKEN_ALGORITHM = "HS256"  # noqa: S105 - an algorithm name
ACCESS_TOKEN_TYPE = "access"  # noqa: S105 - a claim value, not a secret


class Passwords:
    """Argon2id with OWASP parameters; verification is constant time in the library."""

    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            type=Type.ID,
        )
        # Verifying against this when the account does not exist keeps the timing of
        # "unknown e-mail" and "wrong password" the same.
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        # ~17 ms of CPU: off the event loop, so other requests keep flowing.
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        return await asyncio.to_thread(self._verify, stored_hash, password)

    def _verify(self, stored_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash or self._dummy_hash, password) and stored_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID
    jti: str
    issued_at: datetime
    expires_at: datetime


class InvalidAccessToken(Exception):
    pass


class ExpiredAccessToken(InvalidAccessToken):
    """Correctly signed, but past its expiry: the client should refresh it. (PyJWT checks the signature
    before the claims, so a forged token never gets here.)"""


# Tokens already verified, by their exact text: a dashboard sends the same token for its whole lifetime,
# so its signature is checked once per process (the expiry is checked on every use).
VERIFIED_TOKENS_KEPT = 4096


class AccessTokens:
    def __init__(self, settings: Settings) -> None:
        if settings.jwt_secret is None:
            raise RuntimeError("VO_JWT_SECRET is not set")
        self._key = settings.jwt_secret.get_secret_value()
        self._lifetime = timedelta(minutes=settings.access_token_minutes)
        self._verified: dict[str, tuple[AccessClaims, float]] = {}

    @property
    def lifetime_seconds(self) -> int:
        return int(self._lifetime.total_seconds())

    def issue(self, user_id: uuid.UUID, session_id: uuid.UUID, *, now: datetime | None = None) -> str:
        issued = now or datetime.now(UTC)
        claims = {
            "sub": str(user_id),
            "sid": str(session_id),
            "jti": uuid.uuid4().hex,
            "iat": int(issued.timestamp()),
            "exp": int((issued + self._lifetime).timestamp()),
            "typ": ACCESS_TOKEN_TYPE,
        }
        return jwt.encode(claims, self._key, algorithm=ACCESS_TOKEN_ALGORITHM)

    def decode(self, token: str) -> AccessClaims:
        known = self._verified.get(token)
        if known is None:
            claims = self._verify(token)
            if len(self._verified) >= VERIFIED_TOKENS_KEPT:
                del self._verified[next(iter(self._verified))]  # the oldest
            known = self._verified[token] = (claims, claims.expires_at.timestamp())
        if known[1] <= time.time():  # PyJWT's own rule: expired at the second of "exp"
            raise ExpiredAccessToken("Signature has expired")
        return known[0]

    def _verify(self, token: str) -> AccessClaims:
        try:
            # `algorithms` pins HS256: "none", RS256/HS256 confusion and others are rejected.
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key,
                algorithms=[ACCESS_TOKEN_ALGORITHM],
                options={"require": ["sub", "sid", "jti", "iat", "exp"]},
            )
            if claims.get("typ") != ACCESS_TOKEN_TYPE:
                raise InvalidAccessToken("wrong token type")
            return AccessClaims(
                user_id=uuid.UUID(claims["sub"]),
                session_id=uuid.UUID(claims["sid"]),
                jti=str(claims["jti"]),
                issued_at=datetime.fromtimestamp(claims["iat"], UTC),
                expires_at=datetime.fromtimestamp(claims["exp"], UTC),
            )
        except jwt.ExpiredSignatureError as error:
            raise ExpiredAccessToken(str(error)) from error
        except (jwt.PyJWTError, ValueError, TypeError) as error:
            raise InvalidAccessToken(str(error)) from error

    def decode_or_none(self, token: str) -> AccessClaims | None:
        try:
            return self.decode(token)
        except InvalidAccessToken:
            return None


def new_opaque_token() -> str:
    """A high-entropy bearer secret (refresh tokens, invitations). Only its hash is stored."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def constant_time_equals(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode(), right.encode())


class SecretBox:
    """MultiFernet: encrypts with the first key, decrypts with any (key rotation)."""

    def __init__(self, settings: Settings) -> None:
        self._fernet = MultiFernet([Fernet(key) for key in settings.fernet_key_list])

    def encrypt_json(self, value: dict[str, Any]) -> bytes:
        return self._fernet.encrypt(json.dumps(value).encode())

    def decrypt_json(self, token: bytes, *, ttl: int | None = None) -> dict[str, Any]:
        """``ttl``: refuse a value sealed more than that many seconds ago."""
        try:
            value: dict[str, Any] = json.loads(self._fernet.decrypt(token, ttl=ttl))
            return value
        except InvalidToken as error:
            raise ValueError("cannot decrypt: unknown key or corrupted value") from error

    def rotate(self, token: bytes) -> bytes:
        return self._fernet.rotate(token)
