"""HTTP for a group's standing agenda items (the template its meetings' agendas start from)."""

from fastapi import APIRouter

from api.access import access_to
from api.core.schemas import Id
from api.deps import GroupBusinessReader, ReaderChangingGroupBusiness, SessionDep
from api.meetings import service, standing
from api.meetings.schemas import StandingItemsPut, StandingItemsRead

router = APIRouter(tags=["meetings"])


def _read(items: list[dict[str, str]], default: bool) -> StandingItemsRead:
    return StandingItemsRead(default=default, items=[{"position": n, **entry} for n, entry in enumerate(items, 1)])


@router.get("/groups/{group_id}/standing-items", response_model=StandingItemsRead)
def get_standing_items(group_id: Id, session: SessionDep, _: GroupBusinessReader):
    """The group's standing agenda items in order; a group that has set none gets the
    partnership's standard agenda, with `default: true`."""
    group = service.get_group(session, group_id)
    return _read(*standing.standing_items(session, group_id=group.id))


@router.put("/groups/{group_id}/standing-items", response_model=StandingItemsRead,
            responses={403: {"description": "only the group's chair, vice chair, secretary or an admin"}})
def replace_standing_items(group_id: Id, body: StandingItemsPut, session: SessionDep,
                           subject: ReaderChangingGroupBusiness):
    """Replace the group's standing items (at most 30, titles unique); an empty list goes back
    to the standard agenda. Meetings already scheduled keep their agendas."""
    group = service.get_group(session, group_id)
    items, default = standing.replace_standing_items(session, access=access_to(session, subject, group.id),
                                                     items=[entry.model_dump() for entry in body.items])
    return _read(items, default)
