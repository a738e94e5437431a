"""Issue 11 at the web door: the same rules as the API, answered as field errors on the forms."""

from sqlmodel import func, select

from api.auth.models import UserAccount
from api.core.security import verify_secret
from api.meetings.models import Action, AgendaItem, MinutesVersion
from tests import factories
from tests.factories import PASSWORD
from tests.web.conftest import hidden_field, sign_in
from tests.web.test_meeting_editing import CHAIR, _browser, _post, meeting  # noqa: F401 - a fixture

NEW = "a-brand-new-password"


def _change_password(client, current: str):
    token = hidden_field(client.get("/account/password").text, "csrf_token")
    return client.post("/account/password", follow_redirects=False, data={
        "csrf_token": token, "current_password": current, "new_password": NEW, "confirm_password": NEW})


def test_wrong_current_passwords_lock_the_web_form_like_sign_in(client, person, session, app):
    stakeholder, account = person("rules.web.oracle@example.org")
    assert sign_in(client, stakeholder.email).status_code == 303
    for n in range(app.state.settings.login_max_failures_per_account):
        wrong = _change_password(client, f"guess-{n:04d}xx")
        assert wrong.status_code == 422 and "The current password is not right" in wrong.text
    locked = _change_password(client, PASSWORD)
    assert locked.status_code == 429, locked.text
    assert 0 < int(locked.headers["retry-after"]) <= app.state.settings.login_window_seconds
    assert 'id="current_password-error"' in locked.text and "Too many failed attempts" in locked.text
    assert PASSWORD not in locked.text and NEW not in locked.text
    session.expire_all()
    assert verify_secret(PASSWORD, session.get(UserAccount, account.id).password_hash)
    # One counter for both doors: the API refuses the right password now as well.
    grant = {"grant_type": "password", "username": stakeholder.email, "password": PASSWORD}
    assert client.post("/api/v1/auth/token", data=grant).status_code == 429


def test_an_outsider_as_owner_or_lead_is_the_services_field_error(client_factory, session, meeting):  # noqa: F811
    outsider = factories.stakeholder(session, name="Nadia Nonmember")
    session.commit()
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{meeting['id']}"
    for path, data, field in (
        ("actions", {"text": "Kept action", "owner_id": str(outsider.id)}, "action-owner"),
        ("agenda-items", {"title": "Kept title", "lead_id": str(outsider.id)}, "new-item-lead"),
        (f"agenda-items/{meeting['item']}", {"title": "Walking routes", "lead_id": str(outsider.id)},
         f"item-{meeting['item']}-lead"),
    ):
        for htmx in (False, True):
            response = _post(chair, f"{url}/{path}", data, htmx=htmx)
            assert response.status_code == 422, response.text
            assert f'id="{field}-error"' in response.text
            assert "must be one of the group&#39;s members" in response.text
    assert session.exec(select(func.count()).select_from(Action)).one() == 0
    assert session.exec(select(AgendaItem.lead_id)).all() == [None]


def test_minutes_approval_at_a_cancelled_meeting_is_refused_on_the_page(client_factory, client, session,
                                                                        meeting):  # noqa: F811
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{meeting['id']}"
    assert _post(chair, f"{url}/minutes/{meeting['item']}", {"text": "Routes agreed."}).status_code == 303
    assert client.patch(f"/api/v1/meetings/{meeting['later']}", headers=meeting["headers"],
                        json={"status": "cancelled", "cancel_reason": "Snow"}).status_code == 200
    refused = _post(chair, f"{url}/minutes-approval", {"approved_at_meeting_id": str(meeting["later"])})
    assert refused.status_code == 422 and 'id="approve-meeting-error"' in refused.text
    assert "not cancelled" in refused.text
    session.expire_all()
    assert session.exec(select(MinutesVersion.status)).all() == ["draft"]


def test_an_account_made_on_the_admin_page_has_a_one_time_password(client, person, session):
    person("rules.web.admin@example.org", is_admin=True)
    assert sign_in(client, "rules.web.admin@example.org").status_code == 303
    newcomer = factories.stakeholder(session, email="rules.web.new@example.org")
    session.commit()
    token = hidden_field(client.get("/admin/users").text, "csrf_token")
    made = client.post("/admin/users", follow_redirects=False, data={
        "csrf_token": token, "stakeholder_id": str(newcomer.id), "password": "set-by-the-admin"})
    assert made.status_code == 303, made.text
    assert session.exec(select(UserAccount.must_change_password).where(
        UserAccount.email == "rules.web.new@example.org")).one() is True
