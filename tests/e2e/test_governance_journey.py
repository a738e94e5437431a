"""A stakeholder signs in, finds a group in the structure, reads its members, and signs out,
in a real browser; every page passes axe-core's WCAG 2.2 AA checks with no CSP errors."""

from datetime import date

from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import accessible, sign_in_as
from tests.factories import PASSWORD


def _arrange(session, person):
    board = factories.group(session, name="Journey Board", kind="board", code="JB", remit="Sets direction.")
    group = factories.group(session, name="Journey Age Well Group", kind="thematic", code="JAW", parent_id=board.id,
                            remit="Older people moving more.")
    me, _ = person("journey.member@example.org", name="Jordan Journey")
    chair = factories.stakeholder(session, name="Casey Chair")
    gone = factories.stakeholder(session, name="Former Fran")
    factories.membership(session, group=group, stakeholder=chair, role="chair")
    factories.membership(session, group=group, stakeholder=me)
    factories.membership(session, group=group, stakeholder=gone, start_date=date(2022, 1, 1), end_date=date(2023, 1, 1))
    session.commit()
    return me, group


def test_sign_in_browse_groups_and_sign_out(page, session, person):
    me, group = _arrange(session, person)

    page.goto("/groups")
    assert page.url.endswith("/login?next=/groups")
    accessible(page)
    page.get_by_label("Email").fill(me.email)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert").get_by_text("The email address or password is not right")).to_be_visible()
    accessible(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url("**/groups")
    assert page.get_by_role("heading", level=1).inner_text() == "Groups"
    accessible(page)
    page.get_by_role("link", name="Journey Age Well Group").click()
    page.wait_for_url(f"**/groups/{group.slug}")
    page.get_by_text("Casey Chair").wait_for()
    rows = page.locator("#members tbody tr")
    assert rows.first.inner_text().startswith("Casey Chair")
    assert page.get_by_text("Former Fran").count() == 0
    accessible(page)

    # htmx swaps in the former members, pushes the URL, and moves focus to the section heading.
    page.get_by_role("link", name="Show former members").click()
    page.get_by_text("Former Fran").wait_for()
    page.wait_for_url(f"**/groups/{group.slug}?former=1")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'members-heading'")
    assert page.get_by_role("heading", level=1).count() == 1  # a fragment, not a page inside a page
    accessible(page)

    page.get_by_role("link", name="My dashboard").click()
    page.wait_for_url("**/")
    expect(page.get_by_role("link", name="Journey Age Well Group")).to_be_visible()
    accessible(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    page.goto("/")
    assert page.url.endswith("/login?next=/")
    assert page.console_errors == []


def test_pages_read_without_javascript(browser, server, session, person, engine):
    me, group = _arrange(session, person)
    context = browser.new_context(base_url=server, java_script_enabled=False)
    page = context.new_page()
    sign_in_as(page, me.email)
    page.goto(f"/groups/{group.slug}")
    page.get_by_role("link", name="Show former members").click()
    expect(page.get_by_text("Former Fran")).to_be_visible()
    assert page.url.endswith("?former=1#members")
    context.close()


def test_admin_account_pages_areaccessible(page, person, session):
    admin, _ = person("e2e.admin@example.org", is_admin=True)
    factories.stakeholder(session, name="Eve Newcomer", email="e2e.new@example.org")
    session.commit()
    page.goto("/login")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="Accounts").click()
    accessible(page)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert").get_by_text("Choose the person to give an account")).to_be_visible()
    accessible(page)
    page.get_by_label("Person", exact=True).select_option(label="Eve Newcomer (e2e.new@example.org)")
    page.get_by_label("One-time password (optional with an invitation)").fill("one-time-password-1")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status").get_by_text("Account created.")).to_be_visible()
    expect(page.get_by_role("cell", name="e2e.new@example.org", exact=True)).to_be_visible()
    assert page.console_errors == []


def test_meeting_page_and_chair_summary_areaccessible(page, client, session, app):
    from tests.web.test_meeting_pages import _meeting_with_record

    group, _, _ = _meeting_with_record(client, session, app, secretary_email="e2e.sec@example.org")
    sign_in_as(page, "e2e.sec@example.org")
    page.goto(f"/groups/{group.slug}")
    page.get_by_role("link", name="16 January 2024: Quarterly").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quarterly, 16 January 2024")
    accessible(page)
    page.get_by_role("link", name="Chair's summary report (printable)").click()
    expect(page.get_by_text("Fund 10 classes.")).to_be_visible()
    accessible(page)
    page.emulate_media(media="print")
    expect(page.locator("header.nhsuk-header")).to_be_hidden()
    assert page.console_errors == []
