"""Administration pages: accounts (more areas join as they are built)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import TypeAdapter, ValidationError

from api import authz
from api.auth import service as auth_service
from api.auth.models import UserAccount
from api.auth.schemas import Password
from api.authz import Subject
from api.core.db import get_or_404
from api.core.errors import Conflict, InvalidInput
from api.core.pagination import PageParams
from api.core.schemas import SINGLE_LINE, Email, Id, Text
from api.deps import SessionDep, SettingsDep
from api.mail import invitations as mail_invitations
from api.registry import service as registry
from web.auth import csrf_protected, page_requires
from web.templating import render

router = APIRouter(prefix="/admin")

AccountAdmin = Annotated[Subject, Depends(page_requires(authz.may_manage_accounts))]
AccountChange = Annotated[Subject, Depends(csrf_protected(authz.may_manage_accounts))]
UserId = Id
PAGE_SIZE = 50

_email = TypeAdapter(Email)
_password = TypeAdapter(Password)

# Messages shown after a change (the redirect names one, never free text from the URL).
NOTICES = {
    "created": "Account created. Give the person their one-time password; they will choose their own at sign-in.",
    "invited": "Account created. The person has been emailed a link to choose their password (valid for 7 days).",
    "reinvited": "Invitation sent again. The link in it works for 7 days.",
    "disabled": "Account disabled. Its sessions and tokens have ended.",
    "enabled": "Account enabled.",
    "password": "One-time password set. The person's sessions and tokens have ended.",
}


@router.get("")
def admin_index(request: Request, _: AccountAdmin):
    return render(request, "pages/admin/index.html", {"title": "Admin", "nav": "admin"})


def _users_page(request: Request, session, *, cursor: str | None, errors: dict[str, str] | None = None,
                form: dict | None = None, notice: str | None = None, status: int = 200):
    users, next_cursor = auth_service.list_users(session, page=PageParams(limit=PAGE_SIZE, cursor=cursor))
    names = registry.names_of(session, [u.stakeholder_id for u in users])
    return render(request, "pages/admin/users.html", {
        "title": "Accounts", "nav": "admin", "users": users, "names": names, "next_cursor": next_cursor,
        "errors": errors or {}, "form": form or {}, "notice": NOTICES.get(notice or ""),
    }, status=status)


@router.get("/users")
def users_page(request: Request, session: SessionDep, _: AccountAdmin,
               cursor: Annotated[str | None, Query(max_length=512)] = None,
               done: Annotated[str | None, Query(max_length=20)] = None):
    return _users_page(request, session, cursor=cursor, notice=done)


@router.post("/users")
def create_account(request: Request, session: SessionDep, settings: SettingsDep, actor: AccountChange,
                   email: Annotated[str, Form(max_length=254)] = "",
                   password: Annotated[str, Form(max_length=200)] = "",
                   is_admin: Annotated[bool, Form()] = False,
                   send_invitation: Annotated[bool, Form()] = False):
    form = {"email": email.strip(), "is_admin": is_admin, "send_invitation": send_invitation}
    errors = {}
    try:
        form["email"] = _email.validate_python(form["email"])
    except ValidationError:
        errors["email"] = "Enter an email address in the correct format, like name@example.org"
    if password or not send_invitation:  # with an invitation the password may be left out
        try:
            _password.validate_python(password)
        except ValidationError:
            errors["password"] = ("Enter a one-time password of at least 10 characters, or leave it out and "
                                  "email an invitation" if password or send_invitation else
                                  "Enter a one-time password of at least 10 characters")
    if not errors:
        person = registry.stakeholder_by_email(session, form["email"])
        try:
            user = auth_service.create_user(session, actor=actor, data={
                "email": form["email"], "password": password or None, "is_admin": is_admin,
                "stakeholder_id": person.id if person else None})
        except (Conflict, InvalidInput) as exc:
            errors["email"] = exc.detail
        else:
            if send_invitation:
                mail_invitations.send(session, settings, actor=actor, user=user)
            done = "invited" if send_invitation else "created"
            return RedirectResponse(f"/admin/users?done={done}", status_code=303)
    return _users_page(request, session, cursor=None, errors=errors, form=form, status=422)


def _change(session, actor, user_id: int, changes: dict):
    user = get_or_404(session, UserAccount, user_id, "account")
    auth_service.update_user(session, actor=actor, user=user, changes=changes)


@router.post("/users/{user_id}/disable")
def disable_account(user_id: UserId, session: SessionDep, actor: AccountChange):
    _change(session, actor, user_id, {"is_active": False})
    return RedirectResponse("/admin/users?done=disabled", status_code=303)


@router.post("/users/{user_id}/enable")
def enable_account(user_id: UserId, session: SessionDep, actor: AccountChange):
    _change(session, actor, user_id, {"is_active": True})
    return RedirectResponse("/admin/users?done=enabled", status_code=303)


@router.post("/users/{user_id}/password")
def set_one_time_password(request: Request, user_id: UserId, session: SessionDep, actor: AccountChange,
                          password: Annotated[str, Form(max_length=200)] = ""):
    try:
        _password.validate_python(password)
    except ValidationError:
        return _users_page(request, session, cursor=None, status=422,
                           errors={f"password-{user_id}": "Enter a one-time password of at least 10 characters"})
    _change(session, actor, user_id, {"password": password})
    return RedirectResponse("/admin/users?done=password", status_code=303)


@router.post("/users/{user_id}/invitation")
def resend_invitation(request: Request, user_id: UserId, session: SessionDep, settings: SettingsDep,
                      actor: AccountChange):
    user = get_or_404(session, UserAccount, user_id, "account")
    try:
        mail_invitations.resend(session, settings, actor=actor, user=user)
    except Conflict as exc:
        return _users_page(request, session, cursor=None, status=409, errors={f"invite-{user_id}": exc.detail})
    return RedirectResponse("/admin/users?done=reinvited", status_code=303)


# Partner clients ------------------------------------------------------------------------------

def _clients_page(request: Request, session, *, cursor: str | None = None, errors: dict[str, str] | None = None,
                  form: dict | None = None, created: tuple | None = None, notice: str | None = None,
                  status: int = 200):
    clients, next_cursor = auth_service.list_clients(session, page=PageParams(limit=PAGE_SIZE, cursor=cursor))
    response = render(request, "pages/admin/clients.html", {
        "title": "Partner clients", "nav": "admin", "clients": clients, "next_cursor": next_cursor,
        "scope_options": [(scope, scope) for scope in authz.PARTNER_SCOPES], "errors": errors or {},
        "form": form or {}, "created": created, "notice": notice,
    }, status=status)
    return response


@router.get("/clients")
def clients_page(request: Request, session: SessionDep, _: AccountAdmin,
                 cursor: Annotated[str | None, Query(max_length=512)] = None,
                 done: Annotated[str | None, Query(max_length=20)] = None):
    notice = "Client revoked. Its tokens have stopped working." if done == "revoked" else None
    return _clients_page(request, session, cursor=cursor, notice=notice)


@router.post("/clients")
def create_client(request: Request, session: SessionDep, actor: AccountChange,
                  name: Annotated[str, Form(max_length=200), SINGLE_LINE] = "",
                  scopes: Annotated[list[Text], Form(max_length=3)] = ()):
    form = {"name": name.strip(), "scopes": list(scopes)}
    errors = {}
    if not form["name"]:
        errors["name"] = "Enter the partner system's name"
    try:
        if not errors:
            client, secret = auth_service.create_client(session, actor=actor, name=form["name"],
                                                        scopes=" ".join(form["scopes"]))
            # Shown once, on this page only; never in a URL, never cached.
            return _clients_page(request, session, created=(client.client_id, secret), status=201)
    except (Conflict, InvalidInput) as exc:
        errors["name"] = exc.detail
    return _clients_page(request, session, errors=errors, form=form, status=422)


@router.post("/clients/{client_id}/revoke")
def revoke_client(client_id: Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")], session: SessionDep,
                  actor: AccountChange):
    client = auth_service.get_client(session, client_id)
    if client.is_active:
        auth_service.revoke_client(session, actor=actor, client=client)
    return RedirectResponse("/admin/clients?done=revoked", status_code=303)
