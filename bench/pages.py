"""Pages benchmark: My dashboard, a group page and a meeting page at ten times the demo data set,
as full web pages served by uvicorn, p50 and p95 against the bare constant endpoint measured at
the start and at the end of the run; and the number of SQL queries each page makes at the demo
size and at ten times, which must be the same.

    .venv/bin/python bench/pages.py
    .venv/bin/python bench/pages.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/pages.py --quick

The data: the real demo (api/demo/loader.py), then `scale - 1` more demo-sized portions added
with bulk inserts (`grow`): organisations, people, memberships spread over the groups as the
demo's are, meetings in every group (past and upcoming) with agenda, attendance, minutes,
decisions and actions, contributions and Place updates; one meeting with 20 items, 40 attendees
and 30 actions in the largest group; and the demo member (member@example.org), who signs in,
gains seats in more groups and dozens of open actions. Every name is invented.
"""

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from sqlalchemy import Engine, create_engine, event, func, insert, or_, select
from sqlmodel import Session

from api.core.migrations import upgrade
from api.core.types import today, utcnow
from api.demo import data
from api.demo.loader import load_demo
from api.meetings.models import (
    Action,
    ActionUpdate,
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    MinutesVersion,
    MinuteText,
)
from api.outcomes.models import Contribution, PlaceUpdate
from api.outcomes.schemas import CONTRIBUTION_KINDS, PLAN_STATUSES
from api.registry.models import Group, Membership, Organisation, Stakeholder
from api.registry.schemas import SECTORS
from bench.harness import SECRET, Result, analyze, fresh_database, load, server

PASSWORD = "demo-password-1"  # noqa: S105 (the demo's published password)
PERSON_EMAIL = data.MEMBER_EMAIL  # the demo's member: a seat on two groups, more as the data grows
# One demo's worth, added per unit of scale (the demo has no contributions; these are invented).
ORGANISATIONS, PEOPLE, MEMBERSHIPS, CONTRIBUTIONS = 75, 135, 211, 30
PAST_MEETINGS, UPCOMING_MEETINGS = 3, 1  # per group and unit
ITEMS, ATTENDEES, DECISIONS, ACTIONS = 8, 12, 2, 3  # per past meeting
PERSON_GROUPS = ("AW", "SW", "WF", "EWG")  # one more seat per unit for the signed-in person
PERSON_ACTIONS = 5  # open actions the person is given per unit
BIG_MEETING = {"items": 20, "attendees": 40, "actions": 30, "decisions": 4}
BIG_TITLE = "Annual review"  # made once, in the last portion added (when the group is fullest)

FIRST = ("Ada", "Bram", "Cleo", "Dev", "Elin", "Farid", "Greta", "Hal", "Isla", "Jory", "Kemi", "Lorcan", "Mina",
         "Nico", "Odile", "Pip", "Quill", "Rosa", "Seb", "Tamsin", "Ugo", "Vera", "Wren", "Yusuf", "Zara")
LAST = ("Ashcombe", "Birtle", "Crompley", "Dunmore", "Elsworth", "Fairhurst", "Gadsby", "Hensall", "Illston",
        "Jeavons", "Kettering", "Lumsden", "Marbury", "Nettleton", "Oxley", "Pendlebury", "Quarmby", "Rudyard",
        "Sowerby", "Thackray", "Upholland", "Varley", "Winstanley", "Yeadon")
TOWNS = ("Ashbrook", "Millford", "Kettleby", "Oakhurst", "Fernley", "Stonebridge", "Hollowmere", "Brackenfield",
         "Larkhill", "Wetherden", "Copperdale", "Rushmere")
ORG_KINDS = ("Community Sports Trust", "Walking Club", "Leisure Trust", "Primary Care Network", "Youth Network",
             "Wellbeing Collective", "Cycling Hub", "Friends of the Park", "Housing Association", "Carers Centre")
JOBS = ("Project Officer", "Community Development Worker", "Physical Activity Lead", "Public Health Manager",
        "Volunteer Coordinator", "Clinical Lead", "Head of Service", "Partnership Manager", "Policy Officer")
TOPICS = ("Welcome and apologies", "Declarations of interest", "Minutes and matters arising", "Action log",
          "Place updates", "Active travel routes", "Strength and balance offer", "Workforce training",
          "Evaluation framework", "Funding and contracts", "Schools and young people", "Falls prevention",
          "Green spaces", "Volunteer programme", "Data and insight", "Communications plan", "Risk register",
          "Forward plan", "Any other business", "Review of the meeting")
WORDS = ("members", "agreed", "noted", "partners", "progress", "walking", "cycling", "older", "people", "funding",
         "pilot", "referrals", "schools", "parks", "volunteers", "report", "update", "plan", "target", "Place",
         "inactive", "strength", "balance", "survey", "training", "leisure", "community", "evaluation")
PLACES = data.PLACES


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choices(WORDS, k=words)).capitalize() + "."


def _initials(name: str) -> str:
    return "".join(part[0] for part in name.split())[:10]


def _current(on: date):
    return (Membership.start_date <= on) & or_(Membership.end_date.is_(None), Membership.end_date > on)


def load_demo_data(engine: Engine) -> None:
    """The real demo data set, through its loader (the services, audited), committed."""
    with Session(engine) as session:
        load_demo(session, password=PASSWORD)
        session.commit()


def _ids(db, model, rows: list[dict]) -> list[int]:
    """Bulk insert; the new ids in the order of `rows` (no explicit ids: PostgreSQL's sequences stay right)."""
    if not rows:
        return []
    return list(db.execute(insert(model).returning(model.id, sort_by_parameter_order=True), rows).scalars())


def _insert(db, model, rows: list[dict]) -> None:
    if rows:
        db.execute(insert(model), rows)


def grow(engine: Engine, units: int, *, rng: random.Random) -> None:
    """Add `units` more demo-sized portions of data with bulk inserts (SQLAlchemy Core: the
    services' per-row checks and audit would take minutes). Additive: call it again for more."""
    if units < 1:
        return
    now, on = utcnow(), today()
    stamp = {"created_at": now, "updated_at": now}
    versioned = {**stamp, "version": 1}
    with engine.begin() as db:
        done = db.execute(select(func.count()).select_from(Stakeholder)
                          .where(Stakeholder.email.like("bench.%"))).scalar_one() // PEOPLE
        groups = db.execute(select(Group.id, Group.code).order_by(Group.id)).all()
        code_of = {g.id: g.code or f"G{g.id}" for g in groups}
        by_code = {g.code: g.id for g in groups}
        person = db.execute(select(Stakeholder.id).where(Stakeholder.email == PERSON_EMAIL)).scalar_one()
        # Memberships follow the demo's spread: big thematic groups, small Place groups.
        weights = dict(db.execute(select(Membership.group_id, func.count()).group_by(Membership.group_id)).all())
        group_ids = [g.id for g in groups]
        group_weights = [weights.get(g, 1) for g in group_ids]
        for unit in range(done + 1, done + units + 1):
            org_ids = _ids(db, Organisation, [
                {"name": f"{rng.choice(TOWNS)} {rng.choice(ORG_KINDS)} {unit:02d}{n:02d}",
                 "sector": SECTORS[n % len(SECTORS)], "place_code": rng.choice(PLACES), **versioned}
                for n in range(ORGANISATIONS)])
            names = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(PEOPLE)]
            people = _ids(db, Stakeholder, [
                {"name": name, "initials": _initials(name), "email": f"bench.u{unit}.p{n}@example.org",
                 "job_title": rng.choice(JOBS), "organisation_id": rng.choice(org_ids),
                 "place_code": rng.choice(PLACES), **versioned} for n, name in enumerate(names)])
            seats, taken = [], set()
            for n in range(MEMBERSHIPS):
                stakeholder = people[n % PEOPLE]
                group = rng.choices(group_ids, weights=group_weights)[0]
                while (stakeholder, group) in taken:
                    group = rng.choice(group_ids)
                taken.add((stakeholder, group))
                start = date(2022, 1, 3) + timedelta(days=rng.randint(0, 900))
                ended = rng.random() < 0.15
                seats.append({"stakeholder_id": stakeholder, "group_id": group,
                              "role": "observer" if rng.random() < 0.08 else "member", "start_date": start,
                              "end_date": start + timedelta(days=rng.randint(120, 400)) if ended else None,
                              **versioned})
            extra_seat = by_code.get(PERSON_GROUPS[unit - 1]) if unit <= len(PERSON_GROUPS) else None
            if extra_seat is not None and not db.execute(select(Membership.id).where(
                    Membership.stakeholder_id == person, Membership.group_id == extra_seat,
                    Membership.end_date.is_(None))).first():
                seats.append({"stakeholder_id": person, "group_id": extra_seat,
                              "role": "member", "start_date": date(2024, 1, 8), "end_date": None, **versioned})
            _insert(db, Membership, seats)
            members: dict[int, list[int]] = {}
            for group_id, stakeholder_id in db.execute(select(Membership.group_id, Membership.stakeholder_id)
                                                       .where(_current(on)).order_by(Membership.id)):
                members.setdefault(group_id, []).append(stakeholder_id)
            if unit == done + units and not db.execute(select(Meeting.id).where(Meeting.title == BIG_TITLE)).first():
                _big_meeting(db, rng, members, person, code_of, now=now, versioned=versioned)
            _meetings(db, rng, unit, members, person, code_of, now=now, versioned=versioned)
            _insert(db, Contribution, [
                {"stakeholder_id": person if n < 4 else rng.choice(people), "group_id": None,
                 "place_code": rng.choice(PLACES), "kind": rng.choice(CONTRIBUTION_KINDS),
                 "description": _sentence(rng, 10), "contributed_on": on - timedelta(days=rng.randint(1, 700)),
                 "people_reached": rng.randint(0, 400), "hours": rng.randint(1, 40) / 2, "created_at": now}
                for n in range(CONTRIBUTIONS)])
            # Earlier quarters for every Place (the demo has 2023-Q1 to 2024-Q2).
            quarters = [f"{2022 - q // 4}-Q{4 - q % 4}" for q in range((unit - 1) * 6, unit * 6)]
            _insert(db, PlaceUpdate, [
                {"place_code": place, "period": period, "plan_status": rng.choice(PLAN_STATUSES),
                 "narrative": f"Synthetic bench update for {period}: not a real report.",
                 "people_reached": rng.randint(500, 5000), "people_more_active": rng.randint(100, 1500),
                 **versioned} for place in PLACES for period in quarters])


class _Numbers:
    """Action numbers are per group, sequential and never reused."""

    def __init__(self, db) -> None:
        self.last = dict(db.execute(select(Action.group_id, func.max(Action.number)).group_by(Action.group_id)).all())

    def next(self, group_id: int) -> int:
        self.last[group_id] = self.last.get(group_id, 0) + 1
        return self.last[group_id]


def _meeting_rows(db, rng, *, group_id: int, code: str, starts: datetime, held: bool, items: int,
                  attendees: list[int], versioned: dict, title: str = "") -> tuple[int, list[int]]:
    meeting_id = _ids(db, Meeting, [{
        "group_id": group_id, "title": title, "starts_at": starts, "ends_at": starts + timedelta(hours=2),
        "venue_kind": rng.choice(("in_person", "online", "hybrid")), "venue": f"{rng.choice(TOWNS)} Town Hall",
        "status": "held" if held else "scheduled", "sequence": 0, **versioned}])[0]
    topics = list(TOPICS[:3]) + rng.sample(TOPICS[3:-2], min(items - 5, len(TOPICS) - 5)) + list(TOPICS[-2:])
    topics = (topics + [f"Item {n}" for n in range(len(topics), items)])[:items]
    item_ids = _ids(db, AgendaItem, [
        {"meeting_id": meeting_id, "position": n, "ref": f"{code}/{starts:%m}/{starts:%y}/{n:02d}",
         "title": title, "purpose": rng.choice(("For information", "For discussion", "For decision")),
         "lead_id": rng.choice(attendees) if attendees and n % 3 == 0 else None, "confidential": n == items - 3,
         **versioned} for n, title in enumerate(topics, start=1)])
    if attendees:
        _insert(db, Attendance, [
            {"meeting_id": meeting_id, "stakeholder_id": who, "note": "",
             "status": rng.choices(("present", "in_attendance", "apologies", "absent"), weights=(7, 1, 2, 1))[0]}
            for who in attendees])
    return meeting_id, item_ids


def _past_business(db, rng, numbers: _Numbers, *, group_id: int, meeting_id: int, item_ids: list[int],
                   starts: datetime, attendees: list[int], draft: bool, decisions: int, actions: int,
                   now: datetime, versioned: dict) -> None:
    stamp = {"created_at": now, "updated_at": now}
    version_id = _ids(db, MinutesVersion, [{
        "meeting_id": meeting_id, "version": 1, "status": "draft" if draft else "approved",
        "approved_at": None if draft else starts + timedelta(days=30), "written_by": "bench", **stamp}])[0]
    _insert(db, MinuteText, [{"minutes_version_id": version_id, "agenda_item_id": item,
                                     "text": _sentence(rng, 40)} for item in item_ids])
    _insert(db, Decision, [
        {"group_id": group_id, "meeting_id": meeting_id, "agenda_item_id": rng.choice(item_ids),
         "text": _sentence(rng, 15), "decided_on": starts.date(), "created_at": now} for _ in range(decisions)])
    recent = now - starts < timedelta(days=100)
    rows = []
    for n in range(actions):
        closed = not recent and n % 4 != 0
        rows.append({"group_id": group_id, "number": numbers.next(group_id), "meeting_id": meeting_id,
                     "agenda_item_id": rng.choice(item_ids), "text": _sentence(rng, 12),
                     "owner_id": rng.choice(attendees) if attendees else None,
                     "due_date": starts.date() + timedelta(days=28), "status": "closed" if closed else "open",
                     "closed_on": starts.date() + timedelta(days=25) if closed else None, **versioned})
    action_ids = _ids(db, Action, rows)
    _insert(db, ActionUpdate, [
        {"action_id": action_id, "noted_on": row["closed_on"], "text": "Done.", "author_id": row["owner_id"],
         "created_at": now} for action_id, row in zip(action_ids, rows, strict=True) if row["status"] == "closed"])


def _largest_of(counts: dict[int, int], person_in: set[int]) -> int:
    """The group with the most current members of those the person sits on."""
    return max(person_in, key=lambda g: (counts.get(g, 0), -g))


def _big_meeting(db, rng, members, person: int, code_of, *, now: datetime, versioned: dict) -> None:
    """The meeting page measured: 20 items, 40 attendees (the person among them), 30 actions,
    ten days ago, in the largest of the person's groups."""
    group_id = _largest_of({g: len(m) for g, m in members.items()}, {g for g, m in members.items() if person in m})
    others = [m for m in members[group_id] if m != person]
    attendees = [person, *rng.sample(others, min(len(others), BIG_MEETING["attendees"] - 1))]
    starts = (now - timedelta(days=10)).replace(hour=14, minute=0, second=0, microsecond=0)
    meeting_id, item_ids = _meeting_rows(db, rng, group_id=group_id, code=code_of[group_id], starts=starts, held=True,
                                         items=BIG_MEETING["items"], attendees=attendees, versioned=versioned,
                                         title=BIG_TITLE)
    _past_business(db, rng, _Numbers(db), group_id=group_id, meeting_id=meeting_id, item_ids=item_ids,
                   starts=starts, attendees=attendees, draft=False, decisions=BIG_MEETING["decisions"],
                   actions=BIG_MEETING["actions"], now=now, versioned=versioned)


def _meetings(db, rng, unit: int, members, person: int, code_of, *, now: datetime, versioned: dict) -> None:
    """Every group: past meetings (minutes, decisions, actions; the newest minutes still draft)
    and upcoming ones (an agenda), a month apart; the person's open actions in one of their groups."""
    numbers = _Numbers(db)
    mine = sorted(g for g, people in members.items() if person in people)
    for offset, group_id in enumerate(sorted(code_of)):
        people = members.get(group_id, [])
        hour = 9 + offset % 8
        latest = None
        for k in range(PAST_MEETINGS):
            starts = (now - timedelta(days=14 + 30 * ((unit - 1) * PAST_MEETINGS + k))).replace(
                hour=hour, minute=0, second=0, microsecond=0)
            attendees = rng.sample(people, min(len(people), ATTENDEES))
            meeting_id, item_ids = _meeting_rows(db, rng, group_id=group_id, code=code_of[group_id], starts=starts,
                                                 held=True, items=ITEMS, attendees=attendees, versioned=versioned)
            _past_business(db, rng, numbers, group_id=group_id, meeting_id=meeting_id, item_ids=item_ids,
                           starts=starts, attendees=attendees, draft=unit == 1 and k == 0, decisions=DECISIONS,
                           actions=ACTIONS, now=now, versioned=versioned)
            latest = latest or (meeting_id, item_ids)
        for k in range(UPCOMING_MEETINGS):
            starts = (now + timedelta(days=7 + 30 * ((unit - 1) * UPCOMING_MEETINGS + k))).replace(
                hour=hour, minute=0, second=0, microsecond=0)
            _meeting_rows(db, rng, group_id=group_id, code=code_of[group_id], starts=starts, held=False, items=ITEMS,
                          attendees=[], versioned=versioned)
        if mine and group_id == mine[unit % len(mine)] and latest is not None:
            # Open actions for the signed-in person: some overdue, some not yet due.
            _insert(db, Action, [
                {"group_id": group_id, "number": numbers.next(group_id), "meeting_id": latest[0],
                 "agenda_item_id": rng.choice(latest[1]), "text": _sentence(rng, 12), "owner_id": person,
                 "due_date": now.date() + timedelta(days=rng.randint(-30, 60)), "status": "open", **versioned}
                for _ in range(PERSON_ACTIONS)])


# What is measured ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Targets:
    """The pages measured, and how much each shows."""

    person_email: str
    group_slug: str
    meeting_id: int
    sizes: dict

    def pages(self) -> list[tuple[str, str]]:
        return [("My dashboard", "/"), ("group page", f"/groups/{self.group_slug}"),
                ("meeting page", f"/meetings/{self.meeting_id}")]


def targets(engine: Engine) -> Targets:
    """The signed-in person, the group with the most current members of those they sit on (so
    its page shows what members see), and the meeting with the most agenda items, attendees and
    actions."""
    on = today()
    with engine.connect() as db:
        person = db.execute(select(Stakeholder.id).where(Stakeholder.email == PERSON_EMAIL)).scalar_one()
        counts = dict(db.execute(select(Membership.group_id, func.count()).where(_current(on))
                                 .group_by(Membership.group_id)).all())
        person_in = set(db.execute(select(Membership.group_id).where(Membership.stakeholder_id == person,
                                                                      _current(on))).scalars())
        group_id = _largest_of(counts, person_in)
        slug = db.execute(select(Group.slug).where(Group.id == group_id)).scalar_one()
        per_meeting: dict[int, dict[str, int]] = {}
        for label, model in (("items", AgendaItem), ("attendees", Attendance), ("actions", Action)):
            for meeting_id, n in db.execute(select(model.meeting_id, func.count()).where(model.meeting_id.is_not(None))
                                            .group_by(model.meeting_id)):
                per_meeting.setdefault(meeting_id, {"items": 0, "attendees": 0, "actions": 0})[label] = n
        meeting_id = max(per_meeting, key=lambda m: (sum(per_meeting[m].values()), -m))
        group_meetings = db.execute(select(func.count()).select_from(Meeting)
                                    .where(Meeting.group_id == group_id)).scalar_one()
        person_actions = db.execute(select(func.count()).select_from(Action)
                                    .where(Action.owner_id == person, Action.status == "open")).scalar_one()
        totals = {label: db.execute(select(func.count()).select_from(model)).scalar_one() for label, model in (
            ("organisations", Organisation), ("people", Stakeholder), ("memberships", Membership),
            ("meetings", Meeting), ("agenda items", AgendaItem), ("actions", Action),
            ("contributions", Contribution), ("Place updates", PlaceUpdate))}
    return Targets(PERSON_EMAIL, slug, meeting_id, {
        "totals": totals, "person_groups": len(person_in), "person_open_actions": person_actions,
        "group_current_members": counts[group_id], "group_meetings": group_meetings,
        "meeting": per_meeting[meeting_id]})


def build(url: str, scale: int, *, seed: int = 19) -> Targets:
    """Migrate, load the demo, grow it to `scale` times, ANALYZE; the pages to measure."""
    upgrade(url)
    engine = create_engine(url)
    try:
        load_demo_data(engine)
        grow(engine, scale - 1, rng=random.Random(seed))
        analyze(url)
        return targets(engine)
    finally:
        engine.dispose()


def sign_in(client, email: str, password: str = PASSWORD) -> str:
    """Through the real sign-in form (its CSRF nonce too); returns the session cookie's value.
    `client` is an httpx.Client or a Starlette TestClient."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]*)"', page.text)
    assert token, "no csrf_token on the sign-in page"
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token.group(1),
                                           "next": "/"}, follow_redirects=False)
    if response.status_code != 303 or "ata_session" not in response.cookies:
        raise RuntimeError(f"sign-in failed: {response.status_code}")
    return response.cookies["ata_session"]


def page_statements(client, engine: Engine, paths: list[tuple[str, str]]) -> dict[str, list[str]]:
    """The SQL statements each page runs, caught on the engine of an in-process app (on the
    second request of each, so one-off caches do not count); `client` is signed in."""
    caught: dict[str, list[str]] = {}
    for label, path in paths:
        # Not following redirects: a 200 is the page itself, never the sign-in form.
        assert client.get(path, follow_redirects=False).status_code == 200, path
        statements: list[str] = []

        def _before(conn, cursor, statement, *args, _into=statements) -> None:
            _into.append(statement)

        event.listen(engine, "before_cursor_execute", _before)
        try:
            response = client.get(path, follow_redirects=False)
        finally:
            event.remove(engine, "before_cursor_execute", _before)
        assert response.status_code == 200, path
        caught[label] = statements
    return caught


def shape(statement: str) -> str:
    """A statement with its IN lists folded (`IN (?, ?)` and `IN (?)` are the same query)."""
    return re.sub(r"\s+", " ", re.sub(r"\bIN \((?:[^()]|\(\w+\))*\)", "IN (...)", statement)).strip()


def statements_in_process(url: str, found: Targets) -> dict[str, list[str]]:
    from fastapi.testclient import TestClient

    from api.core.config import Settings
    from api.main import create_app

    app = create_app(Settings(_env_file=None, database_url=url, secret_key=SECRET, env="test"))
    try:
        with TestClient(app) as client:
            sign_in(client, found.person_email)
            return page_statements(client, app.state.engine, found.pages())
    finally:
        app.state.engine.dispose()


def _extra(more: list[str], fewer: list[str]) -> list[str]:
    """The statement shapes `more` runs beyond `fewer`."""
    return sorted((Counter(map(shape, more)) - Counter(map(shape, fewer))).elements())


# The run -------------------------------------------------------------------------------------------

def _table(results: list[Result], bare_p50: float, bare_p95: float) -> str:
    lines = ["| page | req/s | server ms/request | p50 ms | p95 ms | p50 ÷ bare p50 | p95 ÷ bare p95 | errors |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        p95 = r.percentile(95)
        lines.append(f"| {r.name} | {r.rps:,.0f} | {1000 / r.rps:.1f} | {r.p50:.1f} | {p95:.1f} | "
                     f"{r.p50 / bare_p50:.1f} | {p95 / bare_p95:.1f} | {r.errors} |")
    return "\n".join(lines)


def run(args) -> dict:
    started = time.perf_counter()
    counted: dict[str, dict[str, list[str]]] = {}
    for scale in (1, 2):  # the demo as loaded, and grown once: small, quick, and what the test compares
        with fresh_database(args.database_url) as url:
            counted[f"{scale}x"] = statements_in_process(url, build(url, scale))
    with fresh_database(args.database_url) as url:
        found = build(url, args.scale)
        seeded = time.perf_counter() - started
        counted[f"{args.scale}x"] = statements_in_process(url, found)
        opts = {"requests": args.requests, "concurrency": args.concurrency}
        with server(url) as (base, _):
            with httpx.Client(base_url=base) as client:
                cookie = {"Cookie": f"ata_session={sign_in(client, found.person_email)}"}
            first = load(base, "bare constant JSON (baseline, start)", lambda n: "/bench/constant", **opts)
            pages = [load(base, f"GET {path} ({label}, full page)", lambda n, p=path: p, headers=cookie, **opts)
                     for label, path in found.pages()]
            last = load(base, "bare constant JSON (baseline, end)", lambda n: "/bench/constant", **opts)
    bare_p50, bare_p95 = (first.p50 + last.p50) / 2, (first.percentile(95) + last.percentile(95)) / 2
    results = [first, *pages, last]
    labels = [label for label, _ in found.pages()]
    small, grown, scaled = (counted[k] for k in ("1x", "2x", f"{args.scale}x"))
    # Growing the data must not change what any page runs. From the demo as loaded, the count may
    # grow only by the statement that fetches the shown actions' notes, which is skipped when a
    # page shows no action at all (the demo member owns none; the group measured at 1x has none open).
    def notes_added(p: str) -> int:
        return sum("FROM action_update" in s for s in _extra(grown[p], small[p]))

    constant = all(not _extra(scaled[p], grown[p]) and not _extra(grown[p], scaled[p])
                   and len(grown[p]) - len(small[p]) == notes_added(p) for p in labels)
    return {
        "database": "postgresql" if "postgresql" in url else "sqlite", "scale": args.scale,
        "requests": args.requests, "concurrency": args.concurrency, "sizes": found.sizes,
        "seed_seconds": round(seeded, 1), "table": _table(results, bare_p50, bare_p95),
        "bare_mean": {"p50_ms": round(bare_p50, 2), "p95_ms": round(bare_p95, 2)},
        "pages": {label: {"p50_ms": round(r.p50, 2), "p95_ms": round(r.percentile(95), 2),
                          "p50_ratio": round(r.p50 / bare_p50, 2), "p95_ratio": round(r.percentile(95) / bare_p95, 2),
                          "queries": {k: len(v[label]) for k, v in counted.items()},
                          "notes_query_added_after_demo": bool(notes_added(label))}
                  for label, r in zip(labels, pages, strict=True)},
        "constant_queries": constant,
        "errors": sum(r.errors for r in results),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="a PostgreSQL server URL (fresh databases are made on it); "
                                               "default: temporary SQLite files")
    parser.add_argument("--scale", type=int, default=10, help="times the demo data set (default 10)")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="twice the demo, few requests: a smoke run")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.quick:
        args.scale, args.requests = 2, 60
    report = run(args)
    sizes = report["sizes"]
    meeting = sizes["meeting"]
    print(f"## Pages benchmark ({report['database']}, {report['scale']}x the demo data set, "
          f"{report['requests']} requests at concurrency {report['concurrency']} after 40 warm-up)\n")
    print("data: " + ", ".join(f"{n:,} {label}" for label, n in sizes["totals"].items()))
    print(f"My dashboard: a person with current seats on {sizes['person_groups']} groups and "
          f"{sizes['person_open_actions']} open actions; group page: {sizes['group_current_members']} current "
          f"members, {sizes['group_meetings']} meetings; meeting page: {meeting['items']} agenda items, "
          f"{meeting['attendees']} attendees, {meeting['actions']} actions\n")
    print(report["table"])
    bare = report["bare_mean"]
    print(f"\nratios are against the mean of the two baselines: p50 {bare['p50_ms']} ms, p95 {bare['p95_ms']} ms\n")
    print(f"| page | SQL queries at 1x (the demo) | at 2x | at {report['scale']}x |")
    print("|---|---:|---:|---:|")
    for label, page in report["pages"].items():
        note = " (+1: the actions' notes, skipped at 1x where the page shows no action)" if page[
            "notes_query_added_after_demo"] else ""
        print(f"| {label} | {page['queries']['1x']} | {page['queries']['2x']}{note} | "
              f"{page['queries'][str(report['scale']) + 'x']} |")
    print(f"\nconstant number of queries: {'yes' if report['constant_queries'] else 'NO'}; "
          f"seed, migrate and ANALYZE: {report['seed_seconds']} s; errors (non-200): {report['errors']}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))
    return 1 if report["errors"] or not report["constant_queries"] else 0


if __name__ == "__main__":
    sys.exit(main())
