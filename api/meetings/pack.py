"""The meeting pack: one PDF of a cover (the meeting and its agenda) and every PDF paper in agenda
order, with "Page N of M" stamped at the foot of every page, the cover's included, and each
item's "Pack page" the real page its first paper starts on, so that the numbers quoted in the
meeting match the pack everyone holds.

- What a pack shows depends on who asks: the group's members (and admins) get every item and
  paper; anyone else gets neither the confidential items (not even on the cover) nor papers
  that are members-only. Two audiences, two packs.
- Items' papers come in agenda order (each item's papers in upload order), then the papers for
  the meeting as a whole; the cover says so. Files that are not PDFs (Word, Excel, images) are
  listed on the cover with a link, not merged.
- Page numbers are worked out from each paper's `page_count` (read at upload) without opening
  the papers: only the cover is rendered, re-rendered while its own length changes (a long agenda
  takes two pages, which moves every paper). `refresh_pack_pages` stores the members' numbers in
  `AgendaItem.pack_page` after each change to the papers, for the agenda API and the pages.
- A built pack is kept under ATA_STORAGE_DIR/packs/<meeting>/<key>.pdf, the key a hash of all it
  shows (meeting, group, items, papers, audience, links' base address and the layout's version):
  a repeat request reads the file, and the key is the response's ETag. Any change makes a new key;
  the older files of the meeting are pruned when a new pack is written.

Memory: pypdf holds the pages being merged until the pack is written, so a build needs about
the size of the papers it merges (each at most ATA_MAX_UPLOAD_MB); the papers' files are read
from disk as they are merged, and the result streams from a file.
"""

import hashlib
import io
import json
import os
import tempfile
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from fastapi.responses import FileResponse
from pypdf import PdfReader, PdfWriter, Transformation
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlmodel import Session, select

from api.core.config import Settings
from api.core.errors import Conflict, NotModified
from api.core.types import LONDON
from api.meetings.confidentiality import document_members_only
from api.meetings.models import AgendaItem, Document, Meeting
from api.registry.models import Group, Stakeholder

PDF = "application/pdf"
# Bump when the cover's layout or the stamp changes, so that packs built before are rebuilt.
LAYOUT_VERSION = 1
NOT_IN_PACK = "not in the pack: download it from the meeting page"
GENERAL_LAST = "Papers for the meeting as a whole follow the items' papers."
KEEP_PER_MEETING = 6  # built packs kept per meeting (two audiences, a few recent versions)


def stored_path(settings: Settings, sha256: str) -> Path:
    """Where the bytes of a stored file live: ATA_STORAGE_DIR/<aa>/<bb>/<sha256>."""
    return Path(settings.storage_dir) / sha256[:2] / sha256[2:4] / sha256


@dataclass(frozen=True)
class PackItem:
    id: int
    ref: str
    title: str
    lead: str
    purpose: str
    confidential: bool


@dataclass(frozen=True)
class PackPaper:
    id: int
    title: str
    filename: str
    sha256: str
    content_type: str
    page_count: int | None
    agenda_item_id: int | None

    @property
    def in_pack(self) -> bool:
        return self.content_type == PDF and bool(self.page_count)


@dataclass(frozen=True)
class PackFacts:
    """Everything a pack shows, for one audience."""

    meeting_id: int
    members: bool
    base_url: str
    group_name: str
    title: str
    starts_at: str
    ends_at: str
    venue: str
    venue_kind: str
    online_link: str
    status: str
    items: tuple[PackItem, ...]
    papers: tuple[PackPaper, ...]

    @property
    def key(self) -> str:
        text = json.dumps({"layout": LAYOUT_VERSION, **asdict(self)}, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:40]

    def ordered(self) -> list[PackPaper]:
        """Items' papers in agenda order (upload order within an item), then the meeting's own."""
        position = {item.id: n for n, item in enumerate(self.items)}
        shown = [p for p in self.papers if p.agenda_item_id is None or p.agenda_item_id in position]
        return sorted(shown, key=lambda p: (p.agenda_item_id is None, position.get(p.agenda_item_id, 0), p.id))


@dataclass(frozen=True)
class PackPlan:
    """Where everything falls in the pack."""

    key: str
    cover_pages: int
    total_pages: int
    item_pages: dict[int, int] = field(default_factory=dict)  # item id: page its first paper starts on
    paper_pages: dict[int, int] = field(default_factory=dict)  # paper id: its first page
    in_pack: tuple[PackPaper, ...] = ()
    not_in_pack: tuple[PackPaper, ...] = ()


def facts(session: Session, *, meeting: Meeting, members: bool, base_url: str = "") -> PackFacts:
    """What the pack shows to members (`members`) or to everyone else, in three queries."""
    group_name = session.exec(select(Group.name).where(Group.id == meeting.group_id)).one()
    stmt = (select(AgendaItem, Stakeholder.name).outerjoin(Stakeholder, Stakeholder.id == AgendaItem.lead_id)
            .where(AgendaItem.meeting_id == meeting.id))
    if not members:
        stmt = stmt.where(AgendaItem.confidential.is_(False))
    rows = session.exec(stmt.order_by(AgendaItem.position, AgendaItem.id)).all()
    items = [item for item, _ in rows]
    leads = {item.lead_id: name for item, name in rows if item.lead_id}
    papers = select(Document).where(Document.meeting_id == meeting.id)
    if not members:
        papers = papers.where(~document_members_only())
    documents = list(session.exec(papers.order_by(Document.id)))
    return PackFacts(
        meeting_id=meeting.id, members=members, base_url=base_url.rstrip("/"), group_name=group_name,
        title=meeting.title, starts_at=meeting.starts_at.isoformat(), ends_at=meeting.ends_at.isoformat(),
        venue=meeting.venue, venue_kind=meeting.venue_kind, online_link=meeting.online_link or "",
        status=meeting.status,
        items=tuple(PackItem(id=i.id, ref=i.ref, title=i.title, lead=leads.get(i.lead_id, ""), purpose=i.purpose,
                             confidential=i.confidential) for i in items),
        papers=tuple(PackPaper(id=d.id, title=d.title, filename=d.filename, sha256=d.sha256,
                               content_type=d.content_type, page_count=d.page_count,
                               agenda_item_id=d.agenda_item_id) for d in documents),
    )


def _number(pack: PackFacts, cover_pages: int) -> PackPlan:
    ordered = pack.ordered()
    page, item_pages, paper_pages = cover_pages + 1, {}, {}
    for paper in ordered:
        if not paper.in_pack:
            continue
        paper_pages[paper.id] = page
        if paper.agenda_item_id is not None:
            item_pages.setdefault(paper.agenda_item_id, page)
        page += paper.page_count
    return PackPlan(key=pack.key, cover_pages=cover_pages, total_pages=page - 1, item_pages=item_pages,
                    paper_pages=paper_pages, in_pack=tuple(p for p in ordered if p.in_pack),
                    not_in_pack=tuple(p for p in ordered if not p.in_pack))


# The cover -------------------------------------------------------------------------------------

_STYLES = getSampleStyleSheet()
_BODY = ParagraphStyle("pack-body", parent=_STYLES["BodyText"], fontName="Helvetica", fontSize=10, leading=13)
_SMALL = ParagraphStyle("pack-small", parent=_BODY, fontSize=8.5, leading=11)
_CELL = ParagraphStyle("pack-cell", parent=_BODY, fontSize=9, leading=11.5)
_HEAD = ParagraphStyle("pack-head", parent=_CELL, fontName="Helvetica-Bold")
_H1 = ParagraphStyle("pack-h1", parent=_STYLES["Heading1"], fontName="Helvetica-Bold", fontSize=18, leading=22)
_H2 = ParagraphStyle("pack-h2", parent=_STYLES["Heading2"], fontName="Helvetica-Bold", fontSize=13, leading=16)
_MARGIN = 18 * mm
_FOOT = 16 * mm  # room kept at the foot of the cover for the stamped page number


def _text(value: str) -> str:
    return escape(value or "")


def _clock(moment) -> str:
    return moment.strftime("%-I:%M%p").lower().replace(":00", "")


def _when(pack: PackFacts) -> tuple[str, str]:
    start = datetime.fromisoformat(pack.starts_at).astimezone(LONDON)
    end = datetime.fromisoformat(pack.ends_at).astimezone(LONDON)
    return f"{start:%A} {start.day} {start:%B %Y}", f"{_clock(start)} to {_clock(end)}"


def _link(pack: PackFacts, path: str, text: str) -> str:
    """A link whose visible words do not depend on the site's address, so that the cover's
    length (and so every page number) is the same wherever the pack is built."""
    if not pack.base_url:
        return _text(text)
    return f'<link href="{_text(pack.base_url + path)}" color="blue"><u>{_text(text)}</u></link>'


def _cover(pack: PackFacts, plan: PackPlan) -> bytes:
    day, time = _when(pack)
    venue = pack.venue + (f" ({pack.venue_kind.replace('_', ' ')})" if pack.venue_kind != "in_person" else "")
    story = [Paragraph(_text(pack.group_name), _H1),
             Paragraph(f"{_text(pack.title)}: meeting pack" if pack.title else "Meeting pack", _H2),
             Paragraph(f"<b>Date:</b> {_text(day)}", _BODY), Paragraph(f"<b>Time:</b> {_text(time)}", _BODY)]
    if venue:
        story.append(Paragraph(f"<b>Venue:</b> {_text(venue)}", _BODY))
    if pack.online_link:
        story.append(Paragraph(f'<b>Online:</b> <link href="{_text(pack.online_link)}" color="blue"><u>join the '
                               "meeting online</u></link>", _BODY))
    if pack.status == "cancelled":
        story.append(Paragraph("<b>This meeting has been cancelled.</b>", _BODY))
    story += [Spacer(1, 4 * mm), Paragraph(
        f"This pack has {plan.total_pages} pages; the page numbers quoted below are stamped at the foot of "
        f"each page. Each item's papers follow in agenda order. {GENERAL_LAST}", _SMALL),
        Spacer(1, 3 * mm), Paragraph("Agenda", _H2)]

    papers_of: dict[int, list[PackPaper]] = {}
    for paper in plan.in_pack + plan.not_in_pack:
        if paper.agenda_item_id is not None:
            papers_of.setdefault(paper.agenda_item_id, []).append(paper)
    rows = [[Paragraph(h, _HEAD) for h in ("Ref", "Item", "Lead", "Purpose", "Pack page")]]
    for item in pack.items:
        cell = [_text(item.title) + (" <i>(confidential)</i>" if item.confidential else "")]
        for paper in sorted(papers_of.get(item.id, []), key=lambda p: (p.id not in plan.paper_pages, p.id)):
            where = (f"page {plan.paper_pages[paper.id]}" if paper.id in plan.paper_pages
                     else _link(pack, f"/documents/{paper.id}", NOT_IN_PACK))
            cell.append(f"<font size=8>- {_text(paper.title)} ({where})</font>")
        page = plan.item_pages.get(item.id)
        rows.append([Paragraph(_text(item.ref), _CELL), Paragraph("<br/>".join(cell), _CELL),
                     Paragraph(_text(item.lead), _CELL), Paragraph(_text(item.purpose), _CELL),
                     Paragraph(str(page) if page else "", _CELL)])
    if not pack.items:
        rows.append([Paragraph("", _CELL), Paragraph("No agenda has been published.", _CELL), "", "", ""])
    width = A4[0] - 2 * _MARGIN
    table = Table(rows, colWidths=[0.15 * width, 0.43 * width, 0.17 * width, 0.13 * width, 0.12 * width],
                  repeatRows=1)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EDEE")),
    ]))
    story.append(table)

    general = [p for p in plan.in_pack + plan.not_in_pack if p.agenda_item_id is None]
    if general:
        story += [Spacer(1, 4 * mm), Paragraph("Papers for the meeting as a whole", _H2)]
        for paper in general:
            where = (f"page {plan.paper_pages[paper.id]}" if paper.id in plan.paper_pages
                     else _link(pack, f"/documents/{paper.id}", NOT_IN_PACK))
            story.append(Paragraph(f"- {_text(paper.title)} ({where})", _BODY))
    if plan.not_in_pack:
        story += [Spacer(1, 3 * mm), Paragraph(
            "Papers that are not PDF files (Word, Excel, images) are listed above but not included in this pack: "
            f"download them from the {_link(pack, f'/meetings/{pack.meeting_id}', 'meeting page')}.", _SMALL)]

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=_MARGIN, rightMargin=_MARGIN, topMargin=_MARGIN,
                            bottomMargin=_FOOT + 6 * mm, title=f"{pack.group_name}: {pack.title or 'Meeting'} pack",
                            author=pack.group_name)
    doc.build(story)
    return buffer.getvalue()


def _pages_of(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


# Cover lengths already worked out, by pack key: a meeting page asks for the plan on every view.
_COVER_PAGES: dict[str, int] = {}


def _laid_out(pack: PackFacts) -> tuple[PackPlan, bytes]:
    """The plan and the cover that fits it: rendered with a guess at its own length, then again
    while the length it came out at differs (each number on it depends on that length)."""
    cover_pages = _COVER_PAGES.get(pack.key, 1)
    for _ in range(6):
        plan = _number(pack, cover_pages)
        cover = _cover(pack, plan)
        pages = _pages_of(cover)
        if pages == cover_pages:
            break
        cover_pages = pages
    else:  # pragma: no cover (a cover whose length keeps changing: keep the last, consistent one)
        plan = _number(pack, pages)
        cover = _cover(pack, plan)
    if len(_COVER_PAGES) > 500:
        _COVER_PAGES.clear()
    _COVER_PAGES[pack.key] = plan.cover_pages
    return plan, cover


def plan(pack: PackFacts) -> PackPlan:
    """Where everything falls; renders the cover only the first time a pack's key is seen."""
    known = _COVER_PAGES.get(pack.key)
    if known is not None:
        return _number(pack, known)
    return _laid_out(pack)[0]


def refresh_pack_pages(session: Session, meeting: Meeting) -> None:
    """Store the members' pack page of each agenda item (the page its first paper starts on; none
    for an item without a PDF paper), worked out from the papers' page counts without opening
    them. Called after every change to the papers; the agenda's changes (order, items added or
    removed, confidentiality) move the numbers too, so they may call it as well. A derived
    number, so not audited."""
    members = facts(session, meeting=meeting, members=True)
    # No paper in the pack: no numbers, and no cover to lay out (the agenda's edits stay cheap).
    pages = plan(members).item_pages if any(paper.in_pack for paper in members.papers) else {}
    for item in session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)):
        wanted = pages.get(item.id)
        if item.pack_page != wanted:
            item.pack_page = wanted
            session.add(item)
    session.flush()


# Building --------------------------------------------------------------------------------------

def _stamps(sizes: list[tuple[float, float]]) -> PdfReader:
    """One page per page of the pack, each its page's size, with "Page N of M" at the foot."""
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    total = len(sizes)
    for number, (width, height) in enumerate(sizes, start=1):
        sheet.setPageSize((width, height))
        label = f"Page {number} of {total}"
        text_width = sheet.stringWidth(label, "Helvetica-Bold", 9)
        x, y = width - 12 * mm - text_width, 6 * mm
        sheet.setFillColor(colors.white)
        sheet.rect(x - 2 * mm, y - 1.5 * mm, text_width + 4 * mm, 5.5 * mm, stroke=0, fill=1)
        sheet.setFillColor(colors.black)
        sheet.setFont("Helvetica-Bold", 9)
        sheet.drawString(x, y, label)
        sheet.showPage()
    sheet.save()
    buffer.seek(0)
    return PdfReader(buffer)


def _cache_dir(settings: Settings, meeting_id: int) -> Path:
    return Path(settings.storage_dir) / "packs" / str(meeting_id)


def cached(settings: Settings, pack: PackFacts) -> Path:
    return _cache_dir(settings, pack.meeting_id) / f"{pack.key}.pdf"


def build(settings: Settings, pack: PackFacts) -> Path:
    """The pack's file, built now unless a pack with the same key was built before."""
    target = cached(settings, pack)
    if target.exists():
        return target
    layout, cover = _laid_out(pack)
    with ExitStack() as files:
        writer = PdfWriter()
        writer.append(PdfReader(io.BytesIO(cover)))
        for paper in layout.in_pack:
            path = stored_path(settings, paper.sha256)
            try:
                reader = PdfReader(files.enter_context(path.open("rb")))
                readable = not reader.is_encrypted and len(reader.pages) == paper.page_count
                if readable:
                    writer.append(reader, import_outline=False)
            except Exception:  # missing, or damaged in a way only merging finds
                readable = False
            if not readable:
                raise Conflict(f"The meeting pack cannot be made: the paper '{paper.title}' could not be read from "
                               "storage. Replace the paper, or ask an administrator.")
        sizes = []
        for page in writer.pages:
            page.transfer_rotation_to_content()
            box = page.cropbox
            sizes.append((float(box.width), float(box.height)))
        stamps = _stamps(sizes)
        for page, stamp in zip(writer.pages, stamps.pages, strict=True):
            box = page.cropbox
            page.merge_transformed_page(stamp, Transformation().translate(float(box.left), float(box.bottom)))
        writer.add_metadata({"/Title": f"{pack.group_name}: {pack.title or 'Meeting'} pack"})
        target.parent.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(dir=target.parent, suffix=".part", delete=False)  # noqa: SIM115
        try:
            with handle:
                writer.write(handle)
            os.replace(handle.name, target)
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise
    _prune(target.parent, keep=target)
    return target


def _prune(folder: Path, *, keep: Path) -> None:
    """Only the newest packs of a meeting stay (others' papers or agenda have changed since)."""
    built = sorted((p for p in folder.glob("*.pdf") if p != keep), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in built[KEEP_PER_MEETING - 1:]:
        old.unlink(missing_ok=True)


def download_name(pack: PackFacts) -> str:
    day = pack.starts_at[:10]
    name = "".join(c if c.isalnum() or c in " -" else " " for c in pack.group_name).strip()
    return f"{name} meeting pack {day}.pdf"


def file_response(settings: Settings, pack: PackFacts, *, if_none_match: str | None) -> FileResponse:
    """The pack as a PDF download, built if need be; 304 when If-None-Match names this very pack
    (its key is its ETag). For both doors."""
    etag = f'"{pack.key}"'
    wanted = [tag.strip().removeprefix("W/") for tag in (if_none_match or "").split(",")]
    if etag in wanted or "*" in wanted:
        raise NotModified(etag)
    return FileResponse(build(settings, pack), media_type=PDF, filename=download_name(pack),
                        headers={"ETag": etag, "Cache-Control": "private, no-cache",
                                 "X-Content-Type-Options": "nosniff"})
