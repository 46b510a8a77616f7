from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import Body, Cookie, Header, Response, status
from fastapi.responses import JSONResponse

from vinted_optimizer.auth import service
from vinted_optimizer.auth.dependencies import Claims, CurrentUser, Tools
from vinted_optimizer.auth.schemas import (
    AuthResponse,
    InvitationLookup,
    InvitationPreview,
    LoginRequest,
    PasswordResetAccepted,
    PasswordResetConfirm,
    PasswordResetRequest,
    RefreshRequest,
    RegisterRequest,
    SessionRead,
    SignupCompletion,
    SignupPending,
    TokenPair,
)
from vinted_optimizer.kit.context import Context
from vinted_optimizer.kit.db import DbSession, utcnow
from vinted_optimizer.kit.email import smtp_configured
from vinted_optimizer.kit.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    Gone,
    NotFound,
    TooManyRequests,
    Unauthorized,
    responses,
)
from vinted_optimizer.kit.queue import JobsAfterCommit
from vinted_optimizer.kit.routing import DomainRouter
from vinted_optimizer.kit.signing import DEVICE_COOKIE, DEVICE_LIFETIME_SECONDS
from vinted_optimizer.models import User
from vinted_optimizer.resources import Res
from vinted_optimizer.users import service as users
from vinted_optimizer.users.schemas import UserRead

router = DomainRouter(prefix="/auth", tags=["auth"])

REFRESH_COOKIE = "vo_refresh"
REFRESH_COOKIE_PATH = "/api/v1/auth"

RefreshCookie = Annotated[str | None, Cookie(alias=REFRESH_COOKIE, include_in_schema=False)]
DeviceCookie = Annotated[str | None, Cookie(alias=DEVICE_COOKIE, include_in_schema=False)]
RefreshBody = Annotated[RefreshRequest | None, Body()]
# An API client that cannot keep cookies asks for the refresh token in the JSON, explicitly.
RefreshInBody = Annotated[
    Literal["body"] | None,
    Header(alias="X-Refresh-Token", description="`body`: return the refresh token in the JSON too"),
]


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


def _signed_in(
    response: Response, resources: Res, signed_in: service.SignedIn, *, in_body: bool
) -> AuthResponse:
    _set_refresh_cookie(response, resources, signed_in.tokens)
    _set_device_cookie(response, resources, signed_in.device_cookie)
    return _auth_response(signed_in.user, signed_in.tokens, in_body=in_body)


def _clear_refresh_cookie(response: Response, resources: Res) -> None:
    response.delete_cookie(
        REFRESH_COOKIE,
        path=REFRESH_COOKIE_PATH,
        httponly=True,
        secure=resources.settings.cookie_secure,
        samesite="strict",
    )


def _token_pair(tokens: service.IssuedTokens, *, in_body: bool) -> TokenPair:
    return TokenPair(
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
        refresh_token=tokens.refresh_token if in_body else None,
        refresh_expires_at=tokens.refresh_expires_at,
        session_id=tokens.session_id,
    )


def _auth_response(user: User, tokens: service.IssuedTokens, *, in_body: bool) -> AuthResponse:
    return AuthResponse(
        user=UserRead.model_validate(user), **_token_pair(tokens, in_body=in_body).model_dump()
    )


@router.post(
    "/register",
    operation_id="auth:register",
    status_code=status.HTTP_201_CREATED,
    response_model=AuthResponse,
    responses={
        202: {"model": SignupPending, "description": "Open sign-up: completed by the e-mailed link"},
        **responses(BadRequest, Forbidden, NotFound, Conflict, Gone, TooManyRequests),
    },
    summary="Create an account as the sign-up policy allows: with an invitation, the first family, by e-mail",
)
async def register(
    data: RegisterRequest,
    session: DbSession,
    resources: Res,
    tools: Tools,
    context: Context,
    response: Response,
    jobs: JobsAfterCommit,
    refresh_in_body: RefreshInBody = None,
) -> AuthResponse | JSONResponse:
    outcome = await service.register(session, tools, data, context, jobs)
    if isinstance(outcome, service.SignupStarted):
        return JSONResponse(SignupPending().model_dump(), status_code=status.HTTP_202_ACCEPTED)
    return _signed_in(response, resources, outcome, in_body=refresh_in_body == "body")


@router.post(
    "/register/complete",
    operation_id="auth:complete_registration",
    status_code=status.HTTP_201_CREATED,
    response_model=AuthResponse,
    responses=responses(Forbidden, Conflict, Gone, TooManyRequests),
    summary="Complete an open sign-up with the token of its e-mailed link",
)
async def complete_registration(
    data: SignupCompletion,
    session: DbSession,
    resources: Res,
    tools: Tools,
    context: Context,
    response: Response,
    refresh_in_body: RefreshInBody = None,
) -> AuthResponse:
    signed_in = await service.complete_signup(session, tools, data, context)
    return _signed_in(response, resources, signed_in, in_body=refresh_in_body == "body")


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
    refresh_in_body: RefreshInBody = None,
) -> AuthResponse:
    signed_in = await service.login(session, tools, data, context, device_cookie=device)
    return _signed_in(response, resources, signed_in, in_body=refresh_in_body == "body")


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
    refresh_in_body: RefreshInBody = None,
) -> TokenPair:
    from_body = data.refresh_token if data else None
    tokens = await service.refresh(session, tools, from_body or cookie, context)
    _set_refresh_cookie(response, resources, tokens)
    # A client that sent the token in the body holds it itself: it gets the next one the same way.
    return _token_pair(tokens, in_body=refresh_in_body == "body" or from_body is not None)


@router.post(
    "/logout",
    operation_id="auth:logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End this session (named by the refresh token or the access token); never needs to succeed twice",
)
async def logout(
    session: DbSession,
    resources: Res,
    tools: Tools,
    context: Context,
    # Optional, and not a security requirement: signing out always answers 204, with or without it.
    authorization: Annotated[str | None, Header(max_length=4096)] = None,
    cookie: RefreshCookie = None,
    data: RefreshBody = None,
) -> Response:
    scheme, _, token = (authorization or "").partition(" ")
    await service.logout(
        session,
        tools,
        refresh_token=(data.refresh_token if data else None) or cookie,
        access_token=token.strip() if scheme.lower() == "bearer" and token.strip() else None,
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


@router.post(
    "/password-reset",
    operation_id="auth:request_password_reset",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=PasswordResetAccepted,
    responses=responses(service.EmailNotConfigured, TooManyRequests),
    summary="E-mail a password reset link; the same answer whether or not the address has an account",
)
async def request_password_reset(
    data: PasswordResetRequest, resources: Res, tools: Tools, context: Context
) -> PasswordResetAccepted:
    await service.request_password_reset(
        tools,
        resources.queue,
        email=str(data.email),
        email_enabled=smtp_configured(resources.settings),
        context=context,
    )
    return PasswordResetAccepted()


@router.post(
    "/password-reset/confirm",
    operation_id="auth:confirm_password_reset",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(Gone),
    summary="Set a new password with a reset link's token; every session of the account is revoked",
)
async def confirm_password_reset(
    data: PasswordResetConfirm, session: DbSession, tools: Tools, context: Context
) -> Response:
    await service.reset_password(session, tools, data, context)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
