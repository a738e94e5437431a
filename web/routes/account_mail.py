"""A person's Email settings (how often each kind of message comes), and the page an
unsubscribe link in a message opens (no sign-in needed: the signed link is enough)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse

from api import authz
from api.authz import Subject
from api.deps import SessionDep, SettingsDep
from api.mail import preferences, unsubscribe
from api.mail.kinds import MAIL_KINDS
from web import auth, labels
from web.templating import render

router = APIRouter()

MailSettingsChange = Annotated[Subject, Depends(auth.csrf_protected(authz.is_person))]
Token = Annotated[str, Query(max_length=200)]


def _choices() -> list[dict]:
    return [{"kind": kind, "label": labels.MAIL_KIND_LABELS[kind], "hint": labels.MAIL_KIND_HINTS[kind],
             "options": [(f, labels.FREQUENCY_LABELS[f]) for f in preferences.choices_for(kind)]}
            for kind in MAIL_KINDS]


def _settings_page(request: Request, *, chosen: dict[str, str], errors: dict[str, str] | None = None,
                   saved: bool = False, linked: bool = True, status: int = 200):
    return render(request, "pages/account/email.html", {
        "title": "Email settings", "kinds": _choices(), "chosen": chosen, "errors": errors or {},
        "saved": saved, "linked": linked}, status=status)


@router.get("/account/email")
def email_settings(request: Request, session: SessionDep, subject: auth.SignedIn,
                   saved: Annotated[str | None, Query(max_length=5)] = None):
    if subject.stakeholder_id is None:
        return _settings_page(request, chosen={}, linked=False)
    return _settings_page(request, chosen=preferences.preferences_of(session, subject.stakeholder_id),
                          saved=saved == "1")


@router.post("/account/email")
async def save_email_settings(request: Request, session: SessionDep, subject: MailSettingsChange):
    if subject.stakeholder_id is None:
        return _settings_page(request, chosen={}, linked=False, status=409)
    form = await request.form()
    chosen = {kind: form.get(kind) for kind in MAIL_KINDS}
    errors = {f"{kind}-1": f"Choose how often you want emails about {labels.MAIL_KIND_ABOUT[kind]}"
              for kind, value in chosen.items() if value not in preferences.choices_for(kind)}
    if errors:
        current = preferences.preferences_of(session, subject.stakeholder_id)
        shown = {kind: value if isinstance(value, str) and value in preferences.choices_for(kind) else current[kind]
                 for kind, value in chosen.items()}
        return _settings_page(request, chosen=shown, errors=errors, status=422)
    preferences.set_preferences(session, subject.stakeholder_id, chosen, actor=subject)
    return RedirectResponse("/account/email?saved=1", status_code=303)


def _unsubscribe_page(request: Request, *, kind: str | None, token: str, done: bool = False, status: int = 200):
    return render(request, "pages/account/unsubscribe.html", {
        "title": "Emails stopped" if done else ("Stop emails?" if kind else "Unsubscribe link not valid"),
        "about": labels.MAIL_KIND_ABOUT.get(kind or "", ""), "token": token, "done": done, "valid": kind is not None,
    }, status=status)


@router.get("/mail/unsubscribe")
def unsubscribe_page(request: Request, settings: SettingsDep, token: Token = ""):
    try:
        _, kind = unsubscribe.read(settings, token)
    except unsubscribe.BadUnsubscribeToken:
        return _unsubscribe_page(request, kind=None, token="", status=400)
    return _unsubscribe_page(request, kind=kind, token=token)


@router.post("/mail/unsubscribe")
def unsubscribe_now(request: Request, session: SessionDep, settings: SettingsDep, token: Token = ""):
    """The page's button, and one-click unsubscribe from a mail client (RFC 8058: a POST of
    `List-Unsubscribe=One-Click` to the link itself)."""
    try:
        _, kind = unsubscribe.unsubscribe(session, settings, token)
    except unsubscribe.BadUnsubscribeToken:
        return _unsubscribe_page(request, kind=None, token="", status=400)
    return _unsubscribe_page(request, kind=kind, token=token, done=True)
