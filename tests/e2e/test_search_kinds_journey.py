"""Someone signed in finds a colleague, an organisation and a pilot by typing into search, sees
what kind each result is, and follows the person's result to their profile, in a real browser;
the results pass axe-core's WCAG 2.2 AA checks at desktop and phone widths (screenshots
docs/screenshots/search-people-*.png)."""

from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import accessible_at_both_widths, sign_in_as


def test_find_a_person_an_organisation_and_a_pilot(page, session, person, client):
    trust = factories.organisation(session, name="Wrenfield Leisure Trust", sector="leisure", place_code="E08000012")
    me, _ = person("search.kinds@example.org", name="Sam Searcher")
    colleague = factories.stakeholder(session, name="Ottoline Wrenfield", organisation_id=trust.id,
                                      job_title="Active Travel Lead")
    session.commit()
    assert client.post("/api/v1/pilots", json={"name": "Wrenfield walking football", "pathway": "older adults",
                                               "summary": "Walking football at **Wrenfield** park."}).status_code == 201
    sign_in_as(page, me.email)

    page.get_by_role("link", name="Search", exact=True).click()
    page.wait_for_url("**/search")
    page.get_by_label("Search people, organisations, pilots, Place updates and meeting records").fill("wrenfield")
    results = page.locator("#search-results")
    expect(results.get_by_role("link", name="Ottoline Wrenfield")).to_be_visible()  # as you type
    for title, kind in [("Ottoline Wrenfield", "Person"), ("Wrenfield Leisure Trust", "Organisation"),
                        ("Wrenfield walking football", "Pilot")]:
        expect(results.get_by_role("heading", name=f"{title} ({kind})")).to_be_visible()
    expect(results.locator("mark", has_text="Wrenfield").first).to_be_visible()
    accessible_at_both_widths(page, shot="search-people")

    results.get_by_role("link", name="Ottoline Wrenfield").click()
    page.wait_for_url(f"**/people/{colleague.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ottoline Wrenfield")
    assert page.console_errors == []
