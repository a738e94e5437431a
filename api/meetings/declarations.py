"""Declarations of interest made at meetings, on the meeting as a whole or on one agenda item,
and each person's register of interests across meetings. Plain functions over a Session; they
flush, never commit.

Who may be named: a member of the group (a seat now, or on the meeting's day, as for an item's
lead) or someone recorded at the meeting as present or in attendance. A declaration on a
confidential item is for the group's members only, as the item is, read from the item as it
stands now: to anyone else it is not there at all, because the interest itself can tell what the
item is about.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, select

from api.access import GroupAccess, access_to, ensure_manager, member_groups, visible_to
from api.audit import service as audit
from api.authz import Subject
from api.core.db import get_or_404
from api.core.errors import Conflict, InvalidInput, NotFound
from api.core.pagination import PageParams, decode_cursor, encode_cursor
from api.meetings.models import AgendaItem, Attendance, Declaration, Meeting
from api.meetings.schemas import DECLARATION_KINDS, DeclarationRead, RegisterEntry
from api.meetings.service import NOT_A_MEMBER, check_seated, meeting_day
from api.registry.models import Group, Stakeholder

NOT_AT_MEETING = "must be a member of the group or recorded as present or in attendance at this meeting"
ATTENDED = ("present", "in_attendance")


def named_at_meeting(session: Session, *, meeting: Meeting, stakeholder_id: int) -> bool:
    """The rule for who may be named in a declaration at `meeting` (see the module's docstring)."""
    recorded = session.exec(select(Attendance.id).where(
        Attendance.meeting_id == meeting.id, Attendance.stakeholder_id == stakeholder_id,
        Attendance.status.in_(ATTENDED))).first()
    if recorded is not None:
        return True
    try:
        check_seated(session, group_id=meeting.group_id, on=meeting_day(meeting),
                     people={"stakeholder_id": stakeholder_id})
    except InvalidInput as error:
        if any(e["msg"] == NOT_A_MEMBER for e in error.errors or []):
            return False
        raise
    return True


def record_declaration(session: Session, *, access: GroupAccess, meeting: Meeting,
                       data: dict[str, Any]) -> Declaration:
    """Officers and admins record a declaration (audited); every mistake in the body in one 422."""
    ensure_manager(session, access, "record a declaration of interest")
    if meeting.status == "cancelled":
        raise Conflict("This meeting was cancelled: declarations are not recorded for it.")
    errors = []
    person = data.get("stakeholder_id")
    if person is None or session.get(Stakeholder, person) is None:
        errors.append({"loc": ["body", "stakeholder_id"], "msg": "no stakeholder with this id"})
    elif not named_at_meeting(session, meeting=meeting, stakeholder_id=person):
        errors.append({"loc": ["body", "stakeholder_id"], "msg": NOT_AT_MEETING})
    if data.get("kind") not in DECLARATION_KINDS:
        errors.append({"loc": ["body", "kind"], "msg": f"must be one of {', '.join(DECLARATION_KINDS)}"})
    interest = (data.get("interest") or "").strip()
    if not interest:
        errors.append({"loc": ["body", "interest"], "msg": "describe the interest"})
    elif len(interest) > 2000:
        errors.append({"loc": ["body", "interest"], "msg": "must be 2,000 characters or fewer"})
    action_taken = (data.get("action_taken") or "").strip()
    if len(action_taken) > 300:
        errors.append({"loc": ["body", "action_taken"], "msg": "must be 300 characters or fewer"})
    item_id = data.get("agenda_item_id")
    if item_id is not None:
        item = session.get(AgendaItem, item_id)
        if item is None or item.meeting_id != meeting.id:
            errors.append({"loc": ["body", "agenda_item_id"], "msg": "not an agenda item of this meeting"})
    if errors:
        raise InvalidInput("; ".join(f"{e['loc'][1]} {e['msg']}" for e in errors) + ".", errors=errors)
    declaration = Declaration(meeting_id=meeting.id, agenda_item_id=item_id, stakeholder_id=person,
                              kind=data["kind"], interest=interest, action_taken=action_taken)
    return audit.add_entity(session, declaration, actor=access.subject, entity_type="declaration")


def get_declaration(session: Session, *, subject: Subject,
                    declaration_id: int) -> tuple[Declaration, Meeting, GroupAccess]:
    """The declaration, its meeting and the caller's access; 404 to a non-member when its item is
    confidential (as the item itself is)."""
    declaration = get_or_404(session, Declaration, declaration_id, "declaration")
    meeting = session.get(Meeting, declaration.meeting_id)
    access = access_to(session, subject, meeting.group_id)
    if declaration.agenda_item_id is not None and not access.sees_members_only:
        item = session.get(AgendaItem, declaration.agenda_item_id)
        if item is not None and item.confidential:
            raise NotFound(f"No declaration with id {declaration_id}.")
    return declaration, meeting, access


def remove_declaration(session: Session, *, access: GroupAccess, declaration: Declaration) -> None:
    ensure_manager(session, access, "remove a declaration of interest")
    audit.remove_entity(session, declaration, actor=access.subject, entity_type="declaration")


def _read(declaration: Declaration, name: str, ref: str | None, title: str | None) -> dict[str, Any]:
    return {**declaration.model_dump(), "stakeholder_name": name, "agenda_item_ref": ref, "agenda_item_title": title}


def _declarations():
    return (select(Declaration, Stakeholder.name, AgendaItem.ref, AgendaItem.title)
            .join(Stakeholder, Stakeholder.id == Declaration.stakeholder_id)
            .outerjoin(AgendaItem, AgendaItem.id == Declaration.agenda_item_id))


def read_one(session: Session, declaration_id: int) -> DeclarationRead:
    d, name, ref, title = session.exec(_declarations().where(Declaration.id == declaration_id)).one()
    return DeclarationRead(**_read(d, name, ref, title))


def for_meeting(session: Session, *, access: GroupAccess, meeting_id: int) -> list[DeclarationRead]:
    """A meeting's declarations in agenda order (the meeting as a whole first), in one query;
    those on confidential items only for the group's members."""
    stmt = _declarations().where(Declaration.meeting_id == meeting_id)
    if not access.sees_members_only:
        stmt = stmt.where(AgendaItem.confidential.is_not(True))
    stmt = stmt.order_by(AgendaItem.position.is_not(None), AgendaItem.position, Stakeholder.name, Declaration.id)
    return [DeclarationRead(**_read(d, name, ref, title)) for d, name, ref, title in session.exec(stmt).all()]


def register(session: Session, *, subject: Subject, stakeholder_id: int,
             page: PageParams) -> tuple[list[RegisterEntry], str | None]:
    """A person's declarations across meetings, newest meeting first (keyset paged on the
    meeting's start and the declaration's id); on confidential items only where the caller may
    see the group's members-only business."""
    stmt = (_declarations()
            .add_columns(Meeting.starts_at, Meeting.title, Meeting.group_id, Group.name)
            .join(Meeting, Meeting.id == Declaration.meeting_id)
            .join(Group, Group.id == Meeting.group_id)
            .where(Declaration.stakeholder_id == stakeholder_id,
                   visible_to(subject, member_groups(session, subject), AgendaItem.confidential,
                              Meeting.group_id)))
    if page.cursor:
        starts, last_id = decode_cursor(page.cursor, [datetime, int])
        stmt = stmt.where(or_(Meeting.starts_at < starts, and_(Meeting.starts_at == starts,
                                                                 Declaration.id < last_id)))
    rows = session.exec(stmt.order_by(Meeting.starts_at.desc(), Declaration.id.desc())
                        .limit(page.limit + 1)).all()
    cursor = None
    if len(rows) > page.limit:
        rows = rows[:page.limit]
        cursor = encode_cursor([rows[-1][4], rows[-1][0].id])
    return [RegisterEntry(**_read(d, name, ref, title), meeting_starts_at=starts, meeting_title=meeting_title,
                          group_id=group_id, group_name=group_name)
            for d, name, ref, title, starts, meeting_title, group_id, group_name in rows], cursor
