"""HTTP for meeting series (a pattern that schedules many meetings at once) and a group's
forward plan (its meetings to come with the items planned for them)."""

from fastapi import APIRouter, Request, Response

from api.access import access_to
from api.core.db import get_or_404
from api.core.pagination import Page, PageDep, set_next_link
from api.core.schemas import Id
from api.deps import GroupBusinessReader, ReaderChangingGroupBusiness, SessionDep
from api.meetings import forward_plan, series
from api.meetings.schemas import PlannedMeeting, SeriesCreate, SeriesCreated, SeriesRead
from api.registry.models import Group

router = APIRouter(tags=["meetings"])


@router.post("/groups/{group_id}/meeting-series", response_model=SeriesCreated, status_code=201,
             responses={409: {"description": "the group already has a meeting at every date of the series"}})
def create_series(group_id: Id, body: SeriesCreate, session: SessionDep, subject: ReaderChangingGroupBusiness):
    """Schedule a meeting on every date of a pattern up to `until` (at most 60 meetings, at most two
    years ahead), in UK time. Dates when the group already has a meeting are skipped and listed in
    `skipped`; each meeting made can then be moved or cancelled alone."""
    group = get_or_404(session, Group, group_id, "group")
    made, meetings, skipped = series.create_series(session, access=access_to(session, subject, group.id),
                                                   group=group, data=body.model_dump())
    return SeriesCreated(series=series.series_read(made), meetings=meetings, skipped=skipped)


@router.get("/groups/{group_id}/meeting-series", response_model=list[SeriesRead])
def list_series(group_id: Id, session: SessionDep, _: GroupBusinessReader):
    """A group's series, newest first (the latest 100)."""
    get_or_404(session, Group, group_id, "group")
    return [series.series_read(row) for row in series.list_series(session, group_id=group_id)]


@router.get("/groups/{group_id}/forward-plan", response_model=Page[PlannedMeeting])
def get_forward_plan(group_id: Id, request: Request, response: Response, session: SessionDep,
                     subject: GroupBusinessReader, page: PageDep):
    """The group's meetings not yet over, soonest first (cancelled ones included, marked by their
    status), each with the agenda items planned so far; confidential items only for members."""
    get_or_404(session, Group, group_id, "group")
    planned, cursor = forward_plan.forward_plan(session, access=access_to(session, subject, group_id),
                                                group_id=group_id, page=page)
    set_next_link(request, response, cursor)
    return Page(items=[forward_plan.as_read(p) for p in planned], next_cursor=cursor)
