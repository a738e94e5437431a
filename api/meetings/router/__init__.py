"""HTTP for a group's business, one module per sub-area: meetings, agenda, attendance, minutes,
decisions, actions, calendar feeds and documents; api/router.py includes `router`.

The order below is the order the routes are matched and listed in the OpenAPI document."""

from fastapi import APIRouter

from api.meetings.router import actions, agenda, attendance, calendar, decisions, documents, meetings, minutes

router = APIRouter()
for part in (meetings, agenda, attendance, minutes, decisions, actions, calendar, documents):
    router.include_router(part.router)
