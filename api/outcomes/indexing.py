"""Pilots and Place updates in the search index, written by the services that change them (as
plain text: snippets are made from what is stored). Both are records of no group, for everyone
who may search."""

from sqlmodel import Session, select

from api.core.markdown import plain_text
from api.outcomes.models import Pilot, PlaceUpdate
from api.registry.models import Area
from api.search import service as search

PILOT, PLACE_UPDATE = "pilot", "place_update"


def index_pilot(session: Session, pilot: Pilot) -> None:
    pathway = f"Pathway: {pilot.pathway}" if pilot.pathway else ""
    search.put(session, kind=PILOT, ref_id=pilot.id, group_id=None, meeting_id=None, members_only=False,
               title=pilot.name, body="\n".join(part for part in (plain_text(pilot.summary), pathway) if part),
               url=f"/pilots/{pilot.id}")


def index_place_update(session: Session, update: PlaceUpdate, *, place_name: str) -> None:
    search.put(session, kind=PLACE_UPDATE, ref_id=update.id, group_id=None, meeting_id=None, members_only=False,
               title=f"{place_name} update, {update.period}", body=plain_text(update.narrative),
               url=f"/places/{update.place_code}")


search.register_open_kind(PILOT)
search.register_open_kind(PLACE_UPDATE)


def reindex_all(session: Session) -> int:
    """Every pilot's and Place update's document, written again (`ata search reindex`); how many."""
    pilots = session.exec(select(Pilot)).all()
    for pilot in pilots:
        index_pilot(session, pilot)
    updates = session.exec(select(PlaceUpdate, Area.name).join(Area, Area.gss_code == PlaceUpdate.place_code)).all()
    for update, place_name in updates:
        index_place_update(session, update, place_name=place_name)
    return len(pilots) + len(updates)
