"""What the meetings business tells people by email: invitations (with an iCalendar REQUEST or
CANCEL) when a meeting is scheduled, changed, cancelled or reinstated; papers published; an
action assigned; minutes approved. Each message goes into the outbox (api/mail/outbox.py) in the
caller's transaction, so it is sent if and only if the change is committed, and as each person
chose (api/mail/preferences.py): immediately, held for their weekly digest, or never.

Recipients are the group's roster (seats not ended) with an email address; one person with two
seats is told once. A record that only members may see (a confidential paper) is never named to
an observer. Nothing is sent about a meeting that is already over (a record being filled in
afterwards). Each message has a dedupe key, so writing it twice sends it once. Plain functions
over a Session; they flush, never commit; recipients and their choices cost two queries per
notice, whatever the size of the group.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr
from typing import Any

from markupsafe import escape
from sqlmodel import Session, select

from api.authz import MEMBER_ROLES
from api.core.config import get_settings
from api.core.types import LONDON, today
from api.mail.outbox import enqueue
from api.mail.preferences import frequencies
from api.meetings import calendar
from api.meetings.confidentiality import document_members_only
from api.meetings.models import Action, AgendaItem, Document, Meeting, MinutesVersion
from api.registry.current import not_ended_on
from api.registry.models import Group, Membership, Stakeholder

# The page where a person chooses what they are sent (web/routes/account.py).
EMAIL_SETTINGS_PATH = "/account/email"
# Papers for a meeting that ended longer ago than this are a record being filled in: no message.
PAPERS_AFTER = timedelta(days=7)
# What a calendar must show again when it changes (meetings.py bumps SEQUENCE on these and more).
MOVING_FIELDS = ("title", "starts_at", "ends_at", "venue", "venue_kind", "online_link")


def mail_config() -> tuple[str, tuple[str, str]]:
    """The site's public address (for links) and the sender (name, address), from the settings."""
    settings = get_settings()
    base = (getattr(settings, "public_url", "") or "http://localhost:8000").rstrip("/")
    name, address = parseaddr(getattr(settings, "mail_from", "") or "no-reply@localhost")
    return base, (name or "All Together Active", address or "no-reply@localhost")


# A message, written once and rendered as plain text and as HTML -------------------------------

@dataclass
class Body:
    """Paragraphs (str), bulleted lists (list[str]) and links ((label, url)), in order."""

    blocks: list[Any] = field(default_factory=list)

    def say(self, *lines: str) -> "Body":
        self.blocks.append("\n".join(line for line in lines if line))
        return self

    def items(self, lines: Iterable[str]) -> "Body":
        found = [line for line in lines if line]
        if found:
            self.blocks.append(found)
        return self

    def link(self, label: str, url: str) -> "Body":
        self.blocks.append((label, url))
        return self

    def text(self) -> str:
        parts = []
        for block in self.blocks:
            if isinstance(block, tuple):
                parts.append(f"{block[0]}:\n{block[1]}")
            elif isinstance(block, list):
                parts.append("\n".join(f"- {line}" for line in block))
            else:
                parts.append(block)
        return "\n\n".join(parts) + "\n"

    def html(self) -> str:
        parts = []
        for block in self.blocks:
            if isinstance(block, tuple):
                parts.append(f'<p><a href="{escape(block[1])}">{escape(block[0])}</a></p>')
            elif isinstance(block, list):
                parts.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in block) + "</ul>")
            else:
                parts.append("<p>" + "<br>\n".join(str(escape(line)) for line in block.split("\n")) + "</p>")
        return ('<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8"></head>\n'
                '<body style="font-family: Arial, sans-serif; line-height: 1.5; color: #1b1b1b">\n'
                + "\n".join(parts) + "\n</body></html>\n")


@dataclass(frozen=True)
class Recipient:
    id: int
    name: str
    email: str
    sees_members_only: bool  # a member (not an observer): may be told of confidential records


@dataclass(frozen=True)
class Message:
    subject: str
    body: Body
    ics: str | None = None
    ics_method: str | None = None  # REQUEST or CANCEL, with `ics`


def _subject(text: str) -> str:
    """One line, whatever the names in it hold."""
    return " ".join(text.split())[:300]


def _footer(body: Body, base: str, why: str) -> Body:
    return body.say("—", f"{why} Choose which emails you are sent, and how often, on your Email "
                         f"settings page: {base}{EMAIL_SETTINGS_PATH}")


def _when(meeting: Meeting) -> str:
    return _between(meeting.starts_at, meeting.ends_at)


def _between(starts: datetime, ends: datetime) -> str:
    """"Tuesday 12 January 2027, 2pm to 4:30pm (UK time)"."""
    start, end = starts.astimezone(LONDON), ends.astimezone(LONDON)

    def clock(moment: datetime) -> str:
        return moment.strftime("%I:%M%p").lstrip("0").lower().replace(":00", "")
    return f"{start:%A} {start.day} {start:%B %Y}, {clock(start)} to {clock(end)} (UK time)"


def _day(moment: datetime) -> str:
    local = moment.astimezone(LONDON)
    return f"{local.day} {local:%B %Y}"


def _where(meeting: Meeting) -> str:
    return _place(meeting.venue, meeting.venue_kind)


def _place(venue: str, venue_kind: str) -> str:
    # The vocabulary's own words ("in person", "online", "hybrid"): its labels live in the web door.
    kind = venue_kind.replace("_", " ").capitalize() if venue_kind else ""
    return f"{kind}: {venue}" if venue and kind else venue or kind


def _group_label(meeting: Meeting, group: Group) -> str:
    return f"{group.name}: {meeting.title}" if meeting.title else group.name


def roster(session: Session, group_id: int) -> list[Recipient]:
    """The group's people with a seat not ended and an email address, once each, in one query."""
    rows = session.exec(select(Stakeholder.id, Stakeholder.name, Stakeholder.email, Membership.role)
                        .join(Membership, Membership.stakeholder_id == Stakeholder.id)
                        .where(Membership.group_id == group_id, not_ended_on(today()),
                               Stakeholder.email.is_not(None), Stakeholder.email != "")
                        .order_by(Stakeholder.id)).all()
    found: dict[int, Recipient] = {}
    for person_id, name, email, role in rows:
        seen = found.get(person_id)
        member = role in MEMBER_ROLES or bool(seen and seen.sees_members_only)
        found[person_id] = Recipient(person_id, name, email, member)
    return list(found.values())


def _send(session: Session, kind: str, people: list[Recipient],
          compose: Callable[[Recipient], Message | None], key: Callable[[Recipient], str]) -> int:
    """Each person's message as they chose: at once, held for the weekly digest, or not at all
    (and none when `compose` has nothing for them). How many were written."""
    if not people:
        return 0
    chosen = frequencies(session, [person.id for person in people], kind)
    written = 0
    for person in people:
        frequency = chosen[person.id]
        if frequency == "never":
            continue
        message = compose(person)
        if message is None:
            continue
        made = enqueue(session, kind=kind, to_address=person.email, subject=_subject(message.subject),
                       text_body=message.body.text(), html_body=message.body.html(), stakeholder_id=person.id,
                       ics=message.ics, ics_method=message.ics_method, dedupe_key=key(person)[:200],
                       hold=frequency == "weekly")
        written += made is not None
    return written


# Meetings --------------------------------------------------------------------------------------

def _is_over(meeting: Meeting) -> bool:
    return meeting.ends_at <= datetime.now(UTC)


def _invitation(meeting: Meeting, group: Group, person: Recipient, *, headline: str, subject: str,
                before: dict[str, Any] | None, base: str, sender: tuple[str, str]) -> Message:
    page = f"{base}/meetings/{meeting.id}"
    body = Body().say(f"Dear {person.name},").say(headline)
    if meeting.status == "cancelled":
        body.items([f"Was to be held: {_when(meeting)}", f"Where: {_where(meeting)}" if _where(meeting) else "",
                    f"Reason: {meeting.cancel_reason}" if meeting.cancel_reason else ""])
        body.say("The attached cancellation removes it from your calendar.")
    else:
        lines = [f"Meeting: {_group_label(meeting, group)}", f"When: {_when(meeting)}",
                 f"Where: {_where(meeting)}" if _where(meeting) else "",
                 f"Join online: {meeting.online_link}" if meeting.online_link else ""]
        body.items(lines)
        if before:
            was = []
            if before["starts_at"] != meeting.starts_at or before["ends_at"] != meeting.ends_at:
                was.append(f"When: {_between(before['starts_at'], before['ends_at'])}")
            old_where = _place(before["venue"], before["venue_kind"])
            if old_where != _where(meeting):
                was.append(f"Where: {old_where or 'not given'}")
            if before["title"] != meeting.title:
                was.append(f"Title: {before['title'] or 'none'}")
            if before["online_link"] != meeting.online_link:
                was.append(f"Online link: {before['online_link'] or 'none'}")
            if was:
                body.say("It was:").items(was)
        body.say("The attached invitation adds the meeting to your calendar, or updates it there.")
    body.link("The meeting's page, with its agenda and papers", page)
    _footer(body, base, f"You are sent this as a member of {group.name}.")
    ics = calendar.invitation(meeting, group, base, organizer=sender, attendee=(person.name, person.email))
    return Message(subject=subject, body=body, ics=ics,
                   ics_method="CANCEL" if meeting.status == "cancelled" else "REQUEST")


def _notify_meeting(session: Session, meeting: Meeting, *, headline: str, subject: str,
                    before: dict[str, Any] | None = None, people: list[Recipient] | None = None) -> int:
    group = session.get(Group, meeting.group_id)
    base, sender = mail_config()
    people = roster(session, meeting.group_id) if people is None else people
    return _send(session, "meeting", people,
                 lambda person: _invitation(meeting, group, person, headline=headline, subject=subject,
                                            before=before, base=base, sender=sender),
                 lambda person: f"meeting:{meeting.id}:{meeting.sequence}:{person.id}")


def meetings_scheduled(session: Session, made: list[Meeting]) -> int:
    """New meetings (one, or a series'): one invitation per meeting, since a calendar holds one
    event for each. Only meetings scheduled and still to come; the roster is read once."""
    coming = [meeting for meeting in made if meeting.status == "scheduled" and not _is_over(meeting)]
    if not coming:
        return 0
    group = session.get(Group, coming[0].group_id)
    people = roster(session, group.id)
    return sum(_notify_meeting(
        session, meeting, people=people,
        headline=f"{group.name} will meet on {_when(meeting)}.",
        subject=f"Invitation: {_group_label(meeting, group)}, {_day(meeting.starts_at)}") for meeting in coming)


def calendar_facts(meeting: Meeting) -> dict[str, Any]:
    """What a change is compared with (read before the change)."""
    return {key: getattr(meeting, key) for key in (*MOVING_FIELDS, "status")}


def meeting_changed(session: Session, meeting: Meeting, before: dict[str, Any]) -> int:
    """After a change: moved or otherwise changed (a new invitation), cancelled (a cancellation),
    reinstated (an invitation again). Not for a meeting marked held, or one already over."""
    group = session.get(Group, meeting.group_id)
    label = _group_label(meeting, group)
    if meeting.status == "cancelled" and before["status"] != "cancelled":
        if before["ends_at"] <= datetime.now(UTC):
            return 0
        return _notify_meeting(session, meeting, headline=f"The meeting of {group.name} on "
                               f"{_day(meeting.starts_at)} has been cancelled.",
                               subject=f"Cancelled: {label}, {_day(meeting.starts_at)}")
    if meeting.status != "scheduled" or _is_over(meeting):
        return 0
    if before["status"] == "cancelled":
        return _notify_meeting(session, meeting, headline=f"The meeting of {group.name} on "
                               f"{_day(meeting.starts_at)} is no longer cancelled: it will go ahead.",
                               subject=f"Reinstated: {label}, {_day(meeting.starts_at)}")
    if before["status"] == "scheduled" and any(before[key] != getattr(meeting, key) for key in MOVING_FIELDS):
        return _notify_meeting(session, meeting, before=before,
                               headline=f"The meeting of {group.name} has changed. It is now:",
                               subject=f"Changed: {label}, {_day(meeting.starts_at)}")
    return 0


# Papers ----------------------------------------------------------------------------------------

def papers_published(session: Session, meeting: Meeting) -> int:
    """A paper uploaded or replaced: the roster is told, at most once a day per meeting and
    person, with the papers there are now. An observer is told only of papers they may see (and
    nothing when there are none)."""
    if meeting.ends_at + PAPERS_AFTER <= datetime.now(UTC):
        return 0
    group = session.get(Group, meeting.group_id)
    base, _ = mail_config()
    papers = session.execute(select(Document.title, document_members_only())
                             .where(Document.meeting_id == meeting.id).order_by(Document.id)).all()
    day = today()
    page = f"{base}/meetings/{meeting.id}"

    def compose(person: Recipient) -> Message | None:
        seen = [title for title, members_only in papers if person.sees_members_only or not members_only]
        if not seen:
            return None
        body = Body().say(f"Dear {person.name},").say(
            f"Papers have been published for the meeting of {group.name} on {_when(meeting)}. "
            "The papers now are:").items(seen)
        body.link("Read them on the meeting's page", page)
        body.link("The meeting pack (all papers in one PDF)", f"{page}/pack.pdf")
        _footer(body, base, f"You are sent this as a member of {group.name}, at most once a day for a "
                            "meeting's papers: the meeting's page always has them all.")
        return Message(subject=f"Papers published for the meeting of {group.name}, {_day(meeting.starts_at)}",
                       body=body)

    return _send(session, "papers", roster(session, meeting.group_id), compose,
                 lambda person: f"papers:{meeting.id}:{day.isoformat()}:{person.id}")


# Actions ---------------------------------------------------------------------------------------

def action_assigned(session: Session, action: Action) -> int:
    """An open action given to an owner (made with one, or its owner changed): the owner, at once
    unless they chose otherwise. An owner who may not see a confidential item's records is told
    only that there is an action, not what it says."""
    if action.owner_id is None or action.status != "open":
        return 0
    owner = session.get(Stakeholder, action.owner_id)
    if owner is None or not owner.email:
        return 0
    group = session.get(Group, action.group_id)
    base, _ = mail_config()
    roles = set(session.exec(select(Membership.role).where(
        Membership.group_id == group.id, Membership.stakeholder_id == owner.id, not_ended_on(today()))).all())
    person = Recipient(owner.id, owner.name, owner.email, bool(roles & MEMBER_ROLES))
    item = session.get(AgendaItem, action.agenda_item_id) if action.agenda_item_id else None
    hidden = bool(item and item.confidential) and not person.sees_members_only
    meeting = session.get(Meeting, action.meeting_id) if action.meeting_id else None
    name = f"{group.code or group.name} action {action.number}"

    def compose(person: Recipient) -> Message:
        body = Body().say(f"Dear {person.name},").say(f"{group.name} has given you an action ({name}).")
        if hidden:
            body.say("It is on a confidential agenda item, so what it says is not repeated here.")
        else:
            text = action.text if len(action.text) <= 2000 else action.text[:2000] + "…"
            body.say(text)
        body.items([f"Due: {_day_of(action.due_date)}" if action.due_date else "No due date",
                    f"From the meeting of {_day(meeting.starts_at)}" if meeting else ""])
        body.link("The action, where you can post an update or close it", f"{base}/actions/{action.id}")
        _footer(body, base, "You are sent this because you own the action.")
        due = f", due {_day_of(action.due_date)}" if action.due_date else ""
        return Message(subject=f"Action assigned to you: {name}{due}", body=body)

    return _send(session, "action_assigned", [person], compose,
                 lambda person: f"action:{action.id}:{person.id}:{action.version}")


def _day_of(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


# Minutes ---------------------------------------------------------------------------------------

def minutes_approved(session: Session, meeting: Meeting, minutes: MinutesVersion) -> int:
    """Minutes approved: the roster, with a link to read them (approved minutes are public)."""
    group = session.get(Group, meeting.group_id)
    later = session.get(Meeting, minutes.approved_at_meeting_id) if minutes.approved_at_meeting_id else None
    base, _ = mail_config()
    page = f"{base}/meetings/{meeting.id}"

    def compose(person: Recipient) -> Message:
        at = f" at the meeting of {_day(later.starts_at)}" if later else ""
        how = f" subject to these amendments: {minutes.amendments}" if minutes.amendments else \
            " as a correct record"
        body = Body().say(f"Dear {person.name},").say(
            f"The minutes of the meeting of {group.name} on {_day(meeting.starts_at)} were approved{at}{how}.")
        body.link("Read the minutes", page)
        _footer(body, base, f"You are sent this as a member of {group.name}.")
        return Message(subject=f"Minutes approved: {group.name}, {_day(meeting.starts_at)}", body=body)

    return _send(session, "minutes_approved", roster(session, meeting.group_id), compose,
                 lambda person: f"minutes:{meeting.id}:{minutes.version}:{person.id}")
