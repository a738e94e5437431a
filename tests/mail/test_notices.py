"""What the meetings business puts in the outbox (api/meetings/notices.py): invitations with an
iCalendar REQUEST or CANCEL when a meeting is scheduled, changed or cancelled, papers published
(once a day per meeting and person), actions assigned, minutes approved; to whom, as each person
chose; and every kind delivered through a real SMTP server, its one-click unsubscribe working.
Both databases."""

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from sqlmodel import select

from api.auth import service as auth_service
from api.mail.models import OutboxMessage
from api.mail.preferences import set_preference
from api.mail.sender import Sender
from api.meetings import notices
from tests import factories
from tests.api.test_papers_and_pack import make_pdf, paper

PUBLIC = "https://ata.example.org"
UID = "meeting-{}@stakeholder-dashboard.all-together-active"
JAN = {"starts_at": "2024-01-16T14:00:00+00:00", "ends_at": "2024-01-16T16:30:00+00:00"}
MARCH = {"starts_at": "2024-03-19T14:00:00+00:00", "ends_at": "2024-03-19T16:30:00+00:00"}


@pytest.fixture(autouse=True)
def _public_url(monkeypatch, database_url):
    """The links and the organizer come from the settings the service runs with."""
    from tests.conftest import make_settings

    configured = make_settings(database_url, public_url=PUBLIC, mail_from="ATA Test <mail@example.org>")
    monkeypatch.setattr(notices, "get_settings", lambda: configured)


@pytest.fixture
def board(session, app):
    """A group whose name needs escaping, with a chair, a member, an observer (each with an
    email), a member with no email, a former member and an outsider."""
    group = factories.group(session, name="Parks & Play <Board>", kind="thematic", code="PPB")
    people = {}
    for key, role, end in [("chair", "chair", None), ("member", "member", None), ("observer", "observer", None),
                           ("former", "member", date(2025, 1, 1)), ("outsider", None, None)]:
        person, account = factories.person_with_account(session, f"notice.{key}@example.org",
                                                        name=f"Robin {key.title()}")
        if role:
            factories.membership(session, group=group, stakeholder=person, role=role, start_date=date(2023, 1, 1),
                                 end_date=end)
        people[key] = person
        if key == "chair":
            token = auth_service.user_token(app.state.settings, account).token
            people["headers"] = {"Authorization": f"Bearer {token}"}
    silent = factories.stakeholder(session, name="Nobody Emailed", email=None)
    factories.membership(session, group=group, stakeholder=silent, start_date=date(2023, 1, 1))
    session.commit()
    return group, people


def _outbox(session, kind: str | None = None) -> list[OutboxMessage]:
    session.expire_all()
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    return list(session.exec(stmt))


def _soon(days: int = 10) -> dict:
    start = (datetime.now(UTC) + timedelta(days=days)).replace(hour=13, minute=0, second=0, microsecond=0)
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()}


def _meeting(client, group, headers, times: dict, **extra) -> dict:
    made = client.post(f"/api/v1/groups/{group.id}/meetings", headers=headers, json={**times, **extra})
    assert made.status_code == 201, made.text
    return made.json()


def _event(message: OutboxMessage):
    calendar = icalendar.Calendar.from_ical(message.ics)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


MEMBERS = {"notice.chair@example.org", "notice.member@example.org", "notice.observer@example.org"}


# Meetings ---------------------------------------------------------------------------------------

def test_a_scheduled_meeting_invites_the_members_with_an_email_in_one_transaction(client, session, board):
    group, people = board
    meeting = _meeting(client, group, people["headers"], _soon(), title="Budget <review> & plans",
                       venue="Town Hall", venue_kind="hybrid", online_link="https://meet.example.org/a?b=1&c=2")
    sent = _outbox(session, "meeting")
    assert {m.to_address for m in sent} == MEMBERS  # not the former member, the outsider or the one without email
    assert len(sent) == 3 and all(m.status == "pending" and m.stakeholder_id for m in sent)
    by_address = {m.to_address: m for m in sent}
    message = by_address["notice.member@example.org"]
    assert message.stakeholder_id == people["member"].id
    assert message.subject.startswith("Invitation: Parks & Play <Board>: Budget <review> & plans, ")
    assert "Dear Robin Member," in message.text_body and "Budget <review> & plans" in message.text_body
    assert f"{PUBLIC}/meetings/{meeting['id']}" in message.text_body
    assert f"{PUBLIC}/account/email" in message.text_body
    assert "Join online: https://meet.example.org/a?b=1&c=2" in message.text_body
    # The HTML part: everything escaped, the links absolute.
    assert "<review>" not in message.html_body and "&lt;review&gt;" in message.html_body
    assert "Parks &amp; Play &lt;Board&gt;" in message.html_body
    assert f'<a href="{PUBLIC}/meetings/{meeting["id"]}">' in message.html_body
    assert "b=1&amp;c=2" in message.html_body
    # The invitation: the feed's UID, SEQUENCE 0, the organizer and this attendee.
    calendar, event = _event(message)
    assert str(calendar["METHOD"]) == "REQUEST" and message.ics_method == "REQUEST"
    feed = icalendar.Calendar.from_ical(client.get(f"/api/v1/groups/{group.id}/meetings.ics").content)
    assert [str(e["UID"]) for e in feed.walk("VEVENT")] == [str(event["UID"])] == [UID.format(meeting["id"])]
    assert int(event["SEQUENCE"]) == 0 and str(event["STATUS"]) == "CONFIRMED"
    assert str(event["ORGANIZER"]) == "mailto:mail@example.org"
    assert str(event["ATTENDEE"]) == "mailto:notice.member@example.org"
    assert event["ATTENDEE"].params["CN"] == "Robin Member"
    assert str(event["SUMMARY"]) == "Parks & Play <Board>: Budget <review> & plans"
    assert event.decoded("DTSTART") == datetime.fromisoformat(meeting["starts_at"])


def test_a_refused_meeting_writes_no_message(client, session, board):
    group, people = board
    bad = client.post(f"/api/v1/groups/{group.id}/meetings", headers=people["headers"],
                      json={**_soon(), "status": "cancelled"})  # a cancelled meeting needs a reason
    assert bad.status_code == 422
    assert _outbox(session) == []


def test_a_moved_meeting_is_an_update_with_a_rising_sequence_and_a_cancelled_one_a_cancel(client, session, board):
    group, people = board
    headers = people["headers"]
    meeting = _meeting(client, group, headers, _soon(), venue="Town Hall")
    url = f"/api/v1/meetings/{meeting['id']}"
    assert len(_outbox(session, "meeting")) == 3

    moved = _soon(12)
    assert client.patch(url, headers=headers, json=moved).status_code == 200
    changed = _outbox(session, "meeting")[3:]
    assert len(changed) == 3 and {m.to_address for m in changed} == MEMBERS
    assert changed[0].subject.startswith("Changed: Parks & Play <Board>, ")
    assert "It was:" in changed[0].text_body and "When: " in changed[0].text_body
    _, event = _event(changed[0])
    assert int(event["SEQUENCE"]) == 1 and str(event["UID"]) == UID.format(meeting["id"])
    assert event.decoded("DTSTART") == datetime.fromisoformat(moved["starts_at"])

    assert client.patch(url, headers=headers, json={"venue": "Library"}).status_code == 200
    venue = _outbox(session, "meeting")[6:]
    assert len(venue) == 3 and "Where: In person: Town Hall" in venue[0].text_body  # what it was
    assert int(_event(venue[0])[1]["SEQUENCE"]) == 2

    assert client.patch(url, headers=headers, json={"status": "cancelled", "cancel_reason": "No quorum"}
                        ).status_code == 200
    cancelled = _outbox(session, "meeting")[9:]
    assert len(cancelled) == 3 and all(m.ics_method == "CANCEL" for m in cancelled)
    assert cancelled[0].subject.startswith("Cancelled: ") and "No quorum" in cancelled[0].text_body
    calendar, event = _event(cancelled[0])
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 3 and str(event["UID"]) == UID.format(meeting["id"])

    # A new reason on a cancelled meeting tells nobody again; reinstating it invites again.
    assert client.patch(url, headers=headers, json={"cancel_reason": "No quorum, and snow"}).status_code == 200
    assert len(_outbox(session, "meeting")) == 12
    assert client.patch(url, headers=headers, json={"status": "scheduled"}).status_code == 200
    back = _outbox(session, "meeting")[12:]
    assert len(back) == 3 and back[0].subject.startswith("Reinstated: ") and back[0].ics_method == "REQUEST"
    assert int(_event(back[0])[1]["SEQUENCE"]) == 5
    # The feed shows the same UID at the same SEQUENCE: a calendar app keeps one event.
    feed = icalendar.Calendar.from_ical(client.get(f"/api/v1/groups/{group.id}/meetings.ics").content)
    (fed,) = feed.walk("VEVENT")
    assert int(fed["SEQUENCE"]) == 5 and str(fed["UID"]) == UID.format(meeting["id"])


def test_a_meeting_already_over_tells_nobody(client, session, board):
    group, people = board
    past = _meeting(client, group, people["headers"], JAN)
    client.patch(f"/api/v1/meetings/{past['id']}", headers=people["headers"], json={"venue": "Elsewhere"})
    client.patch(f"/api/v1/meetings/{past['id']}", headers=people["headers"],
                 json={"status": "cancelled", "cancel_reason": "Recorded late"})
    assert _outbox(session) == []


def test_a_series_sends_one_invitation_per_meeting_each_with_its_own_event(client, session, board, count_queries):
    group, people = board
    first = date.today() + timedelta(days=8)
    body = {"pattern": "weekly", "interval": 2, "weekday": first.weekday(), "first_date": first.isoformat(),
            "until": (first + timedelta(weeks=4)).isoformat(), "start_time": "14:00", "end_time": "16:00",
            "title": "Delivery", "venue_kind": "online", "venue": "", "online_link": "https://meet.example.org/d"}
    made = client.post(f"/api/v1/groups/{group.id}/meeting-series", headers=people["headers"], json=body)
    assert made.status_code == 201, made.text
    meetings = made.json()["meetings"]
    assert len(meetings) == 3
    sent = _outbox(session, "meeting")
    assert len(sent) == 3 * 3
    to_member = [m for m in sent if m.to_address == "notice.member@example.org"]
    assert sorted(str(_event(m)[1]["UID"]) for m in to_member) == sorted(UID.format(m["id"]) for m in meetings)
    assert len({m.dedupe_key for m in sent}) == 9


# Choices ----------------------------------------------------------------------------------------

def test_weekly_holds_the_message_for_the_digest_and_never_writes_none(client, session, board):
    group, people = board
    set_preference(session, people["member"].id, "meeting", "weekly")
    set_preference(session, people["observer"].id, "meeting", "never")
    session.commit()
    _meeting(client, group, people["headers"], _soon())
    sent = {m.to_address: m.status for m in _outbox(session, "meeting")}
    assert sent == {"notice.chair@example.org": "pending", "notice.member@example.org": "held"}


# Papers -----------------------------------------------------------------------------------------

def test_papers_tell_members_once_a_day_and_never_name_a_confidential_paper_to_an_observer(client, session, board):
    group, people = board
    headers = people["headers"]
    meeting = _meeting(client, group, headers, _soon())
    secret_item = client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", headers=headers,
                              json={"title": "Land deal", "confidential": True}).json()
    first = paper(client, meeting["id"], headers, make_pdf(1, "Secret"), "secret.pdf", title="Land <deal> valuation",
                  agenda_item_id=secret_item["id"])
    papers = _outbox(session, "papers")
    # The observer may not see the only paper: not told at all, rather than told of nothing.
    assert {m.to_address for m in papers} == {"notice.chair@example.org", "notice.member@example.org"}
    member = next(m for m in papers if m.to_address == "notice.member@example.org")
    assert member.subject.startswith("Papers published for the meeting of Parks & Play <Board>, ")
    assert "Land <deal> valuation" in member.text_body and "Land &lt;deal&gt; valuation" in member.html_body
    assert f"{PUBLIC}/meetings/{meeting['id']}/pack.pdf" in member.text_body
    assert member.ics is None and member.stakeholder_id == people["member"].id
    assert member.dedupe_key.startswith(f"papers:{meeting['id']}:")

    # A second and a replaced paper the same day: no more messages for those already told; the
    # observer, told of nothing so far, is told of the paper they may see (and only that one).
    paper(client, meeting["id"], headers, make_pdf(2, "Open"), "open.pdf", title="Play strategy")
    assert client.put(f"/api/v1/documents/{first['id']}/content", headers=headers,
                      files={"file": ("secret-v2.pdf", make_pdf(3, "Secret2"))}).status_code == 200
    papers = _outbox(session, "papers")
    assert sorted(m.to_address for m in papers) == sorted(MEMBERS)
    observer = next(m for m in papers if m.to_address == "notice.observer@example.org")
    assert "Play strategy" in observer.text_body and "Land" not in observer.text_body + observer.subject
    assert "Land" not in observer.html_body


def test_papers_for_a_meeting_long_past_tell_nobody(client, session, board):
    group, people = board
    meeting = _meeting(client, group, people["headers"], JAN)
    paper(client, meeting["id"], people["headers"], make_pdf(1, "Old"), "old.pdf")
    assert _outbox(session) == []


# Actions ----------------------------------------------------------------------------------------

def test_an_action_is_sent_to_its_owner_when_made_and_when_given_to_someone_else(client, session, board):
    group, people = board
    headers = people["headers"]
    meeting = _meeting(client, group, headers, _soon())
    made = client.post("/api/v1/actions", headers=headers, json={
        "group_id": group.id, "meeting_id": meeting["id"], "text": "Map the <parks> & play areas",
        "owner_id": people["member"].id, "due_date": (date.today() + timedelta(days=30)).isoformat()})
    assert made.status_code == 201, made.text
    action = made.json()
    (message,) = _outbox(session, "action_assigned")
    assert message.to_address == "notice.member@example.org" and message.stakeholder_id == people["member"].id
    assert message.subject.startswith(f"Action assigned to you: PPB action {action['number']}, due ")
    assert "Map the <parks> & play areas" in message.text_body
    assert "Map the &lt;parks&gt; &amp; play areas" in message.html_body
    assert f"{PUBLIC}/actions/{action['id']}" in message.text_body

    url = f"/api/v1/actions/{action['id']}"
    assert client.patch(url, headers=headers, json={"text": "Map the parks"}).status_code == 200
    assert len(_outbox(session, "action_assigned")) == 1  # not a new owner: nothing
    assert client.patch(url, headers=headers, json={"owner_id": people["chair"].id}).status_code == 200
    messages = _outbox(session, "action_assigned")
    assert [m.to_address for m in messages] == ["notice.member@example.org", "notice.chair@example.org"]
    # Given back to the member: told again.
    assert client.patch(url, headers=headers, json={"owner_id": people["member"].id}).status_code == 200
    assert len(_outbox(session, "action_assigned")) == 3
    # Without an owner: nobody.
    client.post("/api/v1/actions", headers=headers, json={"group_id": group.id, "text": "Unowned"})
    assert len(_outbox(session, "action_assigned")) == 3


def test_an_observer_owning_a_confidential_action_is_not_told_what_it_says(client, session, board):
    group, people = board
    headers = people["headers"]
    meeting = _meeting(client, group, headers, _soon())
    item = client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", headers=headers,
                       json={"title": "Land deal", "confidential": True}).json()
    made = client.post("/api/v1/actions", headers=headers, json={
        "group_id": group.id, "meeting_id": meeting["id"], "agenda_item_id": item["id"],
        "text": "Value the depot site", "owner_id": people["observer"].id})
    assert made.status_code == 201, made.text
    (message,) = _outbox(session, "action_assigned")
    assert message.to_address == "notice.observer@example.org"
    assert "depot" not in message.text_body + message.html_body + message.subject
    assert "confidential" in message.text_body


# Minutes ----------------------------------------------------------------------------------------

def test_approved_minutes_are_sent_to_the_members_with_a_link(client, session, board):
    group, people = board
    headers = people["headers"]
    january = _meeting(client, group, headers, JAN)
    march = _meeting(client, group, headers, MARCH)
    url = f"/api/v1/meetings/{january['id']}"
    item = client.post(f"{url}/agenda-items", headers=headers, json={"title": "Budget"}).json()
    assert client.put(f"{url}/minutes", headers=headers, json={"items": [
        {"agenda_item_id": item["id"], "text": "Discussed."}]}).status_code == 200
    assert _outbox(session) == []  # a draft tells nobody
    approved = client.post(f"{url}/minutes/approve", headers=headers, json={
        "approved_at_meeting_id": march["id"], "amendments": "Item 1: <b>£5,000</b>", "version": 1})
    assert approved.status_code == 200, approved.text
    sent = _outbox(session, "minutes_approved")
    assert {m.to_address for m in sent} == MEMBERS and all(m.stakeholder_id for m in sent)
    message = sent[0]
    assert message.subject == "Minutes approved: Parks & Play <Board>, 16 January 2024"
    assert "approved at the meeting of 19 March 2024 subject to these amendments: Item 1: <b>£5,000</b>" \
        in message.text_body
    assert "&lt;b&gt;£5,000&lt;/b&gt;" in message.html_body and "<b>" not in message.html_body
    assert f"{PUBLIC}/meetings/{january['id']}" in message.text_body


# Through a real SMTP server ---------------------------------------------------------------------

def test_an_invitation_arrives_with_text_html_and_a_calendar_part(client, session, board, engine, mail_settings,
                                                                  smtp_server):
    group, people = board
    meeting = _meeting(client, group, people["headers"], _soon(), title="Budget <review>")
    assert Sender(engine, mail_settings, periodic=[]).run_once() == 3
    assert Sender(engine, mail_settings, periodic=[]).run_once() == 0  # sent once
    (received,) = smtp_server.handler.to("notice.member@example.org")
    assert received["Subject"].startswith("Invitation: Parks & Play <Board>: Budget <review>, ")
    assert received["To"] == "notice.member@example.org"
    assert received["List-Unsubscribe"]
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert "Dear Robin Member," in text and f"{PUBLIC}/meetings/{meeting['id']}" in text
    assert "Budget &lt;review&gt;" in html
    (calendar_part,) = [part for part in received.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert calendar_part.get_param("method") == "REQUEST"
    parsed = icalendar.Calendar.from_ical(calendar_part.get_content())
    (event,) = parsed.walk("VEVENT")
    assert str(parsed["METHOD"]) == "REQUEST" and str(event["UID"]) == UID.format(meeting["id"])
    assert int(event["SEQUENCE"]) == 0


def _deliver(engine, mail_settings) -> int:
    return Sender(engine, mail_settings, periodic=[]).run_once()


def _parts(received) -> tuple[str, str]:
    return received.get_body(("plain",)).get_content(), received.get_body(("html",)).get_content()


def test_every_kind_arrives_through_the_smtp_server_and_its_unsubscribe_link_works(
        client, anonymous_client, session, board, engine, mail_settings, smtp_server):
    """Changed and cancelled meetings, papers, an action and approved minutes, each read from
    the real SMTP server (recipients, subject, both parts, the calendar METHOD and SEQUENCE);
    then the member's one-click unsubscribe from the papers message stops the next one."""
    group, people = board
    headers = people["headers"]
    member = "notice.member@example.org"
    meeting = _meeting(client, group, headers, _soon(), title="Budget")
    moved = {"starts_at": _soon(11)["starts_at"], "ends_at": _soon(11)["ends_at"]}
    assert client.patch(f"/api/v1/meetings/{meeting['id']}", headers=headers, json=moved).status_code == 200
    paper(client, meeting["id"], headers, make_pdf(1, "Plan"), title="Parks plan")
    made = client.post("/api/v1/actions", headers=headers, json={
        "group_id": group.id, "meeting_id": meeting["id"], "text": "Survey the play areas",
        "owner_id": people["member"].id})
    assert made.status_code == 201, made.text
    january, march = _meeting(client, group, headers, JAN), _meeting(client, group, headers, MARCH)
    item = client.post(f"/api/v1/meetings/{january['id']}/agenda-items", headers=headers,
                       json={"title": "Budget"}).json()
    client.put(f"/api/v1/meetings/{january['id']}/minutes", headers=headers,
               json={"items": [{"agenda_item_id": item["id"], "text": "Discussed."}]})
    assert client.post(f"/api/v1/meetings/{january['id']}/minutes/approve", headers=headers,
                       json={"approved_at_meeting_id": march["id"]}).status_code == 200
    assert client.patch(f"/api/v1/meetings/{meeting['id']}", headers=headers,
                        json={"status": "cancelled", "cancel_reason": "No quorum"}).status_code == 200
    while _deliver(engine, mail_settings):
        pass

    mine = smtp_server.handler.to(member)
    kinds = ("Invitation", "Changed", "Papers published", "Action assigned to you", "Minutes approved", "Cancelled")
    by_subject = {next(k for k in kinds if m["Subject"].strip().startswith(k)): m for m in mine}
    assert set(kinds) == set(by_subject) and len(mine) == len(kinds), [m["Subject"] for m in mine]
    for received in mine:
        text, html = _parts(received)
        assert received["To"] == member and "Dear Robin Member," in text and "<html" in html.lower()
    calendar_of = {}
    for subject in ("Invitation", "Changed", "Cancelled"):
        (part,) = [p for p in by_subject[subject].iter_attachments() if p.get_content_type() == "text/calendar"]
        parsed = icalendar.Calendar.from_ical(part.get_content())
        (event,) = parsed.walk("VEVENT")
        assert str(event["UID"]) == UID.format(meeting["id"])
        calendar_of[subject] = (str(parsed["METHOD"]), int(event["SEQUENCE"]))
    assert calendar_of["Invitation"][0] == calendar_of["Changed"][0] == "REQUEST"
    assert calendar_of["Cancelled"][0] == "CANCEL"
    assert calendar_of["Invitation"][1] < calendar_of["Changed"][1] < calendar_of["Cancelled"][1]
    assert "Survey the play areas" in _parts(by_subject["Action assigned to you"])[0]
    # Members, not the outsider or the former member.
    assert not smtp_server.handler.to("notice.outsider@example.org")
    assert not smtp_server.handler.to("notice.former@example.org")

    # One click (RFC 8058) on the papers message's link: the next papers message is not sent.
    papers = by_subject["Papers published"]
    assert papers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = papers["List-Unsubscribe"].strip("<>")
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert anonymous_client.post("/" + path, data={"List-Unsubscribe": "One-Click"}).status_code < 300
    later = _meeting(client, group, headers, _soon(20))
    paper(client, later["id"], headers, make_pdf(1, "Later"), title="Later plan")
    while _deliver(engine, mail_settings):
        pass
    assert [m for m in smtp_server.handler.to(member) if "Papers published" in m["Subject"]] == [papers]
    assert [m for m in smtp_server.handler.to("notice.chair@example.org")
            if "Papers published" in m["Subject"]][1:]  # the others still told
