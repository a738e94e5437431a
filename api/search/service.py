"""Full-text search over minutes, decisions, actions and documents, ranked, with highlighted
snippets, filtered to what the caller may see. One interface; two engines underneath:
SQLite FTS5 (bm25, snippet) and PostgreSQL text search (ts_rank, ts_headline)."""

import html
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, text
from sqlmodel import Session, select

from api.authz import Subject
from api.core.errors import InvalidInput
from api.core.pagination import decode_cursor, encode_cursor
from api.meetings.access import member_groups
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
from api.search.models import SearchDocument

# Markers the engines put around matches; private-use characters that user text never holds
# after we strip them, so the snippet can be HTML-escaped first and marked up after.
_OPEN, _CLOSE = "\ue000", "\ue001"
_MAX_TERMS = 10


@dataclass
class Hit:
    kind: str
    id: int
    title: str
    snippet: str
    url: str
    group_id: int


def _clean(value: str) -> str:
    return value.replace(_OPEN, "").replace(_CLOSE, "")


# Keeping the index in step --------------------------------------------------------------------

def put(session: Session, *, kind: str, ref_id: int, group_id: int, meeting_id: int | None, members_only: bool,
        title: str, body: str, url: str) -> None:
    row = session.exec(select(SearchDocument).where(SearchDocument.kind == kind,
                                                    SearchDocument.ref_id == ref_id)).first()
    values = {"group_id": group_id, "meeting_id": meeting_id, "members_only": members_only,
              "title": _clean(title)[:300], "body": _clean(body), "url": url}
    if row is None:
        session.add(SearchDocument(kind=kind, ref_id=ref_id, **values))
    else:
        for key, value in values.items():
            setattr(row, key, value)
    session.flush()


def index_decision(session: Session, decision: Decision, item: AgendaItem | None) -> None:
    put(session, kind="decision", ref_id=decision.id, group_id=decision.group_id, meeting_id=decision.meeting_id,
        members_only=bool(item and item.confidential), title=f"Decision: {item.title}" if item else "Decision",
        body=decision.text, url=f"/meetings/{decision.meeting_id}#decision-{decision.id}")


def index_action(session: Session, action: Action) -> None:
    item = session.get(AgendaItem, action.agenda_item_id) if action.agenda_item_id else None
    notes = session.exec(select(ActionUpdate.text).where(ActionUpdate.action_id == action.id)).all()
    put(session, kind="action", ref_id=action.id, group_id=action.group_id, meeting_id=action.meeting_id,
        members_only=bool(item and item.confidential), title=f"Action {action.number}",
        body="\n".join([action.text, *notes]), url=f"/actions/{action.id}")


def index_document(session: Session, document: Document, item: AgendaItem | None, *, group_id: int) -> None:
    """Its title and file name; members-only if marked confidential or on a confidential item."""
    put(session, kind="document", ref_id=document.id, group_id=group_id, meeting_id=document.meeting_id,
        members_only=document.confidential or bool(item and item.confidential), title=document.title,
        body=document.filename, url=f"/api/v1/documents/{document.id}/content")


def reindex_minutes(session: Session, meeting: Meeting) -> None:
    """The latest published version for everyone, and a newer draft for members only."""
    session.exec(delete(SearchDocument).where(SearchDocument.kind == "minutes",
                                              SearchDocument.meeting_id == meeting.id))
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
            put(session, kind="minutes", ref_id=minute.id, group_id=meeting.group_id, meeting_id=meeting.id,
                members_only=version.status == "draft" or item.confidential,
                title=f"Minutes {item.ref}: {item.title}", body=minute.text,
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


# Querying ---------------------------------------------------------------------------------

def _terms(q: str) -> list[str]:
    terms = re.findall(r"\w+", q.lower())[:_MAX_TERMS]
    if not terms:
        raise InvalidInput("Type at least one word to search for.",
                           errors=[{"loc": ["query", "q"], "msg": "no words to search for"}])
    return terms


# Ranking reads only the index; snippets are made afterwards for the page of rows returned, as
# making one is far dearer than ranking one (and a common word matches most of the index).
# Only constants are formatted into these statements; the user's words are bound parameters.
_SQLITE_RANKED = """
    SELECT d.id, d.kind, d.ref_id, d.title, d.url, d.group_id, d.members_only, bm25(search_fts, 4.0, 1.0) AS rank
    FROM search_fts JOIN search_document d ON d.id = search_fts.rowid
    WHERE search_fts MATCH :match"""
_SQLITE_SNIPPETS = f"""
    SELECT rowid AS id, snippet(search_fts, 1, '{_OPEN}', '{_CLOSE}', '…', 16) AS snippet
    FROM search_fts WHERE search_fts MATCH :match AND rowid IN :ids"""  # noqa: S608
# ts_rank grows with relevance; negated so that, as with bm25, lower sorts first.
_POSTGRES_RANKED = """
    SELECT d.id, d.kind, d.ref_id, d.title, d.url, d.group_id, d.members_only,
           -ts_rank(d.search_fts_vector, q)::float8 AS rank
    FROM search_document d, to_tsquery('english', :match) AS q
    WHERE d.search_fts_vector @@ q"""
_POSTGRES_SNIPPETS = f"""
    SELECT d.id, ts_headline('english', d.body, q,
                             'StartSel={_OPEN}, StopSel={_CLOSE}, MaxWords=30, MinWords=12, MaxFragments=1') AS snippet
    FROM search_document d, to_tsquery('english', :match) AS q WHERE d.id IN :ids"""  # noqa: S608


# Whether a hit may be shown outside its group's members is decided twice over: by the flag the
# index was written with, and here from the records themselves as they are now (the item's
# confidentiality, a document's own mark, a minute's draft status), so an index that has fallen
# behind a change can never show what is now members-only.
_ITEM_OF_HIT = """CASE r.kind
        WHEN 'document' THEN (SELECT x.agenda_item_id FROM document x WHERE x.id = r.ref_id)
        WHEN 'decision' THEN (SELECT x.agenda_item_id FROM decision x WHERE x.id = r.ref_id)
        WHEN 'action' THEN (SELECT x.agenda_item_id FROM "action" x WHERE x.id = r.ref_id)
        WHEN 'minutes' THEN (SELECT x.agenda_item_id FROM minute_text x WHERE x.id = r.ref_id)
    END"""
_OPEN_TO_ALL = f"""(NOT r.members_only
    AND NOT EXISTS (SELECT 1 FROM agenda_item a WHERE a.id = {_ITEM_OF_HIT} AND a.confidential)
    AND NOT EXISTS (SELECT 1 FROM document x WHERE r.kind = 'document' AND x.id = r.ref_id AND x.confidential)
    AND NOT EXISTS (SELECT 1 FROM minute_text x JOIN minutes_version v ON v.id = x.minutes_version_id
                    WHERE r.kind = 'minutes' AND x.id = r.ref_id AND v.status = 'draft'))"""  # noqa: S608


def _match(terms: list[str], dialect: str) -> str:
    """Every word must match; the last may be the start of a word (as-you-type)."""
    if dialect == "sqlite":
        return (" ".join(f'"{t}"' for t in terms[:-1]) + f' "{terms[-1]}"*').strip()
    return " & ".join(f"{t}:*" if i == len(terms) - 1 else t for i, t in enumerate(terms))


def _highlight(snippet: str) -> str:
    return html.escape(snippet).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")


def search(session: Session, *, subject: Subject, q: str, limit: int = 20, cursor: str | None = None,
           kinds: list[str] | None = None) -> tuple[list[Hit], str | None]:
    terms = _terms(q)
    dialect = session.get_bind().dialect.name
    inner = _SQLITE_RANKED if dialect == "sqlite" else _POSTGRES_RANKED
    match = _match(terms, dialect)
    params: dict[str, Any] = {"match": match, "limit": limit + 1}
    bind = []
    where = []
    if not subject.is_admin:
        # -1: no group has it, so the IN list is never empty.
        params["groups"] = sorted(member_groups(session, subject)) or [-1]
        bind.append(bindparam("groups", expanding=True))
        where.append(f"({_OPEN_TO_ALL} OR r.group_id IN :groups)")
    if kinds:
        params["kinds"] = kinds
        bind.append(bindparam("kinds", expanding=True))
        where.append("r.kind IN :kinds")
    if cursor:
        rank, last_id = decode_cursor(cursor, [float, int])
        where.append("(r.rank > :rank OR (r.rank = :rank AND r.id > :last_id))")
        params.update(rank=rank, last_id=last_id)
    condition = "WHERE " + " AND ".join(where) if where else ""
    sql = f"SELECT * FROM ({inner}) AS r {condition} ORDER BY r.rank, r.id LIMIT :limit"  # noqa: S608
    rows = session.execute(text(sql).bindparams(*bind), params).mappings().all()
    snippets = {}
    if rows:
        snippet_sql = text(_SQLITE_SNIPPETS if dialect == "sqlite" else _POSTGRES_SNIPPETS).bindparams(
            bindparam("ids", expanding=True))
        snippets = dict(session.execute(snippet_sql, {"match": match, "ids": [r["id"] for r in rows[:limit]]}).all())
    hits = [Hit(kind=r["kind"], id=r["ref_id"], title=r["title"], snippet=_highlight(snippets.get(r["id"]) or ""),
                url=r["url"], group_id=r["group_id"]) for r in rows[:limit]]
    if len(rows) <= limit:
        return hits, None
    return hits, encode_cursor([float(rows[limit - 1]["rank"]), rows[limit - 1]["id"]])
