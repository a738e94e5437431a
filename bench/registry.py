"""Registry benchmark: a scale data set (10,000 stakeholders, 500 groups, 50,000 memberships),
the real service under uvicorn, and the registry's list endpoints measured against a bare
constant endpoint in the same run. Also the cost of authentication: the same Places query with
and without a bearer token.

    .venv/bin/python bench/registry.py                        # SQLite
    .venv/bin/python bench/registry.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/registry.py --quick                # a smoke run
"""

import argparse
import json
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from sqlalchemy import create_engine, insert

from api.core.migrations import upgrade
from api.core.types import utcnow
from api.registry.models import Group, Membership, Organisation, Stakeholder
from api.registry.schemas import SECTORS
from bench.harness import admin_token, analyze, fresh_database, load, rss_kib, server, table

PLACES = ["E06000049", "E06000050", "E06000007", "E06000006", "E08000011", "E08000012", "E08000014",
          "E08000013", "E08000015"]
FIRST = ["Alex", "Sam", "Jo", "Chris", "Pat", "Robin", "Jamie", "Morgan", "Taylor", "Casey", "Riley", "Jordan"]
LAST = ["Ashby", "Brook", "Carver", "Dale", "Eames", "Fenwick", "Garside", "Hale", "Ibbot", "Jessop", "Kirkby"]


def seed(url: str, *, stakeholders: int, groups: int, memberships: int, rng: random.Random) -> None:
    """Bulk inserts through SQLAlchemy Core (the services' per-row checks would take minutes)."""
    engine = create_engine(url)
    now = utcnow()
    stamp = {"created_at": now, "updated_at": now, "version": 1}
    with engine.begin() as db:
        db.execute(insert(Organisation), [
            {"name": f"Bench Organisation {n}", "sector": SECTORS[n % len(SECTORS)], "place_code": PLACES[n % 9],
             **stamp} for n in range(1, 201)])
        db.execute(insert(Stakeholder), [
            {"name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {n}", "initials": "XX",
             "email": f"bench.person{n}@example.org", "organisation_id": rng.randint(1, 200),
             "place_code": rng.choice(PLACES), **stamp} for n in range(1, stakeholders + 1)])
        rows = []
        for n in range(1, groups + 1):
            parent = None if n <= 5 else rng.randint(1, max(1, min(n - 1, 50)))
            rows.append({"slug": f"bench-group-{n}", "name": f"Bench Group {n}", "code": f"BG{n}",
                         "kind": "board" if n <= 5 else rng.choice(["thematic", "working", "place"]),
                         "remit": "", "parent_id": parent, **stamp})
        db.execute(insert(Group), rows)
        seats, pairs = [], set()
        while len(seats) < memberships:
            pair = (rng.randint(1, stakeholders), rng.randint(1, groups))
            if pair in pairs:
                continue
            pairs.add(pair)
            start = date(2022, 1, 1) + timedelta(days=rng.randint(0, 900))
            ended = rng.random() < 0.15
            seats.append({"stakeholder_id": pair[0], "group_id": pair[1],
                          "role": "chair" if rng.random() < 0.02 else "member", "start_date": start,
                          "end_date": start + timedelta(days=300) if ended else None, **stamp})
        for chunk in range(0, len(seats), 10_000):
            db.execute(insert(Membership), seats[chunk:chunk + 10_000])
    engine.dispose()


def _pages_deep(base: str, headers: dict[str, str], depth: int) -> list[str]:
    """Cursor paths `depth` pages into the stakeholder list (keyset pages cost the same deep down)."""
    paths, cursor = [], None
    with httpx.Client(base_url=base, headers=headers) as client:
        for _ in range(depth):
            params = {"limit": 50, **({"cursor": cursor} if cursor else {})}
            paths.append(client.build_request("GET", "/api/v1/stakeholders", params=params).url.raw_path.decode())
            cursor = client.get("/api/v1/stakeholders", params=params).json()["next_cursor"]
    return paths


def run(args) -> dict:
    rng = random.Random(7)
    with fresh_database(args.database_url) as url:
        started = time.perf_counter()
        upgrade(url)
        seed(url, stakeholders=args.stakeholders, groups=args.groups, memberships=args.memberships, rng=rng)
        analyze(url)
        seeded = time.perf_counter() - started
        auth = {"Authorization": f"Bearer {admin_token(url)}"}
        with server(url) as (base, process):
            deep = _pages_deep(base, auth, 20)
            groups_with_members = list(range(1, args.groups + 1))
            opts = {"requests": args.requests, "concurrency": args.concurrency}
            baseline = load(base, "bare constant JSON (baseline)", lambda n: "/bench/constant", **opts)
            results = [
                baseline,
                load(base, "GET /api/v1/stakeholders?limit=50", lambda n: "/api/v1/stakeholders?limit=50",
                     headers=auth, **opts),
                load(base, "GET /api/v1/stakeholders?limit=50 (pages 1-20 by cursor)", lambda n: deep[n % len(deep)],
                     headers=auth, **opts),
                load(base, "GET /api/v1/stakeholders?group_id=…", lambda n: f"/api/v1/stakeholders?group_id="
                     f"{groups_with_members[n % len(groups_with_members)]}", headers=auth, **opts),
                load(base, "GET /api/v1/groups/{id}/memberships", lambda n: f"/api/v1/groups/"
                     f"{groups_with_members[n % len(groups_with_members)]}/memberships", headers=auth, **opts),
                load(base, "GET /api/v1/stakeholders/{id}", lambda n: f"/api/v1/stakeholders/{1 + n % 10_000}",
                     headers=auth, **opts),
            ]
            open_places = load(base, "places, no authentication (bench only)", lambda n: "/bench/places-open", **opts)
            authed_places = load(base, "GET /api/v1/places (bearer token)", lambda n: "/api/v1/places", headers=auth,
                                 **opts)
            results += [open_places, authed_places]
            export_started = time.perf_counter()
            with httpx.stream("GET", f"{base}/api/v1/export/popolo", headers=auth, timeout=300) as response:
                size = sum(len(chunk) for chunk in response.iter_bytes())
            export_seconds = time.perf_counter() - export_started
            peak = rss_kib(process.pid)
    report = {
        "database": "postgresql" if "postgresql" in url else "sqlite",
        "data": {"stakeholders": args.stakeholders, "groups": args.groups, "memberships": args.memberships},
        "seed_and_migrate_seconds": round(seeded, 1),
        "table": table(results, baseline),
        "auth_overhead_p50_ratio": round(authed_places.p50 / open_places.p50, 2),
        "auth_overhead_throughput_ratio": round(authed_places.rps / open_places.rps, 2),
        "popolo_export": {"bytes": size, "seconds": round(export_seconds, 2),
                          "server_peak_rss_mib": round(peak / 1024, 1) if peak else None},
        "errors": sum(r.errors for r in results),
    }
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="a PostgreSQL server URL (a fresh database is made on it); "
                                               "default: a temporary SQLite file")
    parser.add_argument("--stakeholders", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=500)
    parser.add_argument("--memberships", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.quick:
        args.stakeholders, args.groups, args.memberships, args.requests = 500, 40, 1500, 100
    report = run(args)
    print(f"## Registry benchmark ({report['database']}, {report['data']})\n")
    print(report["table"])
    print(f"\nauthentication overhead (places with token ÷ without): p50 x{report['auth_overhead_p50_ratio']}, "
          f"throughput x{report['auth_overhead_throughput_ratio']}")
    export = report["popolo_export"]
    print(f"popolo export: {export['bytes']:,} bytes in {export['seconds']} s; "
          f"server peak RSS {export['server_peak_rss_mib']} MiB; seed+migrate {report['seed_and_migrate_seconds']} s")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
