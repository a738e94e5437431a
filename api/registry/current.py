"""When a membership counts: the one rule every query about who sits on a group uses.

A seat is held over [start_date, end_date): from its first day, up to but not including the day it
ends, so a membership ending today is over and one starting tomorrow has not begun. Kept apart from
the registry service so that the access rules, meetings and dashboards can ask it without
importing the rest of the registry.
"""

from datetime import date

from sqlalchemy import ColumnElement, and_, or_

from api.core.types import today
from api.registry.models import Membership


def not_ended_on(on: date) -> ColumnElement[bool]:
    """Not over by `on`: current, or agreed and still to start (a group's roster, which its
    forms offer, lists both)."""
    return or_(Membership.end_date.is_(None), Membership.end_date > on)


def current_on(on: date) -> ColumnElement[bool]:
    """Held on `on`: started by then and not yet ended."""
    return and_(Membership.start_date <= on, not_ended_on(on))


def has_ended(membership: Membership, on: date) -> bool:
    """The opposite of `not_ended_on`, for a membership already loaded."""
    return membership.end_date is not None and membership.end_date <= on


def is_current(membership: Membership, on: date | None = None) -> bool:
    """`current_on` for a membership already loaded."""
    on = on or today()
    return membership.start_date <= on and not has_ended(membership, on)
