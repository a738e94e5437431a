"""Full-text search over the documents other domains write into the index (meetings' minutes,
decisions, actions and documents: api/meetings/indexing.py; pilots and Place updates:
api/outcomes/indexing.py; people and organisations: api/search/directory.py), ranked, with highlighted
snippets, filtered to what the caller may see (asked of api/access.py). Search knows only its own
table. One interface; two engines underneath: SQLite FTS5 (bm25, snippet) and PostgreSQL text
search (ts_rank, ts_headline)."""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Float,
    Integer,
    String,
    and_,
    bindparam,
    delete,
    false,
    insert,
    or_,
    text,
    update,
)
from sqlalchemy import select as select_rows
from sqlmodel import Session, select

from api.access import member_groups, visible_to
from api.authz import Subject
from api.core.errors import InvalidInput
from api.core.pagination import decode_cursor, encode_cursor
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
    group_id: int | None


def _clean(value: str) -> str:
    return value.replace(_OPEN, "").replace(_CLOSE, "")


# Keeping the index in step --------------------------------------------------------------------
# The domains whose records are indexed write their documents here, and tell search which of
# them are for their group's members only as the records stand now (`register_kind`).

MembersOnlyNow = Callable[[ColumnElement[int]], ColumnElement[bool]]
_MEMBERS_ONLY_NOW: dict[str, MembersOnlyNow] = {}


def register_kind(kind: str, *, members_only_now: MembersOnlyNow) -> None:
    """`members_only_now(ref_id)`: SQL, true while the record a document of this kind refers to is
    for its group's members only. Documents of a kind nobody registered are shown only to the
    group's members."""
    _MEMBERS_ONLY_NOW[kind] = members_only_now


def register_open_kind(kind: str) -> None:
    """A kind of record of no group that is never members-only (a person, a pilot): its documents
    are for everyone who may search."""
    register_kind(kind, members_only_now=lambda _ref_id: false())


def _values(*, group_id: int | None, meeting_id: int | None, members_only: bool, title: str, body: str,
            url: str) -> dict:
    return {"group_id": group_id, "meeting_id": meeting_id, "members_only": members_only,
            "title": _clean(title)[:300], "body": _clean(body), "url": url}


def put(session: Session, *, kind: str, ref_id: int, group_id: int | None, meeting_id: int | None,
        members_only: bool, title: str, body: str, url: str) -> None:
    row = session.exec(select(SearchDocument).where(SearchDocument.kind == kind,
                                                    SearchDocument.ref_id == ref_id)).first()
    values = _values(group_id=group_id, meeting_id=meeting_id, members_only=members_only, title=title, body=body,
                     url=url)
    if row is None:
        session.add(SearchDocument(kind=kind, ref_id=ref_id, **values))
    else:
        for key, value in values.items():
            setattr(row, key, value)
    session.flush()


def remove(session: Session, *, kind: str, meeting_id: int) -> None:
    """Every document of one kind recorded against a meeting (before writing its current ones)."""
    session.exec(delete(SearchDocument).where(SearchDocument.kind == kind, SearchDocument.meeting_id == meeting_id))


# The same, at the connection: for writers that run inside a flush (api/search/directory.py),
# where the session may not be given new objects. `new`: the record was inserted in this flush,
# so it has no document yet.

def write(connection: Connection, *, kind: str, ref_id: int, title: str, body: str, url: str,
          new: bool = False) -> None:
    """A document of a record of no group, for everyone who may search."""
    values = _values(group_id=None, meeting_id=None, members_only=False, title=title, body=body, url=url)
    table = SearchDocument.__table__
    if not new:
        changed = connection.execute(update(table).where(table.c.kind == kind, table.c.ref_id == ref_id)
                                     .values(**values))
        if changed.rowcount:
            return
    connection.execute(insert(table).values(kind=kind, ref_id=ref_id, **values))


def erase(connection: Connection, *, kind: str, ref_ids: list[int]) -> None:
    table = SearchDocument.__table__
    connection.execute(delete(table).where(table.c.kind == kind, table.c.ref_id.in_(ref_ids)))


def forget_old_words(connection: Connection) -> None:
    """After personal data left the index (a person deleted, renamed or anonymised): SQLite's FTS5
    keeps a removed document's words in its index segments until they are merged, so they are all
    merged now, leaving no trace of the old name in the file. Its cost grows with the index, and
    such changes are rare. PostgreSQL's vector is part of the row, written again with it."""
    if connection.dialect.name == "sqlite":
        connection.execute(text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))


# Querying ---------------------------------------------------------------------------------

def _terms(q: str) -> list[str]:
    terms = re.findall(r"\w+", q.lower())[:_MAX_TERMS]
    if not terms:
        raise InvalidInput("Enter at least one word to search for",
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


_COLUMNS = {"id": Integer, "kind": String, "ref_id": Integer, "title": String, "url": String, "group_id": Integer,
            "members_only": Boolean, "rank": Float}


def _members_only(ranked) -> ColumnElement[bool]:
    """Whether a hit is for its group's members only is decided twice over: by the flag the index
    was written with, and by the records themselves as they are now (through each kind's
    registered condition), so an index that has fallen behind a change can never show what is now
    members-only."""
    now = [and_(ranked.c.kind == kind, members_only_now(ranked.c.ref_id))
           for kind, members_only_now in _MEMBERS_ONLY_NOW.items()]
    return or_(ranked.c.members_only, ranked.c.kind.not_in(list(_MEMBERS_ONLY_NOW)), *now)


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
    ranked = text(inner).bindparams(match=match).columns(**_COLUMNS).subquery("r")
    # Admins see everything, so their groups are never looked up.
    groups = set() if subject.is_admin else member_groups(session, subject)
    stmt = select_rows(ranked).where(visible_to(subject, groups, _members_only(ranked), ranked.c.group_id))
    if kinds:
        stmt = stmt.where(ranked.c.kind.in_(kinds))
    if cursor:
        rank, last_id = decode_cursor(cursor, [float, int])
        stmt = stmt.where(or_(ranked.c.rank > rank, and_(ranked.c.rank == rank, ranked.c.id > last_id)))
    rows = session.execute(stmt.order_by(ranked.c.rank, ranked.c.id).limit(limit + 1)).mappings().all()
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
