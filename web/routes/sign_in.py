"""Sign in and sign out (people only: partner clients have no web sign-in)."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse

from api.audit import service as audit
from api.auth import sessions, signin
from api.auth.throttle import TooManyAttempts
from api.core.schemas import has_control_characters
from api.deps import SessionDep, SettingsDep
from web import auth
from web.forms import safe_next
from web.templating import render

router = APIRouter()

SIGN_IN_NONCE_SECONDS = 3600


def _form(request: Request, settings, *, next_path: str, email: str = "", errors: dict[str, str] | None = None,
          status: int = 200):
    nonce = auth.sign_in_nonce(request)
    response = render(request, "pages/login.html", {
        "title": "Sign in", "next": next_path, "email": email, "errors": errors or {},
        "sign_in_token": auth.sign_in_token(settings, nonce),
    }, status=status)
    auth.set_cookie(response, request, settings, auth.SIGN_IN_COOKIE, nonce, SIGN_IN_NONCE_SECONDS)
    return response


def _minutes(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


@router.get("/login")
def login_page(request: Request, settings: SettingsDep, next: Annotated[str | None, Query(max_length=500)] = None):
    return _form(request, settings, next_path=safe_next(next))


@router.post("/login")
async def login(request: Request, session: SessionDep, settings: SettingsDep,
                email: Annotated[str, Form(max_length=254)] = "", password: Annotated[str, Form(max_length=200)] = "",
                next: Annotated[str, Form(max_length=500)] = "/"):
    await auth.check_sign_in_csrf(request, settings)
    next_path = safe_next(next)
    email = email.strip()
    errors = {}
    if not email:
        errors["email"] = "Enter your email address"
    if not password:
        errors["password"] = "Enter your password"
    # Refused here, before the sign-in (which would look the text up, and count a failure).
    if has_control_characters(email):
        email, errors["email"] = "", "Enter an email address in the correct format, like name@example.org"
    if has_control_characters(password):
        errors["password"] = "The password must not contain control characters"
    if errors:
        return _form(request, settings, next_path=next_path, email=email, errors=errors, status=422)
    try:
        user = signin.sign_in(request, session, email=email, password=password, channel="web")
    except TooManyAttempts as exc:
        wait = _minutes(int(exc.headers["Retry-After"]))
        response = _form(request, settings, next_path=next_path, email=email, status=429,
                         errors={"email": f"Too many failed sign-in attempts. Try again in {wait}."})
        response.headers["Retry-After"] = exc.headers["Retry-After"]
        return response
    if user is None:
        return _form(request, settings, next_path=next_path, email=email, status=401,
                     errors={"email": "The email address or password is not right"})
    key, _ = sessions.start(session, user=user, replacing=request.cookies.get(auth.SESSION_COOKIE))
    response = RedirectResponse(next_path, status_code=303)
    auth.set_session_cookie(response, request, settings, key)
    response.delete_cookie(auth.SIGN_IN_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, subject: auth.OwnSignIn):
    sessions.end(session, request.cookies[auth.SESSION_COOKIE])
    audit.record(session, actor=subject, action="auth.sign_out", entity_type="user", entity_id=subject.id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response
