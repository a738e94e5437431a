"""Documents (a meeting's papers): uploads checked by size and by what the bytes are (not the
name), stored once per content under ATA_STORAGE_DIR/<aa>/<bb>/<sha256>, served only to those who
may see them; replaced, moved and removed by the group's officers. A PDF's pages are counted at
upload (an unreadable or password-protected PDF is refused), so that the meeting pack's page
numbers are known without opening every paper again (pack.py)."""

import hashlib
import os
import re
import tempfile
import time
import zipfile
from pathlib import Path
from typing import BinaryIO

from fastapi.responses import FileResponse
from pypdf import PdfReader
from sqlalchemy import event, func
from sqlmodel import Session, select

from api.access import GroupAccess, access_to, ensure_manager
from api.audit import service as audit
from api.core.config import Settings
from api.core.errors import InvalidInput, NotFound, invalid_field
from api.core.uploads import UnsupportedType, limit_of, too_large
from api.meetings import indexing, notices, pack
from api.meetings.confidentiality import document_members_only
from api.meetings.models import AgendaItem, Document, Meeting
from api.meetings.schemas import DocumentRead
from api.search import service as search

CHUNK = 1024 * 1024
OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}

# Every content type a stored document can have (what _sniff answers), for the API's description.
STORED_TYPES = ("application/pdf", "image/png", "image/jpeg", "application/vnd.ms-office", *OOXML.values(),
                "text/csv")


def _sniff(path: Path) -> str | None:
    """The content type the bytes really are, for the kinds we accept; None otherwise."""
    with path.open("rb") as handle:
        head = handle.read(8192)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/vnd.ms-office"  # legacy Word, Excel or PowerPoint
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            for prefix, kind in OOXML.items():
                if any(name.startswith(prefix) for name in names):
                    return kind
        return None
    if head and b"\x00" not in head:
        try:
            sample = head.decode("utf-8-sig")
        except UnicodeDecodeError:
            # The chunk may end inside a character; one more byte decides.
            try:
                sample = head[:-3].decode("utf-8-sig")
            except UnicodeDecodeError:
                return None
        # Comma-separated lines of text; nothing that starts like markup (HTML, SVG, XML).
        if "," in sample and ("\n" in sample or len(head) < 8192) and not sample.lstrip().startswith("<"):
            return "text/csv"
    return None


def _safe_filename(name: str | None) -> str:
    base = os.path.basename((name or "").replace("\\", "/"))
    cleaned = re.sub(r"[^\w.\- ()]+", "_", base).strip(" .")[:200]
    return cleaned or "document"


UNREADABLE_PDF = "This PDF could not be read"


def pdf_pages(path: Path) -> int:
    """The pages of the PDF at `path`; 422 when it cannot be read (damaged, or protected by a
    password, which would also stop it being put in the meeting pack)."""
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise ValueError("encrypted")
        pages = len(reader.pages)
        if pages < 1:
            raise ValueError("no pages")
        return pages
    except Exception:  # pypdf raises many kinds of error for a damaged file
        raise InvalidInput(f"{UNREADABLE_PDF}: it may be damaged or protected by a password. Save it again "
                           "as a PDF without a password and upload it again.",
                           errors=[{"loc": ["body", "file"], "msg": UNREADABLE_PDF}]) from None


def store(settings: Settings, upload: BinaryIO) -> tuple[str, int, str, Path, int | None]:
    """Copy the upload to a temporary file beside the store, hashing and counting as it goes
    (413 as soon as it is too large); then check its type (415), count a PDF's pages (422 when it
    cannot be read) and move it into place. Returns (sha256, size, type, path, PDF pages)."""
    limit = limit_of(settings.max_upload_mb)
    root = Path(settings.storage_dir)
    (root / "tmp").mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    # Closed by the `with` below; not deleted, because it is moved into place when it passes.
    handle = tempfile.NamedTemporaryFile(dir=root / "tmp", delete=False)  # noqa: SIM115
    temp = Path(handle.name)
    try:
        with handle:
            while chunk := upload.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise too_large(limit)
                digest.update(chunk)
                handle.write(chunk)
        if size == 0:
            raise InvalidInput("The file is empty.", errors=[{"loc": ["body", "file"], "msg": "empty file"}])
        kind = _sniff(temp)
        if kind is None:
            raise UnsupportedType("Only PDF, Word, Excel, PowerPoint, CSV, PNG and JPEG files can be uploaded; "
                                  "this file's content is none of those.")
        pages = pdf_pages(temp) if kind == "application/pdf" else None
        sha = digest.hexdigest()
        final = pack.stored_path(settings, sha)
        final.parent.mkdir(parents=True, exist_ok=True)
        # Always moved into place (atomic, and the same bytes) and marked with the time: a removal
        # of another paper with these bytes, committing meanwhile, leaves a file stored after it
        # decided alone (see `_forget_after_commit`).
        os.replace(temp, final)
        os.utime(final)
        return sha, size, kind, final, pages
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def content_path(settings: Settings, document: Document | DocumentRead) -> Path:
    return pack.stored_path(settings, document.sha256)


def add(session: Session, settings: Settings, *, access: GroupAccess, meeting: Meeting, upload: BinaryIO,
        filename: str | None, title: str | None, agenda_item_id: int | None, confidential: bool) -> DocumentRead:
    ensure_manager(session, access, "upload a document")
    item = _meeting_item(session, meeting, agenda_item_id)
    sha, size, kind, _, pages = store(settings, upload)
    name = _safe_filename(filename)
    # Only what the uploader asked for is stored: the item's confidentiality is read from the
    # item whenever the paper is read (see `document_members_only`), so it follows the item both ways,
    # while a paper marked confidential stays so whatever later happens to its item.
    document = Document(meeting_id=meeting.id, agenda_item_id=agenda_item_id, title=(title or name)[:300],
                        filename=name, content_type=kind, size=size, sha256=sha, page_count=pages,
                        confidential=confidential, uploaded_by=access.subject.label)
    audit.add_entity(session, document, actor=access.subject, entity_type="document")
    indexing.index_document(session, document, item, group_id=meeting.group_id)
    pack.refresh_pack_pages(session, meeting)
    notices.papers_published(session, meeting)
    return _read(document, confidential or bool(item and item.confidential))


def _meeting_item(session: Session, meeting: Meeting, agenda_item_id: int | None) -> AgendaItem | None:
    if agenda_item_id is None:
        return None
    item = session.get(AgendaItem, agenda_item_id)
    if item is None or item.meeting_id != meeting.id:
        raise InvalidInput("The request has invalid fields.", errors=[
            {"loc": ["body", "agenda_item_id"], "msg": "not an agenda item of this meeting"}])
    return item


def etag(document: Document | DocumentRead) -> str:
    """A paper's entity tag: its id and its content (a title change keeps it)."""
    return f'"{document.id}.{document.sha256[:32]}"'


def for_change(session: Session, *, subject, document_id: int) -> tuple[Document, Meeting, GroupAccess]:
    """The paper, its meeting and the caller's access, for a change: 404 when the caller may not
    see it (as for reading), 403 (audited) when they see it but may not change it."""
    _, access = get_visible(session, subject=subject, document_id=document_id)
    ensure_manager(session, access, "change a document")
    document = session.get(Document, document_id)
    return document, session.get(Meeting, document.meeting_id), access


def replace(session: Session, settings: Settings, *, access: GroupAccess, document: Document, meeting: Meeting,
            upload: BinaryIO, filename: str | None) -> DocumentRead:
    """New bytes for the same paper (same id, title and item): checked as any upload; audited."""
    ensure_manager(session, access, "replace a document")
    old_sha = document.sha256
    sha, size, kind, _, pages = store(settings, upload)
    name = _safe_filename(filename) if filename else document.filename
    audit.change_entity(session, document, {"filename": name, "content_type": kind, "size": size, "sha256": sha,
                                            "page_count": pages, "uploaded_by": access.subject.label},
                        actor=access.subject, entity_type="document")
    if old_sha != sha:
        _forget_after_commit(session, settings, old_sha)
    item = session.get(AgendaItem, document.agenda_item_id) if document.agenda_item_id else None
    indexing.index_document(session, document, item, group_id=meeting.group_id)
    pack.refresh_pack_pages(session, meeting)
    if old_sha != sha:  # new content: members are told (once a day per meeting at most)
        notices.papers_published(session, meeting)
    return _read(document, document.confidential or bool(item and item.confidential))


def update(session: Session, settings: Settings, *, access: GroupAccess, document: Document, meeting: Meeting,
           changes: dict) -> DocumentRead:
    """A new title, or a move to another item of the same meeting (or to the meeting as a whole);
    a paper moved onto a confidential item becomes members-only with it."""
    ensure_manager(session, access, "change a document")
    if "agenda_item_id" in changes:
        _meeting_item(session, meeting, changes["agenda_item_id"])
    if "title" in changes and not (changes["title"] or "").strip():
        raise invalid_field("title", "must not be empty")
    audit.change_entity(session, document, changes, actor=access.subject, entity_type="document")
    item = session.get(AgendaItem, document.agenda_item_id) if document.agenda_item_id else None
    indexing.index_document(session, document, item, group_id=meeting.group_id)
    pack.refresh_pack_pages(session, meeting)
    return _read(document, document.confidential or bool(item and item.confidential))


def remove(session: Session, settings: Settings, *, access: GroupAccess, document: Document,
           meeting: Meeting) -> None:
    """Remove a paper (audited, with what it was). Its bytes are deleted from storage once the
    removal is committed, unless another paper has the same content (stored once for both)."""
    ensure_manager(session, access, "remove a document")
    sha = document.sha256
    audit.remove_entity(session, document, actor=access.subject, entity_type="document")
    # The search index has no per-record removal: the meeting's papers are written again.
    search.remove(session, kind="document", meeting_id=meeting.id)
    items = {i.id: i for i in session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))}
    for other in session.exec(select(Document).where(Document.meeting_id == meeting.id)):
        indexing.index_document(session, other, items.get(other.agenda_item_id), group_id=meeting.group_id)
    _forget_after_commit(session, settings, sha)
    pack.refresh_pack_pages(session, meeting)


def _forget_after_commit(session: Session, settings: Settings, sha: str) -> None:
    """Delete the stored bytes of `sha` after the transaction commits, if no paper uses them then
    (asked again on a connection of its own, since the request's transaction is over). Never
    before the commit: a rolled-back removal must find its file still there."""
    engine = session.get_bind()
    decided = time.time_ns()

    def _after_commit(_session) -> None:
        with engine.connect() as connection:
            used = connection.execute(select(func.count()).select_from(Document)
                                      .where(Document.sha256 == sha)).scalar_one()
        path = pack.stored_path(settings, sha)
        try:
            stored_again = path.stat().st_mtime_ns > decided  # by an upload not yet committed
        except FileNotFoundError:
            return
        if not used and not stored_again:
            path.unlink(missing_ok=True)

    event.listen(session, "after_commit", _after_commit, once=True)


def _read(document: Document, hidden: bool) -> DocumentRead:
    """What callers are told about a document: `confidential` is whether it is members-only now."""
    return DocumentRead.model_validate(document).model_copy(update={"confidential": bool(hidden)})


def _visible(stmt, access: GroupAccess):
    """`stmt` (selecting Document first) with the members-only flag added as its last column, and
    members-only documents left out for callers who may not see them. Run it with
    `session.execute`: rows of several columns, not scalars."""
    flag = document_members_only()
    stmt = stmt.add_columns(flag)
    return stmt if access.sees_members_only else stmt.where(~flag)


def get_visible(session: Session, *, subject, document_id: int) -> tuple[DocumentRead, GroupAccess]:
    """The document if the caller may see it; 404 (not 403) otherwise, so that a confidential
    paper's existence is not given away."""
    group_id = session.exec(select(Meeting.group_id).join(Document, Document.meeting_id == Meeting.id)
                            .where(Document.id == document_id)).first()
    if group_id is None:
        raise NotFound(f"No document with id {document_id}.")
    access = access_to(session, subject, group_id)
    row = session.execute(_visible(select(Document).where(Document.id == document_id), access)).first()
    if row is None:
        raise NotFound(f"No document with id {document_id}.")
    return _read(*row), access


def list_for_meeting(session: Session, *, access: GroupAccess, meeting_id: int) -> list[DocumentRead]:
    stmt = _visible(select(Document).where(Document.meeting_id == meeting_id), access)
    return [_read(document, hidden) for document, hidden in session.execute(stmt.order_by(Document.id))]


def recent_for_group(session: Session, *, access: GroupAccess, group_id: int,
                     limit: int = 10) -> list[tuple[DocumentRead, Meeting]]:
    """The group's newest documents across its meetings, with their meetings, in one query."""
    stmt = _visible(select(Document, Meeting).join(Meeting, Meeting.id == Document.meeting_id)
                    .where(Meeting.group_id == group_id), access)
    rows = session.execute(stmt.order_by(Meeting.starts_at.desc(), Document.id.desc()).limit(limit))
    return [(_read(document, hidden), meeting) for document, meeting, hidden in rows]


def file_response(settings: Settings, document: Document | DocumentRead) -> FileResponse:
    """The stored file as an attachment, never sniffed into something else by the browser."""
    path = content_path(settings, document)
    if not path.exists():
        raise NotFound("The file of this document is missing from storage; ask an administrator.")
    return FileResponse(path, media_type=document.content_type, filename=document.filename,
                        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
                                 "ETag": etag(document)})
