"""The Email settings page (works without JavaScript) and the page an unsubscribe link opens."""

import re

from sqlmodel import select

from api.mail import unsubscribe
from api.mail.kinds import DEFAULT_FREQUENCY
from api.mail.models import MailPreference
from tests.web.conftest import hidden_field, sign_in

ALL_DEFAULTS = dict(DEFAULT_FREQUENCY)


def _checked(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="([a-z_]+)" type="radio" value="([a-z]+)" checked', html))


def _save(client, **choices):
    token = hidden_field(client.get("/account/email").text, "csrf_token")
    return client.post("/account/email", data={"csrf_token": token, **choices}, follow_redirects=False)


def test_the_page_shows_every_kind_with_its_choice(signed_in):
    client, _ = signed_in
    page = client.get("/account/email")
    assert page.status_code == 200
    assert "<h1>Email settings</h1>" in page.text
    assert _checked(page.text) == ALL_DEFAULTS
    for words in ("Meetings", "Meeting papers", "Actions given to you", "Your actions due soon or overdue",
                  "Approved minutes", "Immediately", "In a weekly digest", "Never",
                  "calendar invitation that updates the event"):
        assert words in page.text, words
    # The action digest comes weekly or not at all.
    assert 'name="action_digest" type="radio" value="immediately"' not in page.text
    assert 'href="/account/email"' in client.get("/account/password").text


def test_saving_changes_shows_a_notice_that_takes_focus(signed_in, session):
    client, stakeholder = signed_in
    choices = ALL_DEFAULTS | {"papers": "weekly", "minutes_approved": "never", "action_digest": "never"}
    done = _save(client, **choices)
    assert done.status_code == 303 and done.headers["location"] == "/account/email?saved=1"
    page = client.get(done.headers["location"])
    assert "Your email settings are saved." in page.text
    assert re.search(r'role="status" id="saved" tabindex="-1" autofocus', page.text)
    assert _checked(page.text) == choices
    rows = session.exec(select(MailPreference).where(MailPreference.stakeholder_id == stakeholder.id)).all()
    assert {r.kind: r.frequency for r in rows} == choices
    assert "Your email settings are saved." not in client.get("/account/email").text


def test_mistakes_re_render_with_plain_errors_and_change_nothing(signed_in, session):
    client, _ = signed_in
    missing = {k: v for k, v in ALL_DEFAULTS.items() if k != "papers"}
    r = _save(client, **(missing | {"meeting": "never"}))
    assert r.status_code == 422
    assert "There is a problem" in r.text and "Choose how often you want emails about meeting papers" in r.text
    assert 'href="#papers-1"' in r.text and 'id="papers-1-error"' in r.text
    assert _checked(r.text)["meeting"] == "never"  # what was chosen is kept on the page
    r = _save(client, **(ALL_DEFAULTS | {"action_digest": "immediately", "meeting": "hourly"}))
    assert r.status_code == 422
    assert "your actions due soon or overdue" in r.text and "Choose how often you want emails about meetings" in r.text
    assert session.exec(select(MailPreference)).all() == []


def test_changes_need_the_form_token_and_a_sign_in(signed_in, anonymous_client):
    client, _ = signed_in
    r = client.post("/account/email", data=ALL_DEFAULTS, follow_redirects=False)
    assert r.status_code == 403
    client.cookies.clear()
    r = client.get("/account/email", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_an_account_not_linked_to_a_person_is_told_so(client, session):
    from api.auth import service as auth_service
    from api.authz import SYSTEM_SUBJECT
    from tests.factories import PASSWORD

    auth_service.create_user(session, actor=SYSTEM_SUBJECT, data={"email": "unlinked@example.org",
                                                                   "password": PASSWORD})
    session.commit()
    assert sign_in(client, "unlinked@example.org").status_code == 303
    page = client.get("/account/email")
    assert page.status_code == 200 and "not linked to a person on the register" in page.text
    assert 'type="radio"' not in page.text


def test_the_unsubscribe_page_works_signed_out(anonymous_client, person, settings, session):
    stakeholder, _ = person("unsub.page@example.org")
    token = unsubscribe.token(settings, stakeholder.id, "papers")
    page = anonymous_client.get(f"/mail/unsubscribe?token={token}")
    assert page.status_code == 200
    assert "<h1>Stop emails about meeting papers?</h1>" in page.text
    assert f'action="/mail/unsubscribe?token={token}" method="post"' in page.text
    assert session.exec(select(MailPreference)).all() == []  # opening the link changes nothing
    done = anonymous_client.post(f"/mail/unsubscribe?token={token}")
    assert done.status_code == 200
    assert "You will no longer get emails about meeting papers." in done.text
    assert 'Change this in your <a href="/account/email">Email settings</a>' in done.text
    [row] = session.exec(select(MailPreference)).all()
    assert (row.stakeholder_id, row.kind, row.frequency) == (stakeholder.id, "papers", "never")
    bad = anonymous_client.get(f"/mail/unsubscribe?token={token[:-2]}")
    assert bad.status_code == 400 and "This unsubscribe link is not valid" in bad.text
    assert anonymous_client.get("/mail/unsubscribe").status_code == 400
