"""The one "current membership" rule (api/registry/current.py) on the database in use: a seat is
held from its start date up to, not including, its end date."""

from datetime import date, timedelta

from sqlmodel import select

from api.access import roles_by_group
from api.authz import Subject
from api.core.types import today
from api.registry import service
from api.registry.current import current_on, has_ended, is_current, not_ended_on
from api.registry.models import Membership
from tests import factories


def _seats(session):
    """One seat per case, each for its own person (one person holds one seat at a time)."""
    group = factories.group(session)
    now, tomorrow = today(), today() + timedelta(days=1)
    cases = {
        "starts tomorrow": {"start_date": tomorrow},
        "started today": {"start_date": now},
        "ends today": {"start_date": date(2024, 1, 1), "end_date": now},
        "ends tomorrow": {"start_date": date(2024, 1, 1), "end_date": tomorrow},
        "no end": {"start_date": date(2024, 1, 1)},
    }
    seats = {name: factories.membership(session, group=group, stakeholder=factories.stakeholder(session), **dates)
             for name, dates in cases.items()}
    session.commit()
    return group, seats


def _matching(session, condition, seats) -> set[str]:
    ids = set(session.exec(select(Membership.id).where(condition)).all())
    return {name for name, seat in seats.items() if seat.id in ids}


def test_current_is_started_and_not_yet_ended(session):
    _, seats = _seats(session)
    current = {"started today", "ends tomorrow", "no end"}
    assert _matching(session, current_on(today()), seats) == current
    assert {name for name, seat in seats.items() if is_current(seat)} == current
    # Not ended: the roster a group's forms offer, which lists seats still to start.
    assert _matching(session, not_ended_on(today()), seats) == current | {"starts tomorrow"}
    assert {name for name, seat in seats.items() if has_ended(seat, today())} == {"ends today"}


def test_the_queries_that_count_and_check_seats_use_it(session):
    group, seats = _seats(session)
    assert service.member_counts(session, [group.id]) == {group.id: 3}
    for name, seat in seats.items():
        subject = Subject(kind="user", id="1", label="test", stakeholder_id=seat.stakeholder_id)
        assert bool(roles_by_group(session, subject)) == (name in {"started today", "ends tomorrow", "no end"}), name
