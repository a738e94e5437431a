"""What records are called, for pages that name records of many kinds at once (the audit log):
every name a page needs in ONE query, whatever the number of rows or kinds.

Each kind contributes a SELECT of the same six columns to one UNION ALL: the kind, the record's
key (as text: most keys are integers, indicators' and areas' are codes), its own name, the name
of the group it belongs to, when it happened (meetings), and one more detail (an action's number,
a Place update's period, an account's email). The words around them are the page's business.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, cast, func, literal, null, type_coerce, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from api.auth.models import PartnerClient, UserAccount
from api.core.types import UTCDateTime
from api.indicators.models import Indicator
from api.meetings.models import Action, AgendaItem, Decision, Document, Meeting, MeetingSeries
from api.outcomes.models import Contribution, Pilot, PlaceUpdate
from api.registry.models import Area, Group, Membership, Organisation, Stakeholder


@dataclass(frozen=True)
class RecordName:
    name: str | None
    group: str | None = None
    at: datetime | None = None
    detail: str | None = None


def _row(kind: str, key, name, group=None, at=None, detail=None):
    return (literal(kind, String).label("kind"), cast(key, String).label("key"), cast(name, String).label("name"),
            cast(group, String).label("group_name") if group is not None else null().label("group_name"),
            at.label("at") if at is not None else type_coerce(null(), UTCDateTime()).label("at"),
            cast(detail, String).label("detail") if detail is not None else null().label("detail"))


def _select(kind: str, keys: list):
    """The SELECT for one kind, limited to the keys asked for."""
    if kind == "stakeholder":
        return select(*_row(kind, Stakeholder.id, Stakeholder.name)).where(Stakeholder.id.in_(keys))
    if kind == "organisation":
        return select(*_row(kind, Organisation.id, Organisation.name)).where(Organisation.id.in_(keys))
    if kind == "group":
        return select(*_row(kind, Group.id, Group.name)).where(Group.id.in_(keys))
    if kind == "area":
        return select(*_row(kind, Area.gss_code, Area.name)).where(Area.gss_code.in_(keys))
    if kind == "user":
        return (select(*_row(kind, UserAccount.id, func.coalesce(Stakeholder.name, UserAccount.email),
                             detail=UserAccount.email))
                .outerjoin(Stakeholder, Stakeholder.id == UserAccount.stakeholder_id).where(UserAccount.id.in_(keys)))
    if kind == "client":
        return select(*_row(kind, PartnerClient.client_id, PartnerClient.name)).where(PartnerClient.client_id.in_(keys))
    if kind == "membership":
        return (select(*_row(kind, Membership.id, Stakeholder.name, Group.name))
                .join(Stakeholder, Stakeholder.id == Membership.stakeholder_id)
                .join(Group, Group.id == Membership.group_id).where(Membership.id.in_(keys)))
    if kind == "meeting":
        return (select(*_row(kind, Meeting.id, Meeting.title, Group.name, Meeting.starts_at))
                .join(Group, Group.id == Meeting.group_id).where(Meeting.id.in_(keys)))
    if kind == "meeting_series":
        return (select(*_row(kind, MeetingSeries.id, MeetingSeries.title, Group.name))
                .join(Group, Group.id == MeetingSeries.group_id).where(MeetingSeries.id.in_(keys)))
    if kind == "agenda_item":
        return (select(*_row(kind, AgendaItem.id, AgendaItem.title, Group.name, Meeting.starts_at))
                .join(Meeting, Meeting.id == AgendaItem.meeting_id).join(Group, Group.id == Meeting.group_id)
                .where(AgendaItem.id.in_(keys)))
    if kind == "decision":
        item = aliased(AgendaItem)
        return (select(*_row(kind, Decision.id, item.title, Group.name, Meeting.starts_at))
                .join(Meeting, Meeting.id == Decision.meeting_id).join(Group, Group.id == Decision.group_id)
                .outerjoin(item, item.id == Decision.agenda_item_id).where(Decision.id.in_(keys)))
    if kind == "action":
        return (select(*_row(kind, Action.id, Action.text, Group.name, detail=Action.number))
                .join(Group, Group.id == Action.group_id).where(Action.id.in_(keys)))
    if kind == "document":
        return select(*_row(kind, Document.id, Document.title)).where(Document.id.in_(keys))
    if kind == "pilot":
        return select(*_row(kind, Pilot.id, Pilot.name)).where(Pilot.id.in_(keys))
    if kind == "place_update":
        return (select(*_row(kind, PlaceUpdate.id, Area.name, detail=PlaceUpdate.period))
                .join(Area, Area.gss_code == PlaceUpdate.place_code).where(PlaceUpdate.id.in_(keys)))
    if kind == "indicator":
        return select(*_row(kind, Indicator.id, Indicator.name)).where(Indicator.id.in_(keys))
    if kind == "contribution":
        return (select(*_row(kind, Contribution.id, Stakeholder.name, detail=Contribution.kind))
                .join(Stakeholder, Stakeholder.id == Contribution.stakeholder_id).where(Contribution.id.in_(keys)))
    return None


NAMED_KINDS = ("stakeholder", "organisation", "group", "area", "user", "client", "membership", "meeting",
               "meeting_series", "agenda_item", "decision", "action", "document", "pilot", "place_update",
               "indicator", "contribution")
# Kinds whose keys are codes, not numbers (a partner client is known by its client_id).
_TEXT_KEYS = {"area", "indicator", "client"}


def record_names(session: Session, refs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], RecordName]:
    """Names for (kind, key) pairs of the kinds in NAMED_KINDS (others are skipped), in one query.
    A key with no record (since deleted) is absent from the answer."""
    wanted: dict[str, set] = {}
    for kind, key in refs:
        if kind not in NAMED_KINDS or key is None:
            continue
        text = str(key)
        if kind in _TEXT_KEYS:
            wanted.setdefault(kind, set()).add(text)
        elif text.isdigit() and len(text) < 10:
            wanted.setdefault(kind, set()).add(int(text))
    selects = [_select(kind, sorted(keys)) for kind, keys in sorted(wanted.items())]
    if not selects:
        return {}
    stmt = selects[0] if len(selects) == 1 else union_all(*selects)
    return {(row.kind, row.key): RecordName(name=row.name, group=row.group_name, at=row.at, detail=row.detail)
            for row in session.execute(stmt)}
