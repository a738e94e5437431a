"""iCalendar (RFC 5545) feeds of meetings, and the secret links calendar apps use for them.

Calendar apps cannot send bearer tokens, so a person's feeds are reachable with `?token=`: an
HMAC of their account id and feed generation under the secret key. Nothing is stored; a reset
bumps the generation, and every old link stops working.
"""

import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlmodel import Session, select

from api.audit import service as audit
from api.auth.models import UserAccount
from api.authz import Subject
from api.core.config import Settings
from api.core.schemas import MAX_ID
from api.core.security import constant_time_equals
from api.meetings.models import AgendaItem, Meeting
from api.registry.models import Group

PRODID = "-//All Together Active//Stakeholder Dashboard//EN"


def feed_token(settings: Settings, user: UserAccount) -> str:
    mac = hmac.new(settings.secret_key.encode(), f"feed:{user.id}:{user.feed_generation}".encode(), hashlib.sha256)
    return f"{user.id}.{mac.hexdigest()[:40]}"


def reset_feed_token(session: Session, settings: Settings, *, actor: Subject, user: UserAccount) -> str:
    """A new secret link for the person's feeds: every old one stops working at once. Both doors
    call this (the API's POST /me/calendar/reset and the My account page)."""
    user.feed_generation += 1
    session.flush()
    audit.record(session, actor=actor, action="calendar.reset", entity_type="user", entity_id=user.id)
    return feed_token(settings, user)


def user_for_feed_token(session: Session, settings: Settings, token: str) -> UserAccount | None:
    user_id, _, _ = token.partition(".")
    # ASCII digits naming a possible row only: fullwidth digits are digits to Python, and a larger
    # id than the column holds is an error on PostgreSQL.
    if not (user_id.isascii() and user_id.isdigit()) or len(token) > 80 or not 1 <= int(user_id) <= MAX_ID:
        return None
    user = session.get(UserAccount, int(user_id))
    if user is None or not user.is_active:
        return None
    return user if constant_time_equals(feed_token(settings, user), token) else None


# Every line break, a bare CR included (some calendar apps end a line there), becomes the TEXT
# escape \n; it must never reach the feed raw, or a title could start a property of its own.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# RFC 5545 allows no other control character in a value except HTAB.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks escaped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _CONTROL.sub("", _LINE_BREAK.sub(r"\\n", text))


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts, start = [], 0
    while start < len(raw):
        end = min(start + (75 if not parts else 74), len(raw))
        while end < len(raw) and (raw[end] & 0xC0) == 0x80:  # never split a UTF-8 character
            end -= 1
        parts.append(raw[start:end].decode())
        start = end
    return "\r\n ".join(parts)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


# Stable whatever address the feed was fetched from, so calendars never see duplicates.
UID_DOMAIN = "stakeholder-dashboard.all-together-active"


# A URI value (the online link) is not TEXT: nothing is escaped, so anything that could end the
# line or the value is refused outright (the schema allows only http(s) links without spaces).
_NOT_IN_URI = re.compile(r"[\x00-\x20\x7f]")


def _uri(value: str) -> str | None:
    return value if value.lower().startswith(("https://", "http://")) and not _NOT_IN_URI.search(value) else None


def _description(meeting: Meeting, items: list[str], page: str) -> str:
    """What a calendar shows under the event: why it was cancelled, how to join, the items
    planned so far, and where the meeting's page is."""
    parts = []
    if meeting.status == "cancelled":
        parts.append(f"Cancelled: {meeting.cancel_reason}" if meeting.cancel_reason else "Cancelled.")
    link = _uri(meeting.online_link)
    if link:
        parts.append(f"Join online: {link}")
    if items:
        parts.append("Agenda (as planned so far):\n" + "\n".join(items))
    parts.append(f"Meeting page: {page}")
    return "\n\n".join(parts)


def _event(meeting: Meeting, group: Group, base_url: str, items: list[str] | None = None, *,
           stamp: datetime | None = None, people: Iterable[str] = ()) -> list[str]:
    """One VEVENT. `stamp`: when this copy was made (an invitation's DTSTAMP; a feed's is the
    meeting's last change); `people`: ORGANIZER and ATTENDEE lines, for an invitation."""
    summary = f"{group.name}: {meeting.title}" if meeting.title else group.name
    if meeting.status == "cancelled":
        summary = f"Cancelled: {summary}"
    venue = meeting.venue or {"online": "Online", "hybrid": "Hybrid"}.get(meeting.venue_kind, "")
    page = f"{base_url.rstrip('/')}/meetings/{meeting.id}"
    link = _uri(meeting.online_link)
    return [
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.id}@{UID_DOMAIN}",
        f"DTSTAMP:{_utc(stamp or meeting.updated_at or meeting.created_at)}",
        f"DTSTART:{_utc(meeting.starts_at)}",
        f"DTEND:{_utc(meeting.ends_at)}",
        f"SEQUENCE:{meeting.sequence}",
        f"STATUS:{'CANCELLED' if meeting.status == 'cancelled' else 'CONFIRMED'}",
        f"SUMMARY:{_escape(summary)}",
        *([f"LOCATION:{_escape(venue)}"] if venue else []),
        f"DESCRIPTION:{_escape(_description(meeting, items or [], page))}",
        # The link to join, where a calendar app offers it (RFC 5545 URL; RFC 7986 CONFERENCE).
        f"URL:{link or page}",
        *([f"CONFERENCE;VALUE=URI;FEATURE=VIDEO:{link}"] if link else []),
        *people,
        "END:VEVENT",
    ]


def render(name: str, rows: Iterable[tuple[Meeting, Group]], base_url: str,
           items: dict[int, list[str]] | None = None) -> str:
    """`items`: each meeting's planned agenda lines (planned_items), shown in its description."""
    items = items or {}
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{_escape(name)}"]
    for meeting, group in rows:
        lines.extend(_event(meeting, group, base_url, items.get(meeting.id)))
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


# A parameter value (RFC 5545 3.2) is always quoted here, so it may hold anything but a double
# quote or a control character; an address in a mailto: URI holds no space or control character.
_NOT_IN_PARAM = re.compile(r'["\x00-\x1f\x7f]')
_MAILTO = re.compile(r"^[^\s\x00-\x1f\x7f<>\"]+@[^\s\x00-\x1f\x7f<>\"]+$")


def _person(prop: str, name: str, address: str, extra: str = "") -> list[str]:
    """An ORGANIZER or ATTENDEE line; none when `address` could not be a plain email address."""
    if not _MAILTO.match(address):
        return []
    cn = _NOT_IN_PARAM.sub("", name).strip()
    params = f';CN="{cn}"' if cn else ""
    return [f"{prop}{params}{extra}:mailto:{address}"]


def invitation(meeting: Meeting, group: Group, base_url: str, *, organizer: tuple[str, str],
               attendee: tuple[str, str], items: list[str] | None = None, stamp: datetime | None = None) -> str:
    """One meeting as an iTIP message (RFC 5546) for one person: METHOD:REQUEST (scheduled or
    changed) or METHOD:CANCEL (a cancelled meeting, STATUS:CANCELLED). Its UID and SEQUENCE are
    the feeds' (`_event`), so a calendar app updates the one event whichever way it came.
    `organizer` and `attendee` are (name, address). Replies are not asked for (RSVP=FALSE): the
    organizer is the service's own address."""
    method = "CANCEL" if meeting.status == "cancelled" else "REQUEST"
    people = [*_person("ORGANIZER", *organizer),
              *_person("ATTENDEE", *attendee, ";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE")]
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", f"METHOD:{method}",
             *_event(meeting, group, base_url, items, stamp=stamp or datetime.now(UTC), people=people),
             "END:VCALENDAR"]
    return "".join(_fold(line) + "\r\n" for line in lines)


def planned_items(session: Session, group_ids: Iterable[int]) -> dict[int, list[str]]:
    """The agenda items of the groups' meetings as "REF Title" lines by meeting, in order, in one
    query. Never the confidential ones: a feed is read by anyone with the link and copied into
    calendar apps and the devices they sync to, outside the group's control."""
    ids = list(group_ids)
    if not ids:
        return {}
    stmt = (select(AgendaItem.meeting_id, AgendaItem.ref, AgendaItem.title)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(Meeting.group_id.in_(ids), AgendaItem.confidential.is_(False))
            .order_by(AgendaItem.meeting_id, AgendaItem.position, AgendaItem.id))
    found: dict[int, list[str]] = {}
    for meeting_id, ref, title in session.exec(stmt).all():
        found.setdefault(meeting_id, []).append(f"{ref} {title}".strip())
    return found


def group_meetings(session: Session, group_id: int) -> list[tuple[Meeting, Group]]:
    stmt = select(Meeting, Group).join(Group, Group.id == Meeting.group_id).where(Meeting.group_id == group_id)
    return list(session.exec(stmt.order_by(Meeting.starts_at)).all())


def my_meetings(session: Session, group_ids: Iterable[int]) -> list[tuple[Meeting, Group]]:
    ids = list(group_ids)
    if not ids:
        return []
    stmt = select(Meeting, Group).join(Group, Group.id == Meeting.group_id).where(Meeting.group_id.in_(ids))
    return list(session.exec(stmt.order_by(Meeting.starts_at)).all())
