from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Cookie, Response, status

from vinted_optimizer.auth import service
from vinted_optimizer.auth.dependencies import Bearer, Claims, CurrentUser, Tools
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
from vinted_optimizer.kit.signing import DEVICE_COOKIE, DEVICE_LIFETIME_SECONDS
from vinted_optimizer.models import User
from vinted_optimizer.resources import Res
from vinted_optimizer.users import service as users
from vinted_optimizer.users.schemas import UserRead

router = APIRouter(prefix="/auth", tags=["auth"])

REFRESH_COOKIE = "vo_refresh"
REFRESH_COOKIE_PATH = "/api/v1/auth"

RefreshCookie = Annotated[str | None, Cookie(alias=REFRESH_COOKIE, include_in_schema=False)]
DeviceCookie = Annotated[str | None, Cookie(alias=DEVICE_COOKIE, include_in_schema=False)]
RefreshBody = Annotated[RefreshRequest | None, Body()]


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


def _set_device_cookie(response: Response, resources: Res, value: str) -> None:
    """This device has signed in to this account: its owner is not slowed down by others' failures."""
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_LIFETIME_SECONDS,
        path=REFRESH_COOKIE_PATH,
        httponly=True,
        secure=resources.settings.cookie_secure,
        samesite="strict",
    )


def _signed_in(response: Response, resources: Res, signed_in: service.SignedIn) -> AuthResponse:
    _set_refresh_cookie(response, resources, signed_in.tokens)
    _set_device_cookie(response, resources, signed_in.device_cookie)
    return _auth_response(signed_in.user, signed_in.tokens)


def _clear_refresh_cookie(response: Response, resources: Res) -> None:
    response.delete_cookie(
        REFRESH_COOKIE,
        path=REFRESH_COOKIE_PATH,
        httponly=True,
        secure=resources.settings.cookie_secure,
        samesite="strict",
    )


def _token_pair(tokens: service.IssuedTokens) -> TokenPair:
    return TokenPair(
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
        refresh_token=tokens.refresh_token,
        refresh_expires_at=tokens.refresh_expires_at,
        session_id=tokens.session_id,
    )


def _auth_response(user: User, tokens: service.IssuedTokens) -> AuthResponse:
    return AuthResponse(user=UserRead.model_validate(user), **_token_pair(tokens).model_dump())


@router.post(
    "/register",
    operation_id="auth:register",
    status_code=status.HTTP_201_CREATED,
    response_model=AuthResponse,
    responses=responses(BadRequest, NotFound, Conflict, Gone, TooManyRequests),
    summary="Create an account: a new family, or join one with an invitation",
)
async def register(
    data: RegisterRequest,
    session: DbSession,
    resources: Res,
    tools: Tools,
    context: Context,
    response: Response,
) -> AuthResponse:
    return _signed_in(response, resources, await service.register(session, tools, data, context))


@router.post(
    "/invitation",
    operation_id="auth:preview_invitation",
    response_model=InvitationPreview,
    responses=responses(NotFound, Gone),
    summary="What an invitation link is for (family, e-mail, role), before registering with it",
)
async def preview_invitation(data: InvitationLookup, session: DbSession) -> InvitationPreview:
    invitation, family = await users.preview_invitation(session, data.token)
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
    data: LoginRequest,
    session: DbSession,
    resources: Res,
    tools: Tools,
    context: Context,
    response: Response,
    device: DeviceCookie = None,
) -> AuthResponse:
    signed_in = await service.login(session, tools, data, context, device_cookie=device)
    return _signed_in(response, resources, signed_in)


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
    tools: Tools,
    context: Context,
    response: Response,
    cookie: RefreshCookie = None,
    data: RefreshBody = None,
) -> TokenPair:
    raw = (data.refresh_token if data else None) or cookie
    tokens = await service.refresh(session, tools, raw, context)
    _set_refresh_cookie(response, resources, tokens)
    return _token_pair(tokens)


@router.post(
    "/logout",
    operation_id="auth:logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End this session (identified by the refresh token or the access token)",
)
async def logout(
    session: DbSession,
    resources: Res,
    tools: Tools,
    context: Context,
    credentials: Bearer,
    cookie: RefreshCookie = None,
    data: RefreshBody = None,
) -> Response:
    await service.logout(
        session,
        tools,
        refresh_token=(data.refresh_token if data else None) or cookie,
        access_token=credentials.credentials if credentials is not None else None,
        context=context,
    )
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    _clear_refresh_cookie(response, resources)
    return response


@router.get("/sessions", operation_id="auth:list_sessions", response_model=list[SessionRead])
async def list_sessions(session: DbSession, user: CurrentUser, claims: Claims) -> list[SessionRead]:
    sessions = await service.my_sessions(session, user.id)
    return [
        SessionRead.model_validate(s).model_copy(update={"current": s.id == claims.session_id})
        for s in sessions
    ]


@router.delete(
    "/sessions/{jti}",
    operation_id="auth:revoke_session",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(NotFound),
    summary="Revoke one of my sessions (sign out that device)",
)
async def revoke_session(
    jti: uuid.UUID, session: DbSession, tools: Tools, user: CurrentUser, context: Context
) -> Response:
    await service.revoke_my_session(session, tools, user, jti, context)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
