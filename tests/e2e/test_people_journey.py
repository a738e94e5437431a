"""An admin adds a person to the directory (a mistake first), gives them an account from their
profile (the invitation is in the outbox and is delivered to a real SMTP server), adds them to a
group on the membership pages, opens their profile, and anonymises them after the confirmation
step. Every page passes axe-core at 1280px and 390px with nothing scrolling sideways."""

from playwright.sync_api import expect
from sqlmodel import select

from api.mail.models import OutboxMessage
from api.mail.sender import Sender
from tests import factories
from tests.conftest import make_settings
from tests.e2e.conftest import accessible_at_both_widths, sign_in_as
from tests.mail.conftest import SmtpServer


def _arrange(session, person):
    factories.group(session, name="Journey Active Travel Group", kind="thematic", code="JATG")
    factories.organisation(session, name="Example Leisure Trust", sector="leisure")
    factories.stakeholder(session, name="Avery Longname-Withahyphen", job_title="Strategic Lead for Physical Activity",
                          email="avery.a.very.long.address@example.org", place_code="E08000012")
    admin, _ = person("people.journey.admin@example.org", is_admin=True, name="Morgan Admin")
    session.commit()
    return admin


def test_admin_adds_a_person_gives_them_an_account_and_a_seat(page, session, person, engine, database_url):
    admin = _arrange(session, person)
    sign_in_as(page, admin.email)

    page.get_by_role("link", name="People", exact=True).first.click()
    page.wait_for_url("**/people")
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    accessible_at_both_widths(page, "people")

    page.get_by_role("link", name="Add a person").click()
    page.wait_for_url("**/people/new")
    page.get_by_label("Email (optional)").fill("not an email")
    page.get_by_role("button", name="Add person").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter the person's full name")
    expect(summary).to_contain_text("Enter an email address in the correct format")
    assert page.title().startswith("Error: ")
    page.wait_for_function("document.activeElement && document.activeElement.classList.contains"
                           "('nhsuk-error-summary')")
    accessible_at_both_widths(page, "person-new")

    page.get_by_label("Full name").fill("Riley Newperson")
    page.get_by_label("Email (optional)").fill("riley.newperson@example.org")
    page.get_by_label("Job title (optional)").fill("Community Sport Officer")
    page.get_by_label("Organisation (optional)").select_option(label="Example Leisure Trust")
    page.get_by_label("Place (optional)").select_option(label="Liverpool")
    page.get_by_label("System Leader level (optional)").select_option(label="Ambassador")
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Riley Newperson")
    expect(page.get_by_role("status")).to_contain_text("Person added to the directory.")
    page.wait_for_function("document.activeElement && document.activeElement.getAttribute('role') === 'status'")

    # An account, from the profile: the person is chosen already, and invited by default.
    page.get_by_role("link", name="Give Riley Newperson an account").click()
    expect(page.get_by_label("Person", exact=True)).to_have_value(page.url.split("person=")[1].split("#")[0])
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status")).to_contain_text("emailed a link to choose their password")
    expect(page.get_by_role("link", name="Riley Newperson", exact=True)).to_be_visible()
    accessible_at_both_widths(page, "admin-accounts")

    session.expire_all()
    [message] = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "account_invitation")).all()
    assert message.to_address == "riley.newperson@example.org" and message.status == "pending"
    smtp = SmtpServer().start()
    try:
        settings = make_settings(database_url, smtp_url=smtp.url, mail_from="ATA Test <mail@example.org>",
                                 public_url="https://ata.example.org")
        assert Sender(engine, settings, sender_id="e2e").run_once() == 1
        [received] = smtp.received
    finally:
        smtp.stop()
    assert received.rcpt_tos == ["riley.newperson@example.org"]
    assert "Dear Riley Newperson," in received.message.get_body(("plain",)).get_content()

    # A seat, through the membership pages.
    page.goto("/admin/memberships")
    page.get_by_role("link", name="Journey Active Travel Group").click()
    page.get_by_label("Person").select_option(label="Riley Newperson (riley.newperson@example.org)")
    page.get_by_label("Role", exact=True).select_option("member")
    page.get_by_label("Start date").fill("2024-09-02")
    page.get_by_role("button", name="Add member").click()
    expect(page.get_by_role("status").get_by_text("Member added.")).to_be_visible()

    # The profile, from the list of people.
    page.goto("/people?q=riley")
    page.get_by_role("link", name="Riley Newperson", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Riley Newperson")
    expect(page.locator("#current-groups")).to_contain_text(
        "Journey Active Travel Group: Member, since 2 September 2024")
    expect(page.get_by_role("link", name="Example Leisure Trust")).to_be_visible()
    expect(page.get_by_role("link", name="Register of interests of Riley Newperson")).to_be_visible()
    accessible_at_both_widths(page, "person-profile")

    page.get_by_role("link", name="Anonymise Riley Newperson").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anonymise Riley Newperson?")
    expect(page.get_by_text("The words of minutes, decisions and action updates are not changed")).to_be_visible()
    accessible_at_both_widths(page, "person-anonymise")
    page.get_by_role("button", name="Anonymise Riley Newperson").click()
    expect(page.get_by_role("status")).to_contain_text("The person has been anonymised.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Former stakeholder")
    expect(page.locator("#current-groups")).to_contain_text("Journey Active Travel Group")
    assert page.console_errors == []
