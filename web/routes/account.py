"""The signed-in person's own account: My account (the calendar feed's secret link and its reset,
the download of their data, and the way to their password and email settings), and choosing a
new password.

The feed link and the download go through the same service functions as the API's
GET /me/calendar, POST /me/calendar/reset and GET /me/export (api/meetings/calendar.py,
api/privacy.py), so both doors give the same link and the same file, and both are audited.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import TypeAdapter, ValidationError

from api import authz, privacy
from api.auth import sessions, signin
from api.auth.models import UserAccount
from api.auth.schemas import Password
from api.auth.throttle import TooManyAttempts
from api.authz import Subject
from api.core.errors import InvalidInput
from api.core.schemas import SINGLE_LINE
from api.deps import SessionDep, SettingsDep
from api.meetings import calendar
from api.registry.models import Stakeholder
from web import auth
from web.confirming import confirm_page
from web.templating import render

router = APIRouter()

OwnAccountChange = Annotated[Subject, Depends(auth.csrf_protected(authz.is_person))]
# Messages after a change (the redirect names one, never free text from the URL).
NOTICES = {"calendar-reset": "Your calendar link has been reset. The old link no longer works: "
                             "add the new one to your calendar app."}


def _feed_url(request: Request, token: str) -> str:
    # The API's own route for the feed, so that both doors give the same link.
    return str(request.url_for("my_calendar").include_query_params(token=token))


@router.get("/account")
def my_account(request: Request, session: SessionDep, settings: SettingsDep, subject: auth.SignedIn,
               done: Annotated[str | None, Query(max_length=20)] = None):
    user = session.get(UserAccount, int(subject.id))
    feed = _feed_url(request, calendar.feed_token(settings, user))
    person = session.get(Stakeholder, user.stakeholder_id) if user.stakeholder_id else None
    return render(request, "pages/account/index.html", {
        "title": "My account", "nav": "account", "account": user, "person": person, "feed_url": feed,
        "webcal_url": "webcal://" + feed.split("://", 1)[1], "notice": NOTICES.get(done or "")})


@router.get("/account/calendar/reset")
def reset_calendar_page(request: Request, _: auth.SignedIn):
    return confirm_page(
        request, title="Reset your calendar link", question="Reset your calendar link?",
        details=["Your calendar app stops getting your meetings from the old link at once, and so does anyone "
                 "else who has it.",
                 "You then add the new link to your calendar app, in place of the old one."],
        action="/account/calendar/reset", button="Reset the link", cancel="/account#calendar",
        caption="My account", crumbs=[("/account", "My account")], back="Back to My account")


@router.post("/account/calendar/reset")
def reset_calendar(request: Request, session: SessionDep, settings: SettingsDep, subject: OwnAccountChange):
    user = session.get(UserAccount, int(subject.id))
    calendar.reset_feed_token(session, settings, actor=subject, user=user)
    # No #fragment: a browser arriving at one takes focus from the notice, which app.mjs moves there
    # (and which sits in the calendar section, so the page scrolls to it all the same).
    return RedirectResponse("/account?done=calendar-reset", status_code=303)


@router.get("/account/my-data.json")
def download_my_data(session: SessionDep, subject: auth.SignedIn):
    """Everything the service holds about the person (UK GDPR right of access), as a file."""
    user = session.get(UserAccount, int(subject.id))
    data = privacy.export_personal_data(session, actor=subject, user=user)
    return JSONResponse(data, headers={"Content-Disposition": 'attachment; filename="my-ata-data.json"',
                                       "Cache-Control": "no-store"})

_new_password = TypeAdapter(Password)
Secret = Annotated[str, Form(max_length=200), SINGLE_LINE]


def _page(request: Request, subject, *, errors: dict[str, str] | None = None, status: int = 200):
    return render(request, "pages/account/password.html",
                  {"title": "Choose a new password", "errors": errors or {},
                   "required": subject.must_change_password}, status=status)


@router.get("/account/password")
def password_page(request: Request, subject: auth.OwnSignIn):
    return _page(request, subject)


@router.post("/account/password")
def change_password(request: Request, session: SessionDep, settings: SettingsDep, subject: auth.OwnSignIn,
                    current_password: Secret = "", new_password: Secret = "", confirm_password: Secret = ""):
    errors = {}
    if not current_password:
        errors["current_password"] = "Enter your current password"
    try:
        _new_password.validate_python(new_password)
    except ValidationError:
        errors["new_password"] = "Enter a new password of at least 10 characters"
    if "new_password" not in errors and confirm_password != new_password:
        errors["confirm_password"] = "The new passwords do not match"
    if not errors:
        user = session.get(UserAccount, int(subject.id))
        try:
            signin.change_password(request, session, user=user, current=current_password, new=new_password,
                                   channel="web")
        except TooManyAttempts as exc:
            response = _page(request, subject, errors={"current_password": exc.detail.rstrip(".")}, status=429)
            response.headers["Retry-After"] = exc.headers["Retry-After"]
            return response
        except InvalidInput as exc:
            field = exc.errors[0]["loc"][-1]
            errors[field] = exc.detail.rstrip(".")
        else:
            # The change ended every session of this person, this one included: start afresh.
            key, _ = sessions.start(session, user=user, replacing=request.cookies.get(auth.SESSION_COOKIE))
            response = RedirectResponse("/", status_code=303)
            auth.set_session_cookie(response, request, settings, key)
            return response
    return _page(request, subject, errors=errors, status=422)
