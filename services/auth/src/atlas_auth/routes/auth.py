"""Managed auth under /api/auth (Better Auth's wire): sign-up, sign-in, sign-out, get-session,
change-password.

The session cookie is ``atlas.session_token``: HttpOnly, SameSite=Lax, Path=/, 7 days, and
Secure when the request came over HTTPS (``X-Forwarded-Proto`` from the gateway), so plain
http on 127.0.0.1 works in development.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from atlas_auth.credentials import (
    SESSION_COOKIE,
    check_form_origin,
    client_ip,
    from_request,
    is_https,
)
from atlas_auth.deps import ManagedDep, SessionDep, StateDep
from atlas_auth.errors import AuthFailed, SessionExpired
from atlas_auth.managed.accounts import Client
from atlas_auth.managed.sessions import SESSION_TTL
from atlas_auth.schemas import (
    ChangePasswordBody,
    SessionAndUser,
    SignInBody,
    SignUpBody,
    Success,
    TokenAndUser,
)

router = APIRouter(prefix="/api/auth", tags=["auth"])


def _client(request: Request) -> Client:
    return Client(client_ip(request), request.headers.get("user-agent"))


def _set_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=int(SESSION_TTL.total_seconds()),
                        path="/", httponly=True, samesite="lax", secure=is_https(request))


def _clear_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=is_https(request))


@router.post("/sign-up/email")
async def sign_up(body: SignUpBody, request: Request, response: Response,
                  state: StateDep, managed: ManagedDep) -> TokenAndUser:
    check_form_origin(request, state.settings.trusted_origin_list())
    token, user = await managed.accounts.sign_up(body, _client(request))
    _set_cookie(response, request, token)
    return TokenAndUser(token=token, user=user.out())


@router.post("/sign-in/email")
async def sign_in(body: SignInBody, request: Request, response: Response,
                  state: StateDep, managed: ManagedDep) -> TokenAndUser:
    check_form_origin(request, state.settings.trusted_origin_list())
    token, user = await managed.accounts.sign_in(body, _client(request))
    _set_cookie(response, request, token)
    return TokenAndUser(token=token, user=user.out())


@router.post("/sign-out")
async def sign_out(request: Request, response: Response, state: StateDep,
                   managed: ManagedDep) -> Success:
    """Ends the presented session (idempotent) and clears the cookie."""
    try:
        auth = await state.verifier.session(from_request(request))
    except (AuthFailed, SessionExpired):
        auth = None
    if auth is not None:
        await managed.accounts.sign_out(auth.session)
    _clear_cookie(response, request)
    return Success()


@router.get("/get-session", response_model=None)
async def get_session(request: Request, response: Response, state: StateDep,
                      _: ManagedDep) -> SessionAndUser | JSONResponse:
    """``{session, user}``, or ``null`` without a live session (as Better Auth answers)."""
    try:
        auth = await state.verifier.session(from_request(request))
    except (AuthFailed, SessionExpired):
        return JSONResponse(None)
    if auth.renewed and request.cookies.get(SESSION_COOKIE):
        _set_cookie(response, request, request.cookies[SESSION_COOKIE])
    return SessionAndUser(session=auth.session.out(), user=auth.user.out())


@router.post("/change-password")
async def change_password(body: ChangePasswordBody, request: Request, auth: SessionDep,
                          managed: ManagedDep) -> Success:
    """The signed-in user's own password; other sessions end unless
    ``revokeOtherSessions`` is false."""
    await managed.accounts.change_password(auth.session, auth.user, body, _client(request))
    return Success()
