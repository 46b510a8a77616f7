from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationInfo, field_validator

from vinted_optimizer.kit.principal import FamilyRole, Member
from vinted_optimizer.kit.schemas import Input
from vinted_optimizer.users.policy import PASSWORD_MAX_LENGTH, check_password_policy, normalise_username
from vinted_optimizer.users.schemas import UserRead


class RegisterRequest(Input):
    model_config = ConfigDict(str_strip_whitespace=True)

    email: EmailStr = Field(max_length=320)
    username: str = Field(min_length=3, max_length=40)
    password: str = Field(min_length=1, max_length=PASSWORD_MAX_LENGTH)
    family_name: str | None = Field(default=None, min_length=1, max_length=120)
    invite_token: str | None = Field(default=None, min_length=16, max_length=200)

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        return normalise_username(value)

    @field_validator("password")
    @classmethod
    def _password(cls, value: str, info: ValidationInfo) -> str:
        return check_password_policy(value, email=info.data.get("email"), username=info.data.get("username"))


class SignupPending(BaseModel):
    """An open sign-up: nothing was created yet; the e-mailed link completes it."""

    status: Literal["pending"] = "pending"
    detail: str = "Ti abbiamo scritto: apri il link nell'e-mail per completare la registrazione."


class SignupClaim(BaseModel):
    """What an open sign-up's e-mailed link carries, sealed (Fernet, 24 h): nothing is stored until then."""

    model_config = ConfigDict(extra="forbid")

    email: str
    username: str
    password_hash: str
    family_name: str | None


class SignupCompletion(Input):
    token: str = Field(min_length=20, max_length=2000, description="From the e-mailed link")
    username: str | None = Field(
        default=None,
        min_length=3,
        max_length=40,
        description="Another one, if the chosen one was taken meanwhile",
    )

    @field_validator("username")
    @classmethod
    def _username(cls, value: str | None) -> str | None:
        return normalise_username(value) if value is not None else None


class LoginRequest(Input):
    model_config = ConfigDict(str_strip_whitespace=True)

    login: str = Field(min_length=1, max_length=320, description="E-mail o nome utente")
    password: str = Field(min_length=1, max_length=PASSWORD_MAX_LENGTH)


class RefreshRequest(Input):
    refresh_token: str | None = Field(
        default=None,
        max_length=200,
        description="For API clients; the dashboard sends the httpOnly cookie instead.",
    )


class TokenPair(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type
    expires_in: int = Field(description="Access token lifetime in seconds")
    refresh_token: str | None = Field(
        default=None,
        description=(
            "Only for API clients that ask with `X-Refresh-Token: body` (or refresh with the token in the "
            "body): a browser keeps it in the httpOnly cookie, out of reach of any script."
        ),
    )
    refresh_expires_at: datetime
    session_id: uuid.UUID


class AuthResponse(TokenPair):
    user: UserRead


class SessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    jti: uuid.UUID = Field(validation_alias="id", description="The session's id, shared by its tokens")
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    ip: str | None
    user_agent: str | None
    current: bool = False


class InvitationLookup(Input):
    token: str = Field(min_length=16, max_length=200)


class InvitationPreview(BaseModel):
    family_name: str
    email: EmailStr
    role: str
    expires_at: datetime


class AccountSnapshot(BaseModel):
    """What every request needs about its account, cached in Redis (``SessionStates.signed_in``).
    Frozen: one parsed snapshot serves every request that read the same cached bytes."""

    model_config = ConfigDict(frozen=True)

    family_id: uuid.UUID | None
    role: FamilyRole | None
    username: str

    def member(self, user_id: uuid.UUID) -> Member | None:
        if self.family_id is None or self.role is None:
            return None
        return Member(id=user_id, family_id=self.family_id, role=self.role, username=self.username)


class PasswordResetRequest(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    email: EmailStr = Field(max_length=320)


class PasswordResetAccepted(BaseModel):
    """The same answer whether or not the address has an account."""

    status: Literal["accepted"] = "accepted"
    detail: str = (
        "Se l'indirizzo corrisponde a un account, ti abbiamo scritto: apri il link nell'e-mail "
        "per scegliere una nuova password."
    )


class PasswordResetConfirm(Input):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=16, max_length=200, description="From the reset link")
    password: str = Field(min_length=1, max_length=PASSWORD_MAX_LENGTH, description="The new password")

    @field_validator("password")
    @classmethod
    def _password(cls, value: str) -> str:
        # Length and block list now; the e-mail and username rule once the link names the account.
        return check_password_policy(value)
