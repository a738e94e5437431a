"""Documents: uploads checked by size and by what the bytes are (not the name), stored once
per content under ATA_STORAGE_DIR/<aa>/<bb>/<sha256>, served only to those who may see them."""

import hashlib
import os
import re
import tempfile
import zipfile
from pathlib import Path
from typing import BinaryIO

from fastapi.responses import FileResponse
from sqlmodel import Session, select

from api.access import GroupAccess, access_to, ensure_manager
from api.audit import service as audit
from api.core.config import Settings
from api.core.errors import InvalidInput, NotFound
from api.core.uploads import UnsupportedType, limit_of, too_large
from api.meetings import indexing
from api.meetings.confidentiality import document_members_only
from api.meetings.models import AgendaItem, Document, Meeting
from api.meetings.schemas import DocumentRead

CHUNK = 1024 * 1024
OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


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


def store(settings: Settings, upload: BinaryIO) -> tuple[str, int, str, Path]:
    """Copy the upload to a temporary file beside the store, hashing and counting as it goes
    (413 as soon as it is too large); then check its type (415) and move it into place."""
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
        sha = digest.hexdigest()
        final = root / sha[:2] / sha[2:4] / sha
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            temp.unlink()
        else:
            os.replace(temp, final)
        return sha, size, kind, final
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def content_path(settings: Settings, document: Document | DocumentRead) -> Path:
    sha = document.sha256
    return Path(settings.storage_dir) / sha[:2] / sha[2:4] / sha


def add(session: Session, settings: Settings, *, access: GroupAccess, meeting: Meeting, upload: BinaryIO,
        filename: str | None, title: str | None, agenda_item_id: int | None, confidential: bool) -> DocumentRead:
    ensure_manager(session, access, "upload a document")
    item = None
    if agenda_item_id is not None:
        item = session.get(AgendaItem, agenda_item_id)
        if item is None or item.meeting_id != meeting.id:
            raise InvalidInput("The request has invalid fields.", errors=[
                {"loc": ["body", "agenda_item_id"], "msg": "not an agenda item of this meeting"}])
    sha, size, kind, _ = store(settings, upload)
    name = _safe_filename(filename)
    # Only what the uploader asked for is stored: the item's confidentiality is read from the
    # item whenever the paper is read (see `document_members_only`), so it follows the item both ways,
    # while a paper marked confidential stays so whatever later happens to its item.
    document = Document(meeting_id=meeting.id, agenda_item_id=agenda_item_id, title=(title or name)[:300],
                        filename=name, content_type=kind, size=size, sha256=sha, confidential=confidential,
                        uploaded_by=access.subject.label)
    audit.add_entity(session, document, actor=access.subject, entity_type="document")
    indexing.index_document(session, document, item, group_id=meeting.group_id)
    return _read(document, confidential or bool(item and item.confidential))


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
                        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})
