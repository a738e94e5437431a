"""Indicator-data benchmark (issue 16): the same synthetic values (1,000,000 by default) in the
service and in a SQLite file served by Datasette 0.65 with the same indexes, each driven by wrk
in a closed loop, beside a bare FastAPI app measured at the start and the end.

    .venv/bin/python bench/indicators.py                  # SQLite, 1,000,000 values
    .venv/bin/python bench/indicators.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/indicators.py --quick          # 20,000 values, 1 s warm-up + 2 s runs

wrk is installed with apt-get if it is not on PATH; Datasette on first use into
`.bench-venv-datasette/` (its own virtualenv, so its pins never meet ours). Five processes: our
service (bench.app under uvicorn, one worker), a second one with ATA_DATA_CACHE_MB=0 (the data
response cache off, for the cold path), Datasette, bench/bare.py, and wrk (`-t1 -c16`,
bench/wrk_rotate.lua rotating over a shuffled file of paths with our partner client's token).

Measured, ours against Datasette over the same rows: (a) one indicator, one area, all periods,
rotating over every indicator and area; (b) one indicator, one period, all areas, rotating over
every indicator and period; (c) one indicator's whole CSV, rotating over the indicators. Before
any timing, the first requests of each rotation go to every server and their rows are compared.
Memory: one pull of the whole data set as CSV from ours, and one indicator's CSV from each,
sampling the server's resident memory.

Datasette is served immutable (`-i`, no change detection per request) with
`sql_time_limit_ms 20000`, `max_returned_rows 30000` (one indicator's CSV, 25,000 rows, fits in
one result) and the default three SQL threads. Its CSV of an arbitrary `?sql=` query is one page
of up to `max_returned_rows` (`_stream=on` only pages through tables), so (c) asks `_size=max`.
"""

import argparse
import csv
import io
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from sqlalchemy import create_engine, insert
from sqlmodel import Session

from api.auth import service as auth_service
from api.authz import SYSTEM_SUBJECT
from api.core.migrations import upgrade
from api.core.types import utcnow
from api.indicators.models import Indicator, IndicatorValue
from api.registry.models import Area
from bench.harness import (
    ROOT,
    WrkResult,
    analyze,
    bare_server,
    ensure_wrk,
    free_port,
    fresh_database,
    server,
    wrk_run,
    wrk_table,
)

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
NUMBERS = {"value", "lower_ci", "upper_ci", "lower_ci_998", "upper_ci_998", "count", "denominator"}
CONNECTIONS = 16
SHUFFLE_SEED = 16
# Every server of ours: a partner budget the runs never spend (a 429 would count as an error),
# and tokens that outlive a full-size run on a slow machine.
OURS_ENV = {"ATA_CLIENT_RATE_LIMIT": "1000000", "ATA_ACCESS_TOKEN_MINUTES": "120"}
CLIENT_SCOPE = "indicators:read"
TARGETS = {"a": {"datasette": 3.0, "bare": 0.5}, "b": {"datasette": 3.0}, "c": {"datasette": 3.0}}
MEMORY_TARGET_MB = 50


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


def _csv_rows(body: str) -> tuple[list[str], list[tuple]]:
    """Header and rows, each cell as a value: numbers as floats (ours writes 500, Datasette 500.0),
    timestamps as datetimes (ours `+00:00`, Datasette's file `Z`), empty as None."""
    reader = csv.reader(io.StringIO(body))
    header = next(reader)

    def cell(name: str, text: str):
        if text == "":
            return None
        if name in NUMBERS:
            return float(text)
        return datetime.fromisoformat(text) if name == "updated_at" else text

    return header, [tuple(cell(n, t) for n, t in zip(header, row, strict=True)) for row in reader]


def _wire_bytes(response: httpx.Response) -> int:
    """About what wrk reads for this response: status line, headers and body (chunk framing, a
    few bytes per 2,000 rows, left out)."""
    return 17 + sum(len(k) + len(v) + 4 for k, v in response.headers.raw) + 2 + len(response.content)


def same_csv(base: str, auth: dict, ds_base: str, ours: str, theirs: str) -> tuple[int, int, int]:
    """One CSV download from each; raises unless both have the same header and rows. Returns how
    many rows, and the bytes of each response as wrk reads them."""
    mine = httpx.get(base + ours, headers=auth, timeout=300)
    other = httpx.get(ds_base + theirs, timeout=300)
    mine.raise_for_status()
    other.raise_for_status()
    (mine_header, mine_rows), (other_header, other_rows) = _csv_rows(mine.text), _csv_rows(other.text)
    if mine_header != other_header:
        raise RuntimeError(f"the CSV headers differ: {mine_header} and {other_header}")
    if sorted(mine_rows, key=lambda r: r[:5]) != sorted(other_rows, key=lambda r: r[:5]) or not mine_rows:
        raise RuntimeError(f"the CSVs disagree: {ours} ({len(mine_rows)} rows) and {theirs} "
                           f"({len(other_rows)} rows)")
    return len(mine_rows), _wire_bytes(mine), _wire_bytes(other)


def partner_client(url: str) -> tuple[str, str]:
    """A partner client granted only `indicators:read`, made through the service as an admin's
    POST /api/v1/clients makes one; returns (client_id, secret)."""
    engine = create_engine(url)
    with Session(engine) as session:
        client, secret = auth_service.create_client(session, actor=SYSTEM_SUBJECT, name="Bench partner",
                                                    scopes=CLIENT_SCOPE, client_id="bench-partner")
        session.commit()
        client_id = client.client_id
    engine.dispose()
    return client_id, secret


def client_token(base: str, client_id: str, secret: str) -> str:
    """The client's token from the service's own client-credentials grant."""
    response = httpx.post(f"{base}/api/v1/auth/token", timeout=30, data={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, "scope": CLIENT_SCOPE})
    response.raise_for_status()
    return response.json()["access_token"]


def rotations(facts: dict) -> dict[str, tuple[list[str], list[str]]]:
    """For (a), (b) and (c): our paths and Datasette's, pairwise for the same rows, shuffled with a
    fixed seed so every run visits them in the same order."""
    generator = random.Random(SHUFFLE_SEED)
    indicators = [f"B{n}" for n in range(facts["indicators"])]
    one_area = [(i, a) for i in indicators for a in facts["areas"]]
    one_period = [(i, p) for i in indicators for p in facts["periods"]]
    whole = list(indicators)
    for listed in (one_area, one_period, whole):
        generator.shuffle(listed)
    return {
        "a": ([f"/api/v1/indicators/{i}/data?" + urlencode({"area": a, "breakdown": "Persons", "limit": 500})
               for i, a in one_area],
              [_sql("indicators", ONE_AREA_SQL, i=i, a=a) for i, a in one_area]),
        "b": ([f"/api/v1/indicators/{i}/data?" + urlencode({"period": p, "breakdown": "Persons", "limit": 500})
               for i, p in one_period],
              [_sql("indicators", ONE_PERIOD_SQL, i=i, p=p) for i, p in one_period]),
        "c": ([f"/api/v1/indicators/{i}/data?format=csv" for i in whole],
              ["/indicators.csv?" + urlencode({"sql": WHOLE_SQL, "i": i, "_size": "max"}) for i in whole]),
    }


def csv_rate(result: WrkResult, response_bytes: float) -> float:
    """(c)'s responses per second from the bytes wrk read: with 16 connections each waiting for a
    long CSV, the responses completed in a run come in a few bursts, and those still in flight at
    its end (up to 16 of them) would be dropped from a count of completed requests."""
    return result.bytes / result.seconds / response_bytes if result.seconds else 0.0


LABELS = {"a": "(a) one indicator, one area, all periods, Persons, JSON",
          "b": "(b) one indicator, one period, all areas, Persons, JSON",
          "c": "(c) one indicator's whole CSV"}


def run(args) -> dict:
    ensure_wrk()  # before the seeding, so that a machine without it fails in seconds
    with fresh_database(args.database_url) as url, tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        upgrade(url)
        facts = seed(url, args.values)
        analyze(url)
        client_id, secret = partner_client(url)
        seeded = time.perf_counter() - started
        ds_path = Path(tmp) / "indicators.db"
        datasette_file(ds_path, facts)
        paths = rotations(facts)
        timing = {"seconds": args.duration, "warmup": args.warmup, "connections": CONNECTIONS, "warm_pass": True}
        ds_base, ds_process = datasette(ds_path)
        try:
            with (bare_server() as (bare_base, _), server(url, env=OURS_ENV) as (base, process),
                  server(url, env={**OURS_ENV, "ATA_DATA_CACHE_MB": "0"}) as (cold_base, cold_process)):
                auth = {"Authorization": f"Bearer {client_token(base, client_id, secret)}"}
                if httpx.get(f"{bare_base}/bench/constant").json() != httpx.get(f"{base}/bench/constant").json():
                    raise RuntimeError("bench/bare.py's body is not bench/app.py's /bench/constant")
                rows, csv_bytes = {}, {"ours": [], "datasette": []}
                for target in (base, cold_base):
                    for kind in ("a", "b"):
                        ours, theirs = paths[kind]
                        for n in range(min(3, len(ours))):
                            rows[kind] = same_rows(target, auth, ds_base, ours[n], theirs[n])
                    ours, theirs = paths["c"]
                    for n in range(min(3, len(ours))):
                        rows["c"], mine, other = same_csv(target, auth, ds_base, ours[n], theirs[n])
                        csv_bytes["ours"].append(mine)
                        csv_bytes["datasette"].append(other)

                # On fresh processes, before the timed runs fill caches and allocator arenas.
                memory = {
                    "whole_ours": stream_with_memory(base, "/api/v1/data?format=csv", auth, process.pid),
                    "indicator_ours": stream_with_memory(base, paths["c"][0][0], auth, process.pid),
                    "indicator_datasette": stream_with_memory(ds_base, paths["c"][1][0], {}, ds_process.pid),
                }

                timing = {**timing, "settle_pids": [process.pid, cold_process.pid, ds_process.pid]}
                # A whole CSV takes seconds with 15 others in flight: (c) runs three times as long,
                # so that each server completes enough of them to be measured.
                long = {**timing, "seconds": timing["seconds"] * 3}
                first = wrk_run(bare_base, "bare FastAPI constant JSON (start)", ["/bench/constant"], **timing)
                pairs, cold = {}, {}
                for kind in ("a", "b", "c"):
                    ours, theirs = paths[kind]
                    each = long if kind == "c" else timing
                    pairs[kind] = (wrk_run(base, f"({kind}) ours", ours, headers=auth, **each),
                                   wrk_run(ds_base, f"({kind}) Datasette", theirs, **each))
                for kind in ("a", "b", "c"):
                    cold[kind] = wrk_run(cold_base, f"({kind}) ours, cache off", paths[kind][0], headers=auth,
                                         **(long if kind == "c" else timing))
                last = wrk_run(bare_base, "bare FastAPI constant JSON (end)", ["/bench/constant"], **timing)
                rss_after = {"ours_mb": _mb(_rss_kib(process.pid)), "cache_off_mb": _mb(_rss_kib(cold_process.pid))}
        finally:
            ds_process.terminate()
            ds_process.wait(timeout=20)

    bare_rps = (first.rps + last.rps) / 2
    bare_p50 = (first.p50 + last.p50) / 2
    runs = [first, *(r for kind in "abc" for r in pairs[kind]), *(cold[kind] for kind in "abc"), last]

    # (c)'s throughput is counted in bytes (csv_rate); each server's responses differ a little in
    # size (our timestamps carry microseconds), so each is divided by its own.
    response_bytes = {k: sum(v) / len(v) for k, v in csv_bytes.items()}
    csv_rates = {"ours": csv_rate(pairs["c"][0], response_bytes["ours"]),
                 "datasette": csv_rate(pairs["c"][1], response_bytes["datasette"]),
                 "cache_off": csv_rate(cold["c"], response_bytes["ours"])}

    def ratios(ours: WrkResult, theirs: WrkResult, targets: dict[str, float], rates=None) -> dict:
        mine, other = rates or (ours.rps, theirs.rps)
        out = {"rps_vs_datasette": round(mine / other, 2) if other else None,
               "rps_vs_bare": round(ours.rps / bare_rps, 2),
               "p50_vs_datasette": round(ours.p50 / theirs.p50, 2) if theirs.p50 else None,
               "p50_vs_bare": round(ours.p50 / bare_p50, 2)}
        if targets:
            out["targets"] = {k: {"target": v, "met": out[f"rps_vs_{k}"] is not None and out[f"rps_vs_{k}"] >= v}
                              for k, v in targets.items()}
        return out

    whole = memory["whole_ours"]
    memory_errors = sum(m["status"] != 200 for m in memory.values())
    counts_wrong = (whole["rows"] != facts["values"]) + (
        memory["indicator_ours"]["rows"] != memory["indicator_datasette"]["rows"])
    return {
        "database": "postgresql" if "postgresql" in url else "sqlite", "values": facts["values"],
        "wrk": {"threads": 1, **timing}, "seed_seconds": round(seeded, 1), "rows_per_response": rows,
        "paths": {k: len(v[0]) for k, v in paths.items()},
        "runs": [r.as_dict() for r in runs], "table": wrk_table(runs),
        "bare_mean": {"rps": round(bare_rps, 1), "p50_ms": round(bare_p50, 2)},
        "ratios": {"a": ratios(*pairs["a"], TARGETS["a"]), "b": ratios(*pairs["b"], TARGETS["b"]),
                   "c": ratios(*pairs["c"], TARGETS["c"], (csv_rates["ours"], csv_rates["datasette"]))},
        "cache_off_ratios": {"a": ratios(cold["a"], pairs["a"][1], {}), "b": ratios(cold["b"], pairs["b"][1], {}),
                             "c": ratios(cold["c"], pairs["c"][1], {}, (csv_rates["cache_off"],
                                                                        csv_rates["datasette"]))},
        "csv_response_bytes": {k: round(v) for k, v in response_bytes.items()},
        "csv_responses_per_s_from_bytes": {k: round(v, 2) for k, v in csv_rates.items()},
        "memory": memory, "memory_target_met": whole["rss_growth_mb"] < MEMORY_TARGET_MB,
        "rss_after_runs": rss_after, "row_counts_wrong": counts_wrong,
        "errors": sum(r.errors for r in runs) + memory_errors + counts_wrong,
    }


def _mark(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report_text(report: dict) -> str:
    w = report["wrk"]
    out = [f"## Indicator data benchmark ({report['database']}, {report['values']:,} values; wrk -t1 "
           f"-c{w['connections']}; per row, every path once, a {w['warmup']} s warm-up, then {w['seconds']} s "
           f"measured)\n",
           report["table"], ""]
    bare = report["bare_mean"]
    out.append(f"ratios are against the mean of the two bare runs: {bare['rps']:,} req/s, p50 {bare['p50_ms']} ms")
    for kind, label in LABELS.items():
        r, c = report["ratios"][kind], report["cache_off_ratios"][kind]
        out.append(f"\n{label} ({report['rows_per_response'][kind]:,} rows, rotating over "
                   f"{report['paths'][kind]:,} paths):")
        if kind == "c":
            rates, size = report["csv_responses_per_s_from_bytes"], report["csv_response_bytes"]
            out.append(f"  throughput from bytes read ÷ response size (ours {size['ours']:,} B, Datasette "
                       f"{size['datasette']:,} B): ours {rates['ours']} responses/s, Datasette "
                       f"{rates['datasette']}, ours cache off {rates['cache_off']}")
        for name, t in r["targets"].items():
            out.append(f"  ours ÷ {'Datasette' if name == 'datasette' else name} throughput: "
                       f"{r[f'rps_vs_{name}']} (target ≥ {t['target']}: {_mark(t['met'])})")
        if "bare" not in r["targets"] and kind != "c":
            out.append(f"  ours ÷ bare throughput: {r['rps_vs_bare']} (no target)")
        bare_p50 = "" if kind == "c" else f"; ours p50 ÷ bare p50: {r['p50_vs_bare']}"
        out.append(f"  ours p50 ÷ Datasette p50: {r['p50_vs_datasette']}{bare_p50}")
        bare_part = "" if kind == "c" else f", ÷ bare {c['rps_vs_bare']}"
        out.append(f"  cache off: ÷ Datasette throughput {c['rps_vs_datasette']}{bare_part} (no target)")
    m = report["memory"]
    whole, one, theirs = m["whole_ours"], m["indicator_ours"], m["indicator_datasette"]
    out.append(f"\nmemory, whole data set as CSV from ours (/api/v1/data?format=csv): {whole['rows']:,} rows, "
               f"{whole['bytes']:,} bytes in {whole['seconds']} s, server RSS {whole['rss_before_mb']} → peak "
               f"{whole['rss_peak_mb']} MB, growth {whole['rss_growth_mb']} MB "
               f"(target < {MEMORY_TARGET_MB} MB: {_mark(report['memory_target_met'])})")
    out.append(f"memory, one indicator's CSV: ours {one['rows']:,} rows in {one['seconds']} s, RSS growth "
               f"{one['rss_growth_mb']} MB; Datasette {theirs['rows']:,} rows in {theirs['seconds']} s, RSS growth "
               f"{theirs['rss_growth_mb']} MB")
    after = report["rss_after_runs"]
    out.append(f"server RSS after the timed runs: ours {after['ours_mb']} MB, cache off {after['cache_off_mb']} MB")
    out.append(f"\nseed, migrate and ANALYZE: {report['seed_seconds']} s; errors (non-2xx, socket errors, "
               f"failed pulls, wrong row counts): {report['errors']}")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="a PostgreSQL server URL for the service (Datasette stays on SQLite)")
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--duration", type=float, default=10, help="seconds of each measured wrk run")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of the unmeasured run before each")
    parser.add_argument("--quick", action="store_true", help="20,000 values, 1 s warm-up and 2 s runs: a smoke run")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.quick:
        args.values, args.duration, args.warmup = 20_000, 2, 1
    report = run(args)
    print(report_text(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
