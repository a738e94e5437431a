"""The HTMX front end: one module per area, all calling the domain services in-process."""

from pathlib import Path

from fastapi import APIRouter

from web.routes import (
    account,
    account_mail,
    actions,
    admin,
    admin_audit,
    admin_indicators,
    admin_mail,
    admin_memberships,
    directory,
    groups,
    home,
    meeting_agenda,
    meeting_edit,
    meeting_papers,
    meeting_people,
    meeting_record_edit,
    meeting_schedule,
    meetings,
    outcomes,
    sign_in,
    welcome,
)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

web_router = APIRouter(include_in_schema=False)
web_router.include_router(sign_in.router)
web_router.include_router(account.router)
web_router.include_router(welcome.router)
web_router.include_router(account_mail.router)
web_router.include_router(home.router)
web_router.include_router(groups.router)
web_router.include_router(meetings.router)
web_router.include_router(meeting_agenda.router)
web_router.include_router(meeting_edit.router)
web_router.include_router(meeting_papers.router)
web_router.include_router(meeting_people.router)
web_router.include_router(meeting_record_edit.router)
web_router.include_router(meeting_schedule.router)
web_router.include_router(actions.router)
web_router.include_router(outcomes.router)
web_router.include_router(directory.router)
web_router.include_router(admin.router)
web_router.include_router(admin_audit.router)
web_router.include_router(admin_indicators.router)
web_router.include_router(admin_mail.router)
web_router.include_router(admin_memberships.router)
