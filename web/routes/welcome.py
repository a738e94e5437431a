"""The link in an account invitation: the person chooses their password and is signed in.

Nobody is signed in yet, so the form is protected as the sign-in form is (a nonce cookie and a
token bound to it); the link's token travels in the form too. Wrong or dead links count as
failed sign-ins (api/auth/throttle), so links cannot be guessed at speed."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import TypeAdapter, ValidationError

from api.auth import invitations, sessions
from api.auth.schemas import Password
from api.auth.throttle import TooManyAttempts, ensure_allowed, record_failure
from api.core.schemas import SINGLE_LINE
from api.deps import SessionDep, SettingsDep
from web import auth
from web.routes.sign_in import SIGN_IN_NONCE_SECONDS
from web.templating import render

router = APIRouter()

_password = TypeAdapter(Password)
Secret = Annotated[str, Form(max_length=200), SINGLE_LINE]
Token = Annotated[str, Form(max_length=200)]
DEAD = "This link has expired or has already been used. Ask an administrator to send a new one."


def _identity(token: str) -> str:
    # Counted per account the link names (and per address, as every sign-in failure is).
    return f"invitation:{token.partition('.')[0][:20]}"


def _dead(request: Request, *, status: int = 400, retry_after: str | None = None):
    response = render(request, "pages/account/welcome.html",
                      {"title": "Link not valid", "dead": DEAD, "errors": {}}, status=status)
    response.headers["Cache-Control"] = "no-store"
    if retry_after:
        response.headers["Retry-After"] = retry_after
    return response


def _check(request: Request, session, settings, token: str):
    """The account, or the page to answer with instead."""
    try:
        ensure_allowed(request, _identity(token))
    except TooManyAttempts as exc:
        return None, _dead(request, status=429, retry_after=exc.headers["Retry-After"])
    try:
        return invitations.check(session, settings, token), None
    except invitations.InvalidInvitation:
        record_failure(request, _identity(token))
        return None, _dead(request)


def _form(request: Request, settings, *, token: str, email: str, errors: dict[str, str] | None = None,
          status: int = 200):
    nonce = auth.sign_in_nonce(request)
    response = render(request, "pages/account/welcome.html", {
        "title": "Choose your password", "token": token, "email": email, "errors": errors or {},
        "sign_in_token": auth.sign_in_token(settings, nonce),
    }, status=status)
    response.headers["Cache-Control"] = "no-store"
    auth.set_cookie(response, request, settings, auth.SIGN_IN_COOKIE, nonce, SIGN_IN_NONCE_SECONDS)
    return response


@router.get("/account/welcome")
def welcome_page(request: Request, session: SessionDep, settings: SettingsDep,
                 token: Annotated[str, Query(max_length=200)] = ""):
    user, refused = _check(request, session, settings, token)
    if refused is not None:
        return refused
    return _form(request, settings, token=token, email=user.email)


@router.post("/account/welcome")
async def choose_password(request: Request, session: SessionDep, settings: SettingsDep, token: Token = "",
                          new_password: Secret = "", confirm_password: Secret = ""):
    await auth.check_sign_in_csrf(request, settings)
    user, refused = _check(request, session, settings, token)
    if refused is not None:
        return refused
    errors = {}
    try:
        _password.validate_python(new_password)
    except ValidationError:
        errors["new_password"] = "Enter a new password of at least 10 characters"
    if "new_password" not in errors and confirm_password != new_password:
        errors["confirm_password"] = "The new passwords do not match"
    if errors:
        return _form(request, settings, token=token, email=user.email, errors=errors, status=422)
    user = invitations.accept(session, settings, token, new_password)
    key, _ = sessions.start(session, user=user, replacing=request.cookies.get(auth.SESSION_COOKIE))
    response = RedirectResponse("/?done=welcome", status_code=303)
    auth.set_session_cookie(response, request, settings, key)
    response.delete_cookie(auth.SIGN_IN_COOKIE, path="/")
    return response
