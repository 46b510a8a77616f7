"""Account rules shared by registration and profile changes."""

from __future__ import annotations

import re

from vinted_optimizer.kit.errors import DomainError

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,39}$")
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128
# The most common passwords (and Italian favourites) are refused whatever their length.
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "12345678910",
        "0123456789",
        "password123",
        "password1234",
        "qwertyuiop",
        "passwordpassword",
        "iloveyou123",
        "1q2w3e4r5t",
        "qwerty12345",
        "abcdefghij",
        "1111111111",
        "0000000000",
        "password12",
        "forzajuve1",
        "forzainter",
        "forzamilan",
        "ciaociao123",
        "ciao123456",
        "juventus123",
        "napoli1926",
        "vinted1234",
        "vintedvinted",
        "amoremio123",
        "passw0rd123",
        "administrator",
        "aaaaaaaaaa",
        "asdfghjkl1",
        "zxcvbnm123",
    }
)


def check_password_policy(password: str, *, email: str | None = None, username: str | None = None) -> str:
    """NIST-style policy: length and a block list, no composition rules. Returns the password or raises."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ValueError(f"La password deve avere almeno {PASSWORD_MIN_LENGTH} caratteri.")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise ValueError(f"La password può avere al massimo {PASSWORD_MAX_LENGTH} caratteri.")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        raise ValueError("La password è troppo comune: scegline una meno prevedibile.")
    for personal in (email, email.split("@")[0] if email else None, username):
        if personal and len(personal) >= 4 and personal.lower() in lowered:
            raise ValueError("La password non può contenere la tua e-mail o il tuo nome utente.")
    return password


class PasswordRejected(DomainError):
    """The password policy, checked where the account's e-mail and username are known: a 422 that names
    the form's field, so the dashboard shows the message under it."""

    status_code = 422
    code = "validation_error"
    default_detail = "Questa password non è accettabile."

    def __init__(self, detail: str, *, field: str) -> None:
        super().__init__(detail)
        self.field = field


def enforce_password_policy(password: str, *, email: str, username: str, field: str) -> None:
    """``check_password_policy`` for a service: its message becomes a 422 on ``field``."""
    try:
        check_password_policy(password, email=email, username=username)
    except ValueError as error:
        raise PasswordRejected(str(error), field=field) from None


def normalise_username(value: str) -> str:
    value = value.strip()
    if not USERNAME_PATTERN.match(value):
        raise ValueError(
            "Il nome utente deve avere da 3 a 40 caratteri: "
            "lettere, numeri, punto, trattino o trattino basso."
        )
    return value
