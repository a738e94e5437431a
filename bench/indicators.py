"""Indicator-data benchmark: the same synthetic values (1,000,000 by default) in the service and
in a SQLite file served by Datasette 0.65 with the same indexes, driven alternately by the same
load generator, beside the bare constant endpoint measured at the start and the end.

    .venv/bin/python bench/indicators.py                  # SQLite, 1,000,000 values
    .venv/bin/python bench/indicators.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/indicators.py --quick          # 20,000 values, a smoke run

Datasette is installed on first use into `.bench-venv-datasette/` (its own virtualenv, so its
pins never meet ours). Measured: (a) one indicator, one area, all periods; (b) one indicator,
all areas, one period; (c) one indicator's whole CSV, streamed, with the server's memory.
Before timing, one request of each kind goes to both servers and their rows are compared.

Datasette is served immutable (`-i`, no change detection per request) with
`sql_time_limit_ms 20000`, `max_returned_rows 30000` (one indicator's CSV, 25,000 rows, fits in
one result) and the default three SQL threads. Its CSV of an arbitrary `?sql=` query is one page
of up to `max_returned_rows`: `_stream=on` only pages through tables, so here it means `_size=max`.
"""

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from sqlalchemy import create_engine, insert

from api.core.migrations import upgrade
from api.core.types import utcnow
from api.indicators.models import Indicator, IndicatorValue
from api.registry.models import Area
from bench.harness import ROOT, Result, admin_token, analyze, free_port, fresh_database, load, server, table

DATASETTE = "datasette==0.65.1"
VENV = ROOT / ".bench-venv-datasette"
BREAKDOWNS = ["Persons", "Male", "Female", "IMD decile 1", "IMD decile 10"]
# Datasette's SQL endpoint, parameterised, returning the same rows and columns as ours.
ONE_AREA_SQL = ("select indicator_id, area_code, area_name, period, breakdown, value, lower_ci, upper_ci, "
                "lower_ci_998, upper_ci_998, count, denominator, note, updated_at from indicator_value "
                "where indicator_id = :i and area_code = :a and breakdown = 'Persons' order by id")
ONE_PERIOD_SQL = ("select indicator_id, area_code, area_name, period, breakdown, value, lower_ci, upper_ci, "
                  "lower_ci_998, upper_ci_998, count, denominator, note, updated_at from indicator_value "
                  "where indicator_id = :i and period = :p and breakdown = 'Persons' order by id")
WHOLE_SQL = ("select indicator_id, area_code, area_name, period, breakdown, value, lower_ci, upper_ci, "
             "lower_ci_998, upper_ci_998, count, denominator, note, updated_at from indicator_value "
             "where indicator_id = :i order by id")


def shape(values: int) -> tuple[int, int, int]:
    """(indicators, areas, periods) for about `values` values over five breakdowns."""
    if values >= 1_000_000:
        return 40, 250, 20
    return 4, 50, 20


def _periods(n: int) -> list[str]:
    return [f"{2004 + i}/{(5 + i) % 100:02d}" for i in range(n)]


def _value(indicator: int, area: str, period: str, breakdown: str) -> float:
    """A deterministic made-up value, the same in both databases."""
    return 20 + (indicator * 7919 + int(area[3:]) * 104_729 + int(period[:4]) * 31 + len(breakdown) * 7) % 4000 / 100


def seed(url: str, values: int) -> dict:
    indicators, areas, periods = shape(values)
    engine = create_engine(url)
    now = utcnow()
    codes = [f"E069{n:05d}" for n in range(areas)]
    with engine.begin() as db:
        db.execute(insert(Area), [{"gss_code": c, "name": f"Bench Area {n}", "kind": "local_authority",
                                   "parent_code": None}
                                  for n, c in enumerate(codes)])
        db.execute(insert(Indicator), [{"id": f"B{n}", "name": f"Bench indicator {n}", "unit": "percent",
                                        "polarity": "higher_is_better", "multiplier": 100, "breakdowns": BREAKDOWNS,
                                        "ci_method": "given", "version": 1, "created_at": now, "updated_at": now}
                                       for n in range(indicators)])
        batch = []
        for i in range(indicators):
            for c in codes:
                for p in _periods(periods):
                    for b in BREAKDOWNS:
                        v = _value(i, c, p, b)
                        batch.append({"indicator_id": f"B{i}", "area_code": c, "period": p, "breakdown": b,
                                      "value": v, "lower_ci": v - 1.5, "upper_ci": v + 1.5, "count": 500,
                                      "denominator": 2000, "note": "", "updated_at": now})
                        if len(batch) == 50_000:
                            db.execute(insert(IndicatorValue), batch)
                            batch = []
        if batch:
            db.execute(insert(IndicatorValue), batch)
    engine.dispose()
    return {"indicators": indicators, "areas": codes, "periods": _periods(periods), "updated_at": now,
            "values": indicators * areas * periods * len(BREAKDOWNS)}


def datasette_file(path: Path, facts: dict) -> None:
    """The same rows in one table (area names alongside), with the service's indexes."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE indicator_value (id INTEGER PRIMARY KEY, indicator_id TEXT, area_code TEXT, "
               "area_name TEXT, period TEXT, breakdown TEXT, value REAL, lower_ci REAL, upper_ci REAL, "
               "lower_ci_998 REAL, upper_ci_998 REAL, count REAL, denominator REAL, note TEXT, updated_at TEXT)")
    rows = ((f"B{i}", c, f"Bench Area {n}", p, b) for i in range(facts["indicators"])
            for n, c in enumerate(facts["areas"]) for p in facts["periods"] for b in BREAKDOWNS)

    # As our JSON writes it (`...Z`), so the two bodies carry the same bytes for it.
    stamp = facts["updated_at"].isoformat().replace("+00:00", "Z")

    def values():
        for i, c, name, p, b in rows:
            v = _value(int(i[1:]), c, p, b)
            yield (i, c, name, p, b, v, v - 1.5, v + 1.5, None, None, 500, 2000, "", stamp)

    db.executemany("INSERT INTO indicator_value (indicator_id, area_code, area_name, period, breakdown, value, "
                   "lower_ci, upper_ci, lower_ci_998, upper_ci_998, count, denominator, note, updated_at) "
                   "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", values())
    db.execute("CREATE UNIQUE INDEX ux_value_key ON indicator_value (indicator_id, area_code, period, breakdown)")
    db.execute("CREATE INDEX ix_value_indicator_period_area ON indicator_value (indicator_id, period, area_code)")
    db.execute("CREATE INDEX ix_value_updated_at_id ON indicator_value (updated_at, id)")
    db.commit()
    db.execute("ANALYZE")
    db.close()


def datasette_bin() -> Path:
    binary = VENV / "bin" / "datasette"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "--quiet", DATASETTE], check=True)
    return binary


def datasette(path: Path):
    port = free_port()
    process = subprocess.Popen([str(datasette_bin()), "serve", "-i", str(path), "--host", "127.0.0.1", "--port",
                                str(port), "--setting", "sql_time_limit_ms", "20000", "--setting",
                                "max_returned_rows", "30000", "--setting", "num_sql_threads", "3"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/-/versions.json", timeout=1).status_code == 200:
                return base, process
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("Datasette did not start")


def _sql(name: str, sql: str, **params) -> str:
    return f"/{name}.json?" + urlencode({"sql": sql, "_shape": "objects", **params})


def _rss_kib(pid: int) -> int:
    """Resident memory now (VmRSS; VmHWM cannot be reset without privileges, so it is sampled)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _mb(kib: int) -> float:
    return round(kib * 1024 / 1_000_000, 1)


def stream_with_memory(base: str, path: str, headers: dict, pid: int) -> dict:
    """Download a streamed body, sampling the server's resident memory every 20 ms."""
    before, peak, done = _rss_kib(pid), [0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _rss_kib(pid))
            time.sleep(0.02)

    watcher = threading.Thread(target=sample)
    watcher.start()
    started = time.perf_counter()
    lines = size = 0
    try:
        with httpx.stream("GET", base + path, headers=headers, timeout=600) as response:
            status = response.status_code
            for chunk in response.iter_bytes():
                size += len(chunk)
                lines += chunk.count(b"\n")
        seconds = time.perf_counter() - started
    finally:
        done.set()
        watcher.join()
    return {"status": status, "bytes": size, "rows": lines - 1, "seconds": round(seconds, 2),
            "rss_before_mb": _mb(before), "rss_peak_mb": _mb(max(peak[0], before)),
            "rss_growth_mb": _mb(max(0, peak[0] - before))}


def _key(row: dict) -> tuple:
    return row["area_code"], row["period"], row["breakdown"]


def same_rows(base: str, auth: dict, ds_base: str, ours: str, theirs: str) -> int:
    """One request to each server; raises unless both return the same rows (every column, value for
    value). Returns how many."""
    mine = httpx.get(base + ours, headers=auth, timeout=60)
    other = httpx.get(ds_base + theirs, timeout=60)
    mine.raise_for_status()
    other.raise_for_status()
    mine_rows, other_rows = mine.json()["items"], other.json()["rows"]
    if mine.json()["next_cursor"] or other.json().get("truncated"):
        raise RuntimeError(f"a partial result: {ours} or {theirs}")
    if sorted(mine_rows, key=_key) != sorted(other_rows, key=_key) or not mine_rows:
        raise RuntimeError(f"the servers disagree: {ours} ({len(mine_rows)} rows) and {theirs} "
                           f"({len(other_rows)} rows)")
    return len(mine_rows)


@dataclass
class Bare:
    """The mean of the two bare-endpoint runs: what `harness.table` divides by."""
    p50: float
    rps: float


def run(args) -> dict:
    with fresh_database(args.database_url) as url, tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        upgrade(url)
        facts = seed(url, args.values)
        analyze(url)
        seeded = time.perf_counter() - started
        ds_path = Path(tmp) / "indicators.db"
        datasette_file(ds_path, facts)
        auth = {"Authorization": f"Bearer {admin_token(url)}"}
        ind, areas, latest = facts["indicators"], facts["areas"], facts["periods"][-1]
        opts = {"requests": args.requests, "concurrency": args.concurrency}

        def a_ours(n: int) -> str:
            return f"/api/v1/indicators/B{n % ind}/data?area={areas[n % len(areas)]}&breakdown=Persons&limit=500"

        def a_ds(n: int) -> str:
            return _sql("indicators", ONE_AREA_SQL, i=f"B{n % ind}", a=areas[n % len(areas)])

        def b_ours(n: int) -> str:
            return f"/api/v1/indicators/B{n % ind}/data?period={latest}&breakdown=Persons&limit=500"

        def b_ds(n: int) -> str:
            return _sql("indicators", ONE_PERIOD_SQL, i=f"B{n % ind}", p=latest)

        ds_base, ds_process = datasette(ds_path)
        try:
            with server(url) as (base, process):
                rows = {"a": same_rows(base, auth, ds_base, a_ours(1), a_ds(1)),
                        "b": same_rows(base, auth, ds_base, b_ours(1), b_ds(1))}
                first = load(base, "bare constant JSON (baseline, start)", lambda n: "/bench/constant", **opts)
                a = (load(base, f"(a) ours: one indicator, one area, all periods ({rows['a']} rows)", a_ours,
                          headers=auth, **opts),
                     load(ds_base, "(a) Datasette SQL endpoint, same rows", a_ds, **opts))
                b = (load(base, f"(b) ours: one indicator, all areas, latest period ({rows['b']} rows)", b_ours,
                          headers=auth, **opts),
                     load(ds_base, "(b) Datasette SQL endpoint, same rows", b_ds, **opts))
                last = load(base, "bare constant JSON (baseline, end)", lambda n: "/bench/constant", **opts)
                ours_csv = stream_with_memory(base, "/api/v1/indicators/B1/data?format=csv", auth, process.pid)
                ds_csv = stream_with_memory(ds_base, "/indicators.csv?" + urlencode({
                    "sql": WHOLE_SQL, "i": "B1", "_stream": "on"}), {}, ds_process.pid)
        finally:
            ds_process.terminate()
            ds_process.wait(timeout=20)
    bare = Bare(p50=(first.p50 + last.p50) / 2, rps=(first.rps + last.rps) / 2)
    results = [first, *a, *b, last]

    def verdict(pair: tuple[Result, Result]) -> dict:
        ours, theirs = pair
        return {"throughput_vs_datasette": round(ours.rps / theirs.rps, 2),
                "p50_vs_datasette": round(ours.p50 / theirs.p50, 2),
                "throughput_vs_bare": round(ours.rps / bare.rps, 2), "p50_vs_bare": round(ours.p50 / bare.p50, 2),
                "meets_3x_datasette": ours.rps >= 3 * theirs.rps, "meets_0_7_bare": ours.rps >= 0.7 * bare.rps}

    return {
        "database": "postgresql" if "postgresql" in url else "sqlite", "values": facts["values"],
        "requests": args.requests, "concurrency": args.concurrency,
        "seed_seconds": round(seeded, 1), "table": table(results, bare),
        "bare_mean": {"rps": round(bare.rps, 1), "p50_ms": round(bare.p50, 2)},
        "a": verdict(a), "b": verdict(b),
        "csv_ours": ours_csv, "csv_datasette": ds_csv, "csv_under_50_mb": ours_csv["rss_growth_mb"] < 50,
        "csv_same_rows": ours_csv["rows"] == ds_csv["rows"],
        "errors": sum(r.errors for r in results) + (ours_csv["status"] != 200) + (ds_csv["status"] != 200),
    }


def _mark(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="a PostgreSQL server URL for the service (Datasette stays on SQLite)")
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="20,000 values, for a smoke run")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.quick:
        args.values, args.requests = 20_000, 100
    report = run(args)
    print(f"## Indicator data benchmark ({report['database']}, {report['values']:,} values, "
          f"{report['requests']} requests at concurrency {report['concurrency']})\n")
    print(report["table"])
    bare = report["bare_mean"]
    print(f"\nratios are against the mean of the two baselines: {bare['rps']:,} req/s, p50 {bare['p50_ms']} ms")
    for key, label in (("a", "(a) one indicator, one area, all periods"),
                       ("b", "(b) one indicator, all areas, latest period")):
        r = report[key]
        print(f"\n{label}:\n"
              f"  ours ÷ Datasette throughput: {r['throughput_vs_datasette']} (target ≥ 3: "
              f"{_mark(r['meets_3x_datasette'])})\n"
              f"  ours ÷ bare throughput: {r['throughput_vs_bare']} (target ≥ 0.7: {_mark(r['meets_0_7_bare'])})\n"
              f"  ours p50 ÷ bare p50: {r['p50_vs_bare']}; ours p50 ÷ Datasette p50: {r['p50_vs_datasette']}")
    ours, theirs = report["csv_ours"], report["csv_datasette"]
    print(f"\n(c) bulk CSV of one indicator: ours {ours['rows']:,} rows, {ours['bytes']:,} bytes in "
          f"{ours['seconds']} s, server RSS {ours['rss_before_mb']} → peak {ours['rss_peak_mb']} MB, "
          f"growth {ours['rss_growth_mb']} MB "
          f"(target < 50 MB: {_mark(report['csv_under_50_mb'])})")
    print(f"    Datasette (?sql=…&_stream=on): {theirs['rows']:,} rows, {theirs['bytes']:,} bytes in "
          f"{theirs['seconds']} s, RSS growth {theirs['rss_growth_mb']} MB"
          f"{'' if report['csv_same_rows'] else ' (ROW COUNTS DIFFER)'}")
    print(f"\nseed, migrate and ANALYZE: {report['seed_seconds']} s; errors (non-200): {report['errors']}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
