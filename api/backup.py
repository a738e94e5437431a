"""`ata backup` and `ata restore`: one archive holding the database, the uploaded documents and a
manifest, restorable into an empty database of the same kind and then migrated to head.

The archive is a tar file (gzip-compressed when its name ends in .tar.gz or .tgz):

    database.sqlite3 | database.pgdump    the database: SQLite's online backup, or pg_dump --format=custom
    documents/aa/bb/<sha256>              every document the database refers to, named as in ATA_STORAGE_DIR
    manifest.json                         written last: a truncated archive has none and is refused

The database is read in one consistent snapshot while the service keeps writing: SQLite's backup
API copies every page in one read transaction (WAL lets writers carry on meanwhile); on PostgreSQL
a REPEATABLE READ transaction exports its snapshot, pg_dump dumps exactly that snapshot, and the
manifest's row counts and document list are read in it too, so they describe the dump exactly.

A restore unpacks into a temporary folder and checks every member against the manifest's sizes and
SHA-256 checksums before anything is written, so a damaged or altered archive changes nothing.
"""

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, create_engine, inspect, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from api.core.config import Settings
from api.core.migrations import current_revisions, upgrade
from api.core.startup_lock import startup_lock
from api.meetings.pack import stored_path

FORMAT = "ata-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
DOCUMENTS = "documents/"
CHUNK = 1024 * 1024
# A stored document's place under ATA_STORAGE_DIR (api/meetings/pack.py: stored_path); nothing
# else is ever unpacked from an archive, so no name can climb out of the storage folder.
DOCUMENT_PATH = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}$")

Say = Callable[[str], None]


class BackupError(Exception):
    """A refusal or a failure, in one line (the CLI prints it after "ata: ")."""


@dataclass
class Snapshot:
    """What one consistent read of the database found."""

    path: Path
    revision: str
    tables: dict[str, int]
    documents: set[str]
    details: dict = field(default_factory=dict)


def database_kind(database_url: str) -> str:
    backend = make_url(database_url).get_backend_name()
    if backend not in DATABASE_MEMBER:
        raise BackupError(f"cannot back up or restore a {backend} database (only SQLite and PostgreSQL)")
    return backend


# ----------------------------------------------------------------------------------------------
# Backup


def backup(settings: Settings, dest: Path, *, warn: Say = print) -> dict:
    """Write the archive to `dest` (never over an existing file); returns its manifest."""
    dest = Path(dest)
    if dest.exists():
        raise BackupError(f"{dest} already exists; a backup never overwrites a file, so name a new one")
    if not dest.parent.is_dir():
        raise BackupError(f"no folder {dest.parent} to write the backup in")
    kind = database_kind(settings.database_url)
    started = datetime.now(UTC)
    # Staged beside the archive: the space the operator chose for backups, not /tmp.
    with _database_errors(), tempfile.TemporaryDirectory(dir=dest.parent, prefix=".ata-backup-") as staging:
        target = Path(staging) / DATABASE_MEMBER[kind]
        snapshot = _sqlite_snapshot(settings, target) if kind == "sqlite" else _pg_snapshot(settings, target)
        return _write_archive(settings, dest, kind, started, snapshot, warn)


@contextmanager
def _database_errors() -> Iterator[None]:
    """The database unreachable, a refused password, a locked file: one line, not a traceback."""
    try:
        yield
    except (SQLAlchemyError, sqlite3.Error) as exc:
        raise BackupError(f"the database failed: {_one_line(getattr(exc, 'orig', None) or exc)}") from None


def _sqlite_file(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("only a SQLite database in a file can be backed up or restored")
    return Path(database)


def _sqlite_snapshot(settings: Settings, target: Path) -> Snapshot:
    source_path = _sqlite_file(settings.database_url)
    if not source_path.is_file():  # sqlite3.connect would quietly create an empty one
        raise BackupError(f"no database at {source_path} (check ATA_DATABASE_URL)")
    source = sqlite3.connect(source_path, timeout=settings.sqlite_busy_timeout)
    copy = sqlite3.connect(target)
    try:
        # pages=-1: every page in one step, so one read transaction and one consistent snapshot.
        source.backup(copy, pages=-1)
        # The copy stands alone in the archive: no -wal file beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
        source.close()
    engine = create_engine(f"sqlite:///{target}", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            revision, tables, documents = _facts(connection)
    finally:
        engine.dispose()
    return Snapshot(target, revision, tables, documents, {"sqlite_version": sqlite3.sqlite_version})


def _pg_snapshot(settings: Settings, target: Path) -> Snapshot:
    engine = create_engine(settings.database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            server = connection.dialect.server_version_info or (0,)
            pg_dump, tool = _pg_tool("pg_dump", at_least=server[0], why=f"the PostgreSQL {server[0]} server's")
            connection = connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            snapshot_id = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            revision, tables, documents = _facts(connection)
            conninfo, env = _libpq(settings.database_url)
            # The exporting transaction stays open until pg_dump has finished with its snapshot.
            _run([pg_dump, "--format=custom", f"--snapshot={snapshot_id}", "--file", str(target),
                  "--dbname", conninfo], env, "pg_dump")
            connection.rollback()
    finally:
        engine.dispose()
    return Snapshot(target, revision, tables, documents,
                    {"server_version": ".".join(map(str, server)), "pg_dump": tool})


def _facts(connection: Connection) -> tuple[str, dict[str, int], set[str]]:
    """The schema revision, the rows of each table and the documents' checksums, as `connection` sees them."""
    revisions = _revisions(connection)
    if not revisions:
        raise BackupError("the database has no schema (no migration has run): check ATA_DATABASE_URL")
    tables = _row_counts(connection)
    documents: set[str] = set()
    if "document" in tables:
        documents = set(connection.execute(text("SELECT DISTINCT sha256 FROM document")).scalars())
    return revisions, tables, documents


def _revisions(connection: Connection) -> str:
    if not inspect(connection).has_table("alembic_version"):
        return ""
    return " ".join(sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars()))


def _row_counts(connection: Connection) -> dict[str, int]:
    """Rows per table: the database's own tables, without SQLite's full-text index (an FTS5
    virtual table and its shadow tables, all rebuilt from search_document)."""
    names = inspect(connection).get_table_names()
    if connection.dialect.name == "sqlite":
        virtual = list(connection.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")).scalars())
        names = [n for n in names if not any(n == v or n.startswith(v + "_") for v in virtual)]
    quote = connection.dialect.identifier_preparer.quote
    return {name: connection.execute(text(f"SELECT count(*) FROM {quote(name)}")).scalar_one()  # noqa: S608
            for name in sorted(names)}


def _write_archive(settings: Settings, dest: Path, kind: str, started: datetime, snapshot: Snapshot,
                   warn: Say) -> dict:
    mode = "w:gz" if dest.name.endswith((".tar.gz", ".tgz")) else "w"
    # Written under another name and linked into place at the end: a half-written archive never
    # carries the name asked for, and an existing file is never replaced.
    descriptor, partial = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".partial")
    try:
        with os.fdopen(descriptor, "wb") as raw:
            with tarfile.open(fileobj=raw, mode=mode) as archive:
                database = _add(archive, snapshot.path, DATABASE_MEMBER[kind])
                documents, missing = [], []
                for sha in sorted(snapshot.documents):
                    path = stored_path(settings, sha)
                    relative = path.relative_to(settings.storage_dir).as_posix()
                    try:
                        entry = _add(archive, path, DOCUMENTS + relative)
                    except FileNotFoundError:
                        missing.append(sha)
                        continue
                    if entry["sha256"] != sha:
                        warn(f"warning: the stored file {path} does not match its name (damaged on disk); "
                             "archived as it is")
                    documents.append({"path": relative, "size": entry["size"], "sha256": entry["sha256"]})
                if missing:
                    warn(f"warning: {len(missing)} document(s) the database refers to are missing from "
                         f"{settings.storage_dir} (listed in the manifest as missing_documents)")
                manifest = {
                    "format": FORMAT, "format_version": FORMAT_VERSION, "created_at": started.isoformat(),
                    "database": {"kind": kind, "file": DATABASE_MEMBER[kind], "size": database["size"],
                                 "sha256": database["sha256"], "revision": snapshot.revision,
                                 **snapshot.details},
                    "tables": snapshot.tables, "rows": sum(snapshot.tables.values()),
                    "documents": documents, "missing_documents": missing,
                }
                body = json.dumps(manifest, indent=2).encode()
                info = _info(MANIFEST, len(body))
                archive.addfile(info, io.BytesIO(body))
            raw.flush()
            os.fsync(raw.fileno())
        try:
            os.link(partial, dest)
        except FileExistsError:
            raise BackupError(f"{dest} appeared while the backup was written; it was left alone") from None
        except OSError:  # a file system without hard links
            if dest.exists():
                raise BackupError(f"{dest} appeared while the backup was written; it was left alone") from None
            os.replace(partial, dest)
    finally:
        Path(partial).unlink(missing_ok=True)
    return manifest


def _info(name: str, size: int, mtime: float | None = None) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode = size, 0o600
    info.mtime = int(mtime if mtime is not None else datetime.now(UTC).timestamp())
    return info


class _Reader:
    """A file object for tarfile that hashes what passes through it."""

    def __init__(self, handle) -> None:
        self.handle, self.digest = handle, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        return chunk


def _add(archive: tarfile.TarFile, path: Path, name: str) -> dict:
    with path.open("rb") as handle:
        status = os.fstat(handle.fileno())
        reader = _Reader(handle)
        archive.addfile(_info(name, status.st_size, status.st_mtime), reader)
    return {"size": status.st_size, "sha256": reader.digest.hexdigest()}


# ----------------------------------------------------------------------------------------------
# PostgreSQL client tools


def _libpq(database_url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string for pg_dump / pg_restore, and their environment: the password
    goes in PGPASSWORD, never on the command line (where `ps` would show it)."""
    url = make_url(database_url)
    parts = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    parts |= {key: value if isinstance(value, str) else value[-1] for key, value in url.query.items()}
    conninfo = " ".join(f"{key}={_quoted(value)}" for key, value in parts.items() if value not in (None, ""))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return conninfo, env


def _quoted(value) -> str:
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _pg_tool(name: str, *, at_least: int, why: str) -> tuple[str, str]:
    """The tool's path and version line, refused in one line if it is missing or too old."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} was not found on PATH: install the PostgreSQL client tools "
                          f"(e.g. apt install postgresql-client), version {at_least} or newer")
    result = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)  # noqa: S603 (our own argv)
    major = _major(result.stdout)
    if major is None:
        raise BackupError(f"{path} --version said {result.stdout.strip()!r}; expected a PostgreSQL {name}")
    if major < at_least:
        raise BackupError(f"{name} {major} ({path}) is older than {why} version {at_least}: install the version "
                          f"{at_least} (or newer) client tools; {name}'s major version must be at least that")
    return path, result.stdout.strip()


def _major(version_line: str) -> int | None:
    """15 from "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"."""
    found = re.search(r"PostgreSQL\)\s+(\d+)", version_line)
    return int(found.group(1)) if found else None


def _run(argv: list[str], env: dict[str, str], name: str) -> None:
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603 (our own argv)
    if result.returncode != 0:
        raise BackupError(f"{name} failed: {_one_line(result.stderr) or f'exit status {result.returncode}'}")


def _one_line(message) -> str:
    lines = [line.strip() for line in str(message).strip().splitlines() if line.strip()]
    return "; ".join(lines[:3])


# ----------------------------------------------------------------------------------------------
# Restore


def restore(settings: Settings, src: Path, *, force: bool = False, say: Say = print) -> dict:
    """Restore the archive at `src` into the configured database and storage folder, then migrate
    to head. Refuses a database that is not empty unless `force`; returns a summary."""
    src = Path(src)
    if not src.is_file():
        raise BackupError(f"no backup at {src}")
    kind = database_kind(settings.database_url)
    with _database_errors(), tempfile.TemporaryDirectory(prefix="ata-restore-") as staging_dir:
        staging = Path(staging_dir)
        manifest = _unpack(src, staging)
        database = manifest["database"]
        if database["kind"] != kind:
            raise BackupError(f"{src} holds a {database['kind']} database and ATA_DATABASE_URL names a {kind} one; "
                              "a backup restores only into a database of its own kind")
        dump = staging / database["file"]
        if kind == "postgresql":
            made_by = _major(database.get("pg_dump", "")) or 0
            pg_restore, _ = _pg_tool("pg_restore", at_least=made_by, why="the pg_dump that made the backup,")
            _, env = _libpq(settings.database_url)
            # Read the whole dump's table of contents before anything is changed: a dump this
            # pg_restore cannot read is refused here.
            _run([pg_restore, "--list", str(dump)], env, "pg_restore")
        with startup_lock(settings.database_url):  # no instance starting meanwhile migrates a half-restored database
            existing = _existing(settings)
            if existing:
                rows = sum(existing.values())
                if not force:
                    raise BackupError(f"the database is not empty ({len(existing)} tables, {rows} rows); restore into "
                                      "an empty database, or add --force to replace what it holds")
                say(f"--force: replacing the database's {rows} rows in {len(existing)} tables; documents already in "
                    f"{settings.storage_dir} stay (files are named by their content)")
            # Documents first: files nothing refers to yet are harmless if the database step fails.
            restored_documents = _restore_documents(settings, staging, manifest["documents"])
            if kind == "sqlite":
                _sqlite_restore(settings, dump)
            else:
                _pg_restore(settings, pg_restore, dump, replace=bool(existing))
            restored = _restored_facts(settings)
            if restored[1] != manifest["tables"] or restored[0] != database["revision"]:
                raise BackupError("the restored database does not match the backup's manifest (tables, rows or "
                                  "schema revision differ); do not use it")
            upgrade(settings.database_url)
            head = _head(settings)
    return {"kind": kind, "created_at": manifest["created_at"], "revision": database["revision"], "head": head,
            "tables": len(manifest["tables"]), "rows": manifest["rows"], "documents": restored_documents,
            "document_bytes": sum(d["size"] for d in manifest["documents"]),
            "missing_documents": len(manifest.get("missing_documents", []))}


def _unpack(src: Path, staging: Path) -> dict:
    """Every member into `staging`, checked against the manifest; the manifest, or BackupError."""
    received: dict[str, tuple[int, str]] = {}
    try:
        with tarfile.open(src, "r:*") as archive:
            for member in archive:
                name = member.name
                allowed = name == MANIFEST or name in DATABASE_MEMBER.values() or (
                    name.startswith(DOCUMENTS) and DOCUMENT_PATH.match(name.removeprefix(DOCUMENTS)))
                if not member.isfile() or not allowed or name in received:
                    raise BackupError(f"{src} is not an ata backup: it holds {name!r}; nothing was restored")
                target = staging / name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with archive.extractfile(member) as handle, target.open("wb") as out:
                    while chunk := handle.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                received[name] = (size, digest.hexdigest())
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise BackupError(f"{src} cannot be read ({_one_line(exc)}): it is damaged or truncated; "
                          "nothing was restored") from None
    if MANIFEST not in received:
        raise BackupError(f"{src} has no manifest: it is truncated or not an ata backup; nothing was restored")
    try:
        manifest = json.loads((staging / MANIFEST).read_text())
        if manifest.get("format") != FORMAT or not isinstance(manifest.get("format_version"), int):
            raise BackupError(f"{src} is not an ata backup; nothing was restored")
        if manifest["format_version"] > FORMAT_VERSION:
            raise BackupError(f"{src} was written by a newer version of ata (backup format "
                              f"{manifest['format_version']}); upgrade ata to restore it")
        database = manifest["database"]
        if DATABASE_MEMBER.get(database["kind"]) != database["file"]:
            raise BackupError(f"{src}'s manifest names an unknown database; nothing was restored")
        expected = {database["file"]: (database["size"], database["sha256"])}
        for document in manifest["documents"]:
            if not DOCUMENT_PATH.match(document["path"]):
                raise BackupError(f"{src}'s manifest names a document outside the storage layout; "
                                  "nothing was restored")
            expected[DOCUMENTS + document["path"]] = (document["size"], document["sha256"])
        shapes = ((manifest["tables"], dict), (manifest["rows"], int), (manifest["created_at"], str))
        if not all(isinstance(value, kind) for value, kind in shapes):
            raise TypeError
    except (ValueError, KeyError, TypeError, AttributeError):
        raise BackupError(f"{src}'s manifest is malformed; nothing was restored") from None
    for name, (size, sha) in expected.items():
        if name not in received:
            raise BackupError(f"{src} lacks {name}, which its manifest lists: it is truncated or incomplete; "
                              "nothing was restored")
        if received[name] != (size, sha):
            raise BackupError(f"{name} in {src} does not match the manifest's size and SHA-256 (damaged or "
                              "altered); nothing was restored")
    extra = set(received) - set(expected) - {MANIFEST}
    if extra:
        raise BackupError(f"{src} holds {sorted(extra)[0]}, which its manifest does not list; nothing was restored")
    return manifest


def _engine(settings: Settings):
    return create_engine(settings.database_url, poolclass=NullPool)


def _existing(settings: Settings) -> dict[str, int]:
    """The target's tables and rows; empty for a new database, or one with only an empty
    alembic_version (migrated down to base)."""
    if settings.is_sqlite:
        path = _sqlite_file(settings.database_url)
        if not path.exists() or path.stat().st_size == 0:
            return {}
    engine = _engine(settings)
    try:
        with engine.connect() as connection:
            tables = _row_counts(connection)
            if settings.is_sqlite:  # sqlite_sequence and the like are SQLite's own
                tables = {name: rows for name, rows in tables.items() if not name.startswith("sqlite_")}
    finally:
        engine.dispose()
    if tables.get("alembic_version") == 0:
        del tables["alembic_version"]
    return tables


def _restored_facts(settings: Settings) -> tuple[str, dict[str, int]]:
    engine = _engine(settings)
    try:
        with engine.connect() as connection:
            return _revisions(connection), _row_counts(connection)
    finally:
        engine.dispose()


def _head(settings: Settings) -> str:
    engine = _engine(settings)
    try:
        return " ".join(sorted(current_revisions(engine)))
    finally:
        engine.dispose()


def _restore_documents(settings: Settings, staging: Path, documents: list[dict]) -> int:
    """Copy each document into the storage folder (temporary name, checked, then renamed into
    place, as uploads are); returns how many were restored."""
    root = Path(settings.storage_dir)
    (root / "tmp").mkdir(parents=True, exist_ok=True)
    for document in documents:
        final = root / document["path"]
        final.parent.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(dir=root / "tmp", delete=False)  # noqa: SIM115 (renamed below)
        try:
            digest = hashlib.sha256()
            with handle, (staging / DOCUMENTS / document["path"]).open("rb") as source:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            if digest.hexdigest() != document["sha256"]:
                raise BackupError(f"copying {document['path']} into {root} changed its bytes; the restore stopped")
            os.replace(handle.name, final)
        finally:
            Path(handle.name).unlink(missing_ok=True)
    return len(documents)


def _sqlite_restore(settings: Settings, dump: Path) -> None:
    target = _sqlite_file(settings.database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(dump)
    destination = sqlite3.connect(target, timeout=settings.sqlite_busy_timeout)
    try:
        # The backup API the other way: the target's whole content is replaced in one step, and
        # an open connection elsewhere sees either the old database or the restored one.
        source.backup(destination, pages=-1)
    except sqlite3.Error as exc:
        raise BackupError(f"could not write {target}: {exc}") from None
    finally:
        destination.close()
        source.close()


def _pg_restore(settings: Settings, pg_restore: str, dump: Path, *, replace: bool) -> None:
    if replace:
        _empty_pg(settings)
    else:  # an empty alembic_version (migrated down to base) would stop the dump's own being made
        engine = _engine(settings)
        try:
            with engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        finally:
            engine.dispose()
    conninfo, env = _libpq(settings.database_url)
    # One transaction: a restore that fails part-way leaves nothing behind. Owners and grants
    # name roles of the old server, which may not exist here: the restoring role owns everything.
    _run([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          "--dbname", conninfo, str(dump)], env, "pg_restore")


def _empty_pg(settings: Settings) -> None:
    """Drop every table, view, sequence and type in the schema (for --force), in one transaction."""
    engine = _engine(settings)
    try:
        with engine.begin() as connection:
            relations = connection.execute(text(
                "SELECT c.relkind, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')")).all()
            quote = connection.dialect.identifier_preparer.quote
            kinds = {"r": "TABLE", "p": "TABLE", "f": "FOREIGN TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW",
                     "S": "SEQUENCE"}
            for relkind, name in relations:
                connection.execute(text(f"DROP {kinds[relkind]} IF EXISTS {quote(name)} CASCADE"))
            types = connection.execute(text(
                "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                "WHERE n.nspname = current_schema() AND t.typtype IN ('e', 'd')")).scalars().all()
            for name in types:
                connection.execute(text(f"DROP TYPE IF EXISTS {quote(name)} CASCADE"))
    finally:
        engine.dispose()
