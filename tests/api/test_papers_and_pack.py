"""Papers and the meeting pack through the API: page counts read at upload, replace / move /
remove with their rules, and the pack itself read back with pypdf: its length, the page number
stamped on every page, the cover's agenda with the real pack pages, confidential items left out
for non-members, and a built pack reused (same ETag, 304)."""

import io

import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from api.meetings import pack
from tests.api.test_documents import _docx
from tests.api.test_meetings import _meeting, hcp  # noqa: F401 (fixture)


def make_pdf(pages: int, label: str, size=A4) -> bytes:
    """A PDF of `pages` pages, each saying "<label> page i of n"."""
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=size, invariant=True)  # the same bytes each time
    for n in range(1, pages + 1):
        sheet.drawString(72, size[1] - 72, f"{label} page {n} of {pages}")
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def upload(client, meeting_id, headers, content, name="paper.pdf", **fields):
    r = client.post(f"/api/v1/meetings/{meeting_id}/documents", headers=headers,
                    files={"file": (name, content, "application/octet-stream")},
                    data={k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in fields.items()})
    return r


def paper(client, meeting_id, headers, content, name="paper.pdf", **fields) -> dict:
    r = upload(client, meeting_id, headers, content, name, **fields)
    assert r.status_code == 201, r.text
    return r.json()


def item(client, meeting_id, headers, title, **extra) -> dict:
    r = client.post(f"/api/v1/meetings/{meeting_id}/agenda-items", headers=headers, json={"title": title, **extra})
    assert r.status_code == 201, r.text
    return r.json()


def get_pack(client, meeting_id, headers, **extra) -> tuple[PdfReader, object]:
    r = client.get(f"/api/v1/meetings/{meeting_id}/pack.pdf", headers={**headers, **extra})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    return PdfReader(io.BytesIO(r.content)), r


def pages_of(client, meeting_id, headers) -> dict[int, int | None]:
    items = client.get(f"/api/v1/meetings/{meeting_id}/agenda-items", headers=headers).json()["items"]
    return {i["id"]: i["pack_page"] for i in items}


def text(reader: PdfReader, n: int) -> str:
    return reader.pages[n - 1].extract_text()


def cover_column(reader: PdfReader, pages: int = 1) -> dict[str, str]:
    """The cover's agenda as {ref: its "Pack page" cell}, read from the laid-out text."""
    found = {}
    for n in range(pages):
        for line in reader.pages[n].extract_text(extraction_mode="layout").splitlines():
            words = line.split()
            if words and words[0].startswith("HCP/"):
                found[words[0]] = words[-1] if len(words) > 1 and words[-1].isdigit() else ""
    return found


@pytest.fixture
def arranged(client, hcp):  # noqa: F811
    """A meeting with four items: a 3-page paper and a Word paper on the first, nothing on the
    second, a 2-page paper on the third; a 1-page paper for the meeting as a whole."""
    group, people = hcp
    sec = people["secretary"][1]
    meeting = _meeting(client, group.id, sec)
    items = [item(client, meeting["id"], sec, title) for title in
             ("Welcome", "Sustainability update", "Leisure strategy", "Any other business")]
    a = paper(client, meeting["id"], sec, make_pdf(3, "Alpha"), "alpha.pdf", title="Alpha report",
              agenda_item_id=items[0]["id"])
    word = paper(client, meeting["id"], sec, _docx(), "notes.docx", title="Speaking notes",
                 agenda_item_id=items[0]["id"])
    b = paper(client, meeting["id"], sec, make_pdf(2, "Bravo", landscape(A4)), "bravo.pdf", title="Bravo plan",
              agenda_item_id=items[2]["id"])
    general = paper(client, meeting["id"], sec, make_pdf(1, "General"), "general.pdf", title="Members' briefing")
    return {"group": group, "people": people, "sec": sec, "meeting": meeting, "items": items, "a": a, "b": b,
            "word": word, "general": general}


def test_page_counts_are_read_at_upload(arranged):
    assert arranged["a"]["page_count"] == 3 and arranged["b"]["page_count"] == 2
    assert arranged["word"]["page_count"] is None and arranged["general"]["page_count"] == 1


def test_unreadable_and_protected_pdfs_are_refused_clearly(client, arranged, settings):
    meeting, sec = arranged["meeting"], arranged["sec"]
    broken = upload(client, meeting["id"], sec, b"%PDF-1.7\nnot really a pdf\n%%EOF\n", "broken.pdf")
    assert broken.status_code == 422 and "This PDF could not be read" in broken.json()["detail"]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(1, "Secret"))))
    writer.encrypt("open sesame")
    locked = io.BytesIO()
    writer.write(locked)
    refused = upload(client, meeting["id"], sec, locked.getvalue(), "locked.pdf")
    assert refused.status_code == 422 and "password" in refused.json()["detail"]
    temporary = settings.storage_dir / "tmp"
    assert not temporary.exists() or list(temporary.iterdir()) == []


def test_the_pack_has_a_cover_then_the_papers_with_every_page_numbered(client, arranged):
    meeting, sec, items = arranged["meeting"], arranged["sec"], arranged["items"]
    reader, response = get_pack(client, meeting["id"], sec)
    total = len(reader.pages)
    cover = total - (3 + 2 + 1)
    assert cover == 1  # a four-item agenda fits on one page
    assert response.headers["etag"].startswith('"') and "attachment" in response.headers["content-disposition"]
    for n in (1, 2, 4, 5, total):
        assert f"Page {n} of {total}" in text(reader, n), n
    # Papers in agenda order, the meeting's own paper last; each paper's pages in order.
    assert "Alpha page 1 of 3" in text(reader, cover + 1) and "Alpha page 3 of 3" in text(reader, cover + 3)
    assert "Bravo page 1 of 2" in text(reader, cover + 4) and "General page 1 of 1" in text(reader, total)
    assert "Page 5 of 7" in text(reader, 5)  # the landscape paper is stamped too

    front = text(reader, 1)
    for words in ("Test Health and Care Partnership", "Pack page", "Lakeside, Warrington", "Alpha report (page 2)",
                  "Bravo plan (page 5)", "Members' briefing (page 7)", "Speaking notes (not in the pack",
                  "follow the items' papers"):
        assert words in front, words
    # The agenda's pack pages: the cover's column and the agenda API agree with the real pages.
    assert cover_column(reader) == {items[0]["ref"]: "2", items[1]["ref"]: "", items[2]["ref"]: "5",
                                    items[3]["ref"]: ""}
    assert pages_of(client, meeting["id"], sec) == {items[0]["id"]: 2, items[1]["id"]: None, items[2]["id"]: 5,
                                                    items[3]["id"]: None}


def test_a_long_agenda_takes_more_cover_pages_and_every_number_moves_with_it(client, hcp):  # noqa: F811
    group, people = hcp
    sec = people["secretary"][1]
    meeting = _meeting(client, group.id, sec)
    many = [item(client, meeting["id"], sec, f"Item {n}: " + "a long title that wraps in the table " * 3,
                 purpose="For decision") for n in range(1, 41)]
    paper(client, meeting["id"], sec, make_pdf(2, "Late"), agenda_item_id=many[-1]["id"])
    reader, _ = get_pack(client, meeting["id"], sec)
    total = len(reader.pages)
    cover = total - 2
    assert cover >= 2
    assert "Late page 1 of 2" in text(reader, cover + 1) and f"Page {cover + 1} of {total}" in text(reader, cover + 1)
    assert f"Page 2 of {total}" in text(reader, 2)
    assert pages_of(client, meeting["id"], sec)[many[-1]["id"]] == cover + 1
    assert cover_column(reader, cover)[many[-1]["ref"]] == str(cover + 1)


def test_non_members_get_a_pack_without_confidential_items_or_papers(client, arranged):
    meeting, sec, people = arranged["meeting"], arranged["sec"], arranged["people"]
    secret = item(client, meeting["id"], sec, "Wombat contract award", confidential=True)
    paper(client, meeting["id"], sec, make_pdf(4, "Wombat"), "w.pdf", title="Wombat tender scores",
          agenda_item_id=secret["id"])
    paper(client, meeting["id"], sec, make_pdf(1, "Quokka"), "q.pdf", title="Quokka valuation",
          agenda_item_id=arranged["items"][1]["id"], confidential=True)
    member, _ = get_pack(client, meeting["id"], people["member"][1])
    assert len(member.pages) == 1 + 3 + 1 + 2 + 4 + 1
    assert "Wombat contract award" in text(member, 1) and "Quokka valuation" in text(member, 1)
    for who in ("observer", "outsider"):
        reader, _ = get_pack(client, meeting["id"], people[who][1])
        everything = "\n".join(page.extract_text() for page in reader.pages)
        assert len(reader.pages) == 1 + 3 + 2 + 1, who
        for word in ("Wombat", "Quokka"):
            assert word not in everything, (who, word)
    # The members' numbers are the ones stored on the agenda.
    assert pages_of(client, meeting["id"], sec)[secret["id"]] == 1 + 3 + 1 + 2 + 1


def test_replacing_moving_and_removing_papers_renumbers_the_pack(client, arranged, settings):
    meeting, sec, items = arranged["meeting"], arranged["sec"], arranged["items"]
    a, b = arranged["a"], arranged["b"]
    url = f"/api/v1/documents/{a['id']}"
    new = client.put(f"{url}/content", headers=sec, files={"file": ("alpha-v2.pdf", make_pdf(5, "Alpha2"))})
    assert new.status_code == 200, new.text
    assert (new.json()["id"], new.json()["page_count"], new.json()["title"]) == (a["id"], 5, "Alpha report")
    assert pages_of(client, meeting["id"], sec)[items[2]["id"]] == 1 + 5 + 1
    old_file = pack.stored_path(settings, a["sha256"])
    assert not old_file.exists()  # the replaced bytes were used by no other paper
    # A stale If-Match is refused; the right one is accepted.
    stale = client.put(f"{url}/content", headers={**sec, "If-Match": f'"{a["id"]}.{a["sha256"][:32]}"'},
                       files={"file": ("x.pdf", make_pdf(1, "X"))})
    assert stale.status_code == 412
    assert client.get(url, headers=sec).headers["etag"] == new.headers["etag"]
    # Moved to the second item, it comes before the third item's paper.
    moved = client.patch(url, headers={**sec, "If-Match": new.headers["etag"]},
                         json={"agenda_item_id": items[1]["id"], "title": "Alpha report (revised)"})
    assert moved.status_code == 200, moved.text
    assert pages_of(client, meeting["id"], sec) == {items[0]["id"]: None, items[1]["id"]: 2, items[2]["id"]: 7,
                                                    items[3]["id"]: None}
    assert client.patch(url, headers=sec, json={"agenda_item_id": 987654}).status_code == 422
    # Removed: gone from the pack and the agenda's numbers; its bytes go too.
    assert client.delete(f"/api/v1/documents/{b['id']}", headers=sec).status_code == 204
    assert client.get(f"/api/v1/documents/{b['id']}", headers=sec).status_code == 404
    assert not pack.stored_path(settings, b["sha256"]).exists()
    assert pages_of(client, meeting["id"], sec)[items[2]["id"]] is None
    reader, _ = get_pack(client, meeting["id"], sec)
    assert len(reader.pages) == 1 + 5 + 1
    # Bytes shared with another paper stay while that paper needs them.
    twin = paper(client, meeting["id"], sec, make_pdf(1, "General"), "again.pdf")
    assert twin["sha256"] == arranged["general"]["sha256"]
    assert client.delete(f"/api/v1/documents/{twin['id']}", headers=sec).status_code == 204
    assert pack.stored_path(settings, twin["sha256"]).exists()
    audit = client.get("/api/v1/audit", params={"entity_type": "document"}, headers=sec)
    if audit.status_code == 200:
        assert {"document.update", "document.delete"} <= {e["action"] for e in audit.json()["items"]}


def test_only_officers_change_papers_and_hidden_ones_stay_hidden(client, arranged):
    meeting, sec, people = arranged["meeting"], arranged["sec"], arranged["people"]
    secret = item(client, meeting["id"], sec, "Estates", confidential=True)
    hidden = paper(client, meeting["id"], sec, make_pdf(1, "Hidden"), agenda_item_id=secret["id"])
    a = arranged["a"]
    for who in ("member", "observer", "outsider"):
        headers = people[who][1]
        assert client.delete(f"/api/v1/documents/{a['id']}", headers=headers).status_code == 403, who
        assert client.put(f"/api/v1/documents/{a['id']}/content", headers=headers,
                          files={"file": ("x.pdf", make_pdf(1, "X"))}).status_code == 403, who
        assert client.patch(f"/api/v1/documents/{a['id']}", headers=headers,
                            json={"title": "Mine"}).status_code == 403, who
    # Not even told a hidden paper exists: 404, as for reading it.
    for who in ("observer", "outsider"):
        assert client.delete(f"/api/v1/documents/{hidden['id']}", headers=people[who][1]).status_code == 404
    assert client.delete(f"/api/v1/documents/{hidden['id']}", headers=people["member"][1]).status_code == 403
    assert client.get(f"/api/v1/documents/{a['id']}", headers=sec).json()["title"] == "Alpha report"
    # Replacing a file with something that is not allowed changes nothing.
    bad = client.put(f"/api/v1/documents/{a['id']}/content", headers=sec,
                     files={"file": ("x.exe", b"MZ\x90\x00 an executable")})
    assert bad.status_code == 415
    assert client.get(f"/api/v1/documents/{a['id']}", headers=sec).json()["sha256"] == a["sha256"]


def test_a_built_pack_is_reused_until_something_it_shows_changes(client, arranged, monkeypatch):
    meeting, sec = arranged["meeting"], arranged["sec"]
    _, first = get_pack(client, meeting["id"], sec)
    etag = first.headers["etag"]

    def _no_rebuild(*args, **kwargs):
        raise AssertionError("the pack was built again")

    monkeypatch.setattr(pack, "_cover", _no_rebuild)
    _, again = get_pack(client, meeting["id"], sec)
    assert again.headers["etag"] == etag and again.content == first.content
    unchanged = client.get(f"/api/v1/meetings/{meeting['id']}/pack.pdf", headers={**sec, "If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.headers["etag"] == etag
    monkeypatch.undo()
    # A change to what the pack shows makes another pack.
    client.patch(f"/api/v1/agenda-items/{arranged['items'][1]['id']}", headers=sec, json={"title": "Green plan"})
    reader, changed = get_pack(client, meeting["id"], sec, **{"If-None-Match": etag})
    assert changed.headers["etag"] != etag and "Green plan" in text(reader, 1)
    # Members and others get different packs, each with its own key.
    _, public = get_pack(client, meeting["id"], arranged["people"]["outsider"][1])
    assert public.headers["etag"] != changed.headers["etag"]


def test_a_pack_with_no_papers_is_just_the_cover(client, hcp):  # noqa: F811
    group, people = hcp
    sec = people["secretary"][1]
    meeting = _meeting(client, group.id, sec)
    reader, _ = get_pack(client, meeting["id"], people["outsider"][1])
    assert len(reader.pages) == 1 and "Page 1 of 1" in text(reader, 1)
    assert "No agenda has been published" in text(reader, 1)
    assert client.get("/api/v1/meetings/987654/pack.pdf", headers=sec).status_code == 404


def test_rotated_pages_are_stamped_upright_and_a_lost_file_is_a_clear_409(client, hcp, settings):  # noqa: F811
    group, people = hcp
    sec = people["secretary"][1]
    meeting = _meeting(client, group.id, sec)
    first = item(client, meeting["id"], sec, "Maps")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(2, "Map"))))
    writer.pages[1].rotate(90)
    rotated = io.BytesIO()
    writer.write(rotated)
    maps = paper(client, meeting["id"], sec, rotated.getvalue(), "maps.pdf", agenda_item_id=first["id"])
    reader, _ = get_pack(client, meeting["id"], sec)
    assert len(reader.pages) == 3 and "Page 3 of 3" in text(reader, 3)
    assert reader.pages[2].get("/Rotate", 0) == 0  # the turn moved into the content, the stamp on top
    assert float(reader.pages[2].mediabox.width) > float(reader.pages[2].mediabox.height)

    pack.stored_path(settings, maps["sha256"]).write_bytes(b"%PDF-1.4 damaged since")
    other = item(client, meeting["id"], sec, "Changed agenda")  # a new key: the pack is built again
    assert other["id"]
    lost = client.get(f"/api/v1/meetings/{meeting['id']}/pack.pdf", headers=sec)
    assert lost.status_code == 409 and "maps.pdf" in lost.json()["detail"]
