"""A chair puts a meeting's papers up in a real browser: a mistake first (no file chosen, shown on
the form with the title kept), then two PDF papers on two agenda items (announced, focus on the
new paper), downloads the meeting pack and checks with pypdf its length and the page number
stamped on every page, then removes a third paper through the confirmation page; axe-core finds
nothing serious at desktop (1280px) and phone (390px) widths on each page."""

from datetime import UTC, date, datetime, timedelta

from playwright.sync_api import expect
from pypdf import PdfReader

from api.auth import service as auth_service
from tests import factories
from tests.api.test_papers_and_pack import make_pdf
from tests.e2e.conftest import accessible_at_both_widths, sign_in_as


def _arrange(client, session, app):
    group = factories.group(session, name="Journey Papers Group", kind="thematic", code="JPG")
    chair, account = factories.person_with_account(session, "papers.journey.chair@example.org", name="Pat Chair")
    factories.membership(session, group=group, stakeholder=chair, role="chair", start_date=date(2024, 1, 1))
    session.commit()
    headers = {"Authorization": f"Bearer {auth_service.user_token(app.state.settings, account).token}"}
    start = (datetime.now(UTC) + timedelta(days=12)).replace(hour=10, minute=0, second=0, microsecond=0)
    made = client.post(f"/api/v1/groups/{group.id}/meetings", headers=headers, json={
        "title": "Papers journey", "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()})
    assert made.status_code == 201, made.text
    meeting = made.json()
    items = [client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", headers=headers,
                         json={"title": title, "purpose": "For decision"}).json()
             for title in ("Active travel plan", "Budget 2027")]
    return chair, meeting, items


def _pdf_file(name: str, pages: int, label: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": make_pdf(pages, label)}


def test_a_chair_uploads_papers_and_downloads_the_numbered_pack(page, client, session, app, tmp_path):
    chair, meeting, items = _arrange(client, session, app)
    sign_in_as(page, chair.email)
    page.goto(f"/meetings/{meeting['id']}")
    status = page.locator("#edit-status")
    section = page.locator("#papers-section")
    expect(section.get_by_role("link", name="Download the meeting pack (PDF, 1 page)")).to_be_visible()
    accessible_at_both_widths(page)

    # A mistake first: no file chosen. The problem is shown on the form; the title is kept.
    section.get_by_label("Title (optional)").fill("Active travel plan 2027")
    section.get_by_role("button", name="Upload paper").click()
    expect(section.get_by_role("alert").get_by_text("Select a file to upload")).to_be_visible()
    expect(page.locator("#paper-title")).to_have_value("Active travel plan 2027")
    accessible_at_both_widths(page)

    # The first paper, on the first item (a plain file input, filled as a person would pick it).
    page.locator("#paper-file").set_input_files(_pdf_file("travel.pdf", 2, "Travel"))
    page.locator("#paper-item").select_option(label=f"{items[0]['ref']} Active travel plan")
    section.get_by_role("button", name="Upload paper").click()
    expect(status).to_have_text("Paper uploaded.")
    first = page.locator("#papers-section li.ata-paper").filter(has_text="Active travel plan 2027")
    expect(first).to_be_focused()
    expect(page.locator("#paper-title")).to_have_value("")  # the form is empty again

    # The second, on the second item, its title left to the file's name.
    page.locator("#paper-file").set_input_files(_pdf_file("budget-2027.pdf", 3, "Budget"))
    page.locator("#paper-item").select_option(label=f"{items[1]['ref']} Budget 2027")
    section.get_by_role("button", name="Upload paper").click()
    expect(page.locator("#papers-section li.ata-paper").filter(has_text="budget-2027.pdf")).to_be_focused()
    expect(page.locator(f"#papers-item-{items[0]['id']}")).to_contain_text("(pack page 2)")
    expect(page.locator(f"#papers-item-{items[1]['id']}")).to_contain_text("(pack page 4)")
    link = section.get_by_role("link", name="Download the meeting pack (PDF, 6 pages)")
    expect(link).to_be_visible()
    accessible_at_both_widths(page, "meeting-papers")

    # The pack: a cover, then the papers in agenda order, "Page N of 6" on every page.
    with page.expect_download() as waiting:
        link.click()
    saved = tmp_path / "pack.pdf"
    waiting.value.save_as(saved)
    reader = PdfReader(saved)
    assert len(reader.pages) == 6
    for n, page_of_pack in enumerate(reader.pages, start=1):
        assert f"Page {n} of 6" in page_of_pack.extract_text(), n
    cover = reader.pages[0].extract_text()
    assert "Journey Papers Group" in cover and "Active travel plan 2027 (page 2)" in cover
    assert "budget-2027.pdf (page 4)" in cover
    assert "Travel page 1 of 2" in reader.pages[1].extract_text()
    assert "Budget page 3 of 3" in reader.pages[5].extract_text()

    # A file over the size limit is refused before it is sent (the zone's limit lowered here).
    zone = page.locator("#paper-file").locator("xpath=ancestor::div[@data-drop-zone]")
    limit = zone.get_attribute("data-max-mb")
    zone.evaluate("zone => zone.setAttribute('data-max-mb', '0.000001')")
    page.locator("#paper-file").set_input_files(_pdf_file("huge.pdf", 1, "Huge"))
    expect(zone.get_by_text("The file must be smaller than 0.000001 MB")).to_be_visible()
    section.get_by_role("button", name="Upload paper").click()
    expect(page.locator("#paper-file")).to_be_focused()
    expect(section.locator("li.ata-paper")).to_have_count(2)
    zone.evaluate(f"zone => zone.setAttribute('data-max-mb', '{limit}')")

    # A third paper, dropped on the upload's drop zone, put up by mistake and removed after the
    # confirmation page.
    expect(zone.get_by_text("Or drag a file here.")).to_have_count(0)  # a file is chosen
    page.evaluate("""() => {
      const zone = document.querySelector("#paper-file").closest("[data-drop-zone]");
      const moved = new DataTransfer();
      moved.items.add(new File(["%PDF-1.4 not used"], "ignored.pdf", {type: "application/pdf"}));
      zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: moved, bubbles: true, cancelable: true}));
    }""")
    expect(zone).to_have_class("ata-drop ata-drop--over")
    page.locator("#paper-file").set_input_files(_pdf_file("wrong.pdf", 1, "Wrong"))
    dropped = page.evaluate("""() => {
      const input = document.querySelector("#paper-file");
      const zone = input.closest("[data-drop-zone]");
      const moved = new DataTransfer();
      moved.items.add(input.files[0]);
      input.value = "";
      zone.dispatchEvent(new DragEvent("drop", {dataTransfer: moved, bubbles: true, cancelable: true}));
      return input.files.length && input.files[0].name;
    }""")
    assert dropped == "wrong.pdf"
    expect(zone.get_by_text("Chosen: wrong.pdf")).to_be_visible()
    section.get_by_role("button", name="Upload paper").click()
    expect(status).to_have_text("Paper uploaded.")
    wrong = page.locator("#papers-section li.ata-paper").filter(has_text="wrong.pdf")
    wrong.locator("summary").click()
    wrong.get_by_role("link", name="Remove").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure you want to remove \u2018wrong.pdf\u2019?")
    accessible_at_both_widths(page)
    page.get_by_role("button", name="Remove the paper").click()
    page.wait_for_url(f"**/meetings/{meeting['id']}?done=paper-removed*")
    expect(page.locator("#edit-status")).to_have_text("Paper removed.")
    expect(page.locator("#papers-section li.ata-paper")).to_have_count(2)
    expect(section.get_by_role("link", name="Download the meeting pack (PDF, 6 pages)")).to_be_visible()
    # The one failed request is the deliberate mistake's 422, answered in place.
    assert [e.split(" ", 1)[0] + " " + e.rsplit("/meetings/", 1)[-1] for e in page.console_errors] == [
        f"422 {meeting['id']}/papers"]
