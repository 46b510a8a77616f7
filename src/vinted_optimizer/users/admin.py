"""The instance administrator: created from the command line, outside any family."""

from __future__ import annotations

from pydantic import EmailStr, TypeAdapter

from vinted_optimizer.auth import repository
from vinted_optimizer.auth.policy import check_password_policy, normalise_username
from vinted_optimizer.config import Settings
from vinted_optimizer.kit import audit
from vinted_optimizer.kit.db import create_engine, create_sessionmaker
from vinted_optimizer.kit.security import Passwords
from vinted_optimizer.models import User


async def create_instance_admin(
    database_url: str, settings: Settings, *, email: str, username: str, password: str
) -> User:
    email = str(TypeAdapter(EmailStr).validate_python(email))
    username = normalise_username(username)
    check_password_policy(password, email=email, username=username)
    engine = create_engine(database_url, pool_size=1)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            if await repository.email_taken(session, email) or await repository.username_taken(
                session, username
            ):
                raise ValueError("E-mail o nome utente già in uso / e-mail or username already taken.")
            user = User(
                email=email,
                username=username,
                password_argon2=await Passwords(settings).hash(password),
                role="member",
                is_instance_admin=True,
                family_id=None,
            )
            session.add(user)
            await session.flush()
            await audit.record(
                session,
                "admin.created",
                context=None,
                user_id=user.id,
                resource_type="user",
                resource_id=user.id,
                metadata={"via": "cli"},
            )
        return user
    finally:
        await engine.dispose()
