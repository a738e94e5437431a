"""Place updates and progress towards the partnership's 150,000 more-active target."""

from itertools import accumulate
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from api import authz
from api.access import may_report_for, refuse
from api.audit import service as audit
from api.authz import Subject
from api.core.db import get_or_404
from api.core.errors import Conflict, InvalidInput
from api.core.pagination import PageParams, paginate
from api.core.types import today
from api.indicators.service import headlines as indicator_headlines
from api.meetings.attendance import ATTENDED, held
from api.meetings.models import Action, AgendaItem, Attendance, Meeting
from api.outcomes.indexing import index_pilot, index_place_update
from api.outcomes.models import Contribution, Pilot, PilotStatusChange, PlaceUpdate
from api.registry.models import Area, Group, Organisation, Stakeholder

TARGET = 150_000
DERIVATION = ("The sum of people_more_active over every Place update (each update counts the people made more "
              "active in its own period, so periods add up); by Place, the same sum per Place, with the plan "
              "status of its latest update.")


def ensure_may_report(session: Session, *, actor: Subject, place: Area) -> None:
    """Refuse (audited) anyone but an admin or an officer of the Place's group: the form's page
    asks before showing the form, the write asks again."""
    if not may_report_for(session, actor, place.gss_code):
        raise refuse(session.get_bind(), subject=actor, rule="may_report_for_place", target=place.gss_code,
                     message="Only an admin or an officer of this Place's group can report its progress.")


def add_update(session: Session, *, actor: Subject, place: Area, data: dict[str, Any]) -> PlaceUpdate:
    ensure_may_report(session, actor=actor, place=place)
    # The schema says so too; kept here so that no door can store more made active than reached.
    if data.get("people_more_active", 0) > data.get("people_reached", 0):
        raise InvalidInput("More people cannot be made more active than were reached.", errors=[
            {"loc": ["body", "people_more_active"], "msg": "cannot exceed people_reached"}])
    clash = session.exec(select(PlaceUpdate.id).where(PlaceUpdate.place_code == place.gss_code,
                                                      PlaceUpdate.period == data["period"])).first()
    if clash is not None:
        raise Conflict(f"{place.name} already has an update for {data['period']} (id {clash}).")
    update = audit.add_entity(session, PlaceUpdate(place_code=place.gss_code, **data), actor=actor,
                              entity_type="place_update")
    index_place_update(session, update, place_name=place.name)
    return update


def list_updates(session: Session, *, page: PageParams, place_code: str | None = None, latest: bool = False):
    """Rows of (PlaceUpdate, Place name), newest period first; `latest`: one per Place."""
    stmt = select(PlaceUpdate, Area.name).join(Area, Area.gss_code == PlaceUpdate.place_code)
    if place_code:
        stmt = stmt.where(PlaceUpdate.place_code == place_code)
    if latest:
        newest = (select(PlaceUpdate.place_code, func.max(PlaceUpdate.period).label("period"))
                  .group_by(PlaceUpdate.place_code).subquery())
        stmt = stmt.join(newest, (newest.c.place_code == PlaceUpdate.place_code)
                         & (newest.c.period == PlaceUpdate.period))
    return paginate(session, stmt, order=[PlaceUpdate.period, PlaceUpdate.id], page=page, descending=True)


def strategy(session: Session) -> dict[str, Any]:
    places = session.exec(select(Area).where(Area.kind == "place").order_by(Area.name)).all()
    sums = {code: (more, reached, last) for code, more, reached, last in session.exec(
        select(PlaceUpdate.place_code, func.sum(PlaceUpdate.people_more_active), func.sum(PlaceUpdate.people_reached),
               func.max(PlaceUpdate.period)).group_by(PlaceUpdate.place_code)).all()}
    latest = {u.place_code: u.plan_status for u, _ in list_updates(session, page=PageParams(limit=500, cursor=None),
                                                                     latest=True)[0]}
    by_period = session.exec(select(PlaceUpdate.period, func.sum(PlaceUpdate.people_more_active))
                             .group_by(PlaceUpdate.period).order_by(PlaceUpdate.period)).all()
    total = sum(int(more or 0) for more, _, _ in sums.values())
    return {
        "target": TARGET, "people_more_active": total, "share_of_target": round(total / TARGET, 4),
        "derivation": DERIVATION,
        "by_place": [{"place_code": p.gss_code, "place_name": p.name,
                      "people_more_active": int(sums.get(p.gss_code, (0, 0, None))[0] or 0),
                      "people_reached": int(sums.get(p.gss_code, (0, 0, None))[1] or 0),
                      "latest_period": sums.get(p.gss_code, (0, 0, None))[2], "plan_status": latest.get(p.gss_code)}
                     for p in places],
        "over_time": [{"period": period, "people_more_active": int(more), "cumulative": int(running)}
                      for (period, more), running in zip(by_period, accumulate(int(m) for _, m in by_period),
                                                         strict=True)],
        "counts": {"stakeholders": session.exec(select(func.count()).select_from(Stakeholder)).one(),
                   "organisations": session.exec(select(func.count()).select_from(Organisation)).one(),
                   "groups": session.exec(select(func.count()).select_from(Group)).one()},
        "pilots_by_status": pilots_by_status(session),
        "indicator_headlines": indicator_headlines(session),
    }


# Pilots -------------------------------------------------------------------------------------

def _check_pilot_refs(session: Session, data: dict[str, Any]) -> None:
    errors = []
    codes = set(data.get("place_codes") or [])
    if codes:
        known = set(session.exec(select(Area.gss_code).where(Area.gss_code.in_(codes), Area.kind == "place")).all())
        errors += [{"loc": ["body", "place_codes"], "msg": f"{code} is not one of the nine Places"}
                   for code in sorted(codes - known)]
    ids = set(data.get("partner_ids") or [])
    if ids:
        known_ids = set(session.exec(select(Organisation.id).where(Organisation.id.in_(ids))).all())
        errors += [{"loc": ["body", "partner_ids"], "msg": f"no organisation with id {i}"}
                   for i in sorted(ids - known_ids)]
    if errors:
        raise InvalidInput("The pilot names Places or partners that do not exist.", errors=errors)


def create_pilot(session: Session, *, actor: Subject, data: dict[str, Any]) -> Pilot:
    _check_pilot_refs(session, data)
    if session.exec(select(Pilot.id).where(func.lower(Pilot.name) == data["name"].lower())).first() is not None:
        raise Conflict(f"A pilot called {data['name']} already exists.")
    pilot = audit.add_entity(session, Pilot(**data), actor=actor, entity_type="pilot")
    session.add(PilotStatusChange(pilot_id=pilot.id, status=pilot.status, changed_on=today(), note="started"))
    index_pilot(session, pilot)
    return pilot


def update_pilot(session: Session, *, actor: Subject, pilot: Pilot, changes: dict[str, Any]) -> Pilot:
    note = changes.pop("status_note", "")
    _check_pilot_refs(session, changes)
    name = changes.get("name")
    if name is not None and name.lower() != pilot.name.lower() and session.exec(
            select(Pilot.id).where(func.lower(Pilot.name) == name.lower(), Pilot.id != pilot.id)).first() is not None:
        raise Conflict(f"A pilot called {name} already exists.")
    moved = "status" in changes and changes["status"] != pilot.status
    audit.change_entity(session, pilot, changes, actor=actor, entity_type="pilot")
    if moved:
        session.add(PilotStatusChange(pilot_id=pilot.id, status=pilot.status, changed_on=today(), note=note))
    index_pilot(session, pilot)
    return pilot


def get_pilot(session: Session, pilot_id: int) -> Pilot:
    return get_or_404(session, Pilot, pilot_id, "pilot")


def list_pilots(session: Session, *, page: PageParams, status: str | None = None, pathway: str | None = None):
    stmt = select(Pilot)
    if status:
        stmt = stmt.where(Pilot.status == status)
    if pathway:
        stmt = stmt.where(Pilot.pathway == pathway)
    return paginate(session, stmt, order=[Pilot.name, Pilot.id], page=page)


def pilots_in_place(session: Session, place_code: str) -> list[Pilot]:
    """The pilots running in a Place, by name. Places are a JSON list on the pilot, read in Python:
    one query over a few dozen pilots, the same on SQLite and PostgreSQL."""
    return [p for p in session.exec(select(Pilot).order_by(Pilot.name)) if place_code in (p.place_codes or [])]


def histories(session: Session, pilot_ids: list[int]) -> dict[int, list[PilotStatusChange]]:
    found: dict[int, list[PilotStatusChange]] = {i: [] for i in pilot_ids}
    if pilot_ids:
        for change in session.exec(select(PilotStatusChange).where(PilotStatusChange.pilot_id.in_(pilot_ids))
                                   .order_by(PilotStatusChange.changed_on, PilotStatusChange.id)):
            found[change.pilot_id].append(change)
    return found


def pilots_by_status(session: Session) -> dict[str, int]:
    return dict(session.exec(select(Pilot.status, func.count()).group_by(Pilot.status)).all())


# Contributions ------------------------------------------------------------------------------

def _contribution_problems(session: Session, data: dict[str, Any]) -> list[dict[str, Any]]:
    """What is wrong with a contribution's group, Place and date (for adding and for changing)."""
    errors = []
    if data.get("group_id") is not None and session.get(Group, data["group_id"]) is None:
        errors.append({"loc": ["body", "group_id"], "msg": "no group with this id"})
    if data.get("place_code") is not None:
        area = session.get(Area, data["place_code"])
        if area is None or area.kind != "place":
            errors.append({"loc": ["body", "place_code"], "msg": "not one of the nine Places"})
    if data.get("date") is not None and data["date"] > today():
        errors.append({"loc": ["body", "date"], "msg": "cannot be in the future"})
    return errors


def add_contribution(session: Session, *, actor: Subject, data: dict[str, Any]) -> Contribution:
    person_id = data.pop("stakeholder_id", None) or actor.stakeholder_id
    if person_id is None:
        raise InvalidInput("Your account is not linked to a stakeholder; name stakeholder_id.",
                           errors=[{"loc": ["body", "stakeholder_id"], "msg": "required for this account"}])
    if not authz.may_log_contribution_for(actor, person_id):
        raise refuse(session.get_bind(), subject=actor, rule="may_log_contribution_for",
                     target=f"contribution for stakeholder {person_id}",
                     message="You can log only your own contributions.")
    errors = []
    if session.get(Stakeholder, person_id) is None:
        errors.append({"loc": ["body", "stakeholder_id"], "msg": "no stakeholder with this id"})
    errors += _contribution_problems(session, data)
    if errors:
        raise InvalidInput("The contribution has invalid fields.", errors=errors)
    contribution = Contribution(stakeholder_id=person_id, contributed_on=data.pop("date"), **data)
    return audit.add_entity(session, contribution, actor=actor, entity_type="contribution")


def get_contribution(session: Session, contribution_id: int) -> Contribution:
    return get_or_404(session, Contribution, contribution_id, "contribution")


def _ensure_may_change(session: Session, actor: Subject, contribution: Contribution) -> None:
    if not authz.may_log_contribution_for(actor, contribution.stakeholder_id):
        raise refuse(session.get_bind(), subject=actor, rule="may_log_contribution_for",
                     target=f"contribution {contribution.id}",
                     message="You can change only your own contributions.")


def contribution_to_change(session: Session, *, actor: Subject, contribution_id: int) -> Contribution:
    """A contribution the actor may change or delete (its maker, or an admin): 404, or 403 refused."""
    contribution = get_contribution(session, contribution_id)
    _ensure_may_change(session, actor, contribution)
    return contribution


def update_contribution(session: Session, *, actor: Subject, contribution: Contribution,
                        changes: dict[str, Any]) -> Contribution:
    """Change a contribution (its maker, or an admin); the same rules as adding one."""
    _ensure_may_change(session, actor, contribution)
    errors = _contribution_problems(session, changes)
    if errors:
        raise InvalidInput("The contribution has invalid fields.", errors=errors)
    if "date" in changes:
        changes = {**{k: v for k, v in changes.items() if k != "date"}, "contributed_on": changes["date"]}
    return audit.change_entity(session, contribution, changes, actor=actor, entity_type="contribution")


def delete_contribution(session: Session, *, actor: Subject, contribution: Contribution) -> None:
    """Remove a contribution (its maker, or an admin); the audit log keeps what it said."""
    _ensure_may_change(session, actor, contribution)
    audit.remove_entity(session, contribution, actor=actor, entity_type="contribution")


def list_contributions(session: Session, *, page: PageParams, stakeholder_id: int | None):
    stmt = select(Contribution)
    if stakeholder_id is not None:
        stmt = stmt.where(Contribution.stakeholder_id == stakeholder_id)
    return paginate(session, stmt, order=[Contribution.contributed_on, Contribution.id], page=page, descending=True)


def contribution_summary(session: Session, stakeholder_id: int) -> dict[str, Any]:
    """What the person logged, and what the system already knows they did."""
    logged = session.exec(select(Contribution.kind, func.count(), func.sum(Contribution.people_reached),
                                 func.sum(Contribution.hours)).where(Contribution.stakeholder_id == stakeholder_id)
                          .group_by(Contribution.kind)).all()
    owned = dict(session.exec(select(Action.status, func.count()).where(Action.owner_id == stakeholder_id)
                              .group_by(Action.status)).all())
    led = session.exec(select(func.count()).select_from(AgendaItem).where(AgendaItem.lead_id == stakeholder_id)).one()
    # Held meetings only: attendance recorded ahead for a meeting still to come, or one since
    # cancelled, is not a meeting attended.
    attended = session.exec(
        select(func.count()).select_from(Attendance).join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Attendance.stakeholder_id == stakeholder_id, Attendance.status.in_(ATTENDED), held())).one()
    return {
        "logged": sum(n for _, n, _, _ in logged), "people_reached": int(sum(r or 0 for _, _, r, _ in logged)),
        "hours": float(sum(h or 0 for _, _, _, h in logged)), "by_kind": {k: n for k, n, _, _ in logged},
        "actions_owned": sum(owned.values()), "actions_closed": owned.get("closed", 0),
        "agenda_items_led": led, "meetings_attended": attended,
    }
