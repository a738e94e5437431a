"""The `ata` command: serve, send mail, migrate, back up and restore, load demo data, manage accounts and partner
clients."""

import argparse
import os
import signal
import sys
from pathlib import Path

from api.core.config import Settings, get_settings


def _settings() -> Settings:
    from pydantic import ValidationError

    get_settings.cache_clear()
    try:
        return get_settings()
    except ValidationError as exc:
        # A refusal to start (no secret in production, a bad setting) in one line, not a traceback.
        raise SystemExit("ata: " + "; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors())
                         ) from None


def _prepare(settings: Settings, *, demo: bool = False) -> None:
    """Migrate to head (and load the demo), one process at a time (api/core/startup_lock.py)."""
    from api.core.migrations import upgrade
    from api.core.startup_lock import startup_lock

    with startup_lock(settings.database_url):
        upgrade(settings.database_url)
        if demo:
            _load_demo(settings)


def _load_demo(settings: Settings) -> None:
    from api.demo.loader import load_demo

    summary = _in_session(settings, lambda session: load_demo(session, password=settings.demo_password))
    print(f"demo data: {summary}")


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    if args.demo:
        os.environ.setdefault("ATA_ENV", "demo")
    settings = _settings()
    if args.demo and settings.env == "production":
        print("ata: refusing to load demo data with ATA_ENV=production", file=sys.stderr)
        return 2
    _check_smtp(settings)
    _prepare(settings, demo=args.demo)
    # Read by api/main.py in each server process: the mail sender runs in-process (ATA_MAIL_WORKER).
    os.environ["ATA_MAIL_IN_PROCESS"] = "1" if settings.mail_worker else "0"
    print(f"ATA Stakeholder Dashboard on http://{args.host}:{args.port}/ (API docs at /api/docs)")
    # Once uvicorn has stopped gracefully it raises the SIGTERM it handled again, for the default
    # action (death by the signal). A stop asked for and carried out is a success: exit 0. Before
    # uvicorn takes the signal over, the same handler simply stops the start.
    signal.signal(signal.SIGTERM, _exit_quietly)
    uvicorn.run(
        "api.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=False,
        log_level=args.log_level,
        # After the drain (ATA_SHUTDOWN_DRAIN_SECONDS, api/core/draining.py): requests in flight
        # get this long to finish before they are cancelled.
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
    )
    return 0


def _exit_quietly(_signum, _frame) -> None:
    raise SystemExit(0)


def _check_smtp(settings: Settings) -> None:
    """A bad ATA_SMTP_URL stops the start, in one line that never repeats the URL."""
    from api.mail.smtp import SmtpConfigError, parse_smtp_url

    if settings.smtp_url:
        try:
            parse_smtp_url(settings.smtp_url)
        except SmtpConfigError as exc:
            raise SystemExit(f"ata: {exc}") from None


def cmd_worker(_: argparse.Namespace) -> int:
    """The mail sender alone, until SIGTERM or SIGINT (the message in hand is finished first)."""
    import logging
    import signal
    import threading

    from api.core.db import make_engine
    from api.mail.sender import Sender, register_periodic
    from api.meetings.digest import weekly_digest_job

    register_periodic(weekly_digest_job)  # the weekly digest, Monday mornings
    settings = _settings()
    _check_smtp(settings)
    _prepare(settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()

    def _stop(signum, _frame) -> None:
        print(f"ata worker: {signal.Signals(signum).name}, stopping after the message in hand", flush=True)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    engine = make_engine(settings)
    try:
        sender = Sender(engine, settings)
        print(f"ata worker: sender {sender.sender_id} started", flush=True)
        sender.run(stop)
    finally:
        engine.dispose()
    print("ata worker: stopped", flush=True)
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from api.core.migrations import upgrade
    from api.core.startup_lock import startup_lock

    database_url = _settings().database_url
    with startup_lock(database_url):
        upgrade(database_url, args.revision)
    return 0


def cmd_db_downgrade(args: argparse.Namespace) -> int:
    from api.core.migrations import downgrade

    downgrade(_settings().database_url, args.revision)
    return 0


def cmd_demo_load(_: argparse.Namespace) -> int:
    settings = _settings()
    if settings.env == "production":
        print("ata: refusing to load demo data with ATA_ENV=production", file=sys.stderr)
        return 2
    _prepare(settings, demo=True)
    return 0


def reindex_search(session) -> dict[str, int]:
    """Every domain's search documents written again from the records: how many of each."""
    from api.meetings import indexing as meetings
    from api.outcomes import indexing as outcomes
    from api.search import directory

    return {"meetings": meetings.reindex_all(session),
            "people and organisations": directory.reindex_all(session),
            "pilots and Place updates": outcomes.reindex_all(session)}


def cmd_search_reindex(_: argparse.Namespace) -> int:
    counts = _in_session(_settings(), reindex_search)
    print("search index rewritten for " + ", ".join(f"{count} {what}" for what, count in counts.items()))
    return 0


def _in_session(settings: Settings, work):
    """Run `work(session)` in one transaction against the configured database."""
    from api.core.db import make_engine, session_scope

    engine = make_engine(settings)
    try:
        # Not `return` inside the loop: the generator must run on to its commit.
        for session in session_scope(engine):
            result = work(session)
        return result
    finally:
        engine.dispose()


def _read_password(args: argparse.Namespace) -> str:
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password (10+ characters): ")
    if first != getpass.getpass("Again: "):
        raise SystemExit("ata: the two passwords differ")
    return first


def cmd_users_create_admin(args: argparse.Namespace) -> int:
    from pydantic import ValidationError
    from sqlmodel import func, select

    from api.auth import service as auth_service
    from api.auth.schemas import UserCreate
    from api.authz import SYSTEM_SUBJECT
    from api.registry.models import Stakeholder

    settings = _settings()
    _prepare(settings)
    password = _read_password(args)
    try:
        body = UserCreate(email=args.email, password=password, is_admin=True)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        print(f"ata: {problems}", file=sys.stderr)
        return 2

    def work(session):
        person = session.exec(select(Stakeholder).where(func.lower(Stakeholder.email) == body.email)).first()
        data = body.model_dump() | {"stakeholder_id": person.id if person else None}
        return auth_service.create_user(session, actor=SYSTEM_SUBJECT, data=data)

    user = _in_session(settings, work)
    print(f"admin account {user.email} created (id {user.id})")
    return 0


def cmd_clients_create(args: argparse.Namespace) -> int:
    from api.auth import service as auth_service
    from api.authz import SYSTEM_SUBJECT

    settings = _settings()
    _prepare(settings)
    client, secret = _in_session(settings, lambda session: auth_service.create_client(
        session, actor=SYSTEM_SUBJECT, name=args.name, scopes=args.scopes, client_id=args.client_id))
    print(f"client_id:     {client.client_id}")
    print(f"client_secret: {secret}")
    print(f"scopes:        {client.scopes}")
    print("The secret is shown only now; it is stored hashed.")
    return 0


def cmd_indicators_import(args: argparse.Namespace) -> int:
    from api.authz import SYSTEM_SUBJECT
    from api.core.errors import InvalidInput
    from api.indicators import importer

    settings = _settings()
    _prepare(settings)
    data = Path(args.file).read_bytes()

    def progress(line: int) -> None:
        print(f"  checked {line:,} lines", file=sys.stderr, flush=True)

    try:
        result = _in_session(settings, lambda session: importer.import_csv(
            session, actor=SYSTEM_SUBJECT, data=data, progress=progress))
    except InvalidInput as exc:
        print(f"ata: {exc.detail}", file=sys.stderr)
        for error in exc.errors or []:
            where = f"line {error['line']}" + (f", column {error['column']}" if error.get("column") else "")
            print(f"  {where}: {error['msg']}", file=sys.stderr)
        return 2
    for warning in result["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{result['rows_written']} values written")
    return 0


def cmd_clients_revoke(args: argparse.Namespace) -> int:
    from sqlmodel import select

    from api.auth import service as auth_service
    from api.auth.models import PartnerClient
    from api.authz import SYSTEM_SUBJECT

    def work(session):
        client = session.exec(select(PartnerClient).where(PartnerClient.client_id == args.client_id)).first()
        if client is None:
            return None
        return auth_service.revoke_client(session, actor=SYSTEM_SUBJECT, client=client)

    if _in_session(_settings(), work) is None:
        print(f"ata: no client {args.client_id}", file=sys.stderr)
        return 2
    print(f"client {args.client_id} revoked; its tokens stop working now")
    return 0


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{n / 1024:.0f} KB"


def cmd_backup(args: argparse.Namespace) -> int:
    from api.backup import BackupError, backup

    settings = _settings()
    try:
        manifest = backup(settings, Path(args.dest), warn=lambda line: print(line, file=sys.stderr))
    except BackupError as exc:
        print(f"ata: {exc}", file=sys.stderr)
        return 2
    database, documents = manifest["database"], manifest["documents"]
    print(f"backup written to {args.dest}: {database['kind']} database at {database['revision']}, "
          f"{manifest['rows']:,} rows in {len(manifest['tables'])} tables, {len(documents)} documents "
          f"({_size(sum(d['size'] for d in documents))})")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from api.backup import BackupError, restore

    settings = _settings()
    try:
        summary = restore(settings, Path(args.src), force=args.force)
    except BackupError as exc:
        print(f"ata: {exc}", file=sys.stderr)
        return 2
    print(f"restored the backup of {summary['created_at']}: {summary['rows']:,} rows in {summary['tables']} tables, "
          f"{summary['documents']} documents ({_size(summary['document_bytes'])}); schema {summary['revision']}"
          + (f", migrated to {summary['head']}" if summary["head"] != summary["revision"] else " (head)"))
    if summary["missing_documents"]:
        print(f"warning: {summary['missing_documents']} document(s) were already missing when the backup was taken",
              file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ata", description="All Together Active Stakeholder Dashboard")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate the database and serve the web pages and API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    serve.add_argument("--demo", action="store_true", help="load the fictional demo data set first")
    serve.set_defaults(func=cmd_serve)

    worker = commands.add_parser("worker", help="send the outbox's mail (alone, until SIGTERM or SIGINT)")
    worker.set_defaults(func=cmd_worker)

    db = commands.add_parser("db", help="database schema (Alembic migrations)")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    up = db_commands.add_parser("upgrade", help="migrate to the newest schema (or --revision)")
    up.add_argument("--revision", default="head")
    up.set_defaults(func=cmd_db_upgrade)
    down = db_commands.add_parser("downgrade", help="migrate back to REVISION (base = empty)")
    down.add_argument("revision")
    down.set_defaults(func=cmd_db_downgrade)

    demo = commands.add_parser("demo", help="the fictional demo data set")
    demo_commands = demo.add_subparsers(dest="demo_command", required=True)
    load = demo_commands.add_parser("load", help="load the demo data (idempotent)")
    load.set_defaults(func=cmd_demo_load)
    search = commands.add_parser("search", help="the search index")
    search_commands = search.add_subparsers(dest="search_command", required=True)
    reindex = search_commands.add_parser("reindex", help="write the search index again from the records")
    reindex.set_defaults(func=cmd_search_reindex)

    users = commands.add_parser("users", help="sign-in accounts")
    users_commands = users.add_subparsers(dest="users_command", required=True)
    admin = users_commands.add_parser("create-admin", help="create an admin account (asks for the password)")
    admin.add_argument("--email", required=True)
    admin.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    admin.set_defaults(func=cmd_users_create_admin)

    clients = commands.add_parser("clients", help="partner systems (OAuth2 client credentials)")
    clients_commands = clients.add_subparsers(dest="clients_command", required=True)
    create = clients_commands.add_parser("create", help="create a client and print its secret once")
    create.add_argument("--name", required=True)
    create.add_argument("--scopes", default="indicators:read",
                        help='space-separated, e.g. "indicators:read outcomes:read"')
    create.add_argument("--client-id", default=None)
    create.set_defaults(func=cmd_clients_create)
    revoke = clients_commands.add_parser("revoke", help="revoke a client; its tokens stop working at once")
    revoke.add_argument("client_id")
    revoke.set_defaults(func=cmd_clients_revoke)
    backup = commands.add_parser("backup", help="write the database and uploaded documents to one archive")
    backup.add_argument("dest", help="a new file: .tar, or .tar.gz to compress (never overwritten)")
    backup.set_defaults(func=cmd_backup)
    restore = commands.add_parser("restore", help="restore a backup into an empty database, then migrate")
    restore.add_argument("src")
    restore.add_argument("--force", action="store_true", help="replace what a non-empty database holds")
    restore.set_defaults(func=cmd_restore)
    indicators = commands.add_parser("indicators", help="public-health indicator data")
    indicators_commands = indicators.add_subparsers(dest="indicators_command", required=True)
    load_values = indicators_commands.add_parser("import", help="import values from a CSV file (all or nothing)")
    load_values.add_argument("file")
    load_values.set_defaults(func=cmd_indicators_import)
    return parser


def main(argv: list[str] | None = None) -> int:
    from api.core.errors import ProblemError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ProblemError as exc:
        print(f"ata: {exc.detail}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
