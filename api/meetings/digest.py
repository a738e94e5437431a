"""The weekly digest: one message a week to each person with something in it.

What goes in: their open actions due within 7 days or overdue (unless they chose "never" for
the action digest), and the messages they chose to have weekly (held in the outbox as "held";
those are included whatever they chose for the action digest). The messages included become
"digested". Each digest's dedupe key names the person and the ISO week, so that one is written
once a week however often this runs and however many workers run it.

It runs from the sender's loop (`weekly_digest_job`): the first time it is called at or after
Monday 07:00 London time in a week, and not again that week once any digest has been written.
"""

import html
import os
import re
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, select

from api.core.config import Settings
from api.core.types import LONDON
from api.mail import outbox, preferences
from api.mail.models import OutboxMessage
from api.mail.unsubscribe import public_url
from api.meetings.models import Action
from api.registry.models import Group, Stakeholder

KIND = "action_digest"
DUE_WITHIN = timedelta(days=7)
SENDS_AT = time(7, 0)  # Monday, London time
_LINK = re.compile(r"https?://[^\s<>\"']+")


def week_of(now: datetime) -> str:
    year, week, _ = now.astimezone(LONDON).isocalendar()
    return f"{year}-W{week:02d}"


def dedupe_key(person_id: int, now: datetime) -> str:
    return f"digest:{person_id}:{week_of(now)}"


def _first_link(text: str) -> str | None:
    """The first link in a held message (to its meeting, minutes or papers), not its unsubscribe link."""
    for found in _LINK.findall(text):
        if "/mail/unsubscribe" not in found:
            return found.rstrip(".,;)")
    return None


def _actions_due(session: Session, on: date) -> dict[int, list[tuple[Action, Group]]]:
    rows = session.exec(
        select(Action, Group).join(Group, Group.id == Action.group_id)
        .where(Action.status == "open", Action.owner_id.is_not(None), Action.due_date.is_not(None),
               Action.due_date <= on + DUE_WITHIN)
        .order_by(Action.due_date, Group.name, Action.number)).all()
    found: dict[int, list[tuple[Action, Group]]] = defaultdict(list)
    for action, group in rows:
        found[action.owner_id].append((action, group))
    return found


def _held(session: Session) -> dict[int, list[OutboxMessage]]:
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.status == "held",
                                                    OutboxMessage.stakeholder_id.is_not(None))
                        .order_by(OutboxMessage.id)).all()
    found: dict[int, list[OutboxMessage]] = defaultdict(list)
    for message in rows:
        found[message.stakeholder_id].append(message)
    return found


def _compose(base: str, on: date, actions: list[tuple[Action, Group]], held: list[OutboxMessage]
             ) -> tuple[str, str, str]:
    """Subject, plain text and HTML."""
    parts = []
    if actions:
        parts.append(f"{len(actions)} action{'s' if len(actions) != 1 else ''} due")
    if held:
        parts.append(f"{len(held)} update{'s' if len(held) != 1 else ''}")
    subject = "Your week: " + " and ".join(parts)
    text = ["Your weekly summary from the All Together Active dashboard.", ""]
    markup = ["<p>Your weekly summary from the All Together Active dashboard.</p>"]
    if actions:
        text += ["Your actions due within 7 days or overdue:", ""]
        markup += ["<h2>Your actions due within 7 days or overdue</h2>", "<ul>"]
        for action, group in actions:
            overdue = action.due_date < on
            day = action.due_date
            due = f"{'Overdue: was due' if overdue else 'Due'} {day:%A} {day.day} {day:%B %Y}"
            link = f"{base}/actions/{action.id}"
            text += [f"- {group.name} action {action.number}: {action.text}", f"  {due}", f"  {link}", ""]
            markup.append(
                f'<li><a href="{html.escape(link)}">{html.escape(group.name)} action {action.number}</a>: '
                f"{html.escape(action.text)}<br>{'<strong>' if overdue else ''}{html.escape(due)}"
                f"{'</strong>' if overdue else ''}</li>")
        markup.append("</ul>")
    if held:
        text += ["Updates you chose to have weekly:", ""]
        markup += ["<h2>Updates you chose to have weekly</h2>", "<ul>"]
        for message in held:
            link = _first_link(message.text_body)
            text += [f"- {message.subject}"] + ([f"  {link}"] if link else []) + [""]
            markup.append(f'<li><a href="{html.escape(link)}">{html.escape(message.subject)}</a></li>' if link
                          else f"<li>{html.escape(message.subject)}</li>")
        markup.append("</ul>")
    settings_link = f"{base}/account/email"
    text += [f"Choose what you are sent, and how often, in your Email settings: {settings_link}"]
    markup.append(f'<p>Choose what you are sent, and how often, in your '
                  f'<a href="{html.escape(settings_link)}">Email settings</a>.</p>')
    return subject, "\n".join(text) + "\n", "\n".join(markup)


def _public_url_from_environment() -> str:
    """ATA_PUBLIC_URL, read without building Settings (which would make a secret file when
    ATA_SECRET_KEY is unset): the sender's periodic jobs are given a session, not settings."""
    return os.environ.get("ATA_PUBLIC_URL") or Settings.model_fields["public_url"].default


def write_weekly_digests(session: Session, now: datetime, settings: Settings | None = None) -> int:
    """Write this week's digest for everyone with something in it (in the caller's
    transaction); returns how many were written. A person who has one this week already is
    skipped, and their held messages wait for next week's."""
    base = (public_url(settings) if settings else _public_url_from_environment()).rstrip("/")
    on = now.astimezone(LONDON).date()
    actions = _actions_due(session, on)
    held = _held(session)
    people = set(held) | set(actions)
    if not people:
        return 0
    wanted = preferences.frequencies(session, set(actions), KIND)
    actions = {person: rows for person, rows in actions.items() if wanted.get(person) != "never"}
    emails = dict(session.exec(select(Stakeholder.id, Stakeholder.email).where(
        Stakeholder.id.in_(set(held) | set(actions)))).all())
    written = 0
    for person in sorted(set(held) | set(actions)):
        theirs, waiting = actions.get(person, []), held.get(person, [])
        address = emails.get(person) or (waiting[-1].to_address if waiting else None)
        if not address or not (theirs or waiting):
            continue
        subject, text, markup = _compose(base, on, theirs, waiting)
        message = outbox.enqueue(session, kind=KIND, to_address=address, subject=subject, text_body=text,
                                 html_body=markup, stakeholder_id=person, dedupe_key=dedupe_key(person, now))
        if message is None:
            continue  # written this week already (here, or by another worker)
        for included in waiting:
            included.status = "digested"
            session.add(included)
        written += 1
    session.flush()
    return written


def due(session: Session, now: datetime) -> bool:
    """Whether this week's digests are still to be written: at or after Monday 07:00 London
    time, and no digest written yet this ISO week."""
    local = now.astimezone(LONDON)
    if local.isoweekday() == 1 and local.time() < SENDS_AT:
        return False
    return session.exec(select(OutboxMessage.id).where(
        OutboxMessage.kind == KIND, OutboxMessage.dedupe_key.like(f"digest:%:{week_of(now)}"))).first() is None


def weekly_digest_job(session: Session, now: datetime) -> int:
    """The periodic job the mail sender runs every round (api/mail/sender.py commits it): this
    week's digests, if they are due. Links use ATA_PUBLIC_URL."""
    return write_weekly_digests(session, now) if due(session, now) else 0
