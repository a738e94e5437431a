"""Sign in and sign out (people only: partner clients have no web sign-in), and carrying on
with a form whose session ended before it was sent (web/drafts.py)."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.routing import Match

from api.audit import service as audit
from api.auth import sessions, signin
from api.auth.throttle import TooManyAttempts
from api.core.schemas import has_control_characters
from api.deps import SessionDep, SettingsDep
from web import auth, drafts
from web.forms import safe_next
from web.templating import render

router = APIRouter()

SIGN_IN_NONCE_SECONDS = 3600


def landing(request: Request, path: str | None) -> str:
    """Where to go after signing in: a page of this site that answers GET. A form's address
    (POST only) would meet "Method Not Allowed", so its nearest page up the path is used instead."""
    path = safe_next(path)
    base, _, query = path.partition("?")
    while base not in ("", "/"):
        scope = {"type": "http", "method": "GET", "path": base, "root_path": ""}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            return base + (f"?{query}" if query else "")
        base, query = base.rsplit("/", 1)[0], ""
    return "/"


def _form(request: Request, settings, *, next_path: str, email: str = "", errors: dict[str, str] | None = None,
          status: int = 200, draft: str | None = None, ended: bool = False, files_dropped: bool = False,
          full: bool = False, nonce: str | None = None):
    """The sign-in page; `ended`: the session ended as a form was sent, and `draft` carries what
    was typed (or None if it was too long to keep). `full`: the whole page even for htmx (it
    replaces the page's body, web/errors.py)."""
    nonce = nonce or auth.sign_in_nonce(request)
    ctx = {"title": "Error: Sign in" if errors else "Sign in", "next": next_path, "email": email,
           "errors": errors or {}, "sign_in_token": auth.sign_in_token(settings, nonce), "draft": draft,
           "ended": ended, "files_dropped": files_dropped}
    response = render(request, "pages/login.html", ctx, status=status, **({"block": None} if full else {}))
    auth.set_cookie(response, request, settings, auth.SIGN_IN_COOKIE, nonce, SIGN_IN_NONCE_SECONDS)
    return response


def ended_mid_form(request: Request, settings) -> HTMLResponse:
    """The answer to a form sent after the session ended: the sign-in page, keeping what was typed."""
    nonce = auth.sign_in_nonce(request)
    # FastAPI parses a form's body before it resolves the sign-in dependency that failed.
    fields, dropped = drafts.kept_fields(getattr(request, "_form", None))
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    referer = request.headers.get("referer", "")
    origin = f"{request.url.scheme}://{request.url.netloc}"
    back = next((value for name, value in fields if name == "next"), None) or (
        referer[len(origin):] if referer.startswith(origin + "/") else here)
    token = drafts.seal(settings.secret_key, nonce, drafts.Draft(
        action=safe_next(here), back=landing(request, back), fields=fields, files_dropped=dropped))
    return _form(request, settings, next_path=landing(request, back), draft=token, ended=True,
                 files_dropped=dropped, status=401, full=True, nonce=nonce)


def _minutes(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


@router.get("/login")
def login_page(request: Request, settings: SettingsDep, next: Annotated[str | None, Query(max_length=500)] = None):
    return _form(request, settings, next_path=landing(request, next))


@router.post("/login")
async def login(request: Request, session: SessionDep, settings: SettingsDep,
                email: Annotated[str, Form(max_length=254)] = "", password: Annotated[str, Form(max_length=200)] = "",
                next: Annotated[str, Form(max_length=500)] = "/",
                draft: Annotated[str, Form(max_length=drafts.MAX_TOKEN)] = ""):
    await auth.check_sign_in_csrf(request, settings)
    next_path = landing(request, next)
    kept = drafts.open_sealed(settings.secret_key, request.cookies.get(auth.SIGN_IN_COOKIE, ""), draft)
    again = {"draft": draft if kept else None, "ended": bool(kept)}
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
        return _form(request, settings, next_path=next_path, email=email, errors=errors, status=422, **again)
    try:
        user = signin.sign_in(request, session, email=email, password=password, channel="web")
    except TooManyAttempts as exc:
        wait = _minutes(int(exc.headers["Retry-After"]))
        response = _form(request, settings, next_path=next_path, email=email, status=429, **again,
                         errors={"email": f"Too many failed sign-in attempts. Try again in {wait}."})
        response.headers["Retry-After"] = exc.headers["Retry-After"]
        return response
    if user is None:
        return _form(request, settings, next_path=next_path, email=email, status=401, **again,
                     errors={"email": "The email address or password is not right"})
    key, record = sessions.start(session, user=user, replacing=request.cookies.get(auth.SESSION_COOKIE))
    if kept is not None:
        # What was typed before the session ended: shown, and sent again only when they say so.
        request.state.viewer = auth.Viewer(email=user.email, is_admin=user.is_admin, csrf_token=record.csrf_token)
        response = render(request, "pages/carry_on.html", {
            "title": "Send what you typed", "draft": kept, "shown": _shown(kept.fields)})
    else:
        response = RedirectResponse(next_path, status_code=303)
    auth.set_session_cookie(response, request, settings, key)
    response.delete_cookie(auth.SIGN_IN_COOKIE, path="/")
    return response


# Fields a form carries for itself, not typed by the person: sent again but not shown.
_UNSHOWN = {"next", "was", "version", "direction", "confirmed", "close"}


def _shown(fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The typed answers to show on the "send what you typed" page, labelled from their names."""
    return [(name.removesuffix("_id").replace("_", " ").capitalize(), value) for name, value in fields
            if name not in _UNSHOWN and value.strip() and not value.strip().isdigit()]


@router.post("/logout")
def logout(request: Request, session: SessionDep, subject: auth.OwnSignIn):
    sessions.end(session, request.cookies[auth.SESSION_COOKIE])
    audit.record(session, actor=subject, action="auth.sign_out", entity_type="user", entity_id=subject.id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response
