"""Place updates and progress towards the partnership's 150,000 more-active target."""

from itertools import accumulate
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from api import authz
from api.audit import service as audit
from api.authz import Subject
from api.core.errors import Conflict, Forbidden
from api.core.pagination import PageParams, paginate
from api.meetings.access import roles_by_group
from api.outcomes.models import PlaceUpdate
from api.registry.models import Area, Group, Organisation, Stakeholder

TARGET = 150_000
DERIVATION = ("The sum of people_more_active over every Place update (each update counts the people made more "
              "active in its own period, so periods add up); by Place, the same sum per Place, with the plan "
              "status of its latest update.")


def may_report_for(session: Session, subject: Subject, place_code: str) -> bool:
    """Admins, and the officers of a group that belongs to the Place (its implementation group)."""
    if subject.is_admin:
        return True
    roles = roles_by_group(session, subject)
    groups = session.exec(select(Group.id).where(Group.place_code == place_code)).all()
    return any(authz.may_manage_group_business(subject, roles.get(group_id, frozenset())) for group_id in groups)


def add_update(session: Session, *, actor: Subject, place: Area, data: dict[str, Any]) -> PlaceUpdate:
    if not may_report_for(session, actor, place.gss_code):
        audit.record_denial(session.get_bind(), actor=actor, rule="may_report_for_place", target=place.gss_code)
        raise Forbidden("Only an admin or an officer of this Place's group can report its progress.")
    clash = session.exec(select(PlaceUpdate.id).where(PlaceUpdate.place_code == place.gss_code,
                                                      PlaceUpdate.period == data["period"])).first()
    if clash is not None:
        raise Conflict(f"{place.name} already has an update for {data['period']} (id {clash}).")
    return audit.add_entity(session, PlaceUpdate(place_code=place.gss_code, **data), actor=actor,
                            entity_type="place_update")


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
        "pilots_by_status": {},
    }
