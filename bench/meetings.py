"""Meetings benchmark: full-text search over 100,000 minute paragraphs, and the meeting detail
(20 agenda items, 40 attendees, 30 actions) as JSON (the chair's summary) and as the web page,
each against the bare constant endpoint in the same run.

    .venv/bin/python bench/meetings.py
    .venv/bin/python bench/meetings.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/meetings.py --quick
"""

import argparse
import json
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, select
from sqlmodel import Session

from api.auth import service as auth_service
from api.auth import sessions
from api.auth.models import UserAccount
from api.core.config import Settings
from api.core.migrations import upgrade
from api.core.security import hash_secret
from api.core.types import utcnow
from api.meetings.models import Action, AgendaItem, Attendance, Meeting, MinutesVersion, MinuteText
from api.registry.models import Group, Membership, Stakeholder
from api.search.models import SearchDocument
from bench.harness import SECRET, analyze, fresh_database, load, server, table

WORDS = ("activity", "inactive", "walking", "cycling", "swimming", "falls", "prevention", "strength", "balance",
         "older", "people", "children", "schools", "workplace", "wellbeing", "deprivation", "inequalities",
         "funding", "pilot", "evaluation", "place", "partnership", "leisure", "parks", "volunteers", "clinicians",
         "referral", "pathway", "mental", "health", "alcohol", "housing", "transport", "active", "travel",
         "routes", "community", "outreach", "survey", "baseline", "target", "progress", "budget", "contract",
         "procurement", "workforce", "training", "coaching", "champions", "ambassadors", "council", "hospital",
         "primary", "care", "social", "prescribing")


SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "bar", "den", "fel", "gor", "han", "jis", "kel",
             "mor", "pen", "rin", "sol", "tum")


def vocabulary(rng: random.Random, size: int = 5000) -> tuple[list[str], list[float]]:
    """The theme words plus invented ones, with Zipf-like frequencies as in real minutes: a few
    words are everywhere, most are rare."""
    invented = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(size * 2)}
    words = list(WORDS) + sorted(invented - set(WORDS))[:size]
    weights = [1 / (rank + 1) for rank in range(len(words))]
    return words, weights


def _paragraph(rng: random.Random, vocab: tuple[list[str], list[float]], words: int = 45) -> str:
    return " ".join(rng.choices(vocab[0], weights=vocab[1], k=words)).capitalize() + "."


def seed(url: str, *, paragraphs: int, rng: random.Random, vocab) -> dict:
    engine = create_engine(url)
    now = utcnow()
    stamp = {"created_at": now, "updated_at": now}
    versioned = {**stamp, "version": 1}
    items_per_meeting = 20
    meetings = max(1, paragraphs // items_per_meeting)
    groups = 50
    with engine.begin() as db:
        db.execute(insert(Group), [{"slug": f"bench-group-{g}", "name": f"Bench Group {g}", "code": f"BG{g}",
                                    "kind": "thematic", "remit": "", **versioned} for g in range(1, groups + 1)])
        db.execute(insert(Stakeholder), [{"name": f"Bench Person {n}", "initials": "BP",
                                          "email": f"bench.p{n}@example.org", **versioned} for n in range(1, 201)])
        db.execute(insert(Membership), [{"stakeholder_id": n, "group_id": 1, "role": "member" if n > 1 else "chair",
                                         "start_date": date(2022, 1, 1), **versioned} for n in range(1, 41)])
        start = datetime(2020, 1, 6, 10, tzinfo=UTC)
        db.execute(insert(Meeting), [{"group_id": 1 + m % groups, "title": "", "starts_at": start + timedelta(days=m),
                                      "ends_at": start + timedelta(days=m, hours=2), "venue_kind": "in_person",
                                      "venue": "Town Hall", "status": "held", "sequence": 0, **versioned}
                                     for m in range(meetings)])
        db.execute(insert(MinutesVersion), [{"meeting_id": m + 1, "version": 1, "status": "approved",
                                             "written_by": "bench", **stamp} for m in range(meetings)])
        items, texts, docs = [], [], []
        for m in range(meetings):
            for position in range(1, items_per_meeting + 1):
                items.append({"meeting_id": m + 1, "position": position, "ref": f"BG/{position:02d}",
                              "title": f"Item {position}", "purpose": "", "confidential": False,
                              "lead_id": rng.randint(1, 200), **versioned})
        for chunk in range(0, len(items), 20_000):
            db.execute(insert(AgendaItem), items[chunk:chunk + 20_000])
        for n in range(len(items)):
            meeting_id = n // items_per_meeting + 1
            text = _paragraph(rng, vocab)
            texts.append({"minutes_version_id": meeting_id, "agenda_item_id": n + 1, "text": text})
            docs.append({"kind": "minutes", "ref_id": n + 1, "group_id": 1 + (meeting_id - 1) % groups,
                         "meeting_id": meeting_id, "members_only": n % 10 == 0, "title": f"Minutes BG/{n % 20 + 1}",
                         "body": text, "url": f"/meetings/{meeting_id}", "updated_at": now})
        for chunk in range(0, len(texts), 20_000):
            db.execute(insert(MinuteText), texts[chunk:chunk + 20_000])
            db.execute(insert(SearchDocument), docs[chunk:chunk + 20_000])
        # The meeting the detail pages show: meeting 1 (group 1), 40 attendees, 30 actions.
        db.execute(insert(Attendance), [{"meeting_id": 1, "stakeholder_id": n, "status": rng.choice(
            ["present", "in_attendance", "apologies", "absent"]), "note": ""} for n in range(1, 41)])
        db.execute(insert(Action), [{"group_id": 1, "number": n, "meeting_id": 1, "agenda_item_id": 1 + n % 20,
                                     "text": _paragraph(rng, vocab, 12), "owner_id": rng.randint(1, 40),
                                     "status": "open", "due_date": date(2020, 3, 1), **versioned}
                                    for n in range(1, 31)])
        admin_id = db.execute(insert(UserAccount).returning(UserAccount.id), [{
            "email": "bench.admin@example.org", "password_hash": hash_secret("bench-password-1"), "is_admin": True,
            **versioned}]).scalar_one()
        member_id = db.execute(insert(UserAccount).returning(UserAccount.id), [{
            "email": "bench.p2@example.org", "password_hash": hash_secret("bench-password-1"), "stakeholder_id": 2,
            **versioned}]).scalar_one()
    settings = Settings(_env_file=None, database_url=url, secret_key=SECRET, env="test")
    with Session(engine) as session:
        admin = session.exec(select(UserAccount).where(UserAccount.id == admin_id)).scalar_one()
        member = session.exec(select(UserAccount).where(UserAccount.id == member_id)).scalar_one()
        cookie, _ = sessions.start(session, user=member)
        session.commit()
        tokens = {"admin": auth_service.user_token(settings, admin).token,
                  "member": auth_service.user_token(settings, member).token}
    engine.dispose()
    return {"meetings": meetings, "paragraphs": len(texts), "tokens": tokens, "cookie": cookie}


def run(args) -> dict:
    rng = random.Random(11)
    with fresh_database(args.database_url) as url:
        started = time.perf_counter()
        upgrade(url)
        vocab = vocabulary(rng)
        facts = seed(url, paragraphs=args.paragraphs, rng=rng, vocab=vocab)
        analyze(url)
        seeded = time.perf_counter() - started
        admin = {"Authorization": f"Bearer {facts['tokens']['admin']}"}
        member = {"Authorization": f"Bearer {facts['tokens']['member']}"}
        # Words people search for: theme words and mid-frequency ones (every query finds something).
        pool = vocab[0][:400]
        queries = [f"{rng.choice(pool)} {rng.choice(pool)}" for _ in range(200)]
        opts = {"requests": args.requests, "concurrency": args.concurrency}
        with server(url) as (base, _):
            baseline = load(base, "bare constant JSON (baseline)", lambda n: "/bench/constant", **opts)
            results = [
                baseline,
                load(base, f"GET /api/v1/search (2 words, {facts['paragraphs']:,} paragraphs, admin)",
                     lambda n: f"/api/v1/search?q={queries[n % len(queries)].replace(' ', '+')}", headers=admin,
                     **opts),
                load(base, "GET /api/v1/search (same, a member: visibility filter)",
                     lambda n: f"/api/v1/search?q={queries[n % len(queries)].replace(' ', '+')}", headers=member,
                     **opts),
                load(base, "GET /api/v1/search (one word, as you type)",
                     lambda n: f"/api/v1/search?q={queries[n % len(queries)][:4]}", headers=member, **opts),
                load(base, "GET /api/v1/search (the commonest word: ranks most rows)",
                     lambda n: f"/api/v1/search?q={vocab[0][0]}", headers=member, **opts),
                load(base, "GET /api/v1/meetings/{id}/summary (20 items, 40 attendees, 30 actions)",
                     lambda n: "/api/v1/meetings/1/summary", headers=member, **opts),
                load(base, "GET /meetings/{id} web page (same meeting)", lambda n: "/meetings/1",
                     headers={"Cookie": f"ata_session={facts['cookie']}"}, **opts),
            ]
    return {"database": "postgresql" if "postgresql" in url else "sqlite", "meetings": facts["meetings"],
            "vocabulary": len(vocab[0]),
            "paragraphs": facts["paragraphs"], "seed_and_migrate_seconds": round(seeded, 1),
            "table": table(results, baseline), "errors": sum(r.errors for r in results)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="a PostgreSQL server URL; default: a temporary SQLite file")
    parser.add_argument("--paragraphs", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.quick:
        args.paragraphs, args.requests = 2_000, 80
    report = run(args)
    print(f"## Meetings benchmark ({report['database']}, {report['paragraphs']:,} minute paragraphs of 45 words "
          f"from a {report['vocabulary']:,}-word Zipf vocabulary in {report['meetings']:,} meetings; "
          f"seed+migrate {report['seed_and_migrate_seconds']} s)\n")
    print(report["table"])
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
