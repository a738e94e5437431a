"""The meetings' search documents: minutes, decisions, actions and documents, written into the
search index by the services that change them (as plain text: snippets are made from what is
stored, and must not show Markdown's `**` or link syntax), and the conditions under which each is for its
group's members only as the records stand now.

Search knows only its own table; what makes one of these records members-only (a confidential
agenda item, a paper marked confidential, draft minutes) is meetings' knowledge, given to search
below so that an index that has fallen behind a change can never show what is now hidden.
"""

from sqlalchemy import exists, or_
from sqlmodel import Session, select

from api.core.markdown import plain_text
from api.meetings.confidentiality import document_members_only, on_confidential_item
from api.meetings.models import (
    Action,
    ActionUpdate,
    AgendaItem,
    Decision,
    Document,
    Meeting,
    MinutesVersion,
    MinuteText,
)
from api.search import service as search


def index_decision(session: Session, decision: Decision, item: AgendaItem | None) -> None:
    search.put(session, kind="decision", ref_id=decision.id, group_id=decision.group_id,
               meeting_id=decision.meeting_id, members_only=bool(item and item.confidential),
               title=f"Decision: {item.title}" if item else "Decision", body=plain_text(decision.text),
               url=f"/meetings/{decision.meeting_id}#decision-{decision.id}")


def index_action(session: Session, action: Action) -> None:
    item = session.get(AgendaItem, action.agenda_item_id) if action.agenda_item_id else None
    notes = session.exec(select(ActionUpdate.text).where(ActionUpdate.action_id == action.id)).all()
    search.put(session, kind="action", ref_id=action.id, group_id=action.group_id, meeting_id=action.meeting_id,
               members_only=bool(item and item.confidential), title=f"Action {action.number}",
               body="\n".join(plain_text(text) for text in [action.text, *notes]), url=f"/actions/{action.id}")


def index_document(session: Session, document: Document, item: AgendaItem | None, *, group_id: int) -> None:
    """Its title and file name; members-only if marked confidential or on a confidential item."""
    search.put(session, kind="document", ref_id=document.id, group_id=group_id, meeting_id=document.meeting_id,
               members_only=document.confidential or bool(item and item.confidential), title=document.title,
               body=document.filename, url=f"/api/v1/documents/{document.id}/content")


def reindex_minutes(session: Session, meeting: Meeting) -> None:
    """The latest published version for everyone, and a newer draft for members only."""
    search.remove(session, kind="minutes", meeting_id=meeting.id)
    versions = session.exec(select(MinutesVersion).where(MinutesVersion.meeting_id == meeting.id)
                            .order_by(MinutesVersion.version.desc())).all()
    published = next((v for v in versions if v.status != "draft"), None)
    chosen = [v for v in versions[:1] if v.status == "draft"] + ([published] if published else [])
    for version in chosen:
        rows = session.exec(
            select(MinuteText, AgendaItem).join(AgendaItem, AgendaItem.id == MinuteText.agenda_item_id)
            .where(MinuteText.minutes_version_id == version.id)
        ).all()
        for minute, item in rows:
            search.put(session, kind="minutes", ref_id=minute.id, group_id=meeting.group_id, meeting_id=meeting.id,
                       members_only=version.status == "draft" or item.confidential,
                       title=f"Minutes {item.ref}: {item.title}", body=plain_text(minute.text),
                       url=f"/meetings/{meeting.id}#item-{item.id}")


def reindex_meeting(session: Session, meeting: Meeting) -> None:
    """After an agenda item's title or confidentiality changes: everything recorded against it."""
    reindex_minutes(session, meeting)
    items = {i.id: i for i in session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))}
    for decision in session.exec(select(Decision).where(Decision.meeting_id == meeting.id)):
        index_decision(session, decision, items.get(decision.agenda_item_id))
    for action in session.exec(select(Action).where(Action.meeting_id == meeting.id)):
        index_action(session, action)
    for document in session.exec(select(Document).where(Document.meeting_id == meeting.id)):
        index_document(session, document, items.get(document.agenda_item_id), group_id=meeting.group_id)


# Members-only now, by kind: each a condition on the id a search document refers to.

def _decision_members_only(ref_id):
    return exists().where(Decision.id == ref_id, on_confidential_item(Decision.agenda_item_id))


def _action_members_only(ref_id):
    return exists().where(Action.id == ref_id, on_confidential_item(Action.agenda_item_id))


def _document_members_only(ref_id):
    return exists().where(Document.id == ref_id, document_members_only())


def _minutes_members_only(ref_id):
    return exists().where(MinuteText.id == ref_id, MinutesVersion.id == MinuteText.minutes_version_id,
                          or_(MinutesVersion.status == "draft", on_confidential_item(MinuteText.agenda_item_id)))


search.register_kind("decision", members_only_now=_decision_members_only)
search.register_kind("action", members_only_now=_action_members_only)
search.register_kind("document", members_only_now=_document_members_only)
search.register_kind("minutes", members_only_now=_minutes_members_only)


def reindex_all(session: Session) -> int:
    """Write every meeting's documents again (and actions set outside a meeting), as the
    services write them now: for an index written by an older version (`ata search reindex`)."""
    meetings = session.exec(select(Meeting)).all()
    for meeting in meetings:
        reindex_meeting(session, meeting)
    for action in session.exec(select(Action).where(Action.meeting_id.is_(None))):
        index_action(session, action)
    return len(meetings)
