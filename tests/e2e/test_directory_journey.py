"""A stakeholder signs in, searches the organisations directory as they type, opens one
organisation and follows it back to the people directory, in a real browser; every page passes
axe-core's WCAG 2.2 AA checks with no CSP errors. A screenshot goes to docs/screenshots/."""


from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import accessible
from tests.factories import PASSWORD


def test_search_organisations_and_open_one(page, session, person):
    trust = factories.organisation(session, name="Journey Leisure Trust", sector="leisure", place_code="E08000012",
                                   website="https://leisure.example.org")
    factories.organisation(session, name="Journey Council", sector="public", place_code="E08000011")
    factories.organisation(session, name="Journey Sports Club", sector="sport")
    board = factories.group(session, name="Journey Directory Board", kind="board")
    me, _ = person("directory.journey@example.org", name="Dana Directory", organisation_id=trust.id,
                   job_title="Physical Activity Lead")
    factories.stakeholder(session, name="Morgan Manager", organisation_id=trust.id, job_title="Chief Executive")
    factories.membership(session, group=board, stakeholder=me, role="vice_chair")
    session.commit()

    page.goto("/organisations")
    assert page.url.endswith("/login?next=/organisations")
    page.get_by_label("Email").fill(me.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/organisations")
    assert page.get_by_role("heading", level=1).inner_text() == "Organisations"
    expect(page.get_by_role("link", name="Journey Council")).to_be_visible()
    accessible(page)

    # Typing filters the table in place (htmx) and pushes the search into the address bar.
    page.get_by_label("Search by name").fill("leisure")
    page.wait_for_url("**/organisations?q=leisure*")
    expect(page.get_by_role("link", name="Journey Council")).to_have_count(0)
    expect(page.get_by_role("link", name="Journey Leisure Trust")).to_be_visible()
    assert page.get_by_role("heading", level=1).count() == 1  # a fragment, not a page inside a page
    accessible(page)
    accessible(page, "organisations")

    # Choosing a sector filters too, keeping what was typed.
    page.get_by_label("Search by name").fill("journey")
    page.wait_for_url("**/organisations?q=journey*")
    page.get_by_label("Sector").select_option(label="Sport")
    page.wait_for_url("**/organisations?q=journey&sector=sport")
    expect(page.get_by_role("link", name="Journey Leisure Trust")).to_have_count(0)
    expect(page.get_by_role("link", name="Journey Sports Club")).to_be_visible()
    accessible(page)
    page.get_by_label("Sector").select_option(label="All sectors")
    page.get_by_label("Search by name").fill("leisure")
    page.wait_for_url("**/organisations?q=leisure&sector=")

    page.get_by_role("link", name="Journey Leisure Trust").click()
    page.wait_for_url(f"**/organisations/{trust.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Journey Leisure Trust")
    expect(page.get_by_role("row", name="Morgan Manager Chief Executive")).to_be_visible()
    expect(page.get_by_role("link", name="Journey Directory Board")).to_be_visible()
    accessible(page)

    page.get_by_role("link", name="Back to organisations").click()
    page.wait_for_url("**/organisations")
    page.get_by_role("link", name="Browse people").click()
    page.wait_for_url("**/people")
    page.get_by_role("link", name="Journey Leisure Trust").first.click()
    page.wait_for_url(f"**/organisations/{trust.id}")
    assert page.console_errors == []
