"""A page per pilot (summary, Places, partners, pathway, measures, status history) and, for admins,
adding a pilot, changing one (measures as rows) and changing its status with a note that the
history keeps. Mistakes answered 422 in plain English with nothing saved; others refused 403; the
forms' token required."""

import pytest
from sqlmodel import func, select

from api.outcomes.models import Pilot, PilotStatusChange
from tests import factories
from tests.web.conftest import hidden_field, sign_in

ADMIN = "pilot.admin@example.org"
READER = "pilot.reader@example.org"
HTMX = {"HX-Request": "true"}
WARRINGTON, HALTON = "E06000007", "E06000006"


@pytest.fixture
def people(session):
    factories.person_with_account(session, ADMIN, name="Ada Admin", is_admin=True)
    factories.person_with_account(session, READER, name="Rae Reader")
    trust = factories.organisation(session, name="Warrington and Halton Trust")
    council = factories.organisation(session, name="Halton Council")
    session.commit()
    return trust, council


def _browser(client_factory, email):
    browser = client_factory()
    assert sign_in(browser, email).status_code == 303
    browser.csrf = hidden_field(browser.get("/").text, "csrf_token")
    return browser


def _post(browser, url, data, *, csrf=True):
    return browser.post(url, data={**data, **({"csrf_token": browser.csrf} if csrf else {})}, follow_redirects=False)


def _pilots(session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(Pilot)).one()


def _form(trust, **extra):
    return {"name": "Active Hospitals", "pathway": "secondary care", "status": "testing",
            "summary": "Moving more on the wards.\n\nKeeping inpatients strong.", "place_codes": [WARRINGTON, HALTON],
            "partner_ids": [str(trust.id)], "measure_name": ["Reduction in inpatient falls", ""],
            "measure_value": ["22", ""], "measure_unit": ["%", ""], "measure_baseline": ["", ""],
            "measure_period": ["2024/25", ""], **extra}


def _made(session) -> Pilot:
    session.expire_all()
    return session.exec(select(Pilot)).one()


def test_an_admin_adds_a_pilot_and_everyone_sees_its_page(client_factory, session, people):
    trust, _ = people
    admin = _browser(client_factory, ADMIN)
    listed = admin.get("/pilots")
    assert 'href="/pilots/new"' in listed.text
    assert admin.get("/pilots/new").status_code == 200
    done = _post(admin, "/pilots/new", _form(trust))
    assert done.status_code == 303, done.text
    pilot = _made(session)
    assert done.headers["location"] == f"/pilots/{pilot.id}?done=added#pilot-status"
    assert pilot.place_codes == [WARRINGTON, HALTON] and pilot.partner_ids == [trust.id]
    assert pilot.measures == [{"name": "Reduction in inpatient falls", "value": 22.0, "unit": "%", "baseline": None,
                               "period": "2024/25"}]
    assert "Pilot added." in admin.get(done.headers["location"]).text

    reader = _browser(client_factory, READER)
    page = reader.get(f"/pilots/{pilot.id}")
    assert page.status_code == 200
    text = page.text
    assert "<h1 class=\"ata-words\">Active Hospitals</h1>" in text
    assert "<p class=\"ata-pre-line\">Moving more on the wards.</p>" in text
    assert f'<a href="/places/{WARRINGTON}">Warrington</a>' in text and f'<a href="/places/{HALTON}">Halton</a>' in text
    assert f'<a href="/organisations/{trust.id}">Warrington and Halton Trust</a>' in text
    assert "Secondary care" in text and "Reduction in inpatient falls" in text and "22%" in text
    assert "<strong>Testing</strong> from" in text
    assert "Change the pilot" not in text and "Change its status" not in text  # not an admin
    assert 'href="/pilots/new"' not in reader.get("/pilots").text
    assert f'<a class="nhsuk-card__link" href="/pilots/{pilot.id}">Active Hospitals</a>' in reader.get("/pilots").text
    fragment = reader.get(f"/pilots/{pilot.id}", headers=HTMX)
    assert "<html" not in fragment.text and "Active Hospitals" in fragment.text
    assert reader.get("/pilots/987654").status_code == 404


def test_an_admin_changes_a_pilot_its_measures_places_and_partners(client_factory, session, people):
    trust, council = people
    admin = _browser(client_factory, ADMIN)
    assert _post(admin, "/pilots/new", _form(trust)).status_code == 303
    pilot = _made(session)
    form = admin.get(f"/pilots/{pilot.id}/edit").text
    assert 'value="Reduction in inpatient falls"' in form and 'value="22"' in form
    assert f'value="{WARRINGTON}" checked' in form and f'value="{trust.id}" checked' in form
    assert form.count('name="measure_name"') == 3  # the pilot's one and two empty rows
    done = _post(admin, f"/pilots/{pilot.id}/edit", _form(
        trust, name="Active Hospitals Programme", place_codes=[HALTON], partner_ids=[str(council.id)],
        measure_name=["", "Wards taking part", "Staff trained"], measure_value=["", "6", "1200"],
        measure_unit=["", "wards", "people"], measure_baseline=["", "2", ""], measure_period=["", "", ""]))
    assert done.status_code == 303 and done.headers["location"] == f"/pilots/{pilot.id}?done=changed#pilot-status"
    pilot = _made(session)
    assert pilot.name == "Active Hospitals Programme" and pilot.status == "testing"
    assert pilot.place_codes == [HALTON] and pilot.partner_ids == [council.id]
    assert [m["name"] for m in pilot.measures] == ["Wards taking part", "Staff trained"]  # the emptied row went
    page = admin.get(done.headers["location"]).text
    assert "Pilot changed." in page and "1,200 people" in page and "2 wards" in page


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"name": ""}, "name", "Enter the pilot&#39;s name"),
    ({"name": "x" * 201}, "name", "The name must be 200 characters or fewer"),
    ({"status": "paused"}, "status", "Choose the pilot&#39;s status"),
    ({"place_codes": ["E92000001"]}, "place_codes", "Choose Places from the list"),
    ({"partner_ids": ["987654"]}, "partner_ids", "Choose partners from the list"),
    ({"measure_name": ["", ""], "measure_value": ["22", ""]}, "measure-1-name", "Enter what measure 1 counts"),
    ({"measure_value": ["", ""]}, "measure-1-value", "Enter the value of measure 1"),
    ({"measure_value": ["lots", ""]}, "measure-1-value", "The value of measure 1 must be a number, like 56 or 12.5"),
    ({"measure_baseline": ["some", ""]}, "measure-1-baseline", "The baseline of measure 1 must be a number, like 40"),
])
def test_pilot_mistakes_are_explained_and_nothing_is_saved(client_factory, session, people, change, field, message):
    trust, _ = people
    admin = _browser(client_factory, ADMIN)
    answer = _post(admin, "/pilots/new", _form(trust, **change))
    assert answer.status_code == 422, answer.text
    assert "<title>Error: Add a pilot" in answer.text
    assert f'href="#{field}">{message}</a>' in answer.text and f'id="{field}-error"' in answer.text
    assert "secondary care" in answer.text  # what was typed is kept
    assert _pilots(session) == 0


def test_a_pilot_name_in_use_is_refused_on_adding_and_renaming(client_factory, session, people):
    trust, _ = people
    admin = _browser(client_factory, ADMIN)
    assert _post(admin, "/pilots/new", _form(trust)).status_code == 303
    again = _post(admin, "/pilots/new", _form(trust, name="active hospitals"))
    assert again.status_code == 422 and "A pilot called active hospitals already exists" in again.text
    assert _post(admin, "/pilots/new", _form(trust, name="Walking Therapies")).status_code == 303
    walking = session.exec(select(Pilot).where(Pilot.name == "Walking Therapies")).one()
    renamed = _post(admin, f"/pilots/{walking.id}/edit", _form(trust, name="Active Hospitals"))
    assert renamed.status_code == 422 and "A pilot called Active Hospitals already exists" in renamed.text
    assert _pilots(session) == 2


def test_an_admin_changes_the_status_with_a_note_and_the_history_keeps_it(client_factory, session, people):
    trust, _ = people
    admin = _browser(client_factory, ADMIN)
    assert _post(admin, "/pilots/new", _form(trust)).status_code == 303
    pilot = _made(session)
    page = admin.get(f"/pilots/{pilot.id}/status")
    assert page.status_code == 200 and '<option value="scaling">Scaling</option>' in page.text
    missing = _post(admin, f"/pilots/{pilot.id}/status", {"status": "", "note": ""})
    assert missing.status_code == 422 and "<title>Error: Change the status of Active Hospitals" in missing.text
    assert "Choose the pilot&#39;s new status" in missing.text and "Enter a note saying why the status is changing" \
        in missing.text
    same = _post(admin, f"/pilots/{pilot.id}/status", {"status": "testing", "note": "Still testing"})
    assert same.status_code == 422 and "The pilot is already Testing: choose a different status" in same.text
    long = _post(admin, f"/pilots/{pilot.id}/status", {"status": "scaling", "note": "x" * 501})
    assert long.status_code == 422 and "The note must be 500 characters or fewer" in long.text
    session.expire_all()
    assert session.exec(select(func.count()).select_from(PilotStatusChange)).one() == 1
    done = _post(admin, f"/pilots/{pilot.id}/status", {"status": "scaling", "note": "Two more wards joined."})
    assert done.status_code == 303 and done.headers["location"] == f"/pilots/{pilot.id}?done=status#pilot-status"
    assert _made(session).status == "scaling"
    changes = session.exec(select(PilotStatusChange).where(PilotStatusChange.pilot_id == pilot.id)
                           .order_by(PilotStatusChange.id)).all()
    assert [(c.status, c.note) for c in changes] == [("testing", "started"), ("scaling", "Two more wards joined.")]
    text = admin.get(done.headers["location"]).text
    history = text[text.index('<ol class="ata-history"'):]
    assert history.index("Scaling") < history.index("Testing")  # newest first
    assert "Two more wards joined." in history and "Status changed." in text


def test_readers_are_refused_and_the_forms_need_their_token(client_factory, session, people):
    trust, _ = people
    admin = _browser(client_factory, ADMIN)
    assert _post(admin, "/pilots/new", _form(trust), csrf=False).status_code == 403
    assert _pilots(session) == 0
    assert _post(admin, "/pilots/new", _form(trust)).status_code == 303
    pilot = _made(session)
    assert _post(admin, f"/pilots/{pilot.id}/status", {"status": "closed", "note": "x"}, csrf=False).status_code == 403
    reader = _browser(client_factory, READER)
    for path in ("/pilots/new", f"/pilots/{pilot.id}/edit", f"/pilots/{pilot.id}/status"):
        assert reader.get(path).status_code == 403, path
    assert _post(reader, "/pilots/new", _form(trust, name="Other")).status_code == 403
    assert _post(reader, f"/pilots/{pilot.id}/edit", _form(trust, name="Renamed")).status_code == 403
    assert _post(reader, f"/pilots/{pilot.id}/status", {"status": "closed", "note": "x"}).status_code == 403
    pilot = _made(session)
    assert (pilot.name, pilot.status, _pilots(session)) == ("Active Hospitals", "testing", 1)


def test_a_pilot_page_costs_the_same_queries_however_many_places_partners_and_changes(
        client_factory, session, people, count_queries):
    trust, council = people
    admin = _browser(client_factory, ADMIN)
    assert _post(admin, "/pilots/new", _form(trust, place_codes=[HALTON])).status_code == 303
    pilot = _made(session)
    admin.get(f"/pilots/{pilot.id}")
    with count_queries() as one:
        admin.get(f"/pilots/{pilot.id}")
    others = [factories.organisation(session, name=f"Partner {n}") for n in range(4)]
    session.commit()
    assert _post(admin, f"/pilots/{pilot.id}/edit", _form(
        trust, place_codes=[HALTON, WARRINGTON], partner_ids=[str(o.id) for o in [trust, council, *others]])
    ).status_code == 303
    for status in ("learning", "scaling", "closed"):
        assert _post(admin, f"/pilots/{pilot.id}/status", {"status": status, "note": status}).status_code == 303
    with count_queries() as many:
        page = admin.get(f"/pilots/{pilot.id}")
    assert page.text.count('href="/organisations/') == 6
    assert many.count == one.count
