"""Authorisation as typed dependencies: CurrentUser, CurrentMember, FamilyAdmin, InstanceAdmin.

``CurrentMember`` and ``FamilyAdmin`` yield a ``kit.principal.Member`` (its ``family_id`` is never None);
``CurrentUser`` and ``InstanceAdmin`` the account row, for the endpoints about the account itself.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from vinted_optimizer.auth.lockout import LoginThrottle
from vinted_optimizer.auth.service import AuthTools, SessionStates
from vinted_optimizer.kit.context import client_ip
from vinted_optimizer.kit.db import DbSession
from vinted_optimizer.kit.email import smtp_configured
from vinted_optimizer.kit.errors import Forbidden, Unauthorized
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.kit.security import AccessClaims, ExpiredAccessToken, InvalidAccessToken
from vinted_optimizer.models import User
from vinted_optimizer.resources import Res
from vinted_optimizer.users import service as users

bearer = HTTPBearer(auto_error=False, description="Access token from /auth/login or /auth/refresh")
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def rate_limit_ip(request: Request, resources: Res) -> None:
    """Applied to every /api/v1 route."""
    await resources.rate_limits.hit(resources.rate_limits.per_ip, "ip", client_ip(request) or "unknown")


def auth_tools(resources: Res) -> AuthTools:
    return AuthTools(
        passwords=resources.passwords,
        tokens=resources.tokens,
        sessions=SessionStates(resources.redis, resources.tokens),
        rate_limits=resources.rate_limits,
        throttle=LoginThrottle(resources.redis, resources.rate_limits),
        devices=resources.devices,
        secret_box=resources.secret_box,
        registration=resources.settings.registration,
        signup_by_email=smtp_configured(resources.settings),
        refresh_days=resources.settings.refresh_token_days,
    )


Tools = Annotated[AuthTools, Depends(auth_tools)]


async def access_claims(session: DbSession, tools: Tools, credentials: Bearer) -> AccessClaims:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("Accedi per continuare.")
    try:
        claims = tools.tokens.decode(credentials.credentials)
    except ExpiredAccessToken:
        # Only a token we signed ourselves is worth refreshing: the dashboard refreshes on this header.
        raise Unauthorized("Token scaduto.", headers={"X-Token-Expired": "1"}) from None
    except InvalidAccessToken:
        raise Unauthorized("Token non valido.") from None
    if not await tools.sessions.is_active(session, claims):
        raise Unauthorized("Sessione revocata o scaduta: accedi di nuovo.")
    return claims


Claims = Annotated[AccessClaims, Depends(access_claims)]


async def current_user(session: DbSession, resources: Res, claims: Claims) -> User:
    user = await users.get(session, claims.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("Account non più attivo.")
    await resources.rate_limits.hit(resources.rate_limits.per_user, "user", str(user.id))
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def current_member(user: CurrentUser) -> Member:
    member = users.member_of(user)
    if member is None:
        raise Forbidden("Questa funzione è per i membri di una famiglia.")
    return member


CurrentMember = Annotated[Member, Depends(current_member)]
# For endpoints about the account row itself that are only for family members.
RequireMember = Depends(current_member)


async def family_admin(member: CurrentMember) -> Member:
    if not member.is_family_admin:
        raise Forbidden("Solo l'amministratore della famiglia può farlo.")
    return member


FamilyAdmin = Annotated[Member, Depends(family_admin)]


async def instance_admin(user: CurrentUser) -> User:
    if not user.is_instance_admin:
        raise Forbidden("Solo l'amministratore dell'istanza può farlo.")
    return user


InstanceAdmin = Annotated[User, Depends(instance_admin)]
