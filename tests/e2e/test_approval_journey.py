"""A chair corrects last meeting's record and, at the next meeting (started), approves its minutes
with amendments through the confirmation page; the printable summary carries DRAFT on every
printed page until then, and not after (read from the PDF Chromium prints). axe-core checks each
page at 1280 and 390 pixels wide."""

import io
from datetime import UTC, date, datetime, timedelta

from playwright.sync_api import expect
from pypdf import PdfReader

from api.auth import service as auth_service
from tests import factories
from tests.e2e.conftest import accessible_at_both_widths, sign_in_as

PARAGRAPH = ("The group reviewed the walking and cycling routes in each neighbourhood, the footfall counts from "
             "the autumn survey and the comments residents made at the drop-in sessions. ")


def _arrange(client, session, app):
    group = factories.group(session, name="Approval Journey Group", kind="thematic", code="APJ")
    chair, account = factories.person_with_account(session, "approval.chair@example.org", name="Ava Chair")
    member = factories.stakeholder(session, name="Ben Member")
    factories.membership(session, group=group, stakeholder=chair, role="chair", start_date=date(2024, 1, 1))
    factories.membership(session, group=group, stakeholder=member, start_date=date(2024, 1, 1))
    session.commit()
    headers = {"Authorization": f"Bearer {auth_service.user_token(app.state.settings, account).token}"}
    now = datetime.now(UTC).replace(microsecond=0)

    def meeting(start: datetime, title: str) -> dict:
        made = client.post(f"/api/v1/groups/{group.id}/meetings", headers=headers, json={
            "title": title, "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()})
        assert made.status_code == 201, made.text
        return made.json()

    last = meeting(now - timedelta(days=28), "Last meeting")
    api = f"/api/v1/meetings/{last['id']}"
    items = [client.post(f"{api}/agenda-items", headers=headers, json={"title": f"Neighbourhood {n}"}).json()
             for n in range(1, 9)]
    # Enough minutes to print on several pages.
    assert client.put(f"{api}/minutes", headers=headers, json={"items": [
        {"agenda_item_id": item["id"], "text": "\n\n".join([PARAGRAPH * 3] * 4)} for item in items]}).status_code == 200
    client.post(f"{api}/decisions", headers=headers, json={"text": "Adopt the routes plan."})
    client.post("/api/v1/actions", headers=headers, json={
        "group_id": group.id, "meeting_id": last["id"], "text": "Set in error", "owner_id": member.id})
    this = meeting(now - timedelta(hours=1), "This meeting")
    client.post(f"/api/v1/meetings/{this['id']}/agenda-items", headers=headers, json={"title": "Welcome"})
    client.post(f"/api/v1/meetings/{this['id']}/agenda-items", headers=headers,
                json={"title": "Minutes of the last meeting"})
    return chair, last, this



def _printed_pages(page) -> list[str]:
    """The text of each page of the current page printed to PDF by Chromium."""
    reader = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    return [p.extract_text() or "" for p in reader.pages]


def test_the_next_meeting_approves_last_meetings_minutes_with_amendments(page, client, session, app):
    chair, last, this = _arrange(client, session, app)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, chair.email)
    status = page.locator("#edit-status")

    # Last meeting's record is corrected while its minutes are a draft.
    page.goto(f"/meetings/{last['id']}")
    expect(page.locator("#record-status")).to_contain_text("Draft minutes: not yet approved")
    page.get_by_text("Change decision 1").click()
    decision = page.locator("#decisions-section li").first
    decision.get_by_label("Decision", exact=True).fill("Adopt the routes plan, phase one first.")
    decision.get_by_role("button", name="Save changes").click()
    expect(status).to_have_text("Decision changed.")
    page.wait_for_function("document.activeElement && document.activeElement.id.startsWith('decision-')")
    expect(page.locator("#decisions-section li").first).to_contain_text("phase one first")
    # The add form is empty again after a decision is recorded, and focus is on the new one.
    page.locator("#decision-text").fill("Publish the routes map.")
    page.get_by_role("button", name="Record decision").click()
    expect(status).to_have_text("Decision recorded.")
    expect(page.locator("#decision-text")).to_have_value("")
    page.wait_for_function("document.activeElement && document.activeElement.textContent.includes('routes map')")
    accessible_at_both_widths(page)

    # An action set in error is removed, after a confirmation page.
    page.get_by_role("link", name="Remove action 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure you want to remove action 1?")
    accessible_at_both_widths(page)
    page.get_by_role("button", name="Remove action 1").click()
    page.wait_for_url(f"**/meetings/{last['id']}?done=action-removed#actions-notice")
    expect(status).to_have_text("Action removed.")
    expect(page.locator("#actions-section")).not_to_contain_text("Set in error")

    # The printable summary: a Print button on screen, DRAFT on every printed page.
    page.get_by_role("link", name="Chair's summary report (printable)").click()
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    expect(page.get_by_text("this summary is a DRAFT")).to_be_visible()
    accessible_at_both_widths(page)
    printed = _printed_pages(page)
    assert len(printed) >= 2, len(printed)
    assert all("DRAFT" in text for text in printed), [text[:80] for text in printed]

    # At this meeting (started), its "Minutes of the last meeting" item offers the approval.
    page.goto(f"/meetings/{this['id']}")
    item = page.locator("#agenda-section article").filter(has_text="Minutes of the last meeting")
    expect(item.get_by_role("heading", name="Minutes of the meeting of")).to_be_visible()
    expect(item.get_by_role("button", name="Approve as a correct record")).to_be_visible()
    accessible_at_both_widths(page)
    item.get_by_label("Amendments").fill("Item 3: the survey was in the spring, not the autumn.")
    item.get_by_role("button", name="Approve with amendments").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("subject to these amendments?")
    expect(page.get_by_text("Once approved they can only be changed by an amendment.")).to_be_visible()
    expect(page.get_by_text("Item 3: the survey was in the spring")).to_be_visible()
    accessible_at_both_widths(page, "minutes-approval-confirm")
    page.get_by_role("button", name="Approve with these amendments").click()
    page.wait_for_url(f"**/meetings/{this['id']}?done=approved-previous#meeting-notice")
    expect(status).to_have_text("Minutes of the last meeting approved.")
    item = page.locator("#agenda-section article").filter(has_text="Minutes of the last meeting")
    expect(item).to_contain_text("with amendments: Item 3: the survey was in the spring")
    expect(item.get_by_role("button", name="Approve as a correct record")).to_have_count(0)
    accessible_at_both_widths(page)

    # The approved minutes print without DRAFT.
    page.goto(f"/meetings/{last['id']}/summary")
    expect(page.get_by_text("this summary is a DRAFT")).to_have_count(0)
    printed = _printed_pages(page)
    assert len(printed) >= 2 and not any("DRAFT" in text for text in printed)
    assert page.console_errors == []
