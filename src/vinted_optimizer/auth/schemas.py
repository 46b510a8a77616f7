from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationInfo, field_validator

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
    refresh_token: str
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
