"""HTTP for the calendar feeds (iCalendar) and each person's secret feed link."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from api import authz
from api.access import roles_by_group
from api.auth import service as auth_service
from api.auth.models import UserAccount
from api.authz import Subject
from api.core.db import get_or_404
from api.core.errors import Unauthorized
from api.core.schemas import Id
from api.deps import Person, SessionDep, SettingsDep, current_subject, require, verified_claims
from api.meetings import calendar
from api.meetings.schemas import CalendarLinks
from api.registry.models import Group

router = APIRouter(tags=["meetings"])


def feed_subject(request: Request, settings: SettingsDep, session: SessionDep,
                 token: Annotated[str | None, Query(max_length=80, description="The person's feed token")] = None
                 ) -> Subject:
    """A bearer token as usual, or the person's secret feed token (calendar apps send no headers)."""
    if token is None:
        return current_subject(request, verified_claims(request), session)
    user = calendar.user_for_feed_token(session, settings, token)
    if user is None:
        raise Unauthorized("This calendar link is not valid; it may have been reset.")
    return auth_service.user_subject(user)


FeedReader = Annotated[Subject, Depends(require(authz.may_read_group_business, source=feed_subject))]


ICS = {200: {"content": {"text/calendar": {}}, "description": "iCalendar (RFC 5545)"}}


def _ics(body: str, filename: str) -> Response:
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "private"})


@router.get("/groups/{group_id}/meetings.ics", response_class=Response, responses=ICS)
def group_calendar(group_id: Id, request: Request, session: SessionDep, _: FeedReader):
    """Past and upcoming meetings of a group; cancelled ones say STATUS:CANCELLED and why. Each
    event's DESCRIPTION lists the agenda items planned so far (never confidential ones) and the
    online link, which is also its URL."""
    group = get_or_404(session, Group, group_id, "group")
    return _ics(calendar.render(group.name, calendar.group_meetings(session, group.id), str(request.base_url),
                                calendar.planned_items(session, [group.id])),
                f"{group.slug}.ics")


@router.get("/me/meetings.ics", response_class=Response, responses=ICS)
def my_calendar(request: Request, session: SessionDep, subject: FeedReader):
    """Meetings of every group the person sits on now."""
    if subject.kind != "user":
        raise Unauthorized("A personal calendar needs a person's token or feed link.")
    group_ids = list(roles_by_group(session, subject).keys())
    rows = calendar.my_meetings(session, group_ids)
    return _ics(calendar.render("My All Together Active meetings", rows, str(request.base_url),
                                calendar.planned_items(session, group_ids)), "my-meetings.ics")


def _links(request: Request, settings, user: UserAccount) -> CalendarLinks:
    token = calendar.feed_token(settings, user)
    return CalendarLinks(personal=str(request.url_for("my_calendar").include_query_params(token=token)),
                         token=token)


@router.get("/me/calendar", response_model=CalendarLinks)
def my_calendar_links(request: Request, session: SessionDep, settings: SettingsDep, subject: Person):
    """The secret link of my calendar feed (add `?token=` to any group's feed too)."""
    return _links(request, settings, session.get(UserAccount, int(subject.id)))


@router.post("/me/calendar/reset", response_model=CalendarLinks)
def reset_my_calendar_links(request: Request, session: SessionDep, settings: SettingsDep, subject: Person):
    """A new secret link; the old one stops working at once."""
    user = session.get(UserAccount, int(subject.id))
    calendar.reset_feed_token(session, settings, actor=subject, user=user)
    return _links(request, settings, user)
