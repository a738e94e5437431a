"""Email settings through the API, unsubscribe links (signed, one click, idempotent), and the
mail tables' part in a person's data export and anonymisation."""

from sqlmodel import select

from api.audit.models import AuditEvent
from api.mail import outbox, unsubscribe
from api.mail.kinds import DEFAULT_FREQUENCY, MAIL_KINDS
from api.mail.models import MailPreference, OutboxMessage
from api.mail.sender import Sender
from tests.factories import PASSWORD

URL = "/api/v1/me/mail-preferences"


def _bearer(client, email):
    token = client.post("/api/v1/auth/token", data={"grant_type": "password", "username": email,
                                                    "password": PASSWORD}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_defaults_then_choices_kept(anonymous_client, person, session):
    stakeholder, _ = person("pref.person@example.org")
    me = _bearer(anonymous_client, stakeholder.email)
    r = anonymous_client.get(URL, headers=me)
    assert r.status_code == 200 and r.json() == DEFAULT_FREQUENCY and list(r.json()) == list(MAIL_KINDS)
    r = anonymous_client.put(URL, headers=me, json={"papers": "weekly", "minutes_approved": "never"})
    assert r.status_code == 200, r.text
    assert r.json() == DEFAULT_FREQUENCY | {"papers": "weekly", "minutes_approved": "never"}
    # Kinds left out keep their setting; a second change replaces the first.
    r = anonymous_client.put(URL, headers=me, json={"papers": "immediately"})
    assert r.json() == DEFAULT_FREQUENCY | {"minutes_approved": "never"}
    assert anonymous_client.get(URL, headers=me).json() == r.json()
    changes = session.exec(select(AuditEvent).where(AuditEvent.action == "mail.preferences_change")
                           .order_by(AuditEvent.id)).all()
    assert [(e.actor_label, e.entity_type, e.entity_id) for e in changes] == [
        (stakeholder.email, "stakeholder", str(stakeholder.id))] * 2


def test_unknown_kinds_and_frequencies_are_refused(anonymous_client, person, session):
    stakeholder, _ = person("pref.wrong@example.org")
    me = _bearer(anonymous_client, stakeholder.email)
    for body in ({"papers": "hourly"}, {"newsletter": "never"}, {"action_digest": "immediately"}, {"meeting": None,
                                                                                                   "papers": 3}):
        r = anonymous_client.put(URL, headers=me, json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert session.exec(select(MailPreference)).all() == []


def test_sign_in_needed_and_an_account_without_a_person_gets_409(anonymous_client, client):
    assert anonymous_client.get(URL, headers={"Authorization": ""}).status_code == 401
    r = client.get(URL)  # the test admin's account is linked to no stakeholder
    assert r.status_code == 409 and "not linked" in r.json()["detail"]
    assert client.put(URL, json={"papers": "never"}).status_code == 409


def test_link_is_absolute_signed_and_tamper_proof(settings):
    link = unsubscribe.link(settings, 42, "papers")
    assert link.startswith(f"{unsubscribe.public_url(settings)}/mail/unsubscribe?token=")
    token = link.partition("token=")[2]
    assert unsubscribe.read(settings, token) == (42, "papers")
    last = "1" if token.endswith("0") else "0"
    fullwidth = "\uff14\uff12." + token.partition(".")[2]  # digits to Python, not to us
    for bad in ("", "42", token.replace("42.", "43.", 1), token.replace("papers", "meeting"), token[:-1] + last,
                "x" * 500, fullwidth, "0.papers." + token.rpartition(".")[2]):
        try:
            unsubscribe.read(settings, bad)
        except unsubscribe.BadUnsubscribeToken:
            continue
        raise AssertionError(f"accepted {bad!r}")


def test_one_click_sets_never_idempotently_without_sign_in(anonymous_client, person, session, settings):
    stakeholder, _ = person("one.click@example.org")
    token = unsubscribe.token(settings, stakeholder.id, "papers")
    for _ in range(2):
        r = anonymous_client.post("/api/v1/mail/unsubscribe", params={"token": token})
        assert r.status_code == 204, r.text
    rows = session.exec(select(MailPreference).where(MailPreference.stakeholder_id == stakeholder.id)).all()
    assert [(p.kind, p.frequency) for p in rows] == [("papers", "never")]
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "mail.preferences_change")).all()
    assert (event.actor_kind, event.actor_label) == ("anonymous", "unsubscribe link")
    # The link itself (the web page's address) takes the mail client's one-click POST (RFC 8058).
    token = unsubscribe.token(settings, stakeholder.id, "meeting")
    r = anonymous_client.post(f"/mail/unsubscribe?token={token}", data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200 and "no longer get emails about meetings" in r.text
    me = _bearer(anonymous_client, stakeholder.email)
    assert anonymous_client.get(URL, headers=me).json() | {} == DEFAULT_FREQUENCY | {"papers": "never",
                                                                                      "meeting": "never"}


def test_a_tampered_token_is_a_400_problem(anonymous_client, person, settings, session):
    stakeholder, _ = person("tamper@example.org")
    token = unsubscribe.token(settings, stakeholder.id, "papers")
    forged = f"{stakeholder.id + 1}.papers.{token.rpartition('.')[2]}"
    for bad in (forged, token + "0", "nonsense"):
        r = anonymous_client.post("/api/v1/mail/unsubscribe", params={"token": bad})
        assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json"), r.text
        assert "not valid" in r.json()["detail"]
        assert anonymous_client.post(f"/mail/unsubscribe?token={bad}").status_code == 400
    assert session.exec(select(MailPreference)).all() == []


def test_the_link_in_a_delivered_message_unsubscribes(engine, session, person, mail_settings, smtp_server,
                                                      anonymous_client, app):
    stakeholder, _ = person("delivered@example.org")
    outbox.enqueue(session, kind="minutes_approved", to_address=stakeholder.email, subject="Minutes approved",
                   text_body="The minutes are approved.", html_body="<p>The minutes are approved.</p>",
                   stakeholder_id=stakeholder.id)
    session.commit()
    assert Sender(engine, mail_settings, periodic=[]).run_once() == 1
    [message] = smtp_server.handler.to(stakeholder.email)
    link = message["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://ata.example.org/mail/unsubscribe?token=")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The app under test signs with the same secret as the sender's settings.
    assert app.state.settings.secret_key == mail_settings.secret_key
    path = link.removeprefix("https://ata.example.org")
    assert "Stop emails about approved minutes?" in anonymous_client.get(path).text
    assert anonymous_client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    session.expire_all()
    [choice] = session.exec(select(MailPreference).where(MailPreference.stakeholder_id == stakeholder.id)).all()
    assert (choice.kind, choice.frequency) == ("minutes_approved", "never")


def test_export_lists_my_mail_without_bodies_and_anonymising_removes_it(client, person, session, engine):
    name, email = "Ophelia Thistlewood", "o.thistlewood@example.org"
    stakeholder, _ = person(email, name=name)
    admin = client.headers["Authorization"]
    me = _bearer(client, email)
    client.put(URL, headers=me, json={"papers": "weekly"})
    sent = outbox.enqueue(session, kind="meeting", to_address=email, subject=f"Meeting for {name}",
                          text_body=f"Dear {name}", html_body=f"<p>Dear {name}</p>", stakeholder_id=stakeholder.id)
    held = outbox.enqueue(session, kind="papers", to_address=email, subject="Papers published",
                          text_body=f"Dear {name}", stakeholder_id=stakeholder.id, hold=True)
    outbox.enqueue(session, kind="account_invitation", to_address=email, subject="Your account",
                   text_body=f"Dear {name}, sign in at ...")
    sent.status = "sent"
    session.commit()
    sent_id, held_id = sent.id, held.id
    data = client.get("/api/v1/me/export", headers=me).json()
    assert data["mail_preferences"] == {"papers": "weekly"}
    assert {(m["kind"], m["status"]) for m in data["mail_messages"]} == {("meeting", "sent"), ("papers", "held")}
    assert all("text_body" not in m for m in data["mail_messages"])

    r = client.post(f"/api/v1/stakeholders/{stakeholder.id}/anonymise", headers={"Authorization": admin})
    assert r.status_code == 200, r.text
    session.expire_all()
    left = session.exec(select(OutboxMessage)).all()
    assert [(m.id, m.status, m.to_address, m.text_body) for m in left] == [(sent_id, "sent", "", "")]
    assert left[0].subject == f"Meeting for Former stakeholder {stakeholder.id}"
    assert session.get(OutboxMessage, held_id) is None
    assert session.exec(select(MailPreference)).all() == []
    from tests.api.test_privacy import _all_text

    everything = _all_text(engine)
    for trace in (name.lower(), email, "thistlewood", "ophelia"):
        assert trace not in everything, trace
