"""Adding an indicator and changing its details from the pages (admins only): mistakes in plain
words with nothing saved, a clash of ids, someone else's save in between, CSRF checked; and the
links to these pages from the indicator pages, for admins only."""

import pytest
from sqlmodel import select

from api.audit.models import AuditEvent
from api.indicators.models import Indicator
from tests.factories import INACTIVE
from tests.web.conftest import hidden_field, sign_in

GOOD = {"id": "91000", "name": "Percentage of adults walking for travel", "definition": "At least 3 days a week.",
        "theme": "Physical activity", "unit": "percent", "multiplier": "100", "polarity": "higher_is_better",
        "frequency": "annual", "geography": "Upper tier local authority", "breakdowns": "Persons\r\nMale\r\n\r\nFemale",
        "source": "Active Lives", "numerator_definition": "", "denominator_definition": "", "ci_method": "wilson"}


@pytest.fixture
def admin(client_factory, person):
    made, _ = person("indicator.admin@example.org", is_admin=True)
    browser = client_factory()
    assert sign_in(browser, made.email).status_code == 303
    return browser


def _stored(session, indicator_id: str) -> Indicator | None:
    session.expire_all()
    return session.get(Indicator, indicator_id)


def _post(browser, url: str, data: dict, page: str | None = None):
    token = hidden_field(browser.get(page or url).text, "csrf_token")
    return browser.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def test_an_admin_adds_an_indicator(admin, session):
    form = admin.get("/admin/indicators/new")
    assert form.status_code == 200 and "<h1>Add an indicator</h1>" in form.text
    made = _post(admin, "/admin/indicators/new", GOOD)
    assert made.status_code == 303 and made.headers["location"] == "/admin/indicators/91000/edit?done=created"
    stored = _stored(session, "91000")
    assert stored.name == "Percentage of adults walking for travel"
    assert stored.breakdowns == ["Persons", "Male", "Female"]
    assert stored.ci_method == "wilson" and stored.multiplier == 100
    page = admin.get(made.headers["location"]).text
    assert 'role="status"' in page and "Indicator added." in page and "Persons&#10;Male&#10;Female</textarea>" in page
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "indicator.create")).one().entity_id == "91000"


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"id": ""}, "id", "Enter the indicator&#39;s id"),
    ({"id": "has spaces"}, "id", "The id can only have letters, numbers, dots, hyphens and underscores (up to 40)"),
    ({"name": "  "}, "name", "Enter a name"),
    ({"name": "x" * 201}, "name", "The name must be 200 characters or fewer"),
    ({"unit": ""}, "unit", "Choose a unit"),
    ({"unit": "furlongs"}, "unit", "Choose a unit"),
    ({"polarity": ""}, "polarity", "Choose whether higher or lower is better"),
    ({"multiplier": "lots"}, "multiplier", "Enter what values are shown per as a number above 0"),
    ({"multiplier": "0"}, "multiplier", "Enter what values are shown per as a number above 0"),
    ({"breakdowns": "x" * 201}, "breakdowns", "Each breakdown must be 200 characters or fewer"),
])
def test_mistakes_are_422_in_plain_words_and_nothing_is_saved(admin, session, changes, field, message):
    refused = _post(admin, "/admin/indicators/new", {**GOOD, **changes})
    assert refused.status_code == 422
    assert "<title>Error: Add an indicator" in refused.text and 'class="nhsuk-error-summary"' in refused.text
    assert f'<a href="#{field}">{message}' in refused.text
    assert _stored(session, "91000") is None


def test_an_id_already_taken_is_refused(admin, client, session):
    assert client.post("/api/v1/indicators", json=INACTIVE).status_code == 201
    refused = _post(admin, "/admin/indicators/new", {**GOOD, "id": "93014"})
    assert refused.status_code == 422 and "An indicator with the id 93014 already exists" in refused.text
    assert _stored(session, "93014").name == INACTIVE["name"]


def test_an_admin_changes_an_indicators_details(admin, client, session):
    assert client.post("/api/v1/indicators", json=INACTIVE).status_code == 201
    url = "/admin/indicators/93014/edit"
    form = admin.get(url)
    assert form.status_code == 200 and 'value="Percentage of physically inactive adults"' in form.text
    assert 'name="id"' not in form.text  # the id cannot change
    version = hidden_field(form.text, "version")
    data = {**GOOD, "version": version, "name": "Physically inactive adults (%)", "polarity": "lower_is_better"}
    del data["id"]
    saved = _post(admin, url, data)
    assert saved.status_code == 303 and saved.headers["location"] == f"{url}?done=saved"
    stored = _stored(session, "93014")
    assert stored.name == "Physically inactive adults (%)" and stored.theme == "Physical activity"
    assert "Changes saved." in admin.get(saved.headers["location"]).text
    # A blank required field is refused, and nothing changes.
    refused = _post(admin, url, {**data, "version": str(stored.version), "name": ""})
    assert refused.status_code == 422 and '<a href="#name">Enter a name</a>' in refused.text
    assert _stored(session, "93014").name == "Physically inactive adults (%)"


def test_a_save_after_someone_elses_shows_theirs_and_changes_nothing(admin, client, session):
    assert client.post("/api/v1/indicators", json=INACTIVE).status_code == 201
    url = "/admin/indicators/93014/edit"
    version = hidden_field(admin.get(url).text, "version")
    assert client.patch("/api/v1/indicators/93014", json={"name": "Renamed by the API"}).status_code == 200
    data = {**GOOD, "version": version}
    del data["id"]
    clash = _post(admin, url, data)
    assert clash.status_code == 409 and "Someone else changed this indicator" in clash.text
    assert 'value="Renamed by the API"' in clash.text and _stored(session, "93014").name == "Renamed by the API"


def test_people_who_are_not_admins_are_refused_and_the_csrf_token_is_checked(admin, client, client_factory, person,
                                                                             session):
    assert client.post("/api/v1/indicators", json=INACTIVE).status_code == 201
    member, _ = person("indicator.member@example.org")
    browser = client_factory()
    assert sign_in(browser, member.email).status_code == 303
    token = hidden_field(browser.get("/").text, "csrf_token")
    assert browser.get("/admin/indicators/new").status_code == 403
    assert browser.get("/admin/indicators/93014/edit").status_code == 403
    assert browser.post("/admin/indicators/new", data={"csrf_token": token, **GOOD}).status_code == 403
    assert admin.post("/admin/indicators/new", data=GOOD).status_code == 403  # no token
    assert _stored(session, "91000") is None
    # Only admins see the links to these pages.
    assert 'href="/admin/indicators/93014/edit"' not in browser.get("/indicators").text
    assert 'href="/admin/indicators/93014/edit"' not in browser.get("/indicators/93014").text
    assert 'href="/admin/indicators/93014/edit"' in admin.get("/indicators").text
    assert 'href="/admin/indicators/new"' in admin.get("/indicators").text
    assert 'href="/admin/indicators/93014/edit"' in admin.get("/indicators/93014").text
    assert admin.get("/admin/indicators/nope/edit").status_code == 404
