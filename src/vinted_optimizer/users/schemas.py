from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from vinted_optimizer.kit.schemas import CONTROL_CHARACTERS_MESSAGE, Input, has_control_characters
from vinted_optimizer.users.policy import normalise_username

MAX_PREFERENCES_BYTES = 8_192


class FamilyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: EmailStr
    username: str
    role: Literal["admin", "member"]
    is_instance_admin: bool
    family: FamilyRead | None
    preferences: dict[str, Any]
    vinted_linked: bool = Field(description="Whether a Vinted session is stored; the session itself never is")
    vinted_status: Literal["linked", "dead", "not_linked"] = Field(
        description="linked; dead (Vinted ended the session: link again); not_linked"
    )
    vinted_user_id: int | None = Field(description="Vinted's id of the linked account, when known")
    created_at: datetime


class NotificationPreferences(Input):
    """Which notifications a member is e-mailed (the family's feed shows them all). A kind left out of an
    update keeps its setting; one never set is on."""

    model_config = ConfigDict(extra="forbid")

    sale_recorded: StrictBool = Field(default=True, description="A sale recorded in the family")
    parcel_delivered: StrictBool = Field(default=True, description="A parcel delivered")
    parcel_trouble: StrictBool = Field(
        default=True, description="A parcel in trouble: failed delivery, exception, returned"
    )
    vinted_relink: StrictBool = Field(
        default=True, description="My Vinted session ended and needs linking again (only to me)"
    )


class PreferencesUpdate(Input):
    """The preferences to change (each key replaces the stored one, except ``notifications``, which is
    merged kind by kind). Other keys are the dashboard's own (``language``, ``theme``…)."""

    model_config = ConfigDict(extra="allow")

    notifications: NotificationPreferences = Field(default_factory=NotificationPreferences)

    @model_validator(mode="after")
    def _no_control_characters_in_the_rest(self) -> PreferencesUpdate:
        # The other keys are not fields: Input's check does not see them.
        if has_control_characters(self.model_extra or {}):
            raise PydanticCustomError("control_characters", CONTROL_CHARACTERS_MESSAGE)
        return self

    def changes(self) -> dict[str, Any]:
        """What was sent: the keys given, and of ``notifications`` only the kinds given."""
        return self.model_dump(exclude_unset=True)


class UserUpdate(Input):
    """All optional. Changing e-mail or password needs the current password."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    username: str | None = Field(default=None, min_length=3, max_length=40)
    email: EmailStr | None = Field(default=None, max_length=320)
    preferences: PreferencesUpdate | None = None
    current_password: str | None = Field(default=None, min_length=1, max_length=128)
    new_password: str | None = Field(default=None, min_length=1, max_length=128)

    @field_validator("username")
    @classmethod
    def _username(cls, value: str | None) -> str | None:
        return normalise_username(value) if value is not None else None

    @field_validator("preferences")
    @classmethod
    def _preferences_size(cls, value: PreferencesUpdate | None) -> PreferencesUpdate | None:
        if value is not None and len(json.dumps(value.changes())) > MAX_PREFERENCES_BYTES:
            raise ValueError(f"Le preferenze superano {MAX_PREFERENCES_BYTES} byte.")
        return value


class AccountDelete(Input):
    password: str = Field(min_length=1, max_length=128, description="Confirm with the current password")


class VintedSessionLink(Input):
    """The cookies of a logged-in Vinted session, copied from the browser."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    access_token_web: str = Field(min_length=20, max_length=4096)
    refresh_token_web: str = Field(min_length=20, max_length=4096)
    vinted_user_id: StrictInt | None = Field(default=None, ge=1, le=2**53)
    domain: Literal["it", "fr", "es", "de", "co.uk", "pl", "be", "nl", "pt", "at", "lu"] = "it"

    @field_validator("access_token_web", "refresh_token_web")
    @classmethod
    def _cookie_value(cls, value: str) -> str:
        if any(ch.isspace() or ch in ';,"\\' for ch in value):
            raise ValueError(
                "Il valore del cookie contiene caratteri non ammessi (spazi, ';', ',' o virgolette)."
            )
        return value


class MemberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str
    email: EmailStr
    role: Literal["admin", "member"]
    is_active: bool
    created_at: datetime


class InvitationCreate(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    email: EmailStr = Field(max_length=320)
    role: Literal["admin", "member"] = "member"


class NewFamilyInvitation(Input):
    """The instance administrator invites the first member (and admin) of a new family."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    email: EmailStr = Field(max_length=320)
    family_name: str = Field(min_length=1, max_length=120)


class InvitationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: EmailStr
    role: Literal["admin", "member"]
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None


class InvitationCreated(InvitationRead):
    token: str = Field(description="Single-use; shown once, only to the admin who invited")
    invite_url: str
    emailed: bool


class FamilyOverview(BaseModel):
    id: uuid.UUID
    name: str
    members: list[MemberRead]
    pending_invitations: list[InvitationRead]


class PasswordResetLink(BaseModel):
    """A family admin's reset link for a member: shown once, to copy and hand over."""

    user_id: uuid.UUID
    reset_url: str
    token: str = Field(description="Single-use; shown once, only to the admin who created it")
    expires_at: datetime
