"""Demo meetings: the shape of the Health and Care Partnership's meeting of 16 January 2024 (its
public agenda, with fictional people, minutes and notes), the March meeting that approved its
minutes, and an upcoming Age Well meeting on the standard agenda.

Idempotent by (group, start time): a meeting that exists is left exactly as it is.
"""

from datetime import UTC, date, datetime

from sqlmodel import Session, select

from api.access import GroupAccess
from api.authz import SYSTEM_SUBJECT
from api.meetings import actions, agenda, attendance, decisions, declarations, meetings, minutes
from api.meetings.models import Meeting
from api.registry.models import Group, Membership, Stakeholder

HCP_JANUARY = (datetime(2024, 1, 16, 14, 0, tzinfo=UTC), datetime(2024, 1, 16, 16, 30, tzinfo=UTC))
HCP_MARCH = (datetime(2024, 3, 19, 14, 0, tzinfo=UTC), datetime(2024, 3, 19, 16, 30, tzinfo=UTC))
AGE_WELL_NEXT = (datetime(2027, 1, 19, 10, 0, tzinfo=UTC), datetime(2027, 1, 19, 12, 0, tzinfo=UTC))

# (title, purpose, minute) — the agenda as published; the minutes are written for the demo.
JANUARY_AGENDA = (
    ("Welcome, introductions and apologies", "For information",
     "The chair welcomed members and noted apologies as recorded."),
    ("Declarations of interest", "For information",
     "One declaration of interest was recorded, on the alignment item; see the declarations below."),
    ("Minutes of the last meeting and matters arising", "For approval",
     "The minutes of the November meeting were **approved** as an accurate record."),
    ("Action log from previous meetings", "For assurance",
     "The action log was reviewed. Actions 29 and 30 can be closed following presentations at this meeting."),
    ("Sustainability update: green plan, social value and anchor institutions", "For discussion",
     "Members noted progress on the green plan and asked for social value examples from each Place."),
    ("All Together Fairer: stocktake and end of year review", "For discussion",
     "The stocktake was welcomed; physical activity is one of the marmot-principle levers partners share."),
    ("Alignment of All Together Fairer and the HCP strategy", "For decision",
     "Members agreed that the strategy refresh should use All Together Fairer as its framework."),
    ("Current regional pressures", "For discussion",
     "Partners described pressures in their Places; homelessness and rough sleeping were raised."),
    ("Review of the meeting", "For information",
     "Members asked to look at the pre-election period and what it means for the spring meetings."),
)


def _people(session: Session, group: Group) -> dict[str, list[int]]:
    stmt = (select(Membership.role, Stakeholder.id).join(Stakeholder, Stakeholder.id == Membership.stakeholder_id)
            .where(Membership.group_id == group.id, Membership.end_date.is_(None)).order_by(Stakeholder.name))
    found: dict[str, list[int]] = {}
    for role, person_id in session.exec(stmt).all():
        found.setdefault(role, []).append(person_id)
    return found


def _meeting(session: Session, existing: set, group: Group, times, **values) -> Meeting | None:
    if (group.id, times[0]) in existing:
        return None
    access = GroupAccess(subject=SYSTEM_SUBJECT, group_id=group.id, roles=frozenset())
    return meetings.create_meeting(session, access=access, group=group,
                                  data={"starts_at": times[0], "ends_at": times[1], **values})


def load(session: Session, groups: dict[str, Group]) -> int:
    """Create whichever demo meetings are missing; returns how many were created."""
    hcp, age_well = groups.get("HCP"), groups.get("AW")
    ids = [g.id for g in (hcp, age_well) if g is not None]
    existing = set(session.exec(select(Meeting.group_id, Meeting.starts_at).where(Meeting.group_id.in_(ids))).all())
    made = []
    if hcp is not None:
        january = _meeting(session, existing, hcp, HCP_JANUARY, venue_kind="hybrid", status="held",
                           venue="Partnership offices, Warrington, and online")
        if january is not None:
            _record_january(session, hcp, january)
        march = _meeting(session, existing, hcp, HCP_MARCH, venue_kind="online", status="held", use_template=True)
        if march is not None and january is not None:
            minutes.approve(session, access=_access(hcp), meeting=january, approved_at_meeting_id=march.id)
        made += [january, march]
    if age_well is not None:
        made.append(_meeting(session, existing, age_well, AGE_WELL_NEXT, venue_kind="in_person",
                             venue="Community centre, Crewe", use_template=True))
    return sum(m is not None for m in made)


def _access(group: Group) -> GroupAccess:
    return GroupAccess(subject=SYSTEM_SUBJECT, group_id=group.id, roles=frozenset())


def _record_january(session: Session, group: Group, meeting: Meeting) -> None:
    access = _access(group)
    people = _people(session, group)
    chair = (people.get("chair") or [None])[0]
    others = people.get("member", []) + people.get("vice_chair", []) + people.get("secretary", [])
    items = [agenda.add_agenda_item(session, access=access, meeting=meeting, data={
        "title": title, "purpose": purpose, "lead_id": chair if n in (0, 3, 8) else None})
        for n, (title, purpose, _) in enumerate(JANUARY_AGENDA)]
    statuses = ["present"] * 6 + ["in_attendance"] + ["apologies"] * 3 + ["absent"]
    entries = [{"stakeholder_id": person, "status": statuses[n % len(statuses)], "note": ""}
               for n, person in enumerate(([chair] if chair else []) + others[:11])]
    attendance.replace_attendance(session, access=access, meeting=meeting, entries=entries)
    attendance.add_guest(session, access=access, meeting=meeting, name="Robin Example",
                         organisation="Lakeside Community Sports Trust")
    if others:
        declarations.record_declaration(session, access=access, meeting=meeting, data={
            "stakeholder_id": others[0], "agenda_item_id": items[6].id, "kind": "non_financial_professional",
            "interest": "Trustee of a community sports trust that bids for strategy funding.",
            "action_taken": "Took part in the discussion; did not vote."})
    minutes.write(session, access=access, meeting=meeting, items=[
        {"agenda_item_id": item.id, "text": spec[2]} for item, spec in zip(items, JANUARY_AGENDA, strict=True)])
    decisions.record_decision(session, access=access, meeting=meeting, data={
        "agenda_item_id": items[6].id, "text": "The Partnership will use All Together Fairer as the framework for "
                                               "its strategy refresh.", "decided_on": None})
    owner = others[0] if others else chair
    actions.create_action(session, subject=SYSTEM_SUBJECT, data={
        "group_id": group.id, "number": 35, "text": "Add a full financial update to a future agenda.",
        "owner_id": owner, "due_date": date(2024, 1, 16)})
    for number, item, text, note_on, note in (
        (40, items[7], "Add a focus on homelessness and rough sleeping to a future agenda.", date(2024, 2, 28),
         "Added to the forward plan."),
        (42, items[8], "Look at the restrictions of the pre-election period for the spring meetings.",
         date(2024, 3, 1), "March meeting going ahead; April meeting cancelled."),
    ):
        action = actions.create_action(session, subject=SYSTEM_SUBJECT, data={
            "group_id": group.id, "number": number, "meeting_id": meeting.id, "agenda_item_id": item.id,
            "text": text, "owner_id": chair, "due_date": date(2024, 3, 19)})
        actions.add_update(session, access=access, action=action, text=note, on=note_on, close=True)
