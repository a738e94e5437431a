"""Property-based fuzz of the whole JSON API with schemathesis, against a real server.

    .venv/bin/python -m tests.fuzz.fuzz [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

A fresh database (on the PostgreSQL server given, else SQLite) is migrated and loaded with the
demo data; `uvicorn api.main:app` serves it on a free local port with a random secret; an admin
token drives every operation of /api/v1/openapi.json through schemathesis with the checks
below and the case filter in tests/fuzz/hooks.py. The run fails on any check failure and on any
500 or traceback in the server's log.
It is bounded in time (FUZZ_MAX_TIME seconds, 150 by default) so that CI can afford it.

Not a pytest module: it needs a server of its own and minutes of time (`.ci/run` calls it).
"""

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.etree import ElementTree

import httpx

from bench.harness import free_port, fresh_database, wait_ready

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "response_headers_conformance")

# Operations left out because they would end the run rather than test the service: each one can
# take away the fuzzing admin's own access, after which every later request is a 401/403 and
# nothing more is exercised. They are covered by tests/api instead.
EXCLUDED = (
    # Changes the caller's password: every token of the admin, the fuzzer's included, ends.
    ("POST", "/api/v1/me/password"),
    # With the admin's own id: a one-time password (tokens end, every route then answers 403
    # "choose a new password first") or `is_admin: false`.
    ("PATCH", "/api/v1/users/{user_id}"),
)

FUZZ_ADMIN = "fuzz.admin@example.org"
# A server-side failure, whichever way it reaches the log: uvicorn's access line, the service's
# "unhandled error" (api/core/errors.py), or an exception that escaped the application.
SERVER_FAILURE = re.compile(r'" 5\d\d\b|Traceback \(most recent call last\)|unhandled error|Exception in ASGI')


def _run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(args, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def _prepare(env: dict[str, str], admin_password: str) -> None:
    _run([str(BIN / "ata"), "db", "upgrade"], env)
    _run([str(BIN / "ata"), "demo", "load"], env)
    # An admin of the fuzzer's own, not a demo person: anonymising or deleting a stakeholder (which
    # the fuzzer will try on every id) then cannot disable the account the run depends on.
    subprocess.run([str(BIN / "ata"), "users", "create-admin", "--email", FUZZ_ADMIN, "--password-stdin"],
                   input=admin_password + "\n", text=True, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def _token(base: str, password: str) -> str:
    answer = httpx.post(f"{base}/api/v1/auth/token",
                        data={"grant_type": "password", "username": FUZZ_ADMIN, "password": password})
    answer.raise_for_status()
    return answer.json()["access_token"]


def _schemathesis(base: str, token: str, report_dir: Path) -> list[str]:
    command = [
        str(BIN / "schemathesis"), "run", f"{base}/api/v1/openapi.json",
        "--header", f"Authorization: Bearer {token}",
        "--checks", ",".join(CHECKS),
        "--max-examples", os.environ.get("FUZZ_MAX_EXAMPLES", "25"),
        "--max-time", os.environ.get("FUZZ_MAX_TIME", "150"),
        # One worker: on Python 3.11 before 3.11.9, hypothesis's concurrent ast.parse calls can fail
        # with "AST constructor recursion depth mismatch" (CPython gh-106905), a runtime error of the
        # fuzzer, not of the service; and the server has the other core of a 2-core CI machine.
        "--workers", os.environ.get("FUZZ_WORKERS", "1"),
        "--request-timeout", "30",
        "--suppress-health-check", "all",
        "--report", "junit", "--report-dir", str(report_dir),
        "--output-sanitize", "true",
    ]
    if seed := os.environ.get("FUZZ_SEED"):
        command += ["--seed", seed]
    paths = httpx.get(f"{base}/api/v1/openapi.json").json()["paths"]
    for method, path in EXCLUDED:
        # By operation id, which names one method of one path (a missing one stops the run here).
        command += ["--exclude-operation-id", paths[path][method.lower()]["operationId"]]
    return command


def _operations(report_dir: Path) -> tuple[int, int]:
    """(operations that passed, operations that failed or errored), from schemathesis's JUnit report."""
    passed = failed = 0
    for report in report_dir.glob("*.xml"):
        for case in ElementTree.parse(report).iter("testcase"):  # noqa: S314 (our own run's report)
            if case.find("failure") is not None or case.find("error") is not None:
                failed += 1
            elif case.find("skipped") is None:
                passed += 1
    return passed, failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("ATA_CI_POSTGRES_URL"),
                        help="PostgreSQL server URL to create the fuzz database on (default: SQLite)")
    parser.add_argument("--keep-log", type=Path, default=None, help="copy the server log here")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="ata-fuzz-"))
    admin_password = secrets.token_urlsafe(18)
    started = time.monotonic()
    with fresh_database(args.database_url) as database_url:
        env = {**os.environ, "ATA_DATABASE_URL": database_url, "ATA_ENV": "test",
               "ATA_SECRET_KEY": secrets.token_urlsafe(48), "ATA_DEMO_PASSWORD": secrets.token_urlsafe(12),
               "ATA_STORAGE_DIR": str(work / "storage"),
               # Partner clients' request budget. The fuzzing admin is a person and has none, but
               # thousands of requests a minute must not turn into 429s if that ever changes.
               "ATA_CLIENT_RATE_LIMIT": "1000000",
               # The anonymous budget of the Fingertips door, per address: at the default 300 a
               # minute the fuzzer, from one address, would mostly see that door's 429s.
               "ATA_OPEN_DATA_RATE_LIMIT": "1000000",
               # The fuzzer signs in with made-up credentials many times; a real limit would make
               # the token endpoint answer only 429 after the first 20 and hide the rest of it.
               "ATA_LOGIN_MAX_FAILURES_PER_ADDRESS": "10000",
               "ATA_LOGIN_MAX_FAILURES_PER_ACCOUNT": "1000",
               "ATA_ACCESS_TOKEN_MINUTES": "60", "ATA_SHUTDOWN_DRAIN_SECONDS": "0", "PYTHONPATH": str(ROOT)}
        env.pop("ATA_REDIS_URL", None)
        _prepare(env, admin_password)
        port = free_port()
        log_path = work / "server.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1",
                                       "--port", str(port), "--log-level", "info"],
                                      env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
            base = f"http://127.0.0.1:{port}"
            try:
                wait_ready(base, server)
                token = _token(base, admin_password)
                print(f"== fuzz: schemathesis against {base} ({database_url.split('://')[0]})", flush=True)
                hooked = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks", "PYTHONPATH": str(ROOT)}
                fuzz = subprocess.run(_schemathesis(base, token, work / "report"), cwd=work, check=False, env=hooked)
            finally:
                server.terminate()
                server.wait(timeout=30)
    log_text = log_path.read_text(errors="replace")
    if args.keep_log:
        args.keep_log.write_text(log_text)
    failures = [line for line in log_text.splitlines() if SERVER_FAILURE.search(line)]
    passed, failed = _operations(work / "report")
    print(f"== fuzz: {time.monotonic() - started:.0f} s; schemathesis exit {fuzz.returncode}; "
          f"{len(failures)} server failure line(s) in the log")
    for line in failures[:40]:
        print(f"   server: {line}")
    # The plain closing line CI reads: operations whose every generated case passed, and the rest.
    print(f"fuzz: {passed} passed, {failed + (1 if failures and not failed else 0)} failed")
    if fuzz.returncode != 0 or failures or not passed:
        print(f"== fuzz: the server log and the JUnit report are in {work}")
        return 1
    # Kept only when something failed: the server log and the JUnit report explain it.
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
