"""The agenda on a meeting's page and the group's standing items page, as the group's chair:
adding the standing items, moving items up and down, removing one through the confirmation page,
the add form emptied after a success; refused to everyone else; frozen once minutes are approved."""

import re

import pytest
from sqlmodel import func, select

from api.auth import service as auth_service
from api.meetings.meetings import AGENDA_TEMPLATE
from api.meetings.models import AgendaItem, StandingItem
from tests import factories
from tests.web.conftest import hidden_field, sign_in

CHAIR = "agenda.page.chair@example.org"
MEMBER = "agenda.page.member@example.org"


@pytest.fixture
def meeting(client, session, app):
    """A group (code AGP) with a chair and a member who can sign in; an empty meeting and a later one."""
    group = factories.group(session, name="Agenda Pages Group", kind="thematic", code="AGP")
    chair, account = factories.person_with_account(session, CHAIR, name="Cat Chair")
    member, _ = factories.person_with_account(session, MEMBER, name="Max Member")
    factories.membership(session, group=group, stakeholder=chair, role="chair")
    factories.membership(session, group=group, stakeholder=member)
    session.commit()
    headers = {"Authorization": f"Bearer {auth_service.user_token(app.state.settings, account).token}"}
    made = client.post(f"/api/v1/groups/{group.id}/meetings", headers=headers, json={
        "starts_at": "2025-03-11T10:00:00+00:00", "ends_at": "2025-03-11T12:00:00+00:00"}).json()
    later = client.post(f"/api/v1/groups/{group.id}/meetings", headers=headers, json={
        "starts_at": "2025-06-10T10:00:00+00:00", "ends_at": "2025-06-10T12:00:00+00:00"}).json()
    return {"id": made["id"], "later": later["id"], "group": group, "headers": headers}


def _browser(client_factory, email):
    browser = client_factory()
    assert sign_in(browser, email).status_code == 303
    browser.csrf = hidden_field(browser.get("/").text, "csrf_token")
    return browser


def _post(browser, url, data=None, *, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    return browser.post(url, data={**(data or {}), "csrf_token": browser.csrf}, headers=headers,
                        follow_redirects=False)


def _items(session, meeting_id):
    session.expire_all()
    return [(i.id, i.position, i.ref, i.title) for i in session.exec(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position))]


def test_the_chair_adds_the_standing_items_to_an_empty_agenda(client_factory, session, meeting):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{meeting['id']}"
    page = chair.get(url).text
    assert "Add the standing items" in page and "Start the agenda from the group's 6 standing items" in page
    assert 'href="/groups/agenda-pages-group/standing-items"' in page
    response = _post(chair, f"{url}/agenda-items/standing")
    items = _items(session, meeting["id"])
    assert [t for *_, t in items] == [title for title, _ in AGENDA_TEMPLATE]
    assert [r for _, _, r, _ in items] == [f"AGP/03/25/{n:02d}" for n in range(1, 7)]
    assert response.status_code == 303
    assert response.headers["location"] == f"{url}?done=standing-added#item-{items[0][0]}-heading"
    page = chair.get(response.headers["location"]).text
    assert "Standing items added to the agenda." in page and "Add the standing items" not in page
    # Nothing missing: nothing offered, nothing added.
    again = _post(chair, f"{url}/agenda-items/standing", htmx=True)
    assert again.status_code == 200 and "The agenda already has every standing item." in again.text
    assert len(_items(session, meeting["id"])) == 6


def test_with_htmx_the_standing_items_come_back_announced_and_focused(client_factory, session, meeting):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{meeting['id']}"
    _post(chair, f"{url}/agenda-items", {"title": "Budget"})
    answer = _post(chair, f"{url}/agenda-items/standing", htmx=True)
    assert answer.status_code == 200 and answer.text.lstrip().startswith('<section id="agenda-section"')
    items = _items(session, meeting["id"])
    assert "6 standing items added to the agenda: AGP/03/25/02 to AGP/03/25/07." in answer.text
    assert f'id="item-{items[1][0]}-heading" tabindex="-1" data-autofocus' in answer.text
    assert answer.text.count("data-autofocus") == 1


def test_the_add_form_is_empty_after_a_success_and_the_new_item_announced(client_factory, session, meeting):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{meeting['id']}"
    answer = _post(chair, f"{url}/agenda-items", {"title": "Cycle hire scheme", "purpose": "For decision"}, htmx=True)
    assert answer.status_code == 200
    (item_id, *_), = _items(session, meeting["id"])
    assert "Agenda item AGP/03/25/01 added." in answer.text
    assert f'id="item-{item_id}-heading" tabindex="-1" data-autofocus' in answer.text
    new_title = re.search(r'<input[^>]*id="new-item-title"[^>]*>', answer.text).group(0)
    new_purpose = re.search(r'<input[^>]*id="new-item-purpose"[^>]*>', answer.text).group(0)
    assert 'value=""' in new_title and 'value=""' in new_purpose
    # A mistake keeps the typed text.
    wrong = _post(chair, f"{url}/agenda-items", {"title": " ", "purpose": "Kept"}, htmx=True)
    assert wrong.status_code == 422 and 'value="Kept"' in wrong.text
    # Changing an item announces and focuses it.
    changed = _post(chair, f"{url}/agenda-items/{item_id}", {"title": "Cycle hire", "purpose": ""}, htmx=True)
    assert "Agenda item AGP/03/25/01 changed." in changed.text
    assert f'id="item-{item_id}-heading" tabindex="-1" data-autofocus' in changed.text


def test_moving_items_up_and_down_renumbers_the_refs(client_factory, session, meeting):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{meeting['id']}"
    for title in ("Alpha", "Beta", "Gamma"):
        _post(chair, f"{url}/agenda-items", {"title": title})
    a, b, c = (i for i, *_ in _items(session, meeting["id"]))
    page = chair.get(url).text
    # The first item has no Move up, the last no Move down; the buttons name their item.
    assert f'id="item-{a}-up"' not in page and f'id="item-{a}-down"' in page
    assert f'id="item-{c}-up"' in page and f'id="item-{c}-down"' not in page
    assert 'Move up<span class="nhsuk-u-visually-hidden"> item AGP/03/25/02, Beta</span>' in page
    moved = _post(chair, f"{url}/agenda-items/{c}/move", {"direction": "up"})
    assert moved.status_code == 303 and moved.headers["location"] == f"{url}?done=item-moved#item-{c}-heading"
    assert _items(session, meeting["id"]) == [(a, 1, "AGP/03/25/01", "Alpha"), (c, 2, "AGP/03/25/02", "Gamma"),
                                              (b, 3, "AGP/03/25/03", "Beta")]
    answer = _post(chair, f"{url}/agenda-items/{c}/move", {"direction": "up"}, htmx=True)
    assert answer.status_code == 200
    assert "\u2018Gamma\u2019 moved up: it is now item AGP/03/25/01." in answer.text
    assert f'id="item-{c}-heading" tabindex="-1" data-autofocus' in answer.text
    assert [r for _, _, r, t in _items(session, meeting["id"])] == ["AGP/03/25/01", "AGP/03/25/02", "AGP/03/25/03"]
    # Already first: it stays.
    _post(chair, f"{url}/agenda-items/{c}/move", {"direction": "up"})
    assert _items(session, meeting["id"])[0][0] == c
    assert _post(chair, f"{url}/agenda-items/{c}/move", {"direction": "sideways"}).status_code == 422


def test_removing_an_item_asks_first(client_factory, session, meeting):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{meeting['id']}"
    for title in ("Alpha", "Beta", "Gamma"):
        _post(chair, f"{url}/agenda-items", {"title": title})
    a, b, c = (i for i, *_ in _items(session, meeting["id"]))
    page = chair.get(url).text
    assert f'href="{url}/agenda-items/{b}/remove" id="item-{b}-remove">Remove item AGP/03/25/02</a>' in page
    confirm = chair.get(f"{url}/agenda-items/{b}/remove")
    assert confirm.status_code == 200
    assert "Are you sure you want to remove item AGP/03/25/02 \u2018Beta\u2019?</h1>" in confirm.text
    assert "This cannot be undone." in confirm.text
    assert "<title>Remove agenda item AGP/03/25/02" in confirm.text
    assert f'<a href="{url}#item-{b}-heading">Cancel</a>' in confirm.text
    assert 'class="nhsuk-button nhsuk-button--warning" type="submit">Remove item AGP/03/25/02' in confirm.text
    assert len(_items(session, meeting["id"])) == 3  # asking removes nothing
    removed = _post(chair, f"{url}/agenda-items/{b}/remove")
    assert removed.status_code == 303 and removed.headers["location"] == f"{url}?done=item-removed#agenda-heading"
    assert _items(session, meeting["id"]) == [(a, 1, "AGP/03/25/01", "Alpha"), (c, 2, "AGP/03/25/02", "Gamma")]
    assert "Agenda item removed." in chair.get(removed.headers["location"]).text


def test_an_item_with_a_minute_cannot_be_removed_and_the_page_says_why(client_factory, session, meeting):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{meeting['id']}"
    _post(chair, f"{url}/agenda-items", {"title": "Alpha"})
    (a, *_), = _items(session, meeting["id"])
    assert _post(chair, f"{url}/minutes/{a}", {"text": "Noted."}).status_code == 303
    confirm = chair.get(f"{url}/agenda-items/{a}/remove")
    assert "This item cannot be removed: this agenda item has minutes" in confirm.text
    assert 'type="submit">Remove item' not in confirm.text
    refused = _post(chair, f"{url}/agenda-items/{a}/remove")
    assert refused.status_code == 422 and "<title>Error: Remove agenda item" in refused.text
    assert "This item cannot be removed: this agenda item has minutes" in refused.text
    assert len(_items(session, meeting["id"])) == 1


def test_once_the_minutes_are_approved_the_agenda_offers_no_changes(client_factory, client, session, meeting):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{meeting['id']}"
    for title in ("Alpha", "Beta"):
        _post(chair, f"{url}/agenda-items", {"title": title})
    a, b = (i for i, *_ in _items(session, meeting["id"]))
    assert _post(chair, f"{url}/minutes/{a}", {"text": "Noted."}).status_code == 303
    approved = client.post(f"/api/v1/meetings/{meeting['id']}/minutes/approve", headers=meeting["headers"],
                           json={"approved_at_meeting_id": meeting["later"]})
    assert approved.status_code == 200, approved.text
    page = chair.get(url).text
    assert "the agenda is part of the record" in page
    assert "Move up" not in page and "Move down" not in page and "Add the standing items" not in page
    assert 'id="new-item-title"' not in page and f"{url}/agenda-items/{b}/remove" not in page
    refused = _post(chair, f"{url}/agenda-items/{b}/move", {"direction": "up"})
    assert refused.status_code == 422 and "This item cannot be moved: The minutes of this meeting" in refused.text
    assert "cannot be removed: the minutes of this meeting have been approved" in chair.get(
        f"{url}/agenda-items/{b}/remove").text
    assert [t for *_, t in _items(session, meeting["id"])] == ["Alpha", "Beta"]


@pytest.mark.parametrize(("method", "path", "data"), [
    ("get", "/meetings/{id}/agenda-items/{item}/remove", None),
    ("post", "/meetings/{id}/agenda-items/{item}/remove", {}),
    ("post", "/meetings/{id}/agenda-items/{item}/move", {"direction": "down"}),
    ("post", "/meetings/{id}/agenda-items/standing", {}),
    ("get", "/groups/agenda-pages-group/standing-items", None),
    ("post", "/groups/agenda-pages-group/standing-items", {"title": "Sneaky"}),
    ("post", "/groups/agenda-pages-group/standing-items/1/remove", {"was": AGENDA_TEMPLATE[0][0]}),
])
def test_members_who_are_not_officers_are_refused(client_factory, client, session, meeting, method, path, data):
    item = client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", headers=meeting["headers"],
                       json={"title": "Walking routes"}).json()["id"]
    client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", headers=meeting["headers"], json={"title": "Two"})
    member = _browser(client_factory, MEMBER)
    target = path.format(id=meeting["id"], item=item)
    response = member.get(target) if method == "get" else _post(member, target, data)
    assert response.status_code == 403
    assert [t for *_, t in _items(session, meeting["id"])] == ["Walking routes", "Two"]
    assert session.exec(select(func.count()).select_from(StandingItem)).one() == 0
    assert "Standing agenda items" not in member.get("/groups/agenda-pages-group").text


def test_the_chair_edits_the_groups_standing_items_without_javascript(client_factory, session, meeting):
    chair = _browser(client_factory, CHAIR)
    assert 'href="/groups/agenda-pages-group/standing-items">Standing agenda items' in chair.get(
        "/groups/agenda-pages-group").text
    url = "/groups/agenda-pages-group/standing-items"
    page = chair.get(url)
    assert page.status_code == 200 and "partnership's standard agenda" in page.text
    assert f"{len(AGENDA_TEMPLATE)} standing items" in page.text

    added = _post(chair, url, {"title": "Safeguarding update", "purpose": "For assurance"})
    assert added.status_code == 303 and added.headers["location"] == f"{url}?done=added#standing-7"
    titles = [title for title, _ in AGENDA_TEMPLATE] + ["Safeguarding update"]

    def stored():
        session.expire_all()
        return [(s.position, s.title, s.purpose) for s in session.exec(
            select(StandingItem).order_by(StandingItem.position))]

    assert [t for _, t, _ in stored()] == titles
    after = chair.get(added.headers["location"]).text
    assert "Standing item added." in after and "partnership's standard agenda" not in after

    # Move the new item up; change it; remove the first.
    assert _post(chair, f"{url}/7/move", {"direction": "up", "was": "Safeguarding update"}).headers[
        "location"] == f"{url}?done=moved#standing-6"
    assert stored()[5][1] == "Safeguarding update"
    assert _post(chair, f"{url}/6", {"title": "Safeguarding", "purpose": "For decision",
                                     "was": "Safeguarding update"}).status_code == 303
    assert stored()[5] == (6, "Safeguarding", "For decision")
    assert _post(chair, f"{url}/1/remove", {"was": titles[0]}).status_code == 303
    assert stored()[0][1] == titles[1] and len(stored()) == 6

    # Mistakes: a blank title, a duplicate, a list changed meanwhile (nothing changed each time).
    before = stored()
    blank = _post(chair, url, {"title": " ", "purpose": "Kept purpose"})
    assert blank.status_code == 422 and "Enter a title for the standing item" in blank.text
    assert 'value="Kept purpose"' in blank.text and "<title>Error: " in blank.text
    duplicate = _post(chair, url, {"title": "safeguarding"})
    assert duplicate.status_code == 422 and "already a standing item with this title" in duplicate.text
    stale = _post(chair, f"{url}/1/remove", {"was": "Not the first any more"})
    assert stale.status_code == 409 and "changed since this page was loaded" in stale.text
    assert stored() == before

    # The meeting's page now offers the group's own list.
    meeting_page = chair.get(f"/meetings/{meeting['id']}").text
    assert "Start the agenda from the group's 6 standing items" in meeting_page and "Safeguarding" in meeting_page
