"""My contributions: the list (mine only, newest first), changing one (a date in the future and
other mistakes refused in plain words, nothing saved), deleting one after a confirmation step;
someone else's is refused, and every change needs the CSRF token."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from api.authz import SYSTEM_SUBJECT
from api.core.types import today
from api.outcomes import service as outcomes
from api.outcomes.models import Contribution
from tests.web.conftest import hidden_field, sign_in


def _log(session, person, description: str, on: date, **values) -> Contribution:
    made = outcomes.add_contribution(session, actor=SYSTEM_SUBJECT, data={
        "stakeholder_id": person.id, "kind": "event", "description": description, "date": on,
        "group_id": None, "place_code": None, "people_reached": 0, "hours": 0, **values})
    session.commit()
    return made


@pytest.fixture
def maker(client_factory, person, session):
    me, _ = person("maker@example.org", name="Mo Maker")
    other, _ = person("other.person@example.org", name="Oli Other")
    browser = client_factory()
    assert sign_in(browser, me.email).status_code == 303
    walk = _log(session, me, "Led a <b>lunchtime</b> walk", date(2024, 5, 11), people_reached=1200, hours=1.5,
                place_code="E08000012")
    talk = _log(session, me, "Gave a talk", date(2024, 6, 1), kind="advocacy")
    theirs = _log(session, other, "Not mine", date(2024, 6, 2))
    return browser, walk, talk, theirs


def _stored(session, contribution_id: int) -> Contribution | None:
    session.expire_all()
    return session.get(Contribution, contribution_id)


def test_the_list_shows_mine_newest_first_with_change_and_delete_links(maker):
    browser, walk, talk, theirs = maker
    page = browser.get("/contributions")
    assert page.status_code == 200 and "<h1>My contributions</h1>" in page.text
    assert page.text.index("Gave a talk") < page.text.index("Led a") and "Not mine" not in page.text
    assert "Led a &lt;b&gt;lunchtime&lt;/b&gt; walk" in page.text  # escaped
    assert "1,200" in page.text and "Liverpool" in page.text and "11 May 2024" in page.text
    assert f'href="/contributions/{walk.id}/edit"' in page.text
    assert f'href="/contributions/{talk.id}/delete"' in page.text
    assert f"/contributions/{theirs.id}/" not in page.text
    assert 'href="/contributions"' in browser.get("/").text  # linked from the dashboard


def test_changing_one_saves_it_and_says_so(maker, session):
    browser, walk, _, _ = maker
    form = browser.get(f"/contributions/{walk.id}/edit")
    assert form.status_code == 200 and 'value="2024-05-11"' in form.text and 'value="1200"' in form.text
    saved = browser.post(f"/contributions/{walk.id}/edit", data={
        "csrf_token": hidden_field(form.text, "csrf_token"), "kind": "programme", "description": "A walking group",
        "date": "2024-05-12", "place_code": "", "group_id": "", "people_reached": "1,300", "hours": "2"},
        follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == f"/contributions?done=saved&changed={walk.id}"
    stored = _stored(session, walk.id)
    assert (stored.kind, stored.description, stored.contributed_on, stored.place_code, stored.people_reached,
            stored.hours) == ("programme", "A walking group", date(2024, 5, 12), None, 1300, 2)
    notice = browser.get(saved.headers["location"]).text
    card = notice[notice.index(f'id="contribution-{walk.id}"'):]
    assert card.index('role="status"') < card.index("A walking group") and "Contribution changed." in card


@pytest.mark.parametrize(("field", "value", "message"), [
    ("date", "future", "Enter a date in the past or today"),
    ("date", "", "Enter the date of the contribution"),
    ("date", "2024-02-30", "Enter a real date, like 2024-05-11"),
    ("description", "  ", "Enter what you did"),
    ("kind", "", "Choose the kind of contribution"),
    ("kind", "party", "Choose the kind of contribution"),
    ("people_reached", "lots", "Enter the number of people reached as a whole number, 0 or more"),
    ("hours", "-1", "Enter the hours as a number from 0 to 10,000, like 2.5"),
    ("place_code", "W06000001", "Choose a Place from the list"),
])
def test_mistakes_are_422_in_plain_words_and_nothing_is_saved(maker, session, field, value, message):
    browser, walk, _, _ = maker
    form = browser.get(f"/contributions/{walk.id}/edit")
    data = {"csrf_token": hidden_field(form.text, "csrf_token"), "kind": "event", "description": "Changed",
            "date": "2024-05-11", "place_code": "", "group_id": "", "people_reached": "0", "hours": "0"}
    data[field] = (today() + timedelta(days=1)).isoformat() if value == "future" else value
    refused = browser.post(f"/contributions/{walk.id}/edit", data=data)
    assert refused.status_code == 422
    assert "<title>Error: Change a contribution" in refused.text and 'class="nhsuk-error-summary"' in refused.text
    assert f'<a href="#{field}">{message}</a>' in refused.text
    assert _stored(session, walk.id).description == "Led a <b>lunchtime</b> walk"


def test_deleting_one_asks_first_then_deletes_it(maker, session):
    browser, walk, talk, _ = maker
    confirm = browser.get(f"/contributions/{talk.id}/delete")
    assert confirm.status_code == 200
    assert "Are you sure you want to delete this contribution?" in confirm.text and "Gave a talk" in confirm.text
    assert 'href="/contributions">Cancel</a>' in confirm.text and "My contributions" in confirm.text
    assert _stored(session, talk.id) is not None  # asking deletes nothing
    done = browser.post(f"/contributions/{talk.id}/delete",
                        data={"csrf_token": hidden_field(confirm.text, "csrf_token")}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/contributions?done=deleted"
    assert _stored(session, talk.id) is None and _stored(session, walk.id) is not None
    assert "Contribution deleted." in browser.get("/contributions?done=deleted").text


def test_someone_elses_contribution_is_refused_and_unknown_ones_are_404(maker, session):
    browser, _, _, theirs = maker
    token = hidden_field(browser.get("/contributions").text, "csrf_token")
    assert browser.get(f"/contributions/{theirs.id}/edit").status_code == 403
    assert browser.get(f"/contributions/{theirs.id}/delete").status_code == 403
    assert browser.post(f"/contributions/{theirs.id}/delete", data={"csrf_token": token}).status_code == 403
    assert browser.post(f"/contributions/{theirs.id}/edit", data={
        "csrf_token": token, "kind": "event", "description": "Mine now", "date": "2024-01-01"}).status_code == 403
    assert _stored(session, theirs.id).description == "Not mine"
    assert browser.get("/contributions/999999/edit").status_code == 404


def test_changes_without_the_csrf_token_are_refused(maker, session):
    browser, walk, _, _ = maker
    assert browser.post(f"/contributions/{walk.id}/delete").status_code == 403
    assert browser.post(f"/contributions/{walk.id}/edit", data={
        "kind": "event", "description": "Changed", "date": "2024-05-11"}).status_code == 403
    assert _stored(session, walk.id).description == "Led a <b>lunchtime</b> walk"


def test_the_list_asks_a_constant_number_of_queries(maker, session, count_queries):
    browser, walk, _, _ = maker
    with count_queries() as few:
        assert browser.get("/contributions").status_code == 200
    me = SimpleNamespace(id=walk.stakeholder_id)
    for n in range(20):
        _log(session, me, f"More {n}", date(2024, 1, 1 + n), place_code="E08000015")
    with count_queries() as many:
        assert browser.get("/contributions").text.count("/edit\"") == 22
    assert len(many.statements) == len(few.statements)
