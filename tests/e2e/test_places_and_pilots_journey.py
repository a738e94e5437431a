"""In a real browser: the secretary of a Place's group posts the Place's update (a mistake first,
then corrected) and sees it on the Place's page; an admin changes a pilot and moves it to a new
status with a note, and sees the history. Every page passes axe-core at 1280px and 390px without
sideways scrolling; screenshots go to docs/screenshots/."""

from datetime import date

from playwright.sync_api import expect
from sqlalchemy import insert

from api.authz import SYSTEM_SUBJECT
from api.indicators.models import IndicatorValue
from api.outcomes import service as outcomes
from api.outcomes.models import PlaceUpdate
from tests import factories
from tests.e2e.conftest import PHONE, accessible_at_both_widths, sign_in_as

LIVERPOOL, KNOWSLEY, WARRINGTON = "E08000012", "E08000011", "E06000007"
SECRETARY = "journey.place.secretary@example.org"
ADMIN = "journey.pilot.admin@example.org"

# Every word of each measure's label on one line: a label may wrap between words, never inside one.
NO_WORD_BROKEN = """() => {
  const broken = [];
  for (const element of document.querySelectorAll('.ata-measure-name, .nhsuk-card__link')) {
    const text = element.firstChild;
    if (!text || text.nodeType !== Node.TEXT_NODE) continue;
    let at = 0;
    for (const word of text.textContent.split(/\\s+/)) {
      const start = text.textContent.indexOf(word, at);
      at = start + word.length;
      if (!word) continue;
      const range = document.createRange();
      range.setStart(text, start);
      range.setEnd(text, start + word.length);
      const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (lines.size > 1) broken.push(word);
    }
  }
  return broken;
}"""


def _arrange(session, engine):
    group = factories.group(session, name="Liverpool Active Partnership", kind="place", place_code=LIVERPOOL)
    secretary, _ = factories.person_with_account(session, SECRETARY, name="Sam Secretary")
    factories.person_with_account(session, ADMIN, name="Ada Admin", is_admin=True)
    factories.membership(session, group=group, stakeholder=secretary, role="secretary", start_date=date(2024, 1, 1))
    council = factories.organisation(session, name="Liverpool City Council", place_code=LIVERPOOL)
    trust = factories.organisation(session, name="Mersey Care NHS Foundation Trust")
    session.add(PlaceUpdate(place_code=LIVERPOOL, period="2024-Q4", plan_status="signed_off", people_reached=48_000,
                            people_more_active=12_500, narrative="The plan was **signed off** by the board."))
    session.add(PlaceUpdate(place_code=KNOWSLEY, period="2024-Q4", plan_status="in_development",
                            people_reached=9_000, people_more_active=2_400))
    pilot = outcomes.create_pilot(session, actor=SYSTEM_SUBJECT, data={
        "name": "Alcohol support referral pathway", "pathway": "alcohol support", "status": "testing",
        "summary": "Physical activity built into alcohol support, with referral to local activity offers.",
        "place_codes": [LIVERPOOL, KNOWSLEY], "partner_ids": [council.id],
        "measures": [{"name": "Previously inactive patients now regularly active", "value": 69, "unit": "%",
                      "baseline": None, "period": "2024/25"},
                     {"name": "Participants", "value": 56, "unit": "people", "baseline": None, "period": ""}]})
    session.commit()
    with engine.begin() as connection:
        connection.execute(insert(IndicatorValue), [
            {"indicator_id": "93014", "area_code": "E92000001", "period": "2022/23", "breakdown": "Persons",
             "value": 25.0, "lower_ci": 24.9, "upper_ci": 25.1, "note": ""}])
    return pilot, trust


def test_a_place_officer_posts_an_update_and_an_admin_changes_a_pilot(page, browser, server, session, engine,
                                                                      indicator):
    pilot, trust = _arrange(session, engine)
    sign_in_as(page, SECRETARY)

    # The Places page links each Place to its own page.
    page.get_by_role("link", name="Places", exact=True).click()
    page.wait_for_url("**/places")
    accessible_at_both_widths(page, "places")
    page.get_by_role("table", name="People more active and plan status by Place").get_by_role(
        "link", name="Liverpool").click()
    page.wait_for_url(f"**/places/{LIVERPOOL}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Liverpool")
    expect(page.get_by_role("cell", name="Similar")).to_be_visible()
    expect(page.get_by_role("link", name="Alcohol support referral pathway")).to_be_visible()
    accessible_at_both_widths(page, "place")

    # A mistake first: more made active than reached, said in plain English, the rest kept.
    page.get_by_role("button", name="Post an update").click()
    page.wait_for_url(f"**/places/{LIVERPOOL}/updates/new")
    expect(page.get_by_label("Status of the Place's plan")).to_have_value("signed_off")
    page.get_by_label("Period", exact=True).fill("2025-Q1")
    page.get_by_label("Status of the Place's plan").select_option(label="Launched")
    page.get_by_label("What happened in the period (optional)").fill("Parks programme **launched** in Anfield.")
    page.get_by_label("People reached", exact=True).fill("3,000")
    page.get_by_label("People more active", exact=True).fill("4000")
    accessible_at_both_widths(page, "place-update-new")
    page.get_by_role("button", name="Post the update").click()
    expect(page.get_by_role("alert").get_by_text(
        "The number of people more active cannot be more than the number reached")).to_be_visible()
    page.wait_for_function("document.activeElement && document.activeElement.matches('.nhsuk-error-summary')")
    assert page.title().startswith("Error: Post an update: Liverpool")
    expect(page.get_by_label("What happened in the period (optional)")).to_have_value(
        "Parks programme **launched** in Anfield.")
    accessible_at_both_widths(page)
    page.get_by_label("People more active", exact=True).fill("1200")
    page.get_by_role("button", name="Post the update").click()

    # Back on the Place's page: the notice has focus, the update is listed, the totals moved on.
    page.wait_for_url(f"**/places/{LIVERPOOL}?done=update-posted#place-status")
    status = page.locator("#place-status")
    expect(status).to_contain_text("Your update has been posted.")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'place-status'")
    update = page.get_by_role("article", name="2025-Q1")
    expect(update.get_by_text("launched", exact=True)).to_have_js_property("tagName", "STRONG")
    expect(update.get_by_role("definition").filter(has_text="3,000")).to_be_visible()
    expect(page.get_by_text("Launched from 2025-Q1")).to_be_visible()
    expect(page.locator(".nhsuk-summary-list").first).to_contain_text("13,700")
    accessible_at_both_widths(page)
    assert page.console_errors == []

    # An admin, in a browser of their own, changes the pilot and then its status.
    context = browser.new_context(base_url=server)
    admin = context.new_page()
    errors: list[str] = []
    admin.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        sign_in_as(admin, ADMIN)
        admin.get_by_role("link", name="Pilots", exact=True).click()
        admin.wait_for_url("**/pilots")
        accessible_at_both_widths(admin, "pilots")
        admin.set_viewport_size(PHONE)
        assert admin.evaluate(NO_WORD_BROKEN) == []
        admin.get_by_role("link", name="Alcohol support referral pathway").click()
        admin.wait_for_url(f"**/pilots/{pilot.id}")
        assert admin.evaluate(NO_WORD_BROKEN) == []
        admin.set_viewport_size({"width": 1280, "height": 900})
        expect(admin.get_by_role("link", name="Liverpool City Council")).to_be_visible()
        accessible_at_both_widths(admin, "pilot")

        admin.get_by_role("button", name="Change the pilot").click()
        admin.wait_for_url(f"**/pilots/{pilot.id}/edit")
        expect(admin.locator("#measure-1-name")).to_have_value("Previously inactive patients now regularly active")
        accessible_at_both_widths(admin, "pilot-edit")
        admin.get_by_label("Mersey Care NHS Foundation Trust").check()
        admin.locator("#measure-2-value").fill("")
        admin.locator("#measure-2-name").fill("")
        admin.locator("#measure-2-unit").fill("")
        admin.locator("#measure-3-name").fill("Referrals")
        admin.locator("#measure-3-value").fill("")
        admin.get_by_role("button", name="Save changes").click()
        expect(admin.get_by_role("alert").get_by_text("Enter the value of measure 3")).to_be_visible()
        assert admin.title().startswith("Error: Change Alcohol support referral pathway")
        admin.locator("#measure-3-value").fill("1250")
        admin.locator("#measure-3-unit").fill("people")
        admin.get_by_role("button", name="Save changes").click()
        admin.wait_for_url(f"**/pilots/{pilot.id}?done=changed#pilot-status")
        expect(admin.locator("#pilot-status")).to_contain_text("Pilot changed.")
        measures = admin.get_by_role("table")
        expect(measures.get_by_text("Referrals")).to_be_visible()
        expect(measures).to_contain_text("1,250 people")
        expect(measures.get_by_text("Participants")).to_have_count(0)
        expect(admin.get_by_role("link", name="Mersey Care NHS Foundation Trust")).to_have_attribute(
            "href", f"/organisations/{trust.id}")

        admin.get_by_role("button", name="Change its status").click()
        admin.wait_for_url(f"**/pilots/{pilot.id}/status")
        admin.get_by_role("button", name="Change the status").click()
        expect(admin.get_by_role("alert").get_by_text("Choose the pilot's new status")).to_be_visible()
        accessible_at_both_widths(admin)
        admin.get_by_label("New status").select_option(label="Scaling")
        admin.get_by_label("Note").fill("Knowsley and Liverpool are taking it to every service.")
        admin.get_by_role("button", name="Change the status").click()
        admin.wait_for_url(f"**/pilots/{pilot.id}?done=status#pilot-status")
        expect(admin.locator("#pilot-status")).to_contain_text("Status changed.")
        history = admin.locator("ol.ata-history li")
        expect(history).to_have_count(2)
        expect(history.first).to_contain_text("Scaling from")
        expect(history.first).to_contain_text("Knowsley and Liverpool are taking it to every service.")
        expect(history.nth(1)).to_contain_text("Testing from")
        accessible_at_both_widths(admin)
        assert errors == []
    finally:
        context.close()
