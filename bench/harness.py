"""Shared benchmark machinery: a fresh database, the real server under uvicorn, a load loop, and
wrk (closed loop, rotating over a file of paths) for the benchmarks that need a faster client.

Every figure is reported beside the bare endpoint measured in the same run, so results compare
across machines as ratios, not as absolute times.
"""

import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, insert, make_url, text

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-" + "b" * 40


@contextmanager
def fresh_database(server_url: str | None) -> Iterator[str]:
    """A new empty database: a SQLite file, or a uniquely named database on a PostgreSQL server
    (dropped afterwards)."""
    if not server_url or server_url.startswith("sqlite"):
        path = Path(tempfile.gettempdir()) / f"ata-bench-{uuid.uuid4().hex[:8]}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = f"ata_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def analyze(url: str) -> None:
    """Planner statistics after a bulk load, as autovacuum (PostgreSQL) or `PRAGMA optimize`
    (SQLite) would have them in a running service; without them PostgreSQL guesses plans blind."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(base: str, process: subprocess.Popen, seconds: float = 60, path: str = "/readyz") -> None:
    """Until the server at `base` answers `path` (RuntimeError if it exits or takes too long)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}{path}", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise RuntimeError("the server exited during start-up")
        time.sleep(0.2)
    raise RuntimeError("the server did not become ready")


@contextmanager
def _uvicorn(app: str, env: dict[str, str], ready: str) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
                                "--log-level", "warning", "--no-access-log"], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, process, path=ready)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=20)


@contextmanager
def server(database_url: str, app: str = "bench.app:app",
           env: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """uvicorn with one worker, as `ata serve` runs it, on a free port; yields (base URL, process).
    `env` adds or overrides variables (ATA_* settings) for this server only."""
    base_env = {**os.environ, "ATA_DATABASE_URL": database_url, "ATA_ENV": "test", "ATA_SECRET_KEY": SECRET,
                "ATA_SHUTDOWN_DRAIN_SECONDS": "0", "PYTHONPATH": str(ROOT)}
    with _uvicorn(app, {**base_env, **(env or {})}, "/readyz") as running:
        yield running


@contextmanager
def bare_server() -> Iterator[tuple[str, subprocess.Popen]]:
    """`bench/bare.py` under uvicorn with the service's flags: the floor the ratios are set against."""
    with _uvicorn("bench.bare:app", {**os.environ, "PYTHONPATH": str(ROOT)}, "/bench/constant") as running:
        yield running


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")


async def _drive(base: str, paths: Callable[[int], str], headers: dict[str, str], requests: int,
                 concurrency: int) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as client:
        async def worker() -> None:
            nonlocal errors
            for n in counter:
                started = time.perf_counter()
                response = await client.get(paths(n))
                await response.aread()
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started, latencies, errors


def load(base: str, name: str, paths: Callable[[int], str], *, headers: dict[str, str] | None = None,
         requests: int = 400, concurrency: int = 8, warmup: int = 40) -> Result:
    """`requests` GETs at `concurrency` after `warmup` unmeasured ones; `paths(n)` names the n-th."""
    asyncio.run(_drive(base, paths, headers or {}, warmup, concurrency))
    seconds, latencies, errors = asyncio.run(_drive(base, paths, headers or {}, requests, concurrency))
    return Result(name, requests, seconds, latencies, errors)


def table(results: list[Result], baseline: Result) -> str:
    lines = ["| endpoint | req/s | p50 ms | p99 ms | p50 ÷ baseline | throughput ÷ baseline | errors |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r.name} | {r.rps:,.0f} | {r.p50:.1f} | {r.percentile(99):.1f} | "
                     f"{r.p50 / baseline.p50:.2f} | {r.rps / baseline.rps:.2f} | {r.errors} |")
    return "\n".join(lines)


# wrk ---------------------------------------------------------------------------------------

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_rotate.lua"


def ensure_wrk() -> str:
    """The wrk binary, installed from Debian's packages if it is not on PATH."""
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") is None:
        raise SystemExit("wrk is not on PATH and there is no apt-get to install it: install wrk (4.x) and retry")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "text": True,
             "env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}}
    attempt = subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], **quiet)
    if attempt.returncode != 0:
        # A fresh machine may have no package lists yet.
        subprocess.run(["apt-get", "update", "-q"], **quiet)
        attempt = subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], **quiet)
    found = shutil.which("wrk")
    if attempt.returncode != 0 or not found:
        raise SystemExit(f"wrk is not on PATH and `apt-get install -y wrk` failed (exit {attempt.returncode}):\n"
                         f"{attempt.stderr.strip()}")
    return found


@dataclass
class WrkResult:
    """One measured wrk run, as `wrk_rotate.lua`'s `done` reported it."""
    name: str
    requests: int
    seconds: float
    bytes: int
    non_2xx_3xx: int
    socket_errors: dict[str, int]
    p50: float
    p90: float
    p99: float
    max: float
    warmup_errors: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def mb_per_s(self) -> float:
        """Bytes read per second, counting the part of a response still in flight when the run
        stopped (wrk counts every read): the fair rate when one response takes a large share of
        the run, as a long CSV behind 15 others does."""
        return self.bytes / self.seconds / 1_000_000 if self.seconds else 0.0

    @property
    def errors(self) -> int:
        """Answers above 399 and socket errors, in the measured run and its warm-up; a run that
        read nothing at all counts as one."""
        return self.non_2xx_3xx + sum(self.socket_errors.values()) + self.warmup_errors + (self.bytes == 0)

    def as_dict(self) -> dict:
        return {"name": self.name, "requests": self.requests, "seconds": round(self.seconds, 2),
                "rps": round(self.rps, 1), "bytes": self.bytes, "mb_per_s": round(self.mb_per_s, 2),
                "p50_ms": self.p50, "p90_ms": self.p90, "p99_ms": self.p99, "max_ms": self.max,
                "non_2xx_3xx": self.non_2xx_3xx, "socket_errors": self.socket_errors,
                "warmup_errors": self.warmup_errors}


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def settle(pids: list[int], *, quiet: float = 0.5, limit: float = 120) -> None:
    """Until none of these processes uses CPU for `quiet` seconds: wrk stops at its deadline,
    but a server goes on with the requests it had in hand (a long CSV, say), and that work must
    not be counted in the next run."""
    deadline = time.monotonic() + limit
    before = [_cpu_ticks(pid) for pid in pids]
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = [_cpu_ticks(pid) for pid in pids]
        if all(b - a <= 1 for a, b in zip(before, now, strict=True)):
            return
        before = now


def _wrk_once(binary: str, base: str, paths_file: Path, headers: dict[str, str], seconds: float,
              connections: int, threads: int, timeout: float) -> dict:
    command = [binary, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout",
               f"{round(timeout)}s", "-s", str(WRK_SCRIPT), base, "--", str(paths_file),
               *(f"{k}: {v}" for k, v in headers.items())]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + timeout + 60)
    for line in done.stdout.splitlines():
        if line.startswith("WRK_SUMMARY "):
            return json.loads(line.removeprefix("WRK_SUMMARY "))
    raise RuntimeError(f"wrk gave no summary (exit {done.returncode}): {done.stderr.strip() or done.stdout.strip()}")


def wrk_run(base: str, name: str, paths: list[str], *, headers: dict[str, str] | None = None,
            seconds: float = 10, warmup: float = 3, connections: int = 16, threads: int = 1,
            timeout: float = 60, settle_pids: list[int] | None = None, warm_pass: bool = False) -> WrkResult:
    """A closed loop: `connections` connections each sending its next request as soon as the last
    is answered, rotating over `paths`; an unmeasured `warmup`-second run, then the measured one.
    `timeout` is per request (wrk's default of 2 s would count a queued CSV download as an error).
    `warm_pass` first asks every path once (httpx, `connections` at a time), so that caches hold
    the whole rotation when timing starts, however long the rotation: a warm-up of a few seconds
    covers only its start, and the measured run would then time its first pass cold."""
    binary = ensure_wrk()
    pass_errors = 0
    if warm_pass:
        _, _, pass_errors = asyncio.run(_drive(base, paths.__getitem__, headers or {}, len(paths), connections))
        settle(settle_pids or [])
    with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False) as handle:
        handle.write("\n".join(paths) + "\n")
    paths_file = Path(handle.name)
    try:
        warm = _wrk_once(binary, base, paths_file, headers or {}, warmup, connections, threads, timeout) \
            if warmup > 0 else None
        settle(settle_pids or [])
        run = _wrk_once(binary, base, paths_file, headers or {}, seconds, connections, threads, timeout)
        settle(settle_pids or [])
    finally:
        paths_file.unlink(missing_ok=True)
    warmup_errors = pass_errors + (warm["non_2xx_3xx"] + sum(warm["socket_errors"].values()) if warm else 0)
    return WrkResult(name=name, requests=run["requests"], seconds=run["duration_us"] / 1_000_000,
                     bytes=run["bytes"], non_2xx_3xx=run["non_2xx_3xx"], socket_errors=run["socket_errors"],
                     p50=run["p50_ms"], p90=run["p90_ms"], p99=run["p99_ms"], max=run["max_ms"],
                     warmup_errors=warmup_errors)


def wrk_table(results: list[WrkResult]) -> str:
    """Raw numbers, one row per run; socket errors summed (the JSON report has them by kind)."""
    lines = ["| run | requests | req/s | MB/s | p50 ms | p90 ms | p99 ms | non-2xx | socket errors |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r.name} | {r.requests:,} | {r.rps:,.0f} | {r.mb_per_s:,.1f} | {r.p50:.1f} | {r.p90:.1f} | "
                     f"{r.p99:.1f} | {r.non_2xx_3xx} | {sum(r.socket_errors.values())} |")
    return "\n".join(lines)


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def admin_token(url: str) -> str:
    """A bearer token for a new admin account made directly in the bench database."""
    from api.auth import service as auth_service
    from api.auth.models import UserAccount
    from api.core.config import Settings
    from api.core.types import utcnow

    engine = create_engine(url)
    now = utcnow()
    with engine.begin() as db:
        account_id = db.execute(insert(UserAccount).returning(UserAccount.id), [{
            "email": "bench.admin@example.org", "password_hash": "!", "is_admin": True, "version": 1,
            "created_at": now, "updated_at": now}]).scalar_one()
    engine.dispose()
    settings = Settings(_env_file=None, database_url=url, secret_key=SECRET, env="test")
    account = UserAccount(id=account_id, email="bench.admin@example.org", password_hash="", token_generation=1)
    return auth_service.user_token(settings, account).token
