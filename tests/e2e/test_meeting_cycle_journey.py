"""A whole meeting cycle from the pages alone, as a group's chair runs it in a real browser:
schedule a series from the group page (its agendas start from the group's standing items),
bring the first two meetings forward to dates already past (the record of meetings held), add an
item, upload two papers, download the meeting pack and check its page numbers with pypdf, record
attendance and a declaration of interest, write a minute, record a decision and an action, and
at the next meeting approve those minutes through the confirmation step. axe-core finds nothing
serious on each page at desktop (1280px) and phone (390px) widths; no call goes to the API."""

import re
from datetime import date, timedelta

from playwright.sync_api import expect
from pypdf import PdfReader

from tests import factories
from tests.api.test_papers_and_pack import make_pdf
from tests.e2e.conftest import DESKTOP, accessible_at_both_widths, sign_in_as


def _move(page, meeting_url: str, day: date) -> None:
    """Change a meeting's date on its "Change meeting details" page (times kept)."""
    page.goto(meeting_url)
    page.get_by_role("link", name="Change meeting details").click()
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(meeting_url + "?done=meeting-changed")


def test_a_chair_runs_a_whole_meeting_cycle_from_the_pages(page, session, tmp_path):
    group = factories.group(session, name="Cycle Journey Group", kind="thematic", code="CJG")
    chair, _ = factories.person_with_account(session, "cycle.chair@example.org", name="Cleo Chair")
    factories.membership(session, group=group, stakeholder=chair, role="chair", start_date=date(2024, 1, 1))
    for name in ("Ade Member", "Bea Member"):
        factories.membership(session, group=group, stakeholder=factories.stakeholder(session, name=name),
                             start_date=date(2024, 1, 1))
    session.commit()
    page.set_viewport_size(DESKTOP)
    sign_in_as(page, chair.email)

    # 1. A series, every 4 weeks from tomorrow, agendas from the standing items.
    page.goto(f"/groups/{group.slug}")
    page.get_by_role("button", name="Schedule a meeting").click()
    page.get_by_role("link", name="Schedule a series of meetings").click()
    first = date.today() + timedelta(days=1)
    page.get_by_label("Repeats").select_option("weekly")
    page.get_by_label("How often").select_option("4")
    page.get_by_label("Day of the week").select_option(label=first.strftime("%A"))
    page.get_by_label("First date").fill(first.isoformat())
    page.get_by_label("Last date").fill((first + timedelta(weeks=12)).isoformat())
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("End time").fill("12:00")
    page.get_by_label("Start the agenda from the group's standing items").check()
    accessible_at_both_widths(page)
    page.get_by_role("button", name="Schedule the meetings").click()
    page.wait_for_url(f"**/groups/{group.slug}/forward-plan?series=*")
    expect(page.get_by_role("status")).to_contain_text("4 meetings scheduled")
    plans = page.locator("section.ata-plan-meeting")
    expect(plans).to_have_count(4)
    accessible_at_both_widths(page)
    urls = [page.url.split("/groups/")[0] + link.get_attribute("href")
            for link in plans.get_by_role("link", name="Meeting page").all()[:2]]

    # 2. The first two meetings were held three weeks ago and yesterday.
    _move(page, urls[0], date.today() - timedelta(days=21))
    _move(page, urls[1], date.today() - timedelta(days=1))
    page.goto(urls[0])
    status = page.locator("#edit-status")
    titles = page.locator("#agenda-section article h3")
    expect(titles).to_have_count(6)
    expect(titles.nth(2)).to_contain_text("Minutes of the last meeting")

    # 3. An item for the travel plan, and two papers (2 and 3 pages) on two items.
    page.locator("#new-item-title").fill("Active travel plan")
    page.locator("#new-item-lead").select_option(label="Ade Member")
    page.get_by_role("button", name="Add agenda item").click()
    expect(titles).to_have_count(7)
    travel_ref = page.locator("#agenda-section article").last.locator(".ata-ref").inner_text()
    action_log_ref = page.locator("#agenda-section article").nth(3).locator(".ata-ref").inner_text()
    papers = page.locator("#papers-section")
    for name, pages, label, ref, title in (("travel.pdf", 2, "Travel", travel_ref, "Active travel plan"),
                                           ("actions.pdf", 3, "Actions", action_log_ref, "Action log")):
        page.locator("#paper-file").set_input_files({"name": name, "mimeType": "application/pdf",
                                                     "buffer": make_pdf(pages, label)})
        page.locator("#paper-item").select_option(label=f"{ref} {title}")
        papers.get_by_role("button", name="Upload paper").click()
        expect(status).to_have_text("Paper uploaded.")
        expect(papers.locator("li.ata-paper").filter(has_text=name)).to_be_focused()
    link = papers.get_by_role("link", name=re.compile(r"Download the meeting pack \(PDF, \d+ pages\)"))
    total = int(re.search(r"(\d+) pages", link.inner_text()).group(1))
    accessible_at_both_widths(page)
    with page.expect_download() as waiting:
        link.click()
    saved = tmp_path / "pack.pdf"
    waiting.value.save_as(saved)
    reader = PdfReader(saved)
    assert len(reader.pages) == total
    cover_pages = total - 5
    for n, sheet in enumerate(reader.pages, start=1):
        assert f"Page {n} of {total}" in sheet.extract_text(), n
    # Agenda order: the action log's paper first (item 4), then the travel plan's (item 7).
    assert "Actions page 1 of 3" in reader.pages[cover_pages].extract_text()
    assert "Travel page 1 of 2" in reader.pages[cover_pages + 3].extract_text()
    cover = "".join(sheet.extract_text() for sheet in reader.pages[:cover_pages])
    assert f"actions.pdf (page {cover_pages + 1})" in cover and f"travel.pdf (page {cover_pages + 4})" in cover

    # 4. Attendance (the meeting has been held) and a declaration of interest.
    page.get_by_role("button", name="Present: Cleo Chair").click()
    expect(page.get_by_role("button", name="Present: Cleo Chair")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Present: Ade Member").click()
    expect(page.get_by_role("button", name="Present: Ade Member")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Apologies: Bea Member").click()
    expect(page.locator("#attendance-summary")).to_contain_text("Apologies (1)")
    page.locator("#declaration-person").select_option(label="Ade Member")
    page.locator("#declaration-kind").select_option(label="Financial interest")
    page.get_by_label("Interest", exact=True).fill("Director of a cycle hire company")
    page.locator("#declaration-item").select_option(label=f"{travel_ref} Active travel plan")
    page.get_by_label("Action taken (optional)").fill("Took no part in the decision")
    page.get_by_role("button", name="Record declaration").click()
    expect(page.locator("#declarations-section tbody tr").filter(has_text="Director of a cycle hire company")) \
        .to_be_visible()

    # 5. A minute, a decision and an action on the travel plan; the forms empty again.
    travel = page.locator("#agenda-section article").filter(has_text="Active travel plan")
    travel.get_by_label(f"Minute of item {travel_ref}").fill("The plan was **welcomed**.")
    travel.get_by_role("button", name="Save minute").click()
    expect(status).to_have_text("Minute saved.")
    expect(page.locator("#record-status")).to_contain_text("Draft minutes: not yet approved")
    page.locator("#decision-text").fill("Adopt the active travel plan.")
    page.locator("#decision-item").select_option(label=f"{travel_ref} Active travel plan")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator("#decisions-section li").filter(has_text="Adopt the active travel plan.")).to_be_visible()
    expect(page.locator("#decision-text")).to_have_value("")
    page.get_by_label("Action", exact=True).fill("Map the cycle routes")
    page.locator("#action-owner").select_option(label="Ade Member")
    page.get_by_role("button", name="Set action").click()
    expect(status).to_contain_text("Action")
    expect(page.locator("#actions-section").get_by_text("Map the cycle routes")).to_be_visible()
    expect(page.get_by_label("Action", exact=True)).to_have_value("")
    accessible_at_both_widths(page)

    # 6. At the next meeting (held yesterday) the minutes are approved, after a confirmation step.
    page.goto(urls[1])
    item = page.locator("#agenda-section article").filter(has_text="Minutes of the last meeting")
    expect(item).to_contain_text("The plan was welcomed.")
    item.get_by_role("button", name="Approve as a correct record").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("as a correct record?")
    accessible_at_both_widths(page)
    page.get_by_role("button", name="Approve as a correct record").click()
    expect(page.locator("#edit-status")).to_have_text("Minutes of the last meeting approved.")
    expect(item.get_by_role("button", name="Approve as a correct record")).to_have_count(0)
    accessible_at_both_widths(page)

    # The first meeting's record says so, and its summary is no longer a draft.
    page.goto(urls[0])
    expect(page.locator("#record-status")).to_contain_text("approved at the meeting of")
    page.get_by_role("link", name="Chair's summary report (printable)").click()
    expect(page.get_by_text("Director of a cycle hire company").first).to_be_visible()
    expect(page.get_by_text("this summary is a DRAFT")).to_have_count(0)
    accessible_at_both_widths(page)
    assert page.console_errors == []
