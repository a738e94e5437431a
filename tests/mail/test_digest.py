"""The weekly digest: actions due within 7 days or overdue, and the messages a person chose to
have weekly, in one message a week, read from a real SMTP server."""

from datetime import UTC, date, datetime

from sqlmodel import Session, select

from api.mail import outbox, preferences
from api.mail.models import OutboxMessage
from api.mail.sender import Sender
from api.meetings import digest
from api.meetings.models import Action
from tests import factories

# Monday 7 December 2026, 08:00 in London (GMT): ISO week 2026-W50.
MONDAY = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
TODAY = date(2026, 12, 7)


def _action(session, group, number, owner, due, text, status="open"):
    action = Action(group_id=group.id, number=number, text=text, owner_id=owner.id if owner else None,
                    due_date=due, status=status)
    session.add(action)
    session.flush()
    return action


def _arrange(session):
    group = factories.group(session, name="Falls Prevention Group")
    pat = factories.stakeholder(session, name="Pat Digest", email="pat.digest@example.org")
    other = factories.stakeholder(session, name="Sam Other", email="sam.other@example.org")
    soon = _action(session, group, 1, pat, date(2026, 12, 10), "Map strength and balance classes")
    late = _action(session, group, 2, pat, date(2026, 11, 30), "Send the survey to partners")
    _action(session, group, 3, pat, date(2026, 12, 20), "Far away, not yet")
    _action(session, group, 4, pat, date(2026, 12, 1), "Closed already", status="closed")
    _action(session, group, 5, pat, None, "No due date")
    _action(session, group, 6, other, date(2026, 12, 8), "Someone else's")
    held = outbox.enqueue(session, kind="papers", to_address=pat.email, stakeholder_id=pat.id, hold=True,
                          subject="Papers for the Falls Prevention Group, 9 December",
                          text_body="The papers are ready: https://ata.example.org/meetings/7/papers\n\n"
                                    "Unsubscribe: https://ata.example.org/mail/unsubscribe?token=x")
    session.commit()
    return group, pat, other, soon, late, held


def _digests(session):
    return session.exec(select(OutboxMessage).where(OutboxMessage.kind == "action_digest")
                        .order_by(OutboxMessage.stakeholder_id)).all()


def test_digest_lists_actions_due_soon_and_overdue_and_held_messages(session, mail_settings):
    _, pat, other, soon, late, held = _arrange(session)
    assert digest.write_weekly_digests(session, MONDAY, mail_settings) == 2
    session.commit()
    mine, theirs = _digests(session)
    assert (mine.stakeholder_id, mine.to_address, mine.status) == (pat.id, pat.email, "pending")
    assert mine.dedupe_key == f"digest:{pat.id}:2026-W50"
    assert mine.subject == "Your week: 2 actions due and 1 update"
    text = mine.text_body
    assert "Falls Prevention Group action 1: Map strength and balance classes" in text
    assert "Due Thursday 10 December 2026" in text
    assert "Falls Prevention Group action 2: Send the survey to partners" in text
    assert "Overdue: was due Monday 30 November 2026" in text
    assert f"https://ata.example.org/actions/{soon.id}" in text and f"https://ata.example.org/actions/{late.id}" in text
    assert text.index("action 2:") < text.index("action 1:")  # soonest due first
    for absent in ("Far away", "Closed already", "No due date", "Someone else's"):
        assert absent not in text
    assert "Papers for the Falls Prevention Group, 9 December" in text
    assert "https://ata.example.org/meetings/7/papers" in text and "token=x" not in text
    assert "<strong>Overdue: was due Monday 30 November 2026</strong>" in mine.html_body
    assert '<a href="https://ata.example.org/meetings/7/papers">' in mine.html_body
    assert "Someone else's" in theirs.text_body and theirs.to_address == other.email
    session.refresh(held)
    assert held.status == "digested"


def test_once_a_week_however_often_and_from_however_many_sessions(session, engine, mail_settings):
    _, pat, _, _, _, _ = _arrange(session)
    assert digest.write_weekly_digests(session, MONDAY, mail_settings) == 2
    assert digest.write_weekly_digests(session, MONDAY, mail_settings) == 0
    session.commit()
    with Session(engine) as another:
        assert digest.write_weekly_digests(another, MONDAY.replace(day=11, hour=16), mail_settings) == 0
        another.commit()
    # A message held after this week's digest waits for next week's.
    outbox.enqueue(session, kind="minutes_approved", to_address=pat.email, stakeholder_id=pat.id, hold=True,
                   subject="Minutes approved", text_body="See https://ata.example.org/meetings/7/minutes")
    session.commit()
    assert digest.write_weekly_digests(session, MONDAY, mail_settings) == 0
    assert digest.write_weekly_digests(session, MONDAY.replace(day=14), mail_settings) == 2
    session.commit()
    assert [d.dedupe_key for d in _digests(session) if d.stakeholder_id == pat.id] == [
        f"digest:{pat.id}:2026-W50", f"digest:{pat.id}:2026-W51"]
    assert session.exec(select(OutboxMessage).where(OutboxMessage.status == "held")).all() == []


def test_never_means_no_action_digest_but_weekly_messages_still_come(session, mail_settings):
    _, pat, other, _, _, _ = _arrange(session)
    preferences.set_preference(session, pat.id, "action_digest", "never")
    preferences.set_preference(session, other.id, "action_digest", "never")
    session.commit()
    assert digest.write_weekly_digests(session, MONDAY, mail_settings) == 1
    [mine] = _digests(session)
    assert mine.stakeholder_id == pat.id and mine.subject == "Your week: 1 update"
    assert "action 1" not in mine.text_body and "Papers for the Falls Prevention Group" in mine.text_body


def test_the_job_runs_from_monday_morning_once(session, engine, mail_settings):
    _arrange(session)
    assert not digest.due(session, MONDAY.replace(hour=6, minute=59))  # 06:59 in London
    assert digest.due(session, MONDAY)
    assert digest.weekly_digest_job(session, MONDAY) == 2
    session.commit()
    assert not digest.due(session, MONDAY.replace(day=9))
    assert digest.weekly_digest_job(session, MONDAY.replace(day=9)) == 0


def test_the_digest_arrives_by_smtp_with_both_parts(session, engine, mail_settings, smtp_server):
    _, pat, _, _, _, _ = _arrange(session)
    sender = Sender(engine, mail_settings, periodic=[lambda s, now: digest.write_weekly_digests(s, MONDAY,
                                                                                               mail_settings)])
    sender.run_periodic()
    assert Sender(engine, mail_settings, periodic=[]).run_once() == 2
    [message] = smtp_server.handler.to(pat.email)
    assert message["Subject"] == "Your week: 2 actions due and 1 update"
    assert "Map strength and balance classes" in message.get_body(("plain",)).get_content()
    assert "<strong>Overdue" in message.get_body(("html",)).get_content()
    assert message["List-Unsubscribe"].startswith("<https://ata.example.org/mail/unsubscribe?token=")
