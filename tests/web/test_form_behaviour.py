"""How forms behave on the existing pages (issue 15, defects 1-7): the action log's filter as it
opens; 422 answers that htmx swaps in; a session that ends mid-form keeps what was typed; forms
empty after success; the notice next to the form, with focus; errors in plain words with
"Error:" titles; ending a membership and removing a standing item ask first."""

import re
from datetime import date, timedelta
from html import unescape
from pathlib import Path

import pytest
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import delete
from sqlmodel import select

from api.auth import service as auth_service
from api.auth.models import WebSession
from api.core.errors import invalid_field
from api.meetings.models import Action, ActionUpdate, Decision
from api.registry.models import Membership
from api.registry.schemas import GroupKind
from tests import factories
from tests.web.conftest import hidden_field, sign_in
from web.forms import field_errors

HTMX = {"HX-Request": "true"}
CHAIR = "form.chair@example.org"
ADMIN = "form.admin@example.org"


@pytest.fixture
def meeting(client, session, app):
    """A group with a chair (who can sign in) and a member, a meeting with one agenda item, and an
    open action of the chair's."""
    group = factories.group(session, name="Forms Group", kind="thematic", code="FRM")
    chair, account = factories.person_with_account(session, CHAIR, name="Chris Chair")
    member = factories.stakeholder(session, name="Mo Member")
    factories.membership(session, group=group, stakeholder=chair, role="chair")
    factories.membership(session, group=group, stakeholder=member)
    session.commit()
    headers = {"Authorization": f"Bearer {auth_service.user_token(app.state.settings, account).token}"}
    made = client.post(f"/api/v1/groups/{group.id}/meetings", headers=headers, json={
        "title": "Spring", "starts_at": "2025-03-11T10:00:00+00:00", "ends_at": "2025-03-11T12:00:00+00:00"}).json()
    item = client.post(f"/api/v1/meetings/{made['id']}/agenda-items", headers=headers,
                       json={"title": "Walking routes"}).json()
    action = Action(group_id=group.id, number=1, text="Map the walking routes", owner_id=chair.id,
                    due_date=date.today() + timedelta(days=30))
    session.add(action)
    session.commit()
    return {"id": made["id"], "item": item["id"], "group": group, "chair": chair, "member": member,
            "action": action.id}


def _browser(client_factory, email):
    browser = client_factory()
    assert sign_in(browser, email).status_code == 303
    browser.csrf = hidden_field(browser.get("/").text, "csrf_token")
    return browser


def _post(browser, url, data, *, htmx=False, **kwargs):
    return browser.post(url, data={**data, "csrf_token": browser.csrf}, headers=HTMX if htmx else {},
                        follow_redirects=False, **kwargs)


def _textarea(html: str, field_id: str) -> str:
    match = re.search(rf'<textarea[^>]*id="{field_id}"[^>]*>([^<]*)</textarea>', html)
    assert match, field_id
    return unescape(match.group(1))


def _input(html: str, field_id: str) -> str:
    match = re.search(rf'<input[^>]*id="{field_id}"[^>]*?value="([^"]*)"', html)
    assert match, field_id
    return match.group(1)


# 1. The action log's filter, submitted as it opens ------------------------------------------------

@pytest.mark.parametrize("htmx", [False, True])
def test_the_action_log_filter_with_all_groups_shows_every_action(client_factory, meeting, htmx):
    chair = _browser(client_factory, CHAIR)
    # The form as it opens: "All groups" is the blank option, "Overdue only" unticked.
    response = chair.get("/actions?owner=all&group=&status=open&sort=group", headers=HTMX if htmx else {})
    assert response.status_code == 200
    assert "Map the walking routes" in response.text
    assert ("<html" in response.text) is not htmx
    assert 'id="action-results"' in response.text


# 2. htmx swaps a 422 into the form --------------------------------------------------------------

def test_htmx_is_told_to_swap_form_mistakes_in(client_factory, meeting):
    page = _browser(client_factory, CHAIR).get("/").text
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'', page).group(1)
    assert '{"code":"^(401|409|413|422)$","swap":true,"error":false}' in config
    # The vendored htmx reads `responseHandling` (added in htmx 2).
    htmx = (Path(__file__).parents[2] / "web/static/htmx/htmx.min.js").read_text()
    assert "responseHandling" in htmx and 'version:"2.' in htmx


def test_an_empty_action_update_answers_422_with_the_card_and_its_message(client_factory, meeting, session):
    chair = _browser(client_factory, CHAIR)
    url = f"/actions/{meeting['action']}/updates"
    inline = _post(chair, url, {"text": "  ", "next": "/"}, htmx=True)
    assert inline.status_code == 422 and "<html" not in inline.text
    assert f'id="action-{meeting["action"]}"' in inline.text  # the card, to swap in place of the old one
    assert "Enter an update" in inline.text and "nhsuk-error-message" in inline.text
    plain = _post(chair, url, {"text": "", "next": "/"})
    assert plain.status_code == 422 and "<title>Error: Update action 1" in plain.text
    assert 'class="nhsuk-error-summary"' in plain.text and 'href="#update-' in plain.text
    assert session.exec(select(ActionUpdate)).all() == []


def test_an_error_page_for_part_of_a_page_takes_the_main_content(client_factory, meeting):
    chair = _browser(client_factory, CHAIR)
    # A filter value no form offers: the error page, put where the page's main content is.
    refused = chair.get("/actions?owner=all&group=abc&status=open", headers=HTMX)
    assert refused.status_code == 422 and "There is a problem with the request" in refused.text
    assert refused.headers["HX-Retarget"] == "#maincontent" and refused.headers["HX-Reselect"] == ".ata-error-page"
    assert 'class="nhsuk-grid-row ata-error-page"' in refused.text and "<html" not in refused.text
    assert "HX-Retarget" not in chair.get("/actions?group=abc").headers  # a whole page needs no retarget


@pytest.mark.parametrize(("path", "data", "message"), [
    ("agenda-items", {"title": ""}, "Enter a title for the agenda item"),
    ("decisions", {"text": ""}, "Enter the decision"),
    ("actions", {"text": ""}, "Enter the action"),
    ("guests", {"name": ""}, "Enter the guest"),
    ("declarations", {"interest": ""}, "Describe the interest"),
])
def test_every_meeting_form_answers_htmx_with_its_section_and_message(client_factory, meeting, path, data, message):
    chair = _browser(client_factory, CHAIR)
    response = _post(chair, f"/meetings/{meeting['id']}/{path}", data, htmx=True)
    assert response.status_code == 422 and "<html" not in response.text
    assert message in response.text and "nhsuk-error-summary" in response.text
    plain = _post(chair, f"/meetings/{meeting['id']}/{path}", data)
    assert plain.status_code == 422 and "<title>Error: " in plain.text and message in plain.text


# 3. A session that ends mid-form -------------------------------------------------------------

def _end_sessions(session):
    session.exec(delete(WebSession))
    session.commit()


def test_a_form_sent_after_the_session_ended_keeps_the_text_through_sign_in(client_factory, meeting, session):
    chair = _browser(client_factory, CHAIR)
    _end_sessions(session)
    url = f"/meetings/{meeting['id']}/decisions"
    sent = _post(chair, url, {"text": "Fund the walking routes\nfor two years.", "agenda_item_id": "",
                              "password": "never-kept"})
    assert sent.status_code == 401 and "<h1>Sign in</h1>" in sent.text
    assert "Your session ended" in sent.text and "what you typed is kept" in sent.text
    # Back to the meeting's page (a GET), never the form's POST-only address.
    assert hidden_field(sent.text, "next") == f"/meetings/{meeting['id']}"
    draft = hidden_field(sent.text, "draft")
    assert "never-kept" not in sent.text and session.exec(select(Decision)).all() == []

    signed = chair.post("/login", follow_redirects=False, data={
        "email": CHAIR, "password": factories.PASSWORD, "next": f"/meetings/{meeting['id']}",
        "csrf_token": hidden_field(sent.text, "csrf_token"), "draft": draft})
    assert signed.status_code == 200 and "<h1 id=\"carry-on-heading\"" in signed.text
    assert "Fund the walking routes" in signed.text and "never-kept" not in signed.text
    assert f'<form method="post" action="{url}"' in signed.text
    fresh = hidden_field(signed.text, "csrf_token")
    assert fresh != chair.csrf  # the new session's token
    assert session.exec(select(Decision)).all() == []  # nothing is sent until they say so
    again = chair.post(url, data={"csrf_token": fresh, "text": "Fund the walking routes\r\nfor two years.",
                                  "agenda_item_id": ""}, follow_redirects=False)
    assert again.status_code == 303
    [decision] = session.exec(select(Decision)).all()
    assert decision.text.startswith("Fund the walking routes")


def test_a_draft_is_refused_if_altered_or_from_another_browser(client_factory, meeting, session):
    chair = _browser(client_factory, CHAIR)
    _end_sessions(session)
    sent = _post(chair, f"/meetings/{meeting['id']}/decisions", {"text": "Kept text"})
    draft = hidden_field(sent.text, "draft")
    token = hidden_field(sent.text, "csrf_token")
    payload, signature = draft.rsplit(".", 1)
    altered = chair.post("/login", follow_redirects=False, data={
        "email": CHAIR, "password": factories.PASSWORD, "csrf_token": token, "draft": payload[:-2] + "AA." + signature})
    assert altered.status_code == 303 and altered.headers["location"] == "/"
    # Another browser (its own sign-in nonce) cannot use this browser's draft.
    other = client_factory()
    page = other.get("/login")
    stolen = other.post("/login", follow_redirects=False, data={
        "email": CHAIR, "password": factories.PASSWORD, "csrf_token": hidden_field(page.text, "csrf_token"),
        "draft": draft})
    assert stolen.status_code == 303 and stolen.headers["location"] == "/"  # signed in, the draft ignored


def test_a_wrong_password_keeps_the_draft_for_the_next_try(client_factory, meeting, session):
    chair = _browser(client_factory, CHAIR)
    _end_sessions(session)
    sent = _post(chair, f"/meetings/{meeting['id']}/actions", {"text": "Kept action text"})
    draft = hidden_field(sent.text, "draft")
    wrong = chair.post("/login", data={"email": CHAIR, "password": "not-it", "draft": draft,
                                       "csrf_token": hidden_field(sent.text, "csrf_token")})
    assert wrong.status_code == 401 and "<title>Error: Sign in" in wrong.text
    assert hidden_field(wrong.text, "draft") == draft and "Your session ended" in wrong.text


def test_an_htmx_form_after_the_session_ended_gets_the_whole_sign_in_page(client_factory, meeting, session):
    chair = _browser(client_factory, CHAIR)
    _end_sessions(session)
    sent = _post(chair, f"/actions/{meeting['action']}/updates",
                 {"text": "Half the routes mapped.", "next": f"/meetings/{meeting['id']}"}, htmx=True)
    assert sent.status_code == 401
    assert sent.headers["HX-Retarget"] == "body" and sent.headers["HX-Reswap"] == "innerHTML"
    assert "<html" in sent.text and "<title>Sign in" in sent.text and "Your session ended" in sent.text
    assert hidden_field(sent.text, "next") == f"/meetings/{meeting['id']}"
    assert hidden_field(sent.text, "draft")


def test_sign_in_never_returns_to_a_post_only_address(client_factory, meeting):
    browser = client_factory()
    page = browser.get(f"/login?next=/meetings/{meeting['id']}/decisions")
    assert hidden_field(page.text, "next") == f"/meetings/{meeting['id']}"
    signed = sign_in(browser, CHAIR, next_path=f"/meetings/{meeting['id']}/agenda-items/{meeting['item']}/move")
    assert signed.headers["location"] == f"/meetings/{meeting['id']}"
    # Pages that answer GET are returned to as they were.
    assert sign_in(browser, CHAIR, next_path="/actions?owner=me").headers["location"] == "/actions?owner=me"
    # A signed-out GET still goes to the sign-in page and back.
    other = client_factory()
    away = other.get(f"/meetings/{meeting['id']}", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"] == f"/login?next=/meetings/{meeting['id']}"


# 4 and 5. After success: the form is empty, the notice is next to it and takes focus --------------

@pytest.mark.parametrize(("path", "data", "field", "slot"), [
    ("agenda-items", {"title": "Cycle hire", "purpose": "For decision"}, "new-item-title", "agenda"),
    ("decisions", {"text": "Fund the routes."}, "decision-text", "decisions"),
    ("actions", {"text": "Write to the Places."}, "action-text", "actions"),
])
def test_after_success_the_form_is_empty_and_the_notice_is_beside_it(client_factory, meeting, path, data, field,
                                                                    slot):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{meeting['id']}"
    inline = _post(chair, f"{url}/{path}", data, htmx=True)
    assert inline.status_code == 200
    value = (_textarea if field != "new-item-title" else _input)(inline.text, field)
    assert value == ""
    section = inline.text.split(f'id="{slot}-section"')[1].split("</section>")[0]
    assert f'id="{slot}-notice"' in section  # in the section of the form used, not the top of the page
    plain = _post(chair, f"{url}/{path}", data)
    assert plain.status_code == 303
    page = chair.get(plain.headers["location"]).text
    assert (_textarea if field != "new-item-title" else _input)(page, field) == ""
    section = page.split(f'id="{slot}-section"')[1].split("</section>")[0]
    assert f'id="{slot}-notice"' in section
    # The live region announces it; the notice at the top of the page is not shown twice.
    assert 'class="ata-live nhsuk-u-visually-hidden" id="edit-status"' in page and 'id="meeting-notice"' not in page


def test_attendance_without_javascript_returns_to_the_row_with_the_notice_above_the_table(client_factory, meeting):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{meeting['id']}"
    done = _post(chair, f"{url}/attendance/{meeting['member'].id}", {"status": "present"})
    assert done.headers["location"] == f"{url}?done=attendance#attendee-{meeting['member'].id}"
    section = chair.get(done.headers["location"]).text.split('id="attendance-section"')[1].split("</table>")[0]
    assert 'id="attendance-notice"' in section and "Attendance recorded." in section


def test_a_removal_returns_to_the_notice_which_takes_focus(client_factory, meeting, session):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{meeting['id']}"
    _post(chair, f"{url}/decisions", {"text": "To be removed."})
    decision = session.exec(select(Decision)).one()
    removed = _post(chair, f"{url}/decisions/{decision.id}/remove", {})
    assert removed.headers["location"] == f"{url}?done=decision-removed#decisions-notice"
    page = chair.get(removed.headers["location"]).text
    assert re.search(r'id="decisions-notice" tabindex="-1" data-autofocus>', page)
    assert "Decision removed." in page.split('id="decisions-notice"')[1].split("</div>")[0]


def test_an_action_update_clears_the_form_and_focuses_its_notice(client_factory, meeting):
    chair = _browser(client_factory, CHAIR)
    response = _post(chair, f"/actions/{meeting['action']}/updates", {"text": "All mapped.", "next": "/"},
                     htmx=True)
    assert response.status_code == 200
    assert _textarea(response.text, f"update-{meeting['action']}") == ""
    assert re.search(rf'id="action-{meeting["action"]}-notice" tabindex="-1" data-autofocus>', response.text)
    assert "Update posted." in response.text


# 6. Errors in plain words -------------------------------------------------------------------------

class _Example(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    text: str = Field(min_length=1)
    people: int = Field(ge=0)
    when: date
    kind: GroupKind
    code: str = Field(default="", max_length=20)


@pytest.mark.parametrize(("data", "labels", "expected"), [
    ({"title": ""}, {"title": "Title"}, {"title": "Enter a title"}),
    ({"text": ""}, {"text": "Update"}, {"text": "Enter an update"}),
    ({"title": "x" * 301}, {"title": "Title"}, {"title": "Title must be 300 characters or fewer"}),
    ({"people": "many"}, {"people": "People reached"}, {"people": "People reached must be a number"}),
    ({"people": "-4"}, {"people": "People reached"}, {"people": "People reached must be 0 or more"}),
    ({"when": "2025-02-31"}, {"when": "Date of the meeting"}, {"when": "Date of the meeting must be a real date"}),
    ({"kind": "club"}, {"kind": "Kind of group"}, {"kind": "Select a kind of group"}),
    ({"code": "x" * 21}, {"code": "Code (optional)"}, {"code": "Code must be 20 characters or fewer"}),
])
def test_validation_errors_read_as_govuk_sentences(data, labels, expected):
    values = {"title": "A title", "text": "Some text", "people": 1, "when": "2025-01-01", "kind": "board"} | data
    with pytest.raises(ValidationError) as caught:
        _Example(**values)
    assert field_errors(caught.value, labels) == expected


def test_service_refusals_read_as_sentences_and_never_this_form():
    assert field_errors(invalid_field("date", "cannot be in the future"), {"date": "Date"}) == {
        "date": "Date must be today or in the past"}
    unplaced = field_errors(invalid_field("stakeholder_id", "required for this account"), {})
    assert unplaced["form"].startswith("Your account is not linked to a person") and "This form" not in unplaced["form"]
    assert field_errors(invalid_field("owner_id", "must be one of the group's members"), {"owner_id": "Owner"}) == {
        "owner_id": "Owner must be one of the group's members"}


def test_a_too_long_agenda_title_says_so_in_plain_words(client_factory, meeting):
    chair = _browser(client_factory, CHAIR)
    response = _post(chair, f"/meetings/{meeting['id']}/agenda-items", {"title": "x" * 301})
    assert response.status_code == 422 and "Title must be 300 characters or fewer" in response.text
    assert "string should" not in response.text and "<title>Error: " in response.text


# 7. Destructive steps ask first -------------------------------------------------------------------

@pytest.fixture
def board(session, person):
    person(ADMIN, is_admin=True, name="Morgan Admin")
    group = factories.group(session, name="Forms Board", kind="board", code="FB")
    member = factories.stakeholder(session, name="Tomasz Whitfield")
    seat = factories.membership(session, group=group, stakeholder=member, start_date=date(2023, 4, 1))
    session.commit()
    return group, seat


def test_ending_a_membership_asks_first(client_factory, board, session):
    group, seat = board
    admin = _browser(client_factory, ADMIN)
    url = f"/admin/memberships/{group.slug}/members/{seat.id}/end"
    today = date.today().isoformat()
    page = admin.get(f"/admin/memberships/{group.slug}").text
    assert f'action="{url}"' in page
    asked = _post(admin, url, {"end_date": today})
    assert asked.status_code == 303 and asked.headers["location"] == f"{url}?end_date={today}"
    inline = _post(admin, url, {"end_date": today}, htmx=True)
    assert inline.status_code == 204 and inline.headers["HX-Redirect"] == f"{url}?end_date={today}"
    session.expire_all()
    assert session.get(Membership, seat.id).end_date is None  # nothing ended yet
    confirm = admin.get(asked.headers["location"])
    assert confirm.status_code == 200
    assert "End Tomasz Whitfield&#39;s membership of Forms Board?" in confirm.text
    assert f'href="/admin/memberships/{group.slug}#members">Cancel</a>' in confirm.text
    assert hidden_field(confirm.text, "end_date") == today and hidden_field(confirm.text, "confirmed") == "yes"
    ended = _post(admin, url, {"end_date": today, "confirmed": "yes"})
    assert ended.status_code == 303 and ended.headers["location"].endswith("?done=ended#members")
    session.expire_all()
    assert session.get(Membership, seat.id).end_date == date.today()


def test_a_bad_end_date_is_answered_in_place_before_any_confirmation(client_factory, board, session):
    group, seat = board
    admin = _browser(client_factory, ADMIN)
    url = f"/admin/memberships/{group.slug}/members/{seat.id}/end"
    early = _post(admin, url, {"end_date": "2020-01-01"})
    assert early.status_code == 422 and "The end date cannot be before the membership started" in early.text
    assert "<title>Error: Members of Forms Board" in early.text and "<h1>Members of Forms Board</h1>" in early.text
    inline = _post(admin, url, {"end_date": "not a date"}, htmx=True)
    assert inline.status_code == 422 and "Enter the date the membership ends" in inline.text
    blocked = admin.get(f"{url}?end_date=2020-01-01")
    assert blocked.status_code == 422 and "This cannot be done" in blocked.text
    session.expire_all()
    assert session.get(Membership, seat.id).end_date is None


def test_removing_a_standing_item_asks_first(client_factory, meeting):
    chair = _browser(client_factory, CHAIR)
    slug = meeting["group"].slug
    page = chair.get(f"/groups/{slug}/standing-items").text
    first = re.search(r'id="standing-1-heading" tabindex="-1">1\. (.+?)(?: <span|</h3>)', page)
    title = first.group(1)
    assert f'<form method="get" action="/groups/{slug}/standing-items/1/remove">' in page
    confirm = chair.get(f"/groups/{slug}/standing-items/1/remove", params={"was": title})
    assert confirm.status_code == 200 and "Remove standing item 1," in confirm.text
    assert f'action="/groups/{slug}/standing-items/1/remove"' in confirm.text
    removed = _post(chair, f"/groups/{slug}/standing-items/1/remove", {"was": title})
    assert removed.status_code == 303
    after = chair.get(f"/groups/{slug}/standing-items").text
    assert not re.search(rf">1\. {re.escape(title)}(?: <span|</h3>)", after)
