"""Instances started together over one new database: one migrates and loads the demo, the others
wait for it (api/core/startup_lock.py), and all of them come up."""

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from sqlalchemy import create_engine, text

from api.core.startup_lock import ADVISORY_KEY, lock_file_for, startup_lock
from api.demo import data
from tests.conftest import fresh_database


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _scalar(url: str, sql: str):
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def test_the_lock_is_held_against_other_processes(tmp_path):
    with fresh_database(tmp_path) as url:
        probe = (
            "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR)\n"
            "try:\n    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\nexcept BlockingIOError:\n    sys.exit(3)\n"
        )
        with startup_lock(url):
            if url.startswith("postgresql"):
                # Another connection (as another instance would have) cannot take it meanwhile.
                assert _scalar(url, f"SELECT pg_try_advisory_lock({ADVISORY_KEY})") is False
            else:
                path = lock_file_for(url)
                assert subprocess.run([sys.executable, "-c", probe, str(path)]).returncode == 3  # noqa: S603
        # Released afterwards (the probe's own session ends, so its lock goes with it).
        if url.startswith("postgresql"):
            assert _scalar(url, f"SELECT pg_try_advisory_lock({ADVISORY_KEY})") is True
        else:
            assert subprocess.run([sys.executable, "-c", probe, str(lock_file_for(url))]).returncode == 0  # noqa: S603


def test_three_instances_started_at_once_all_come_up_and_load_the_demo_once(tmp_path):
    with fresh_database(tmp_path) as url:
        env = {**os.environ, "ATA_DATABASE_URL": url, "ATA_ENV": "demo", "ATA_SECRET_KEY": "s" * 40,
               "ATA_STORAGE_DIR": str(tmp_path / "storage"), "ATA_MAIL_WORKER": "false",
               "ATA_DEMO_PASSWORD": "fictional-demo-password",
               "ATA_SHUTDOWN_DRAIN_SECONDS": "0"}  # stop at once on terminate(): nothing to drain from
        ports = [_free_port() for _ in range(3)]
        servers = [subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--demo", "--port", str(port)],  # noqa: S603
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                   for port in ports]
        try:
            ready: set[int] = set()
            deadline = time.monotonic() + 180
            while len(ready) < 3 and time.monotonic() < deadline:
                for port, server in zip(ports, servers, strict=True):
                    if server.poll() is not None:
                        pytest.fail(f"an instance stopped (exit {server.returncode}):\n{server.stdout.read()}")
                    if port in ready:
                        continue
                    try:
                        if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                            ready.add(port)
                    except httpx.TransportError:
                        pass
                time.sleep(0.2)
            assert ready == set(ports)
            # Loaded once: the people are there once each, and one instance's log reports creating them.
            assert _scalar(url, "SELECT count(*) FROM stakeholder") == len(data.PEOPLE)
        finally:
            for server in servers:
                server.terminate()
            outputs = [server.communicate(timeout=30)[0] for server in servers]
        created = [out for out in outputs if f"'stakeholders': {len(data.PEOPLE)}" in out]
        assert len(created) == 1, outputs
        assert sum("'stakeholders': 0" in out for out in outputs) == 2, outputs
