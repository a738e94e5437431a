"""A page per Place (plan status over time, updates with their Markdown narrative, totals, pilots,
indicators against England in words) and the form on which an admin or an officer of the Place's
group posts an update: mistakes answered 422 in plain English with nothing saved, others refused
403, the form's token required."""

import pytest
from sqlalchemy import insert
from sqlmodel import func, select

from api.indicators.models import IndicatorValue
from api.outcomes.models import Pilot, PlaceUpdate
from tests import factories
from tests.factories import PLACES
from tests.web.conftest import hidden_field, sign_in

LIVERPOOL, WIRRAL = "E08000012", "E08000015"
OFFICER = "place.secretary@example.org"
MEMBER = "place.member@example.org"
ADMIN = "place.admin@example.org"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def place_group(session):
    """Liverpool's implementation group, with a secretary (an officer) and a plain member."""
    group = factories.group(session, name="Liverpool Active Partnership", kind="place", place_code=LIVERPOOL)
    secretary, _ = factories.person_with_account(session, OFFICER, name="Sam Secretary")
    member, _ = factories.person_with_account(session, MEMBER, name="Mo Member")
    factories.person_with_account(session, ADMIN, name="Ada Admin", is_admin=True)
    factories.membership(session, group=group, stakeholder=secretary, role="secretary")
    factories.membership(session, group=group, stakeholder=member, role="member")
    session.commit()
    return group


def _browser(client_factory, email):
    browser = client_factory()
    assert sign_in(browser, email).status_code == 303
    browser.csrf = hidden_field(browser.get("/").text, "csrf_token")
    return browser


def _post(browser, url, data, *, csrf=True):
    return browser.post(url, data={**data, **({"csrf_token": browser.csrf} if csrf else {})}, follow_redirects=False)


def _updates(session, place=LIVERPOOL) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(PlaceUpdate).where(PlaceUpdate.place_code == place)).one()


GOOD = {"period": "2025-Q1", "plan_status": "launched", "narrative": "Parks **programme** grew.",
        "people_reached": "1,200", "people_more_active": "450"}


def test_the_places_list_links_each_place_to_its_page(signed_in):
    client, _ = signed_in
    page = client.get("/places")
    for code in PLACES:
        assert f'<a href="/places/{code}">' in page.text


def test_a_place_page_shows_its_history_updates_totals_pilots_and_indicators(signed_in, session, client, indicator,
                                                                            engine):
    web, _ = signed_in
    session.add_all([
        PlaceUpdate(place_code=LIVERPOOL, period="2024-Q1", plan_status="in_development", people_reached=900,
                    people_more_active=300, narrative="First <script>alert(1)</script> **steps**."),
        PlaceUpdate(place_code=LIVERPOOL, period="2024-Q2", plan_status="in_development", people_reached=1000,
                    people_more_active=400),
        PlaceUpdate(place_code=LIVERPOOL, period="2024-Q3", plan_status="launched", people_reached=91_000,
                    people_more_active=90_676),
        PlaceUpdate(place_code=WIRRAL, period="2024-Q1", plan_status="signed_off", people_reached=5,
                    people_more_active=5)])
    session.add(Pilot(name="Walking Therapies", status="learning", pathway="talking therapies",
                      place_codes=[LIVERPOOL]))
    session.add(Pilot(name="Elsewhere Pilot", status="testing", place_codes=[WIRRAL]))
    session.commit()
    with engine.begin() as connection:  # England 25.0 in 2022/23: Liverpool (26, CI 24..28) is similar
        connection.execute(insert(IndicatorValue), [{
            "indicator_id": "93014", "area_code": "E92000001", "period": "2022/23", "breakdown": "Persons",
            "value": 25.0, "lower_ci": 24.9, "upper_ci": 25.1, "note": ""}])
    page = web.get(f"/places/{LIVERPOOL}")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Liverpool</h1>" in text and "<title>Liverpool" in text
    # Totals over every update; the plan's status over time, once per change.
    assert "91,376" in text and "92,900" in text
    history = text[text.index('<ol class="ata-history">'):]
    history = history[:history.index("</ol>")]
    assert history.count("<li>") == 2
    assert "<strong>In development</strong> from 2024-Q1" in history
    assert "<strong>Launched</strong> from 2024-Q3" in history
    # Updates newest first, the narrative through the Markdown sanitiser; the chart's numbers formatted.
    listed = text[text.index('<article class="ata-update"'):]
    assert listed.index(">2024-Q3</h3>") < listed.index(">2024-Q2</h3>") < listed.index(">2024-Q1</h3>")
    assert "<strong>steps</strong>" in text and "<script>alert" not in text
    assert "90,676" in text and "90676.0" not in text
    # Its pilots only, linked.
    assert '<a href="/pilots/' in text and "Walking Therapies" in text and "Elsewhere Pilot" not in text
    # Indicators against England in words, linked to the indicator for this Place.
    indicators = text[text.index('id="indicators"'):]
    assert f'href="/indicators/93014?area={LIVERPOOL}"' in indicators
    assert "Similar</td>" in indicators and ">25.0<" in indicators
    # No "Post an update" for a reader who is not an officer.
    assert "Post an update" not in text
    fragment = web.get(f"/places/{LIVERPOOL}", headers=HTMX)
    assert "<html" not in fragment.text and "<h1>Liverpool</h1>" in fragment.text


def test_unknown_places_are_not_found(signed_in):
    web, _ = signed_in
    assert web.get("/places/E92000001").status_code == 404  # England is an area, not a Place
    assert web.get("/places/nope").status_code == 422
    assert web.get("/places/E92000001/updates/new").status_code == 404


def test_an_officer_of_the_place_group_posts_an_update(client_factory, session, place_group):
    officer = _browser(client_factory, OFFICER)
    place = officer.get(f"/places/{LIVERPOOL}")
    assert f'href="/places/{LIVERPOOL}/updates/new"' in place.text and "Post an update" in place.text
    form = officer.get(f"/places/{LIVERPOOL}/updates/new")
    assert form.status_code == 200 and "<h1>Post an update</h1>" in form.text
    done = _post(officer, f"/places/{LIVERPOOL}/updates/new", GOOD)
    assert done.status_code == 303
    assert done.headers["location"] == f"/places/{LIVERPOOL}?done=update-posted#place-status"
    page = officer.get(done.headers["location"])
    assert "Your update has been posted." in page.text and 'role="status"' in page.text
    assert "<strong>programme</strong>" in page.text and "1,200" in page.text and "450" in page.text
    saved = session.exec(select(PlaceUpdate).where(PlaceUpdate.place_code == LIVERPOOL)).one()
    assert (saved.period, saved.people_reached, saved.people_more_active) == ("2025-Q1", 1200, 450)
    # The next form starts from the plan's latest status.
    again = officer.get(f"/places/{LIVERPOOL}/updates/new").text
    assert '<option value="launched" selected>' in again


def test_an_admin_may_post_for_any_place(client_factory, session, place_group):
    admin = _browser(client_factory, ADMIN)
    assert "Post an update" in admin.get(f"/places/{WIRRAL}").text
    assert _post(admin, f"/places/{WIRRAL}/updates/new", GOOD).status_code == 303
    assert _updates(session, WIRRAL) == 1


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"period": ""}, "period", "Enter the period the update is for"),
    ({"period": "Spring 2025"}, "period", "Enter the period like 2025-Q1, 2025-03 or 2024/25"),
    ({"plan_status": ""}, "plan_status", "Choose the status of the Place&#39;s plan"),
    ({"plan_status": "finished"}, "plan_status", "Choose the status of the Place&#39;s plan"),
    ({"people_reached": ""}, "people_reached", "Enter the number of people reached, or 0"),
    ({"people_reached": "-5"}, "people_reached", "The number of people reached must be 0 or more"),
    ({"people_reached": "12.5"}, "people_reached", "The number of people reached must be a whole number, like 250"),
    ({"people_more_active": "-1"}, "people_more_active", "The number of people more active must be 0 or more"),
    ({"people_reached": "20000000"}, "people_reached", "The number of people reached must be 10,000,000 or fewer"),
    ({"people_more_active": "5000"}, "people_more_active",
     "The number of people more active cannot be more than the number reached"),
    ({"narrative": "x" * 10_001}, "narrative", "The update must be 10,000 characters or fewer"),
])
def test_mistakes_are_explained_and_nothing_is_saved(client_factory, session, place_group, change, field, message):
    officer = _browser(client_factory, OFFICER)
    answer = _post(officer, f"/places/{LIVERPOOL}/updates/new", {**GOOD, **change})
    assert answer.status_code == 422
    assert "<title>Error: Post an update: Liverpool" in answer.text
    assert 'class="nhsuk-error-summary"' in answer.text and f'href="#{field}">{message}</a>' in answer.text
    assert f'id="{field}-error"' in answer.text
    kept = change.get("narrative", GOOD["narrative"])[:40]
    assert kept in answer.text  # what was typed is kept
    assert _updates(session) == 0


def test_a_second_update_for_the_same_period_is_refused_in_plain_english(client_factory, session, place_group):
    officer = _browser(client_factory, OFFICER)
    assert _post(officer, f"/places/{LIVERPOOL}/updates/new", GOOD).status_code == 303
    again = _post(officer, f"/places/{LIVERPOOL}/updates/new", {**GOOD, "people_reached": "10"
                                                                  , "people_more_active": "1"})
    assert again.status_code == 422
    assert "Liverpool already has an update for 2025-Q1. Enter a different period" in again.text
    assert "(id " not in again.text
    assert _updates(session) == 1


def test_members_and_officers_of_other_places_are_refused(client_factory, session, place_group):
    member = _browser(client_factory, MEMBER)
    assert "Post an update" not in member.get(f"/places/{LIVERPOOL}").text
    assert member.get(f"/places/{LIVERPOOL}/updates/new").status_code == 403
    assert _post(member, f"/places/{LIVERPOOL}/updates/new", GOOD).status_code == 403
    officer = _browser(client_factory, OFFICER)
    assert "Post an update" not in officer.get(f"/places/{WIRRAL}").text
    assert officer.get(f"/places/{WIRRAL}/updates/new").status_code == 403
    assert _post(officer, f"/places/{WIRRAL}/updates/new", GOOD).status_code == 403
    assert _updates(session) == 0 and _updates(session, WIRRAL) == 0


def test_the_form_needs_its_token_and_a_signed_in_person(client_factory, anonymous_client, session, place_group):
    officer = _browser(client_factory, OFFICER)
    assert _post(officer, f"/places/{LIVERPOOL}/updates/new", GOOD, csrf=False).status_code == 403
    signed_out = anonymous_client.get(f"/places/{LIVERPOOL}", follow_redirects=False)
    assert signed_out.status_code in (302, 303) and "/login" in signed_out.headers["location"]
    assert _updates(session) == 0


def test_a_place_page_costs_the_same_queries_however_many_updates_and_pilots(signed_in, session, count_queries):
    web, _ = signed_in
    session.add(PlaceUpdate(place_code=LIVERPOOL, period="2020-Q1", plan_status="launched", people_reached=1,
                            people_more_active=1))
    session.add(Pilot(name="Pilot 0", status="testing", place_codes=[LIVERPOOL]))
    session.commit()
    web.get(f"/places/{LIVERPOOL}")
    with count_queries() as one:
        web.get(f"/places/{LIVERPOOL}")
    session.add_all([PlaceUpdate(place_code=LIVERPOOL, period=f"2021-Q{q}", plan_status="launched", people_reached=9,
                                 people_more_active=3, narrative="More") for q in range(1, 5)])
    session.add_all([Pilot(name=f"Pilot {n}", status="scaling", place_codes=[LIVERPOOL, WIRRAL])
                     for n in range(1, 6)])
    session.commit()
    with count_queries() as many:
        page = web.get(f"/places/{LIVERPOOL}")
    assert page.text.count('class="ata-update"') == 5 and page.text.count('<a href="/pilots/') == 6
    assert many.count == one.count
