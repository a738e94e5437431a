"""The load test: a mixed workload against N instances x 2 workers on PostgreSQL (not in CI).

    make load                                 # 120 s against 2 instances, then 1
    .venv-bench/bin/python bench/load.py --quick   # 15 s each, a smoke run

A fresh database gets the demo data set, 50 reader and 5 officer accounts; then, for each
instance count, `ata serve --workers 2` instances start on free ports and locust runs
bench/locustfile.py headless against them (users spread round-robin over the instances).
Printed per run: the load average before it, requests/s, p50/p95/p99 per named request and
failures; at the end the scaling ratio (throughput with the most instances ÷ with one).
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, SECRET, analyze, free_port, fresh_database, wait_ready

PASSWORD = "bench-password-" + "p" * 16
COUNTS = {"readers": 50, "officers": 5, "partners": 3}
OFFICER_ROLES = ("chair", "vice_chair", "secretary")
# Users start at 2 a second (all 58 within 30 s): each begins by signing in, and a password check
# is deliberately slow (argon2), so a faster start measures a sign-in storm, not the mix.
SPAWN_RATE = 2


def server_env(url: str) -> dict[str, str]:
    """One configuration for every instance: the same secret and Redis budgets, limits above
    what the bench sends, no mail worker, no drain wait on stop."""
    return {**os.environ, "ATA_DATABASE_URL": url, "ATA_ENV": "demo", "ATA_DEMO_PASSWORD": PASSWORD,
            "ATA_SECRET_KEY": SECRET, "ATA_REDIS_URL": "redis://127.0.0.1:6379/13", "ATA_MAIL_WORKER": "false",
            "ATA_SHUTDOWN_DRAIN_SECONDS": "0", "ATA_CLIENT_RATE_LIMIT": "1000000",
            "ATA_LOGIN_MAX_FAILURES_PER_ACCOUNT": "1000", "ATA_LOGIN_MAX_FAILURES_PER_ADDRESS": "10000",
            "PYTHONPATH": str(ROOT)}


def ata(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "api.cli", *args], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def build_plan(url: str) -> dict:
    """Accounts made through the services, and what the users will ask for, read off the demo data."""
    from sqlalchemy import func
    from sqlmodel import Session, create_engine, select

    from api.auth import service as auth_service
    from api.auth.models import UserAccount
    from api.authz import SYSTEM_SUBJECT
    from api.core.types import utcnow
    from api.demo.data import PARTNER_CLIENT_ID
    from api.indicators.models import IndicatorValue
    from api.meetings.models import Meeting, MinuteText
    from api.registry.models import Group, Membership, Stakeholder

    engine = create_engine(url)
    with Session(engine) as db:
        taken = set(db.exec(select(UserAccount.stakeholder_id)).all())
        seats = db.exec(select(Membership).where(Membership.end_date.is_(None),
                                                 Membership.role.in_(OFFICER_ROLES))).all()
        now = utcnow()
        officers, seen = [], set()
        for seat in sorted(seats, key=lambda s: (s.group_id, s.id)):
            person = db.get(Stakeholder, seat.stakeholder_id)
            if person.email and person.id not in taken and person.id not in seen:
                officers.append((person, seat.group_id))
                seen.add(person.id)
            if len(officers) == COUNTS["officers"]:
                break
        # Seats in group order, so some officers share a group and their minutes can race.
        officers = [(person, group_id, _started_meetings(db, group_id, now)) for person, group_id in officers]
        people = db.exec(select(Stakeholder).where(Stakeholder.email.is_not(None)).order_by(Stakeholder.id)).all()
        readers = [p for p in people if p.id not in taken and p.id not in seen][:COUNTS["readers"]]
        for person in [o[0] for o in officers] + readers:
            auth_service.create_user(db, actor=SYSTEM_SUBJECT, data={
                "email": person.email, "stakeholder_id": person.id, "password": PASSWORD})
        plan_officers = []
        for person, group_id, meetings in officers:
            members = db.exec(select(Membership.stakeholder_id).where(Membership.group_id == group_id,
                                                                      Membership.end_date.is_(None))).all()
            plan_officers.append({"email": person.email, "group_id": group_id,
                                  "meetings": meetings, "members": sorted(set(members))})
        texts = db.exec(select(MinuteText.text).where(func.length(MinuteText.text) > 40).limit(50)).all()
        words = sorted({w.strip(".,;:()").lower() for t in texts for w in t.split() if len(w.strip(".,;:()")) >= 7
                        and w.strip(".,;:()").isalpha()})[:40] or ["activity"]
        data = db.exec(select(IndicatorValue.indicator_id, IndicatorValue.area_code, IndicatorValue.period)
                       .distinct().limit(300)).all()
        plan = {
            "password": PASSWORD, "counts": COUNTS, "client_id": PARTNER_CLIENT_ID, "client_secret": PASSWORD,
            "readers": [p.email for p in readers], "officers": plan_officers,
            "groups": list(db.exec(select(Group.slug)).all()),
            "meetings": list(db.exec(select(Meeting.id).where(Meeting.status != "cancelled")).all()),
            "words": words,
            "data": [{"indicator": i, "area": a, "period": p} for i, a, p in data],
        }
        db.commit()
    engine.dispose()
    return plan


def _started_meetings(db, group_id: int, now) -> list[dict]:
    """The group's latest started, uncancelled meetings that have agenda items (to minute). The
    demo has such a meeting in one group only; the others get one, held two days ago."""
    from datetime import timedelta

    from sqlmodel import select

    from api.access import GroupAccess
    from api.authz import SYSTEM_SUBJECT
    from api.meetings import meetings as meeting_service
    from api.meetings.models import AgendaItem, Meeting
    from api.registry.models import Group

    started = db.exec(select(Meeting.id).where(Meeting.group_id == group_id, Meeting.starts_at < now,
                                               Meeting.status != "cancelled")
                      .order_by(Meeting.starts_at.desc()).limit(4)).all()
    meetings = [{"id": m, "items": list(db.exec(select(AgendaItem.id).where(AgendaItem.meeting_id == m)
                                                .order_by(AgendaItem.position)).all())} for m in started]
    meetings = [m for m in meetings if m["items"]]
    if not meetings:
        group = db.get(Group, group_id)
        starts = (now - timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
        made = meeting_service.create_meeting(
            db, access=GroupAccess(subject=SYSTEM_SUBJECT, group_id=group_id, roles=frozenset()), group=group,
            data={"starts_at": starts, "ends_at": starts + timedelta(hours=2), "venue_kind": "online",
                  "status": "held", "use_template": True}, notify=False)
        items = db.exec(select(AgendaItem.id).where(AgendaItem.meeting_id == made.id)
                        .order_by(AgendaItem.position)).all()
        meetings = [{"id": made.id, "items": list(items)}]
    return meetings


def visible(plan: dict, host: str) -> None:
    """Keep only the groups and meetings a signed-in stakeholder may open (some are confidential)."""
    import re

    import httpx

    with httpx.Client(base_url=host, timeout=30) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        client.post("/login", data={"email": plan["readers"][0], "password": PASSWORD, "next": "/",
                                    "csrf_token": token})
        plan["groups"] = [g for g in plan["groups"] if client.get(f"/groups/{g}").status_code == 200]
        plan["meetings"] = [m for m in plan["meetings"][:60]
                            if client.get(f"/meetings/{m}").status_code == 200
                            and client.get(f"/meetings/{m}/summary").status_code == 200]


@contextmanager
def instances(count: int, env: dict[str, str]) -> Iterator[list[str]]:
    """`count` instances of `ata serve --workers 2`, each on a free port; yields their base URLs."""
    with ExitStack() as stack:
        hosts = []
        for _ in range(count):
            port = free_port()
            process = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--workers", "2",
                                        "--port", str(port), "--log-level", "warning"], env=env, cwd=ROOT)
            stack.callback(_stop, process)
            hosts.append(f"http://127.0.0.1:{port}")
            wait_ready(hosts[-1], process, seconds=120)
        yield hosts


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def parse_stats(path: Path) -> list[dict]:
    """Locust's `<prefix>_stats.csv`: one row per named request plus "Aggregated" (last)."""
    rows = []
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            name = row["Name"] if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
            rows.append({"name": name, "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                         "rps": float(row["Requests/s"]), "p50": row["50%"], "p95": row["95%"],
                         "p99": row["99%"]})
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| request | count | req/s | p50 ms | p95 ms | p99 ms | failures |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        name = "**all**" if r["name"] == "Aggregated" else f"`{r['name']}`"
        lines.append(f"| {name} | {r['requests']} | {r['rps']:.1f} | {r['p50']} | {r['p95']} | {r['p99']} | "
                     f"{r['failures']} |")
    return "\n".join(lines)


def run_locust(plan_path: Path, prefix: Path, seconds: int, env: dict[str, str], think: float) -> None:
    users = sum(COUNTS.values())
    subprocess.run([sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
                    "--headless", "-u", str(users), "-r", str(SPAWN_RATE), "-t", f"{seconds}s", "--csv", str(prefix),
                    "--only-summary", "--stop-timeout", "5", "--loglevel", "WARNING"],
                   env={**env, "BENCH_PLAN": str(plan_path), "BENCH_THINK": str(think)}, cwd=ROOT, check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=120, help="seconds per run (default 120)")
    parser.add_argument("--quick", action="store_true", help="15 s per run, a smoke test")
    parser.add_argument("--think", type=float, default=1.0,
                        help="think time factor: 1 as people (1-3 s, partners 0.2-1 s), 0 back to back (capacity)")
    parser.add_argument("--instances", default="2,1", help="instance counts to run, in order (default 2,1)")
    parser.add_argument("--database-url", default=os.environ.get(
        "ATA_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    seconds = 15 if args.quick else args.duration
    counts = [int(n) for n in args.instances.split(",")]
    totals: dict[int, float] = {}
    with fresh_database(args.database_url) as url, tempfile.TemporaryDirectory(prefix="ata-load-") as tmp:
        env = server_env(url)
        ata(env, "db", "upgrade")
        ata(env, "demo", "load")
        plan = build_plan(url)
        analyze(url)
        for n in counts:
            with instances(n, env) as hosts:
                if n == counts[0]:
                    visible(plan, hosts[0])
                    print(f"plan: {len(plan['readers'])} readers; officers' groups "
                          f"{[o['group_id'] for o in plan['officers']]}; {len(plan['groups'])} groups and "
                          f"{len(plan['meetings'])} meetings readable; {len(plan['data'])} data queries", flush=True)
                plan_path = Path(tmp) / f"plan-{n}.json"
                plan_path.write_text(json.dumps({**plan, "hosts": hosts}))
                load = os.getloadavg()
                print(f"\n## {n} instance(s) x 2 workers, {seconds} s, {sum(COUNTS.values())} users, "
                      f"think x{args.think:g} "
                      f"({datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average before: "
                      f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} cores)\n", flush=True)
                run_locust(plan_path, Path(tmp) / f"run{n}", seconds, env, args.think)
            rows = parse_stats(Path(tmp) / f"run{n}_stats.csv")
            print(table(rows), flush=True)
            totals[n] = rows[-1]["rps"]
    if 1 in totals and len(totals) > 1:
        most = max(totals)
        print(f"\nscaling: {most} instances {totals[most]:.1f} req/s ÷ 1 instance {totals[1]:.1f} req/s = "
              f"{totals[most] / totals[1]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
