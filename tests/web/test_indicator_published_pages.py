"""Publishing an indicator as open data from the admin pages, and "Open data" on the indicator
pages: the checkbox says what it means, keeps its state when the form comes back with an error,
is audited, and is for admins only."""

import re

import pytest
from sqlmodel import select

from api.audit.models import AuditEvent
from api.indicators.models import Indicator
from tests.factories import INACTIVE
from tests.web.conftest import hidden_field, sign_in

GOOD = {"id": "91000", "name": "Percentage of adults walking for travel", "theme": "Physical activity",
        "unit": "percent", "multiplier": "100", "polarity": "higher_is_better", "frequency": "annual",
        "geography": "", "breakdowns": "Persons", "source": "Active Lives", "definition": "",
        "numerator_definition": "", "denominator_definition": "", "ci_method": "wilson"}
OPEN_DATA_TAG = '<strong class="nhsuk-tag nhsuk-tag--green">Open data</strong>'


@pytest.fixture
def admin(client_factory, person):
    made, _ = person("publishing.admin@example.org", is_admin=True)
    browser = client_factory()
    assert sign_in(browser, made.email).status_code == 303
    return browser


@pytest.fixture
def member(client_factory, person):
    made, _ = person("publishing.member@example.org")
    browser = client_factory()
    assert sign_in(browser, made.email).status_code == 303
    return browser


def _box(html: str) -> str:
    boxes = re.findall(r'<input[^>]*name="published"[^>]*>', html)
    assert len(boxes) == 1, html
    return boxes[0]


def _ticked(html: str) -> bool:
    return re.search(r"\schecked(\s|>|$)", _box(html)) is not None


def _stored(session, indicator_id: str) -> Indicator | None:
    session.expire_all()
    return session.get(Indicator, indicator_id)


def _post(browser, url: str, data: dict, page: str | None = None):
    token = hidden_field(browser.get(page or url).text, "csrf_token")
    return browser.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def _edit_form(admin, url: str, **changes) -> dict:
    data = {**GOOD, "version": hidden_field(admin.get(url).text, "version"), **changes}
    del data["id"]
    return data


def test_the_checkbox_says_what_publishing_means_and_starts_unticked(admin):
    page = admin.get("/admin/indicators/new").text
    box = _box(page)
    assert 'type="checkbox"' in box and 'value="true"' in box and not _ticked(page)
    assert re.search(r'<label[^>]*for="published"[^>]*>Publish as open data</label>', page)
    hint = re.search(r'<div class="nhsuk-hint[^"]*" id="published-hint">([^<]*)</div>', page)
    assert hint and "without signing in" in hint.group(1) and "/fingertips/api/" in hint.group(1)
    assert 'aria-describedby="published-hint"' in box


def test_an_admin_adds_a_published_indicator(admin, session):
    made = _post(admin, "/admin/indicators/new", {**GOOD, "published": "true"})
    assert made.status_code == 303
    assert _stored(session, "91000").published is True
    assert _ticked(admin.get(made.headers["location"]).text)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "indicator.create")).one()
    assert event.after["published"] is True
    # Without the box ticked, an indicator is not published.
    assert _post(admin, "/admin/indicators/new", {**GOOD, "id": "91001"}).status_code == 303
    assert _stored(session, "91001").published is False


def test_the_checkbox_keeps_its_state_when_the_form_comes_back_with_an_error(admin, session):
    ticked = _post(admin, "/admin/indicators/new", {**GOOD, "name": "", "published": "true"})
    assert ticked.status_code == 422 and "Enter a name" in ticked.text and _ticked(ticked.text)
    unticked = _post(admin, "/admin/indicators/new", {**GOOD, "name": ""})
    assert unticked.status_code == 422 and not _ticked(unticked.text)
    assert _stored(session, "91000") is None
    # On the edit page too: an admin unticking a published indicator keeps it unticked on an error.
    assert _post(admin, "/admin/indicators/new", {**GOOD, "published": "true"}).status_code == 303
    url = "/admin/indicators/91000/edit"
    assert _ticked(admin.get(url).text)
    refused = _post(admin, url, _edit_form(admin, url, name=""))
    assert refused.status_code == 422 and not _ticked(refused.text)
    refused = _post(admin, url, _edit_form(admin, url, name="", published="true"))
    assert refused.status_code == 422 and _ticked(refused.text)
    assert _stored(session, "91000").published is True


def test_an_admin_publishes_then_withdraws_from_the_edit_page_and_both_are_audited(admin, client, session):
    assert client.post("/api/v1/indicators", json=INACTIVE).status_code == 201
    url = "/admin/indicators/93014/edit"
    assert not _ticked(admin.get(url).text)
    saved = _post(admin, url, _edit_form(admin, url, published="true"))
    assert saved.status_code == 303 and _stored(session, "93014").published is True
    assert _ticked(admin.get(saved.headers["location"]).text)
    withdrawn = _post(admin, url, _edit_form(admin, url))  # the box unticked: not sent at all
    assert withdrawn.status_code == 303 and _stored(session, "93014").published is False
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "indicator.update")
                          .order_by(AuditEvent.id)).all()
    assert [(e.before.get("published"), e.after.get("published")) for e in events] == [(False, True), (True, False)]


def test_people_who_are_not_admins_cannot_publish(client, member, session):
    assert client.post("/api/v1/indicators", json=INACTIVE).status_code == 201
    token = hidden_field(member.get("/").text, "csrf_token")
    data = {**GOOD, "csrf_token": token, "version": "1", "published": "true"}
    del data["id"]
    assert member.post("/admin/indicators/93014/edit", data=data).status_code == 403
    assert member.post("/admin/indicators/new", data={**GOOD, "csrf_token": token,
                                                      "published": "true"}).status_code == 403
    assert _stored(session, "93014").published is False and _stored(session, "91000") is None


def test_the_indicator_page_and_the_list_say_open_data_for_published_ones(client, member):
    assert client.post("/api/v1/indicators", json={**INACTIVE, "published": True}).status_code == 201
    assert client.post("/api/v1/indicators", json={**INACTIVE, "id": "93015", "name": "Not open"}).status_code == 201
    page = member.get("/indicators/93014")
    assert page.status_code == 200 and OPEN_DATA_TAG in page.text
    assert "without signing in" in page.text and "/fingertips/api/" in page.text
    assert OPEN_DATA_TAG not in member.get("/indicators/93015").text
    listed = member.get("/indicators").text
    items = dict(re.findall(r'<li><a href="/indicators/(\d+)">[^<]*</a>(.*?)</li>', listed))
    assert OPEN_DATA_TAG in items["93014"] and OPEN_DATA_TAG not in items["93015"]
    # Withdrawn: no longer said.
    assert client.patch("/api/v1/indicators/93014", json={"published": False}).status_code == 200
    assert OPEN_DATA_TAG not in member.get("/indicators/93014").text
