"""Minutes: draft -> approved (by a later meeting) -> locked; every version kept.

A change to approved minutes is an amendment: a new draft version, while the approved one stays
what non-members see until the amendment is approved in its turn. Locked minutes never change.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from api.access import GroupAccess, ensure_manager
from api.audit import service as audit
from api.core.errors import Conflict, InvalidInput, NotFound, invalid_field
from api.core.http import ensure_match
from api.core.markdown import render
from api.core.types import LONDON, utcnow
from api.meetings import indexing, notices
from api.meetings.models import AgendaItem, Meeting, MinutesVersion, MinuteText


def versions(session: Session, meeting_id: int) -> list[MinutesVersion]:
    stmt = select(MinutesVersion).where(MinutesVersion.meeting_id == meeting_id).order_by(MinutesVersion.version)
    return list(session.exec(stmt))


def _latest(session: Session, meeting_id: int, *, published_only: bool = False) -> MinutesVersion | None:
    stmt = select(MinutesVersion).where(MinutesVersion.meeting_id == meeting_id)
    if published_only:
        stmt = stmt.where(MinutesVersion.status != "draft")
    return session.exec(stmt.order_by(MinutesVersion.version.desc()).limit(1)).first()


def visible_version(session: Session, *, access: GroupAccess, meeting_id: int,
                    version: int | None = None) -> MinutesVersion:
    """The version the caller may read: members see drafts, everyone else the latest approved."""
    if version is not None:
        row = session.exec(select(MinutesVersion).where(MinutesVersion.meeting_id == meeting_id,
                                                        MinutesVersion.version == version)).first()
        if row is None or (row.status == "draft" and not access.sees_members_only):
            raise NotFound(f"No version {version} of these minutes.")
        return row
    row = _latest(session, meeting_id, published_only=not access.sees_members_only)
    if row is None:
        raise NotFound("No minutes have been published for this meeting yet.")
    return row


def texts(session: Session, *, access: GroupAccess, minutes: MinutesVersion) -> list[dict[str, Any]]:
    """The minute of each agenda item, in agenda order, with sanitised HTML; confidential items'
    minutes only for members."""
    stmt = (
        select(MinuteText, AgendaItem)
        .join(AgendaItem, AgendaItem.id == MinuteText.agenda_item_id)
        .where(MinuteText.minutes_version_id == minutes.id)
        .order_by(AgendaItem.position, AgendaItem.id)
    )
    if not access.sees_members_only:
        stmt = stmt.where(AgendaItem.confidential.is_(False))
    return [{"agenda_item_id": t.agenda_item_id, "text": t.text, "html": render(t.text), "item": item}
            for t, item in session.exec(stmt).all()]


def etag(session: Session, *, access: GroupAccess, minutes: MinutesVersion | None) -> str | None:
    """A strong entity tag of the minutes as this caller reads them (only what they may see):
    it changes with every write, within one draft version too."""
    if minutes is None:
        return None
    shown = [(t["agenda_item_id"], t["text"]) for t in texts(session, access=access, minutes=minutes)]
    state = [minutes.version, minutes.status, minutes.approved_at_meeting_id, shown]
    return f'"{minutes.version}.{hashlib.sha256(json.dumps(state).encode()).hexdigest()[:24]}"'


def _ensure_current(session: Session, access: GroupAccess, latest: MinutesVersion | None,
                    expected_version: int | None, if_match: list[str] | None) -> None:
    """Refuse a write made from minutes that have changed since the writer read them, so that
    two secretaries cannot silently overwrite each other."""
    current = latest.version if latest is not None else 0
    if expected_version is not None and expected_version != current:
        raise Conflict(
            f"These minutes are now at version {current}, not version {expected_version}: fetch them again "
            "and make your change on the current version.",
            errors=[{"loc": ["body", "version"], "msg": f"the current version is {current}"}])
    ensure_match(if_match, etag(session, access=access, minutes=latest))


def write(session: Session, *, access: GroupAccess, meeting: Meeting, items: list[dict[str, Any]],
          expected_version: int | None = None, if_match: list[str] | None = None) -> MinutesVersion:
    """Replace the draft's texts; on approved minutes, start an amendment (a new version).
    `expected_version` (the version the writer read) and `if_match` (If-Match's tags, see `etag`)
    refuse a write from minutes that have changed since: 409 and 412."""
    ensure_manager(session, access, "write minutes")
    item_ids = set(session.exec(select(AgendaItem.id).where(AgendaItem.meeting_id == meeting.id)).all())
    errors, seen = [], set()
    for index, entry in enumerate(items):
        loc = ["body", "items", index, "agenda_item_id"]
        if entry["agenda_item_id"] not in item_ids:
            errors.append({"loc": loc, "msg": "not an agenda item of this meeting"})
        elif entry["agenda_item_id"] in seen:
            errors.append({"loc": loc, "msg": "listed twice"})
        seen.add(entry["agenda_item_id"])
    if errors:
        raise InvalidInput("The minutes name agenda items that are not this meeting's; nothing was changed.",
                           errors=errors)
    # Writers of one meeting's minutes take turns (PostgreSQL), so the checks below see the
    # latest write, not one about to be overtaken.
    session.exec(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    latest = _latest(session, meeting.id)
    _ensure_current(session, access, latest, expected_version, if_match)
    if latest is not None and latest.status == "locked":
        raise Conflict("These minutes are locked and cannot be changed.")
    if latest is None or latest.status == "approved":
        number = (latest.version + 1) if latest else 1
        latest = MinutesVersion(meeting_id=meeting.id, version=number, written_by=access.subject.label)
        session.add(latest)
        session.flush()
        action = "minutes.amend" if number > 1 else "minutes.create"
        before = None
    else:
        action = "minutes.update"
        before = {t.agenda_item_id: t.text for t in session.exec(
            select(MinuteText).where(MinuteText.minutes_version_id == latest.id))}
        for old in session.exec(select(MinuteText).where(MinuteText.minutes_version_id == latest.id)):
            session.delete(old)
        session.flush()
        latest.written_by = access.subject.label
    for entry in items:
        session.add(MinuteText(minutes_version_id=latest.id, agenda_item_id=entry["agenda_item_id"],
                               text=entry["text"]))
    session.flush()
    audit.record(session, actor=access.subject, action=action, entity_type="minutes", entity_id=meeting.id,
                 before={"texts": before} if before is not None else None,
                 after={"version": latest.version, "texts": {e["agenda_item_id"]: e["text"] for e in items}})
    indexing.reindex_minutes(session, meeting)
    return latest


def approve(session: Session, *, access: GroupAccess, meeting: Meeting, approved_at_meeting_id: int | None,
            amendments: str = "", expected_version: int | None = None) -> MinutesVersion:
    """Approval by a later meeting of the same group freezes the current draft, "as a correct
    record" or subject to `amendments` (kept with the version). The approving meeting must have
    started: minutes are approved when the meeting sits, not before. A cancelled meeting
    approves nothing: it never sat. `expected_version`: the version the approver read (409 if
    the minutes have moved on since)."""
    ensure_manager(session, access, "approve minutes")
    later = session.get(Meeting, approved_at_meeting_id) if approved_at_meeting_id else None
    if later is None or later.group_id != meeting.group_id or later.starts_at <= meeting.starts_at:
        raise invalid_field("approved_at_meeting_id", "must be a later meeting of the same group")
    if later.status == "cancelled":
        raise invalid_field("approved_at_meeting_id", "must be a later meeting of the same group, not cancelled: "
                                                      "a cancelled meeting never sat")
    if later.starts_at > utcnow():
        raise Conflict(f"The meeting of {day_of(later)} has not started yet: minutes are approved at the meeting, "
                       "once it has begun.")
    latest = _latest(session, meeting.id)
    if latest is None:
        raise Conflict("There are no minutes to approve yet.")
    if latest.status != "draft":
        raise Conflict(f"Version {latest.version} of these minutes is already {latest.status}.")
    if expected_version is not None and expected_version != latest.version:
        raise Conflict(f"These minutes are now at version {latest.version}, not version {expected_version}: "
                       "read them again before approving them.")
    before = audit.snapshot(latest)
    latest.status = "approved"
    latest.approved_at_meeting_id = later.id
    latest.approved_at = utcnow()
    latest.amendments = amendments.strip()
    session.flush()
    audit.record(session, actor=access.subject, action="minutes.approve", entity_type="minutes",
                 entity_id=meeting.id, before=before, after=audit.snapshot(latest))
    indexing.reindex_minutes(session, meeting)
    notices.minutes_approved(session, meeting, latest)
    return latest


def lock(session: Session, *, access: GroupAccess, meeting: Meeting) -> MinutesVersion:
    ensure_manager(session, access, "lock minutes")
    latest = _latest(session, meeting.id)
    if latest is None or latest.status != "approved":
        raise Conflict("Only approved minutes can be locked.")
    latest.status = "locked"
    session.flush()
    audit.record(session, actor=access.subject, action="minutes.lock", entity_type="minutes", entity_id=meeting.id,
                 after={"version": latest.version})
    indexing.reindex_minutes(session, meeting)
    return latest


def count_versions(session: Session, meeting_id: int) -> int:
    return session.exec(select(func.count()).where(MinutesVersion.meeting_id == meeting_id)).one()


def latest_version(session: Session, meeting_id: int) -> MinutesVersion | None:
    """The newest version whatever its status (what the group's officers edit)."""
    return _latest(session, meeting_id)


def write_item(session: Session, *, access: GroupAccess, meeting: Meeting, agenda_item_id: int,
               text: str) -> MinutesVersion | None:
    """One item's minute, the other items' minutes kept as they are (blank removes it; a blank
    first minute writes nothing)."""
    ensure_manager(session, access, "write minutes")
    latest = _latest(session, meeting.id)
    kept = {} if latest is None else {t.agenda_item_id: t.text for t in session.exec(
        select(MinuteText).where(MinuteText.minutes_version_id == latest.id))}
    kept.pop(agenda_item_id, None)
    items = [{"agenda_item_id": item_id, "text": value} for item_id, value in kept.items()]
    if text.strip():
        items.append({"agenda_item_id": agenda_item_id, "text": text})
    elif agenda_item_id not in set(session.exec(select(AgendaItem.id).where(
            AgendaItem.meeting_id == meeting.id)).all()):
        raise InvalidInput("The request has invalid fields.", errors=[{
            "loc": ["body", "agenda_item_id"], "msg": "not an agenda item of this meeting"}])
    if latest is None and not items:
        return None
    return write(session, access=access, meeting=meeting, items=items)


# Record edits: the minutes' status for every reader, and approval at the next meeting ----------

# The agenda item at which a meeting approves the minutes of the one before (the template's
# "Minutes of the last meeting", and the usual variants, "... and matters arising" included).
APPROVAL_ITEM_TITLES = ("minutes of the last meeting", "minutes of the previous meeting", "minutes of last meeting")


def day_of(meeting: Meeting) -> str:
    """"3 November 2026": the meeting's day in UK time, for messages."""
    day = meeting.starts_at.astimezone(LONDON)
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class MinutesState:
    """What a reader is told about a meeting's minutes: `shown` is the version they read (None:
    none they may read), `latest` the newest whatever its status (an amendment in draft, for the
    group's members), `approved_at` the meeting that approved `shown`."""

    latest: MinutesVersion | None
    shown: MinutesVersion | None
    approved_at: Meeting | None
    members_view: bool = False

    @property
    def draft(self) -> bool:
        """True until the version the reader reads has been approved (no minutes at all: a draft)."""
        return self.shown is None or self.shown.status == "draft"


def state(session: Session, *, access: GroupAccess, meeting: Meeting) -> MinutesState:
    """The minutes' status as this caller may know it, in one query whatever the versions'
    statuses (every version with the meeting that approved it: a meeting has a handful)."""
    rows = session.exec(
        select(MinutesVersion, Meeting).outerjoin(Meeting, Meeting.id == MinutesVersion.approved_at_meeting_id)
        .where(MinutesVersion.meeting_id == meeting.id).order_by(MinutesVersion.version.desc())).all()
    latest = rows[0] if rows else (None, None)
    if access.sees_members_only:
        shown = latest
    else:
        shown = next((row for row in rows if row[0].status != "draft"), (None, None))
    return MinutesState(latest=latest[0] if access.sees_members_only else shown[0], shown=shown[0],
                        approved_at=shown[1], members_view=access.sees_members_only)


def previous_meeting(session: Session, meeting: Meeting) -> Meeting | None:
    """The group's last meeting before this one that was not cancelled: the one whose minutes
    this meeting approves."""
    stmt = (select(Meeting).where(Meeting.group_id == meeting.group_id, Meeting.starts_at < meeting.starts_at,
                                  Meeting.status != "cancelled")
            .order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(1))
    return session.exec(stmt).first()


@dataclass(frozen=True)
class Approval:
    """What a meeting's "minutes of the last meeting" item offers its officers: the previous
    meeting, its newest minutes (rendered texts) and their state, and whether they can be
    approved now (`why_not` says why not, in a sentence)."""

    meeting: Meeting
    previous: Meeting
    minutes: MinutesVersion | None
    texts: list[dict[str, Any]]
    state: MinutesState
    item_id: int | None
    why_not: str | None

    @property
    def can_approve(self) -> bool:
        return self.why_not is None and self.minutes is not None and self.minutes.status == "draft"


def approval_item(items: list[AgendaItem]) -> AgendaItem | None:
    return next((i for i in items if i.title.strip().lower().startswith(APPROVAL_ITEM_TITLES)), None)


def approval_for(session: Session, *, access: GroupAccess, meeting: Meeting,
                 items: list[AgendaItem]) -> Approval | None:
    """The approval of the previous meeting's minutes at this one (None: no earlier meeting)."""
    previous = previous_meeting(session, meeting)
    if previous is None:
        return None
    found = state(session, access=access, meeting=previous)
    latest = found.latest
    shown = texts(session, access=access, minutes=latest) if latest is not None else []
    if meeting.status == "cancelled":
        why_not = "This meeting was cancelled, so it cannot approve minutes."
    elif meeting.starts_at > utcnow():
        why_not = (f"The minutes can be approved here once this meeting has started, on {day_of(meeting)} "
                   f"at {meeting.starts_at.astimezone(LONDON):%H:%M}.")
    else:
        why_not = None
    item = approval_item(items)
    return Approval(meeting=meeting, previous=previous, minutes=latest, texts=shown, state=found,
                    item_id=item.id if item else None, why_not=why_not)
