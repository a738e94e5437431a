"""Organisations and groups added and changed from the pages (admins only), My account (the
calendar link, its reset after a confirmation, the data download), the footer's pages (readable
without signing in) and the header NHS.UK frontend asks for."""

import json

import pytest
from sqlmodel import select

from api.audit.models import AuditEvent
from api.auth.models import UserAccount
from api.registry.models import Group, Organisation
from tests import factories
from tests.web.conftest import hidden_field, sign_in

LIVERPOOL = "E08000012"


@pytest.fixture
def admin_client(client_factory, person):
    admin, _ = person("bodies.admin@example.org", is_admin=True, name="Ada Admin")
    browser = client_factory()
    assert sign_in(browser, admin.email).status_code == 303
    return browser


def _token(client, path="/account") -> str:
    return hidden_field(client.get(path).text, "csrf_token")


def _organisations(session) -> list[Organisation]:
    session.expire_all()
    return list(session.exec(select(Organisation).order_by(Organisation.id)))


def _groups(session) -> list[Group]:
    session.expire_all()
    return list(session.exec(select(Group).order_by(Group.id)))


def _org_form(**values) -> dict[str, str]:
    return {"name": "Mersey Moves CIC", "sector": "vcfse", "place_code": LIVERPOOL,
            "website": "https://www.merseymoves.example.org"} | values


def _group_form(**values) -> dict[str, str]:
    return {"name": "Walking Working Group", "kind": "working", "remit": "Gets more people walking.\n\nReports yearly.",
            "parent_id": "", "code": "wwg", "place_code": ""} | values


# Organisations ---------------------------------------------------------------------------------

def test_an_admin_adds_an_organisation_and_sees_it_with_a_notice(admin_client, session):
    page = admin_client.get("/organisations/new")
    assert page.status_code == 200 and "<h1>Add an organisation</h1>" in page.text
    assert '<option value="vcfse">Voluntary, community and social enterprise</option>' in page.text
    assert f'<option value="{LIVERPOOL}">Liverpool</option>' in page.text
    token = _token(admin_client, "/organisations/new")
    made = admin_client.post("/organisations/new", data=_org_form(csrf_token=token), follow_redirects=False)
    assert made.status_code == 303
    org = session.exec(select(Organisation).where(Organisation.name == "Mersey Moves CIC")).one()
    assert made.headers["location"] == f"/organisations/{org.id}?done=added"
    assert (org.sector, org.place_code, org.website) == ("vcfse", LIVERPOOL, "https://www.merseymoves.example.org")
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "organisation.create")).all()
    shown = admin_client.get(made.headers["location"]).text
    assert "Organisation added." in shown and 'role="status"' in shown
    assert f'href="/organisations/{org.id}/edit"' in shown
    # The list offers the form to admins, and its names link to their pages.
    listing = admin_client.get("/organisations").text
    assert 'href="/organisations/new"' in listing
    assert f'<a href="/organisations/{org.id}">Mersey Moves CIC</a>' in listing


def test_organisation_mistakes_are_said_plainly_and_nothing_is_saved(admin_client, session):
    before = len(_organisations(session))
    bad = admin_client.post("/organisations/new", data=_org_form(
        csrf_token=_token(admin_client, "/organisations/new"), name="  ", sector="shipping", place_code="E99999999",
        website="www.merseymoves.example.org"))
    assert bad.status_code == 422
    assert "<title>Error: Add an organisation" in bad.text and "There is a problem" in bad.text
    for message in ("Enter the organisation&#39;s name", "Choose the organisation&#39;s sector",
                    "Choose one of the nine Places, or none",
                    "Enter the website address starting https://, like https://www.example.org"):
        assert message in bad.text, message
    assert 'value="www.merseymoves.example.org"' in bad.text  # kept for correcting
    assert len(_organisations(session)) == before
    for website in ("http://plain.example.org", "https://nodot", "https://has space.example.org", "javascript:x"):
        refused = admin_client.post("/organisations/new", data=_org_form(
            csrf_token=_token(admin_client, "/organisations/new"), website=website))
        assert refused.status_code == 422 and "Enter the website address starting https://" in refused.text, website
    assert len(_organisations(session)) == before


def test_a_duplicate_organisation_name_is_refused_on_the_name(admin_client, session):
    factories.organisation(session, name="Mersey Moves CIC")
    session.commit()
    before = len(_organisations(session))
    twice = admin_client.post("/organisations/new", data=_org_form(
        csrf_token=_token(admin_client, "/organisations/new"), name="mersey moves cic"))
    assert twice.status_code == 422
    assert "An organisation called mersey moves cic is already in the directory" in twice.text
    assert 'href="#name"' in twice.text
    assert len(_organisations(session)) == before


def test_an_admin_changes_an_organisation_and_a_stale_form_is_refused(admin_client, session):
    org = factories.organisation(session, name="Old Name Trust", sector="leisure")
    other = factories.organisation(session, name="Taken Name Trust")
    session.commit()
    form = admin_client.get(f"/organisations/{org.id}/edit")
    assert form.status_code == 200 and 'value="Old Name Trust"' in form.text
    version = hidden_field(form.text, "version")
    token = hidden_field(form.text, "csrf_token")
    taken = admin_client.post(f"/organisations/{org.id}/edit", data=_org_form(
        csrf_token=token, version=version, name=other.name))
    assert taken.status_code == 422 and "An organisation called Taken Name Trust is already" in taken.text
    saved = admin_client.post(f"/organisations/{org.id}/edit", data=_org_form(
        csrf_token=token, version=version, name="New Name Trust", place_code=""), follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == f"/organisations/{org.id}?done=changed"
    session.expire_all()
    changed = session.get(Organisation, org.id)
    assert (changed.name, changed.sector, changed.place_code) == ("New Name Trust", "vcfse", None)
    stale = admin_client.post(f"/organisations/{org.id}/edit", data=_org_form(csrf_token=token, version=version))
    assert stale.status_code == 409 and "Someone else changed this organisation" in stale.text
    assert session.get(Organisation, org.id).name == "New Name Trust"


def test_organisation_forms_are_for_admins_with_the_csrf_token(signed_in, admin_client, session):
    member, _ = signed_in
    org = factories.organisation(session, name="Guarded Trust")
    session.commit()
    token = _token(member)
    for path in ("/organisations/new", f"/organisations/{org.id}/edit"):
        assert member.get(path).status_code == 403, path
        assert member.post(path, data=_org_form(csrf_token=token, version="1")).status_code == 403, path
    assert 'href="/organisations/new"' not in member.get("/organisations").text
    assert f'href="/organisations/{org.id}/edit"' not in member.get(f"/organisations/{org.id}").text
    # An admin without the form's token is refused too, and nothing is saved.
    before = len(_organisations(session))
    assert admin_client.post("/organisations/new", data=_org_form()).status_code == 403
    assert len(_organisations(session)) == before
    assert admin_client.get("/organisations/99999/edit").status_code == 404


# Groups -----------------------------------------------------------------------------------------

def test_an_admin_adds_a_group_below_another(admin_client, session):
    board = factories.group(session, name="Physical Activity Board", kind="board")
    session.commit()
    page = admin_client.get("/groups/new")
    assert page.status_code == 200 and "<h1>Add a group</h1>" in page.text
    assert '<option value="working">Working group</option>' in page.text
    assert f'<option value="{board.id}">Physical Activity Board</option>' in page.text
    made = admin_client.post("/groups/new", data=_group_form(csrf_token=_token(admin_client, "/groups/new"),
                                                             parent_id=str(board.id)), follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"] == "/groups/walking-working-group?done=added"
    group = session.exec(select(Group).where(Group.slug == "walking-working-group")).one()
    assert (group.kind, group.parent_id, group.code) == ("working", board.id, "WWG")  # the code in capitals
    assert group.remit == "Gets more people walking.\n\nReports yearly."
    shown = admin_client.get(made.headers["location"]).text
    assert "Group added." in shown and 'href="/groups/walking-working-group/edit"' in shown
    tree = admin_client.get("/groups").text
    assert 'href="/groups/new"' in tree and '<a href="/groups/walking-working-group">Walking Working Group</a>' in tree


def test_a_group_named_new_does_not_hide_the_form(admin_client, session):
    made = admin_client.post("/groups/new", data=_group_form(csrf_token=_token(admin_client, "/groups/new"),
                                                             name="New", code=""), follow_redirects=False)
    assert made.headers["location"] == "/groups/new-group?done=added"
    assert admin_client.get("/groups/new").status_code == 200


def test_group_mistakes_are_said_plainly_and_nothing_is_saved(admin_client, session):
    factories.group(session, name="Taken Group", code="TKN")
    session.commit()
    before = len(_groups(session))
    token = _token(admin_client, "/groups/new")
    bad = admin_client.post("/groups/new", data=_group_form(csrf_token=token, name="", kind="club", code="1x",
                                                            parent_id="99999", place_code="nowhere"))
    assert bad.status_code == 422 and "<title>Error: Add a group" in bad.text
    for message in ("Enter the group&#39;s name", "Choose the kind of group", "Choose a group from the list, or none",
                    "Choose one of the nine Places, or none"):
        assert message in bad.text, message
    code = admin_client.post("/groups/new", data=_group_form(csrf_token=token, code="1X"))
    assert code.status_code == 422
    assert "Enter a code of 2 to 12 capital letters and digits, starting with a letter, like PAB" in code.text
    assert "string should" not in code.text.lower()
    name = admin_client.post("/groups/new", data=_group_form(csrf_token=token, name="taken group", code=""))
    assert name.status_code == 422 and "A group called taken group, or a name very like it, already exists" in name.text
    same_code = admin_client.post("/groups/new", data=_group_form(csrf_token=token, code="tkn"))
    assert same_code.status_code == 422 and "Another group has the code TKN" in same_code.text
    assert len(_groups(session)) == before


def test_a_group_cannot_be_put_below_its_own_subgroup(admin_client, session):
    board = factories.group(session, name="Top Board", kind="board")
    child = factories.group(session, name="Child Group", parent_id=board.id)
    session.commit()
    form = admin_client.get(f"/groups/{board.slug}/edit")
    assert form.status_code == 200 and 'value="Top Board"' in form.text
    assert f'<option value="{board.id}">' not in form.text  # not offered as its own parent
    data = _group_form(csrf_token=hidden_field(form.text, "csrf_token"), version=hidden_field(form.text, "version"),
                       name="Top Board", kind="board", code="", parent_id=str(child.id))
    refused = admin_client.post(f"/groups/{board.slug}/edit", data=data)
    assert refused.status_code == 422 and "<title>Error: Change Top Board" in refused.text
    assert "A group cannot report to itself or to one of the groups below it: choose another group" in refused.text
    session.expire_all()
    assert session.get(Group, board.id).parent_id is None
    saved = admin_client.post(f"/groups/{board.slug}/edit", data=data | {"parent_id": "", "name": "Top Board Renamed"},
                              follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == f"/groups/{board.slug}?done=changed"
    session.expire_all()
    renamed = session.get(Group, board.id)
    assert (renamed.name, renamed.slug, renamed.remit) == ("Top Board Renamed", board.slug, data["remit"])
    # The same form again, opened before that change: refused, showing the group as it is now.
    stale = admin_client.post(f"/groups/{board.slug}/edit", data=data | {"parent_id": "", "name": "Stale Name"})
    assert stale.status_code == 409 and "Someone else changed this group" in stale.text
    assert 'value="Top Board Renamed"' in stale.text
    session.expire_all()
    assert session.get(Group, board.id).name == "Top Board Renamed"


def test_group_forms_are_for_admins_with_the_csrf_token(signed_in, admin_client, session):
    member, _ = signed_in
    group = factories.group(session, name="Guarded Group")
    session.commit()
    token = _token(member)
    for path in ("/groups/new", f"/groups/{group.slug}/edit"):
        assert member.get(path).status_code == 403, path
        assert member.post(path, data=_group_form(csrf_token=token, version="1")).status_code == 403, path
    assert 'href="/groups/new"' not in member.get("/groups").text
    assert f'href="/groups/{group.slug}/edit"' not in member.get(f"/groups/{group.slug}").text
    before = len(_groups(session))
    assert admin_client.post("/groups/new", data=_group_form()).status_code == 403
    assert len(_groups(session)) == before


# My account -------------------------------------------------------------------------------------

def test_my_account_shows_the_feed_link_and_the_ways_to_the_other_settings(signed_in, session):
    client, person = signed_in
    page = client.get("/account")
    assert page.status_code == 200 and "<h1>My account</h1>" in page.text
    account = session.exec(select(UserAccount).where(UserAccount.stakeholder_id == person.id)).one()
    feed = f"http://testserver/api/v1/me/meetings.ics?token={account.id}."
    assert f'id="feed-url" type="text" value="{feed}' in page.text and "readonly" in page.text
    assert f'href="webcal://testserver/api/v1/me/meetings.ics?token={account.id}.' in page.text
    for words in ("How to add it to Outlook", "How to add it to Google Calendar", "How to add it to Apple Calendar",
                  'href="/account/password"', 'href="/account/email"', 'href="/account/calendar/reset"',
                  'href="/account/my-data.json" download', f'href="/people/{person.id}"'):
        assert words in page.text, words
    # The Copy button is made by app.mjs only: no button that does nothing without JavaScript.
    assert "data-copy-from=\"#feed-url\"" in page.text and ">Copy the link<" not in page.text
    # The header's account area links here.
    assert '<a class="nhsuk-header__account-link" href="/account" aria-current="page">My account</a>' in page.text
    assert 'href="/account"' in client.get("/groups").text


def test_resetting_the_feed_link_asks_first_and_the_old_link_stops_working(signed_in, session):
    client, _ = signed_in
    before = hidden_field(client.get("/account").text.replace('id="feed-url" type="text" value=', 'name="feed" value='),
                          "feed")
    assert client.get(before.replace("http://testserver", "")).status_code == 200
    confirm = client.get("/account/calendar/reset")
    assert confirm.status_code == 200 and "<h1>Reset your calendar link?</h1>" in confirm.text
    assert "stops getting your meetings from the old link" in confirm.text
    assert 'href="/account#calendar"' in confirm.text
    token = hidden_field(confirm.text, "csrf_token")
    assert client.post("/account/calendar/reset", data={}).status_code == 403  # no CSRF token: nothing happens
    assert client.get(before.replace("http://testserver", "")).status_code == 200
    done = client.post("/account/calendar/reset", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/account?done=calendar-reset"
    after_page = client.get("/account?done=calendar-reset").text
    assert "Your calendar link has been reset. The old link no longer works" in after_page
    assert before not in after_page
    assert client.get(before.replace("http://testserver", "")).status_code == 401
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "calendar.reset")).all()
    # Only known notices are shown: never text from the address.
    assert "Hello" not in client.get("/account?done=Hello").text


def test_the_data_download_is_a_json_file_of_mine_and_is_audited(signed_in, session):
    client, person = signed_in
    download = client.get("/account/my-data.json")
    assert download.status_code == 200 and download.headers["content-type"].startswith("application/json")
    assert download.headers["content-disposition"] == 'attachment; filename="my-ata-data.json"'
    assert download.headers["cache-control"] == "no-store"
    data = json.loads(download.text)
    assert person.email in json.dumps(data)
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "privacy.export")).all()


def test_my_account_needs_signing_in(anonymous_client):
    for path in ("/account", "/account/calendar/reset", "/account/my-data.json"):
        response = anonymous_client.get(path, follow_redirects=False)
        assert response.status_code in (302, 303) and "/login" in response.headers["location"], path


# The footer's pages and the header ------------------------------------------------------------

@pytest.mark.parametrize(("path", "heading", "words"), [
    ("/accessibility", "Accessibility statement for All Together Active",
     ["partially compliant", "Web Content Accessibility Guidelines version 2.2",
      "Equality Advisory and Support Service", "Equality and Human Rights Commission", "accessibility@example.org",
      "axe-core", "1280 pixels", "390 pixels",
      "meeting packs"]),
    ("/privacy", "Privacy notice", ["public task", "directory details", "memberships", "attendance",
                                    "mentions in minutes", "audit log", 'href="/account"',
                                    "data.protection@example.org"]),
    ("/help", "Help", ["Signing in", "Your actions", "Meetings in your own calendar", "Choosing your emails",
                       "Who to contact"]),
])
def test_the_footer_pages_open_without_signing_in(anonymous_client, path, heading, words):
    page = anonymous_client.get(path)
    assert page.status_code == 200 and f"<h1>{heading}</h1>" in page.text
    for word in words:
        assert word in page.text, word
    assert "nhsuk-header__navigation" not in page.text  # no menu for someone not signed in
    footer = page.text[page.text.index('<footer'):]
    for link in ('href="/help">Help<', 'href="/accessibility">Accessibility statement<',
                 'href="/privacy">Privacy notice<'):
        assert link in footer


def test_a_signed_in_reader_of_a_footer_page_keeps_the_header(signed_in):
    client, person = signed_in
    page = client.get("/help")
    assert person.email in page.text and 'href="/account"' in page.text and "nhsuk-header__navigation" in page.text


def test_the_header_is_set_up_for_nhsuk_frontend(signed_in):
    client, _ = signed_in
    page = client.get("/").text
    body = page[page.index("<body"):]
    # The feature check runs first in the body (a file: the CSP refuses inline scripts).
    assert body.index('src="/static/frontend-supported.js"') < body.index('class="nhsuk-skip-link"')
    assert '<header class="nhsuk-header" role="banner" data-module="nhsuk-header">' in page
    assert '<li class="nhsuk-header__menu" hidden>' in page
    assert '<button class="nhsuk-header__menu-toggle nhsuk-header__navigation-link"' in page
    script = client.get("/static/frontend-supported.js")
    assert script.status_code == 200 and "nhsuk-frontend-supported" in script.text
