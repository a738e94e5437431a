"""Papers on the meeting page: the chair uploads (on an item or the meeting), replaces and removes
(after a confirmation page) without JavaScript and with htmx; mistakes come back in plain English
with the title kept; everyone who can see the meeting sees the papers under their items and the
pack link with its page count; a confidential item's paper stays hidden from non-members."""

import io
import re

from pypdf import PdfReader
from sqlmodel import select

from api.meetings.models import AgendaItem, Document
from tests.api.test_documents import _docx
from tests.api.test_papers_and_pack import make_pdf
from tests.web.test_meeting_editing import CHAIR, MEMBER, OUTSIDER, _browser, meeting  # noqa: F401 (fixture)


def _upload(browser, meeting_id, content, name="paper.pdf", *, htmx=False, csrf=True, **fields):
    data = {**fields, **({"csrf_token": browser.csrf} if csrf else {})}
    return browser.post(f"/meetings/{meeting_id}/papers", data=data, files={"file": (name, content, "application/pdf")},
                        headers={"HX-Request": "true"} if htmx else {}, follow_redirects=False)


def _paper(session, title):
    session.expire_all()
    return session.exec(select(Document).where(Document.title == title)).one()


def test_the_chair_uploads_a_paper_on_an_item_without_javascript(client_factory, session, meeting):  # noqa: F811
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{meeting['id']}"
    page = chair.get(url).text
    assert "Upload paper" in page and 'enctype="multipart/form-data"' in page and 'type="file"' in page
    assert "Download the meeting pack (PDF, 1 page)" in page
    done = _upload(chair, meeting["id"], make_pdf(3, "Routes"), "routes.pdf", title="Walking routes report",
                   agenda_item_id=str(meeting["item"]))
    paper = _paper(session, "Walking routes report")
    assert done.status_code == 303 and done.headers["location"] == f"{url}?done=paper-added#paper-{paper.id}"
    assert (paper.agenda_item_id, paper.page_count) == (meeting["item"], 3)
    page = chair.get(done.headers["location"]).text
    assert "Paper uploaded." in page and "Download the meeting pack (PDF, 4 pages)" in page
    assert f'id="paper-{paper.id}"' in page and "PDF, 3 pages" in page and "(pack page 2)" in page
    # The form is empty again.
    assert re.search(r'id="paper-title"[^>]*value=""', page) and 'value="Walking routes report"' not in page

    pack = chair.get(f"{url}/pack.pdf")
    assert pack.status_code == 200 and pack.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pack.content))
    assert len(reader.pages) == 4 and "Page 4 of 4" in reader.pages[3].extract_text()


def test_with_htmx_only_the_papers_section_comes_back_and_focus_goes_to_the_paper(client_factory, session,
                                                                                  meeting):  # noqa: F811
    chair = _browser(client_factory, CHAIR)
    r = _upload(chair, meeting["id"], _docx(), "notes.docx", htmx=True, title="Speaking notes")
    assert r.status_code == 200, r.text
    paper = _paper(session, "Speaking notes")
    assert r.text.lstrip().startswith('<section id="papers-section"') and "<h1>" not in r.text
    assert f'id="paper-{paper.id}" tabindex="-1" data-autofocus' in r.text
    assert "Paper uploaded." in r.text and "not in the pack" in r.text and paper.page_count is None


def test_mistakes_are_explained_on_the_form_and_the_title_is_kept(client_factory, session, meeting, app):  # noqa: F811
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{meeting['id']}/papers"
    missing = chair.post(url, data={"csrf_token": chair.csrf, "title": "Budget"}, follow_redirects=False)
    assert missing.status_code == 422 and "Select a file to upload" in missing.text
    assert "<title>Error:" in missing.text and 'value="Budget"' in missing.text
    wrong = _upload(chair, meeting["id"], b"MZ\x90\x00 an executable", "budget.pdf", title="Budget")
    assert wrong.status_code == 422 and "The file must be a PDF, Word document" in wrong.text
    assert 'value="Budget"' in wrong.text
    broken = _upload(chair, meeting["id"], b"%PDF-1.7\nbroken\n%%EOF\n", "budget.pdf", title="Budget")
    assert broken.status_code == 422 and "This PDF could not be read" in broken.text
    item = _upload(chair, meeting["id"], make_pdf(1, "X"), agenda_item_id="987654", title="Budget")
    assert item.status_code == 422 and "Choose an agenda item of this meeting" in item.text
    app.state.settings.max_upload_mb = 1
    try:
        big = _upload(chair, meeting["id"], make_pdf(1, "Big") + b"%" + b"0" * (1024 * 1024), "big.pdf",
                      title="Budget", htmx=True)
    finally:
        app.state.settings.max_upload_mb = 25
    assert big.status_code == 422 and "The file must be smaller than 1 MB" in big.text
    assert 'value="Budget"' in big.text
    session.expire_all()
    assert session.exec(select(Document).where(Document.meeting_id == meeting["id"])).all() == []


def test_replace_and_remove_a_paper_with_a_confirmation_step(client_factory, session, meeting):  # noqa: F811
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{meeting['id']}"
    _upload(chair, meeting["id"], make_pdf(2, "Old"), title="Cycle plan", agenda_item_id=str(meeting["item"]))
    paper = _paper(session, "Cycle plan")
    replaced = chair.post(f"{url}/papers/{paper.id}/replace", data={"csrf_token": chair.csrf},
                          files={"file": ("plan-v2.pdf", make_pdf(5, "New"), "application/pdf")},
                          follow_redirects=False)
    assert replaced.status_code == 303
    assert replaced.headers["location"].endswith(f"done=paper-replaced#paper-{paper.id}")
    session.refresh(paper)
    assert (paper.page_count, paper.filename, paper.title) == (5, "plan-v2.pdf", "Cycle plan")
    assert "Download the meeting pack (PDF, 6 pages)" in chair.get(url).text
    no_file = chair.post(f"{url}/papers/{paper.id}/replace", data={"csrf_token": chair.csrf}, follow_redirects=False)
    assert no_file.status_code == 422 and "Select the new version of the file" in no_file.text

    confirm = chair.get(f"{url}/papers/{paper.id}/remove")
    assert confirm.status_code == 200
    assert "Are you sure you want to remove \u2018Cycle plan\u2019?" in confirm.text
    assert f'href="{url}#paper-{paper.id}">Cancel' in confirm.text
    paper_id = paper.id
    removed = chair.post(f"{url}/papers/{paper_id}/remove", data={"csrf_token": chair.csrf}, follow_redirects=False)
    assert removed.status_code == 303 and removed.headers["location"] == f"{url}?done=paper-removed#papers-notice"
    session.expire_all()
    assert session.get(Document, paper_id) is None
    assert "Paper removed." in chair.get(removed.headers["location"]).text


def test_others_see_papers_but_may_not_change_them(client_factory, session, meeting):  # noqa: F811
    chair = _browser(client_factory, CHAIR)
    _upload(chair, meeting["id"], make_pdf(1, "Open"), title="Open paper", agenda_item_id=str(meeting["item"]))
    secret = chair.post(f"/meetings/{meeting['id']}/agenda-items", data={
        "csrf_token": chair.csrf, "title": "Wombat contract", "confidential": "1"}, follow_redirects=False)
    assert secret.status_code == 303
    session.expire_all()
    secret_item = session.exec(select(AgendaItem).where(AgendaItem.title == "Wombat contract")).one()
    _upload(chair, meeting["id"], make_pdf(4, "Wombat"), title="Wombat scores", agenda_item_id=str(secret_item.id))
    paper = _paper(session, "Open paper")

    member = _browser(client_factory, MEMBER)
    page = member.get(f"/meetings/{meeting['id']}").text
    assert "Open paper" in page and "Wombat scores" in page and "Upload paper" not in page
    assert "Download the meeting pack (PDF, 6 pages)" in page
    outsider = _browser(client_factory, OUTSIDER)
    page = outsider.get(f"/meetings/{meeting['id']}").text
    assert "Open paper" in page and "Wombat" not in page
    assert "Download the meeting pack (PDF, 2 pages)" in page
    pack = PdfReader(io.BytesIO(outsider.get(f"/meetings/{meeting['id']}/pack.pdf").content))
    assert len(pack.pages) == 2 and "Wombat" not in pack.pages[0].extract_text()

    for browser in (member, outsider):
        assert _upload(browser, meeting["id"], make_pdf(1, "Mine"), title="Mine").status_code == 403
        assert browser.get(f"/meetings/{meeting['id']}/papers/{paper.id}/remove").status_code == 403
        assert browser.post(f"/meetings/{meeting['id']}/papers/{paper.id}/remove",
                            data={"csrf_token": browser.csrf}).status_code == 403
    assert _upload(chair, meeting["id"], make_pdf(1, "NoCsrf"), title="No token", csrf=False).status_code == 403
    session.expire_all()
    assert session.get(Document, paper.id) is not None
    assert session.exec(select(Document).where(Document.title.in_(["Mine", "No token"]))).all() == []
