"""Authorisation as typed dependencies: CurrentUser, CurrentMember, FamilyAdmin, InstanceAdmin."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from vinted_optimizer.auth import repository
from vinted_optimizer.auth.service import is_session_revoked
from vinted_optimizer.kit.context import client_ip
from vinted_optimizer.kit.db import DbSession
from vinted_optimizer.kit.errors import Forbidden, Unauthorized
from vinted_optimizer.kit.resources import Res
from vinted_optimizer.kit.security import AccessClaims, InvalidAccessToken
from vinted_optimizer.models import User

bearer = HTTPBearer(auto_error=False, description="Access token from /auth/login or /auth/refresh")


async def rate_limit_ip(request: Request, resources: Res) -> None:
    """Applied to every /api/v1 route."""
    await resources.rate_limits.hit(resources.rate_limits.per_ip, "ip", client_ip(request) or "unknown")


async def access_claims(
    resources: Res, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> AccessClaims:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("Accedi per continuare.")
    try:
        claims = resources.tokens.decode(credentials.credentials)
    except InvalidAccessToken:
        raise Unauthorized("Token non valido o scaduto.", headers={"X-Token-Expired": "1"}) from None
    if await is_session_revoked(resources, claims.session_id):
        raise Unauthorized("Sessione revocata: accedi di nuovo.")
    return claims


Claims = Annotated[AccessClaims, Depends(access_claims)]


async def current_user(request: Request, session: DbSession, resources: Res, claims: Claims) -> User:
    user = await repository.user_by_id(session, claims.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("Account non più attivo.")
    await resources.rate_limits.hit(resources.rate_limits.per_user, "user", str(user.id))
    request.state.user_id = user.id
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def current_member(user: CurrentUser) -> User:
    if user.family_id is None:
        raise Forbidden("Questa funzione è per i membri di una famiglia.")
    return user


CurrentMember = Annotated[User, Depends(current_member)]


async def family_admin(user: CurrentMember) -> User:
    if user.role != "admin":
        raise Forbidden("Solo l'amministratore della famiglia può farlo.")
    return user


FamilyAdmin = Annotated[User, Depends(family_admin)]


async def instance_admin(user: CurrentUser) -> User:
    if not user.is_instance_admin:
        raise Forbidden("Solo l'amministratore dell'istanza può farlo.")
    return user


InstanceAdmin = Annotated[User, Depends(instance_admin)]
