"""Shared benchmark machinery: a fresh database, the real server under uvicorn, a load loop.

Every figure is reported beside the bare endpoint measured in the same run, so results compare
across machines as ratios, not as absolute times.
"""

import asyncio
import os
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


def wait_ready(base: str, process: subprocess.Popen, seconds: float = 60) -> None:
    """Until the server at `base` answers /readyz (RuntimeError if it exits or takes too long)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise RuntimeError("the server exited during start-up")
        time.sleep(0.2)
    raise RuntimeError("the server did not become ready")


@contextmanager
def server(database_url: str, app: str = "bench.app:app") -> Iterator[tuple[str, subprocess.Popen]]:
    """uvicorn with one worker, as `ata serve` runs it, on a free port; yields (base URL, process)."""
    port = free_port()
    env = {**os.environ, "ATA_DATABASE_URL": database_url, "ATA_ENV": "test", "ATA_SECRET_KEY": SECRET,
           "ATA_SHUTDOWN_DRAIN_SECONDS": "0", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
                                "--log-level", "warning", "--no-access-log"], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, process)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=20)


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
