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
    contributions,
    directory,
    groups,
    home,
    info,
    meeting_agenda,
    meeting_edit,
    meeting_papers,
    meeting_people,
    meeting_record_edit,
    meeting_schedule,
    meetings,
    organisations,
    outcomes,
    people,
    pilots,
    places,
    search,
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
web_router.include_router(info.router)
web_router.include_router(contributions.router)
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
web_router.include_router(places.router)
web_router.include_router(pilots.router)
web_router.include_router(organisations.router)  # before directory's /organisations/{id}
web_router.include_router(directory.router)
web_router.include_router(search.router)
web_router.include_router(people.router)
web_router.include_router(admin.router)
web_router.include_router(admin_audit.router)
web_router.include_router(admin_indicators.router)
web_router.include_router(admin_mail.router)
web_router.include_router(admin_memberships.router)
