"""The signed-in person's own account: choosing a new password."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import TypeAdapter, ValidationError

from api.auth import sessions, signin
from api.auth.models import UserAccount
from api.auth.schemas import Password
from api.auth.throttle import TooManyAttempts
from api.core.errors import InvalidInput
from api.core.schemas import SINGLE_LINE
from api.deps import SessionDep, SettingsDep
from web import auth
from web.templating import render

router = APIRouter()

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
