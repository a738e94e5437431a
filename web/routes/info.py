"""The footer's pages: the accessibility statement, the privacy notice and help. Anyone may read
them, signed in or not (a person who cannot sign in must still be able to find how to report a
problem); a signed-in reader sees the usual header with their menu."""

from contextlib import suppress
from datetime import date

from fastapi import APIRouter, Depends, Request

from api.deps import SessionDep, SettingsDep
from web import auth
from web.templating import render

router = APIRouter()

# When the statement was prepared and the service last tested (update both after each review).
STATEMENT_PREPARED = date(2026, 12, 3)
LAST_TESTED = date(2026, 12, 3)
# Fictional addresses: the demo names no real mailbox.
ACCESSIBILITY_EMAIL = "accessibility@example.org"
PRIVACY_EMAIL = "data.protection@example.org"
HELP_EMAIL = "dashboard.support@example.org"


def optional_viewer(request: Request, settings: SettingsDep, session: SessionDep) -> None:
    """The signed-in person, when there is one, for the header; nobody is turned away."""
    with suppress(auth.SignInRequired):
        auth.web_subject(request, settings, session)


Reader = Depends(optional_viewer)


def _page(request: Request, template: str, title: str):
    return render(request, template, {
        "title": title, "prepared": STATEMENT_PREPARED, "tested": LAST_TESTED,
        "accessibility_email": ACCESSIBILITY_EMAIL, "privacy_email": PRIVACY_EMAIL, "help_email": HELP_EMAIL})


@router.get("/accessibility", dependencies=[Reader])
def accessibility_statement(request: Request):
    return _page(request, "pages/info/accessibility.html", "Accessibility statement")


@router.get("/privacy", dependencies=[Reader])
def privacy_notice(request: Request):
    return _page(request, "pages/info/privacy.html", "Privacy notice")


@router.get("/help", dependencies=[Reader])
def help_page(request: Request):
    return _page(request, "pages/info/help.html", "Help")
