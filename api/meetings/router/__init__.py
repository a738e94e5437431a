"""HTTP for a group's business, one module per sub-area: meetings, agenda, attendance (and guests),
declarations of interest, minutes, decisions, actions, calendar feeds and documents; api/router.py
includes `router`.

The order below is the order the routes are matched and listed in the OpenAPI document."""

from fastapi import APIRouter

from api.meetings.router import (
    actions,
    agenda,
    attendance,
    calendar,
    decisions,
    declarations,
    documents,
    meetings,
    minutes,
    series,
    standing,
)

router = APIRouter()
for part in (meetings, series, agenda, standing, attendance, declarations, minutes, decisions, actions, calendar,
             documents):
    router.include_router(part.router)
