"""People pages: adding and changing a person (admins), the profile every signed-in person sees
(only what they may see), deleting or anonymising after a confirmation step, and the list's links."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from api.audit.models import AuditEvent
from api.auth.models import UserAccount
from api.core.types import utcnow
from api.meetings.models import Action, AgendaItem, Attendance, Meeting, MinutesVersion
from api.outcomes.models import Contribution
from api.registry.models import Stakeholder
from tests import factories
from tests.web.conftest import hidden_field, sign_in

LIVERPOOL = "E08000012"


@pytest.fixture
def admin_client(client_factory, person):
    admin, _ = person("people.admin@example.org", is_admin=True, name="Ada Admin")
    browser = client_factory()
    assert sign_in(browser, admin.email).status_code == 303
    return browser


def _token(client, path="/people") -> str:
    return hidden_field(client.get(path).text, "csrf_token")


def _people(session) -> list[Stakeholder]:
    session.expire_all()
    return list(session.exec(select(Stakeholder).order_by(Stakeholder.id)))


def _form(**values) -> dict[str, str]:
    return {"name": "Jo Bloggs-Smith", "initials": "", "email": "jo.bloggs@example.org", "job_title": "Active Lead",
            "organisation_id": "", "place_code": LIVERPOOL, "system_leader_level": "ambassador"} | values


# Adding and changing ---------------------------------------------------------------------------

def test_an_admin_adds_a_person_with_initials_made_from_the_name(admin_client, session):
    org = factories.organisation(session, name="Mersey Leisure")
    session.commit()
    page = admin_client.get("/people/new")
    assert page.status_code == 200 and "<h1>Add a person</h1>" in page.text
    assert f'<option value="{org.id}">Mersey Leisure</option>' in page.text and ">Liverpool</option>" in page.text
    assert '<option value="local_champion">Local champion</option>' in page.text
    made = admin_client.post("/people/new", data=_form(csrf_token=_token(admin_client), organisation_id=str(org.id)),
                             follow_redirects=False)
    assert made.status_code == 303
    person = session.exec(select(Stakeholder).where(Stakeholder.email == "jo.bloggs@example.org")).one()
    assert made.headers["location"] == f"/people/{person.id}?done=added"
    assert (person.initials, person.organisation_id, person.place_code, person.system_leader_level) == (
        "JBS", org.id, LIVERPOOL, "ambassador")
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "stakeholder.create")).all()
    profile = admin_client.get(made.headers["location"])
    assert "Person added to the directory." in profile.text and 'role="status"' in profile.text


def test_a_bad_form_says_what_to_fix_keeps_the_input_and_saves_nothing(admin_client, session):
    before = len(_people(session))
    token = _token(admin_client)
    bad = admin_client.post("/people/new", data=_form(csrf_token=token, name="  ", initials="J5", email="not-an-email",
                                                      place_code="E99999999", system_leader_level="king"))
    assert bad.status_code == 422
    assert "<title>Error: Add a person" in bad.text and "There is a problem" in bad.text
    for message in ("Enter the person&#39;s full name", "Initials must be up to 10 letters",
                    "Enter an email address in the correct format", "Choose one of the nine Places, or none",
                    "Choose a System Leader level from the list, or none"):
        assert message in bad.text, message
    assert 'value="not-an-email"' in bad.text and 'value="J5"' in bad.text
    assert len(_people(session)) == before


def test_a_duplicate_email_is_refused_on_the_field(admin_client, session):
    factories.stakeholder(session, name="First Holder", email="taken@example.org")
    session.commit()
    before = len(_people(session))
    taken = admin_client.post("/people/new", data=_form(csrf_token=_token(admin_client), email="TAKEN@example.org"))
    assert taken.status_code == 422
    assert 'id="email-error"' in taken.text and "Someone in the directory already has this email address" in taken.text
    assert len(_people(session)) == before


def test_an_admin_changes_details_and_a_stale_form_is_refused(admin_client, session):
    person = factories.stakeholder(session, name="Casey Change", email="casey@example.org")
    other = factories.stakeholder(session, name="Other Person", email="other@example.org")
    session.commit()
    page = admin_client.get(f"/people/{person.id}/edit")
    assert page.status_code == 200 and 'value="Casey Change"' in page.text
    version = hidden_field(page.text, "version")
    token = hidden_field(page.text, "csrf_token")
    clash = admin_client.post(f"/people/{person.id}/edit", data=_form(csrf_token=token, version=version,
                                                                      email=other.email, name="Casey Change"))
    assert clash.status_code == 422 and "already has this email address" in clash.text
    done = admin_client.post(f"/people/{person.id}/edit", follow_redirects=False, data=_form(
        csrf_token=token, version=version, name="Casey Changed", initials="CC", email="casey@example.org"))
    assert done.status_code == 303 and done.headers["location"] == f"/people/{person.id}?done=changed"
    session.expire_all()
    person = session.get(Stakeholder, person.id)
    assert (person.name, person.initials, person.place_code) == ("Casey Changed", "CC", LIVERPOOL)
    stale = admin_client.post(f"/people/{person.id}/edit", data=_form(csrf_token=token, version=version,
                                                                      name="Lost Edit"))
    assert stale.status_code == 409 and "Someone else changed this person" in stale.text
    assert 'value="Casey Changed"' in stale.text
    session.expire_all()
    assert session.get(Stakeholder, person.id).name == "Casey Changed"


def test_only_admins_may_add_or_change_people(signed_in, session):
    client, me = signed_in
    assert client.get("/people/new").status_code == 403
    assert client.get(f"/people/{me.id}/edit").status_code == 403
    token = _token(client)
    assert client.post("/people/new", data=_form(csrf_token=token)).status_code == 403
    assert client.post(f"/people/{me.id}/anonymise", data={"csrf_token": token}).status_code == 403
    assert client.post(f"/people/{me.id}/delete", data={"csrf_token": token}).status_code == 403
    assert "Add a person" not in client.get("/people").text


def test_a_form_without_its_csrf_token_is_refused(admin_client, session):
    before = len(_people(session))
    assert admin_client.post("/people/new", data=_form()).status_code == 403
    assert len(_people(session)) == before


# The profile -------------------------------------------------------------------------------------

def _record(session, person: Stakeholder):
    """A held meeting the person attended, a cancelled one and one to come (neither counts), an
    action on an open item, one on a confidential item, and a contribution."""
    group = factories.group(session, name="Active Travel Group", code="ATG")
    secret_group = factories.group(session, name="Tender Panel", code="TP")
    factories.membership(session, group=group, stakeholder=person, role="chair")
    factories.membership(session, group=secret_group, stakeholder=person, start_date=date(2020, 1, 1),
                         end_date=date(2021, 1, 1))
    past = utcnow() - timedelta(days=30)
    held = Meeting(group_id=group.id, title="Spring meeting", starts_at=past, ends_at=past + timedelta(hours=2),
                   status="held")
    cancelled = Meeting(group_id=group.id, title="Snowed off", starts_at=past - timedelta(days=7),
                        ends_at=past - timedelta(days=7, hours=-1), status="cancelled")
    future = Meeting(group_id=group.id, title="Next meeting", starts_at=utcnow() + timedelta(days=9),
                     ends_at=utcnow() + timedelta(days=9, hours=1))
    secret = Meeting(group_id=secret_group.id, title="Panel", starts_at=past, ends_at=past + timedelta(hours=1),
                     status="held")
    session.add_all([held, cancelled, future, secret])
    session.flush()
    for meeting in (held, cancelled, future):
        session.add(Attendance(meeting_id=meeting.id, stakeholder_id=person.id, status="present"))
    item = AgendaItem(meeting_id=secret.id, position=1, ref="TP/1", title="Scores", confidential=True)
    session.add(item)
    session.flush()
    session.add_all([
        Action(group_id=group.id, number=1, text="Closed long ago", owner_id=person.id, status="closed",
               closed_on=date(2024, 2, 1)),
        Action(group_id=group.id, number=2, text="Map the cycle routes", owner_id=person.id,
               due_date=date(2030, 1, 1)),
        Action(group_id=secret_group.id, number=1, meeting_id=secret.id, agenda_item_id=item.id,
               text="Score the secret tender", owner_id=person.id),
        Contribution(stakeholder_id=person.id, kind="event", description="Ran a walking festival",
                     contributed_on=date(2024, 5, 1), people_reached=1200),
    ])
    session.commit()
    return group


def test_a_profile_shows_groups_meetings_and_actions_to_anyone_signed_in(signed_in, session):
    client, _ = signed_in
    org = factories.organisation(session, name="Wirral Active")
    person = factories.stakeholder(session, name="Pat Profile", organisation_id=org.id, place_code=LIVERPOOL,
                                   system_leader_level="local_champion", job_title="Lead")
    _record(session, person)
    page = client.get(f"/people/{person.id}")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Pat Profile" in text and f'<a href="/organisations/{org.id}">Wirral Active</a>' in text
    assert "Liverpool" in text and "Local champion" in text
    assert f'href="/people/{person.id}/interests"' in text
    current, former = text.split('id="current-groups"')[1], text.split('id="former-groups"')[1]
    assert "Active Travel Group</a>: Chair, since 1 January 2024" in current
    assert "Tender Panel</a>: Member, 1 January 2020 to 1 January 2021" in former
    meetings = text.split('id="meetings-attended"')[1].split("</ul>")[0]
    assert "attended 1 held meeting." in text and "Spring meeting" in meetings
    assert "Snowed off" not in meetings and "Next meeting" not in meetings
    owned = text.split('id="actions-owned"')[1].split("</ul>")[0]
    assert owned.index("Map the cycle routes") < owned.index("Closed long ago")  # open first
    assert "Score the secret tender" not in text  # a confidential item of a group I am not in
    assert "Ran a walking festival" not in text and "Contributions" not in text  # theirs and admins' only
    assert "For admins" not in text and "Give Pat Profile an account" not in text


def test_the_person_and_admins_see_the_contributions_and_admins_the_confidential_action(
        client_factory, admin_client, person, session):
    me, _ = person("pat.self@example.org", name="Pat Self")
    _record(session, me)
    mine = client_factory()
    sign_in(mine, me.email)
    own = mine.get(f"/people/{me.id}").text
    assert "Ran a walking festival" in own and "1,200 people reached" in own and "Only you and admins" in own
    # a former member of the panel no longer sees its confidential business
    assert "Score the secret tender" not in own
    admin_view = admin_client.get(f"/people/{me.id}").text
    assert "Ran a walking festival" in admin_view and "Score the secret tender" in admin_view
    assert f'href="/people/{me.id}/edit"' in admin_view and "Give Pat Self an account" not in admin_view
    assert "Account: pat.self@example.org" in admin_view


def test_an_admin_is_offered_an_account_for_someone_without_one(admin_client, session):
    person = factories.stakeholder(session, name="Nora Noaccount", email="nora@example.org")
    session.commit()
    page = admin_client.get(f"/people/{person.id}").text
    assert f'<a href="/admin/users?person={person.id}#new-account">Give Nora Noaccount an account</a>' in page
    form = admin_client.get(f"/admin/users?person={person.id}").text
    assert f'<option value="{person.id}" selected>Nora Noaccount (nora@example.org)</option>' in form


def test_an_unknown_person_is_not_found(signed_in):
    client, _ = signed_in
    assert client.get("/people/987654").status_code == 404


def test_names_in_the_list_link_to_profiles(signed_in, session):
    client, me = signed_in
    page = client.get("/people").text
    assert f'<a href="/people/{me.id}">{me.name}</a>' in page
    assert 'class="nhsuk-table-responsive"' in page and "nhsuk-table-responsive__heading" in page


def test_the_profile_makes_the_same_queries_however_much_the_person_has_done(signed_in, session, count_queries):
    client, _ = signed_in
    person = factories.stakeholder(session, name="Busy Bee")
    group = _record(session, person)

    def count() -> int:
        client.get(f"/people/{person.id}")
        with count_queries() as counter:
            assert client.get(f"/people/{person.id}").status_code == 200
        return counter.count

    first = count()
    start = utcnow() - timedelta(days=60)
    for n in range(6):
        other = factories.group(session, name=f"More Group {n}")
        factories.membership(session, group=other, stakeholder=person, role="member")
        meeting = Meeting(group_id=group.id, title=f"Extra {n}", starts_at=start - timedelta(days=n),
                          ends_at=start - timedelta(days=n, hours=-1), status="held")
        session.add(meeting)
        session.flush()
        session.add(Attendance(meeting_id=meeting.id, stakeholder_id=person.id, status="in_attendance"))
        session.add(Action(group_id=other.id, number=1, text=f"More work {n}", owner_id=person.id))
    session.commit()
    assert count() == first


# Deleting and anonymising -------------------------------------------------------------------------

def test_someone_with_no_records_is_deleted_after_confirming(admin_client, session):
    person = factories.stakeholder(session, name="Added In Error")
    session.commit()
    person_id = person.id
    confirm = admin_client.get(f"/people/{person.id}/delete")
    assert confirm.status_code == 200 and "Delete Added In Error from the directory?" in confirm.text
    assert "They have no memberships" in confirm.text and f'action="/people/{person.id}/delete"' in confirm.text
    done = admin_client.post(f"/people/{person.id}/delete", data={"csrf_token": hidden_field(confirm.text,
                                                                                             "csrf_token")},
                             follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/people?done=deleted"
    session.expire_all()
    assert session.get(Stakeholder, person_id) is None
    assert "The person has been removed from the directory." in admin_client.get(done.headers["location"]).text


def test_someone_with_records_cannot_be_deleted_and_is_offered_anonymising(admin_client, session):
    person = factories.stakeholder(session, name="Long Serving")
    _record(session, person)
    confirm = admin_client.get(f"/people/{person.id}/delete")
    assert "This cannot be done" in confirm.text and "Anonymise Long Serving instead" in confirm.text
    assert "2 memberships of groups" in confirm.text and "3 actions they own" in confirm.text
    assert f'action="/people/{person.id}/delete"' not in confirm.text
    refused = admin_client.post(f"/people/{person.id}/delete", data={"csrf_token": hidden_field(confirm.text,
                                                                                                "csrf_token")})
    assert refused.status_code == 409 and "<title>Error: Delete Long Serving" in refused.text
    session.expire_all()
    assert session.get(Stakeholder, person.id) is not None


def test_anonymising_says_what_happens_to_minutes_and_does_it(admin_client, person, session):
    someone, account = person("leaving@example.org", name="Lee Leaving")
    _record(session, someone)
    session.add(MinutesVersion(meeting_id=session.exec(select(Meeting.id)).first(), version=1,
                               written_by="leaving@example.org"))
    session.commit()
    confirm = admin_client.get(f"/people/{someone.id}/anonymise")
    label = f"Former stakeholder {someone.id}"
    assert confirm.status_code == 200 and "Anonymise Lee Leaving?" in confirm.text
    assert f"Minutes they wrote or papers they uploaded show “{label}”" in confirm.text
    assert "The words of minutes, decisions and action updates are not changed" in confirm.text
    assert 'href="/people">People</a>' in confirm.text
    done = admin_client.post(f"/people/{someone.id}/anonymise",
                             data={"csrf_token": hidden_field(confirm.text, "csrf_token")}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/people/{someone.id}?done=anonymised"
    session.expire_all()
    assert session.get(Stakeholder, someone.id).name == label
    assert session.exec(select(MinutesVersion.written_by)).one() == label
    assert session.get(UserAccount, account.id).is_active is False
    page = admin_client.get(done.headers["location"]).text
    assert "The person has been anonymised." in page and f"<h1>{label}" in page
    assert "Map the cycle routes" in page  # the records stay, under the label


def test_the_confirm_pages_are_for_admins_only(signed_in, session):
    client, me = signed_in
    assert client.get(f"/people/{me.id}/anonymise").status_code == 403
    assert client.get(f"/people/{me.id}/delete").status_code == 403
