from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Cookie, Depends, Response, status
from fastapi.security import HTTPAuthorizationCredentials

from vinted_optimizer.auth import repository, service
from vinted_optimizer.auth.dependencies import Claims, CurrentUser, bearer
from vinted_optimizer.auth.schemas import (
    AuthResponse,
    InvitationLookup,
    InvitationPreview,
    LoginRequest,
    RefreshRequest,
    RegisterRequest,
    SessionRead,
    TokenPair,
)
from vinted_optimizer.kit.context import Context
from vinted_optimizer.kit.db import DbSession, utcnow
from vinted_optimizer.kit.errors import (
    BadRequest,
    Conflict,
    Gone,
    NotFound,
    TooManyRequests,
    Unauthorized,
    responses,
)
from vinted_optimizer.kit.resources import Res
from vinted_optimizer.kit.security import InvalidAccessToken
from vinted_optimizer.models import User
from vinted_optimizer.users.schemas import UserRead

router = APIRouter(prefix="/auth", tags=["auth"])

REFRESH_COOKIE = "vo_refresh"
REFRESH_COOKIE_PATH = "/api/v1/auth"

RefreshCookie = Annotated[str | None, Cookie(alias=REFRESH_COOKIE, include_in_schema=False)]


def _set_refresh_cookie(response: Response, resources: Res, tokens: service.IssuedTokens) -> None:
    response.set_cookie(
        REFRESH_COOKIE,
        tokens.refresh_token,
        max_age=int((tokens.refresh_expires_at - utcnow()).total_seconds()),
        path=REFRESH_COOKIE_PATH,
        httponly=True,
        secure=resources.settings.cookie_secure,
        samesite="strict",
    )


def _clear_refresh_cookie(response: Response, resources: Res) -> None:
    response.delete_cookie(
        REFRESH_COOKIE,
        path=REFRESH_COOKIE_PATH,
        httponly=True,
        secure=resources.settings.cookie_secure,
        samesite="strict",
    )


def _token_pair(tokens: service.IssuedTokens) -> dict:
    return {
        "access_token": tokens.access_token,
        "expires_in": tokens.expires_in,
        "refresh_token": tokens.refresh_token,
        "refresh_expires_at": tokens.refresh_expires_at,
        "session_id": tokens.session_id,
    }


def _auth_response(user: User, tokens: service.IssuedTokens) -> AuthResponse:
    return AuthResponse(user=UserRead.model_validate(user), **_token_pair(tokens))


@router.post(
    "/register",
    operation_id="auth:register",
    status_code=status.HTTP_201_CREATED,
    response_model=AuthResponse,
    responses=responses(BadRequest, NotFound, Conflict, Gone, TooManyRequests),
    summary="Create an account: a new family, or join one with an invitation",
)
async def register(
    data: RegisterRequest, session: DbSession, resources: Res, context: Context, response: Response
) -> AuthResponse:
    user, tokens = await service.register(session, resources, data, context)
    _set_refresh_cookie(response, resources, tokens)
    return _auth_response(user, tokens)


@router.post(
    "/invitation",
    operation_id="auth:preview_invitation",
    response_model=InvitationPreview,
    responses=responses(NotFound, Gone),
    summary="What an invitation link is for (family, e-mail, role), before registering with it",
)
async def preview_invitation(data: InvitationLookup, session: DbSession) -> InvitationPreview:
    invitation, family = await service.preview_invitation(session, data.token)
    return InvitationPreview(
        family_name=family.name,
        email=invitation.email,
        role=invitation.role,
        expires_at=invitation.expires_at,
    )


@router.post(
    "/login",
    operation_id="auth:login",
    response_model=AuthResponse,
    responses=responses(Unauthorized, TooManyRequests),
)
async def login(
    data: LoginRequest, session: DbSession, resources: Res, context: Context, response: Response
) -> AuthResponse:
    user, tokens = await service.login(session, resources, data, context)
    _set_refresh_cookie(response, resources, tokens)
    return _auth_response(user, tokens)


@router.post(
    "/refresh",
    operation_id="auth:refresh",
    response_model=TokenPair,
    responses=responses(Unauthorized),
    summary="Rotate the refresh token (cookie or body) and get a new access token",
)
async def refresh(
    session: DbSession,
    resources: Res,
    context: Context,
    response: Response,
    cookie: RefreshCookie = None,
    data: Annotated[RefreshRequest | None, Body()] = None,
) -> TokenPair:
    raw = (data.refresh_token if data else None) or cookie
    tokens = await service.refresh(session, resources, raw, context)
    _set_refresh_cookie(response, resources, tokens)
    return TokenPair(**_token_pair(tokens))


@router.post(
    "/logout",
    operation_id="auth:logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End this session (identified by the refresh token or the access token)",
)
async def logout(
    session: DbSession,
    resources: Res,
    context: Context,
    response: Response,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    cookie: RefreshCookie = None,
    data: Annotated[RefreshRequest | None, Body()] = None,
) -> Response:
    raw = (data.refresh_token if data else None) or cookie
    auth_session = await service.session_of_refresh_token(session, raw) if raw else None
    if auth_session is None and credentials is not None:
        try:
            claims = resources.tokens.decode(credentials.credentials)
            auth_session = await repository.auth_session(session, claims.session_id)
        except InvalidAccessToken:
            auth_session = None
    if auth_session is not None:
        user = await repository.user_by_id(session, auth_session.user_id)
        await service.revoke_session(
            session,
            resources,
            auth_session,
            action="auth.logout",
            reason="logout",
            context=context,
            family_id=user.family_id if user else None,
        )
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    _clear_refresh_cookie(response, resources)
    return response


@router.get(
    "/sessions",
    operation_id="auth:list_sessions",
    response_model=list[SessionRead],
    responses=responses(Unauthorized),
)
async def list_sessions(session: DbSession, user: CurrentUser, claims: Claims) -> list[SessionRead]:
    sessions = await repository.active_sessions(session, user.id, utcnow())
    return [
        SessionRead.model_validate(s).model_copy(update={"current": s.id == claims.session_id})
        for s in sessions
    ]


@router.delete(
    "/sessions/{jti}",
    operation_id="auth:revoke_session",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(Unauthorized, NotFound),
    summary="Revoke one of my sessions (sign out that device)",
)
async def revoke_session(
    jti: uuid.UUID, session: DbSession, resources: Res, user: CurrentUser, context: Context
) -> Response:
    await service.revoke_my_session(session, resources, user, jti, context)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
