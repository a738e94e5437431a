"""`ata backup` and `ata restore` (api/backup.py) on the suite's database kind: a backup taken
while writes run restores into a fresh database, where a service sees every write acknowledged
before the backup began and the papers byte for byte; a non-empty target, a damaged archive and a
backup of the other kind are refused with nothing written; an older schema is migrated to head."""

import hashlib
import io
import json
import os
import tarfile
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, text
from sqlmodel import Session

from api.auth import service as auth_service
from api.auth.models import UserAccount
from api.backup import BackupError, _libpq, backup, restore
from api.cli import main
from api.core.migrations import head_revisions, upgrade
from api.main import create_app
from api.meetings.pack import stored_path
from tests import factories
from tests.api.test_meetings import JAN
from tests.api.test_papers_and_pack import make_pdf
from tests.conftest import fresh_database, make_settings

# One worker runs them all under `-n auto`, so the source (and its backup) is made once.
pytestmark = pytest.mark.xdist_group("backup")

CSV = b"indicator,area,value\n93014,E06000049,21.4\n93014,E06000050,19.8\n"


def _wait_for(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


def _scalar(url: str, sql: str):
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A service with an admin, a meeting with two papers, and a backup taken while a writer keeps
    creating organisations through the API (each one recorded once its 201 is received)."""
    folder = tmp_path_factory.mktemp("backup-source")
    with fresh_database(folder) as url:
        upgrade(url)
        settings = make_settings(url, storage_dir=folder / "storage")
        app = create_app(settings)
        with Session(app.state.engine, expire_on_commit=False) as db:
            admin = UserAccount(email="backup.admin@example.org", password_hash="!", is_admin=True)
            db.add(admin)
            group = factories.group(db, name="Backup Test Partnership", kind="partnership", code="BTP")
            db.commit()
        headers = {"Authorization": f"Bearer {auth_service.user_token(settings, admin).token}"}
        papers = {"pack.pdf": make_pdf(2, "Backup"), "figures.csv": CSV}
        acknowledged: list[str] = []
        stop = threading.Event()
        with TestClient(app) as client:
            r = client.post(f"/api/v1/groups/{group.id}/meetings", headers=headers,
                            json={**JAN, "venue_kind": "online"})
            assert r.status_code == 201, r.text
            meeting = r.json()
            for name, content in papers.items():
                r = client.post(f"/api/v1/meetings/{meeting['id']}/documents", headers=headers,
                                files={"file": (name, content, "application/octet-stream")})
                assert r.status_code == 201, r.text

            def write() -> None:
                with TestClient(app) as writer:
                    n = 0
                    while not stop.is_set():
                        n += 1
                        name = f"Written While Backing Up {n}"
                        r = writer.post("/api/v1/organisations", headers=headers,
                                        json={"name": name, "sector": "vcfse"})
                        assert r.status_code == 201, r.text
                        acknowledged.append(name)

            thread = threading.Thread(target=write, daemon=True)
            thread.start()
            try:
                _wait_for(lambda: len(acknowledged) >= 5 or not thread.is_alive(), "the writer's first writes")
                assert thread.is_alive(), "the writer stopped"
                before = list(acknowledged)  # acknowledged before the backup began
                archive = folder / "ata-backup.tar"
                manifest = backup(settings, archive)
                after_backup = len(acknowledged)
                _wait_for(lambda: len(acknowledged) > after_backup or not thread.is_alive(), "a write after the backup")
                assert thread.is_alive(), "the writer stopped"
            finally:
                stop.set()
                thread.join(30)
        app.state.engine.dispose()
        yield {"url": url, "settings": settings, "archive": archive, "manifest": manifest, "headers": headers,
               "before": before, "acknowledged": acknowledged, "papers": papers, "meeting": meeting}


@pytest.fixture
def target(tmp_path):
    """A fresh, empty database and storage folder to restore into."""
    with fresh_database(tmp_path) as url:
        yield make_settings(url, storage_dir=tmp_path / "restored-storage")


def _all_organisations(client, headers) -> list[str]:
    names, cursor = [], None
    while True:
        r = client.get("/api/v1/organisations", headers=headers,
                       params={"limit": 100, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        names += [o["name"] for o in r.json()["items"]]
        cursor = r.json().get("next_cursor")
        if not cursor:
            return names


def test_every_write_acknowledged_before_the_backup_began_is_restored(source, target):
    summary = restore(target, source["archive"])
    assert summary["rows"] == source["manifest"]["rows"] and summary["documents"] == 2
    app = create_app(target)
    try:
        with TestClient(app) as client:
            assert client.get("/readyz").json()["migrations"] == "at head"
            restored = set(_all_organisations(client, source["headers"]))  # the admin's token works there too
            assert set(source["before"]) <= restored
            # Nothing that was not written, and exactly what the manifest counted.
            assert restored <= set(source["acknowledged"])
            assert len(restored) == source["manifest"]["tables"]["organisation"]
            # The restored database takes new writes (its id sequences came back too).
            r = client.post("/api/v1/organisations", headers=source["headers"],
                            json={"name": "Written After The Restore", "sector": "public"})
            assert r.status_code == 201, r.text
    finally:
        app.state.engine.dispose()
    assert _scalar(target.database_url, "SELECT version_num FROM alembic_version") in head_revisions(
        target.database_url)


def test_papers_come_back_byte_for_byte(source, target):
    restore(target, source["archive"])
    app = create_app(target)
    try:
        with TestClient(app) as client:
            listed = client.get(f"/api/v1/meetings/{source['meeting']['id']}/documents", headers=source["headers"])
            documents = {d["filename"]: d for d in listed.json()["items"]}
            assert set(documents) == set(source["papers"])
            for name, content in source["papers"].items():
                r = client.get(f"/api/v1/documents/{documents[name]['id']}/content", headers=source["headers"])
                assert r.status_code == 200, r.text
                assert r.content == content
    finally:
        app.state.engine.dispose()


def test_the_manifest_counts_and_checksums_what_the_archive_holds(source):
    manifest = source["manifest"]
    assert source["archive"].stat().st_mode & 0o077 == 0  # it holds password hashes: the owner's alone
    with tarfile.open(source["archive"]) as archive:
        assert archive.getnames()[-1] == "manifest.json"  # written last: a truncated archive has none
        assert json.load(archive.extractfile("manifest.json")) == manifest
        database = archive.extractfile(manifest["database"]["file"]).read()
    assert manifest["format"] == "ata-backup" and manifest["format_version"] == 1
    assert manifest["created_at"].endswith("+00:00")
    assert manifest["database"]["kind"] == ("postgresql" if source["url"].startswith("postgresql") else "sqlite")
    assert manifest["database"]["revision"] in head_revisions(source["url"])
    assert manifest["database"]["sha256"] == hashlib.sha256(database).hexdigest()
    tables = manifest["tables"]
    assert tables["document"] == 2 and tables["meeting"] == 1 and tables["user_account"] == 1
    assert tables["area"] == _scalar(source["url"], "SELECT count(*) FROM area")
    assert len(source["before"]) <= tables["organisation"] <= len(source["acknowledged"])
    assert manifest["rows"] == sum(tables.values())
    assert sorted(d["sha256"] for d in manifest["documents"]) == sorted(
        hashlib.sha256(content).hexdigest() for content in source["papers"].values())
    assert {d["size"] for d in manifest["documents"]} == {len(c) for c in source["papers"].values()}
    assert manifest["missing_documents"] == []


def test_a_paper_missing_from_storage_is_listed_and_the_rest_still_backed_up_and_restored(
        source, target, tmp_path, monkeypatch, capsys):
    """A file lost from ATA_STORAGE_DIR before the backup: the backup still completes, says so,
    and lists it in the manifest; `ata restore` restores the rest and warns of the gap."""
    gone_sha = hashlib.sha256(source["papers"]["figures.csv"]).hexdigest()
    stored = stored_path(source["settings"], gone_sha)
    kept = stored.read_bytes()
    stored.unlink()
    warnings: list[str] = []
    try:
        manifest = backup(source["settings"], tmp_path / "with-a-gap.tar", warn=warnings.append)
    finally:
        stored.write_bytes(kept)  # the module's other tests read this source
    assert manifest["missing_documents"] == [gone_sha]
    assert [d["sha256"] for d in manifest["documents"]] == [hashlib.sha256(source["papers"]["pack.pdf"]).hexdigest()]
    assert warnings == [f"warning: 1 document(s) the database refers to are missing from "
                        f"{source['settings'].storage_dir} (listed in the manifest as missing_documents)"]
    monkeypatch.setenv("ATA_DATABASE_URL", target.database_url)
    monkeypatch.setenv("ATA_STORAGE_DIR", str(target.storage_dir))
    monkeypatch.setenv("ATA_SECRET_KEY", target.secret_key)
    assert main(["restore", str(tmp_path / "with-a-gap.tar")]) == 0
    said = capsys.readouterr()
    assert "1 documents" in said.out
    assert "warning: 1 document(s) were already missing when the backup was taken" in said.err
    assert _files(target.storage_dir) == [stored_path(target, manifest["documents"][0]["sha256"])]


def test_a_database_that_is_not_empty_is_kept_unless_forced(source, target, monkeypatch, capsys):
    monkeypatch.setenv("ATA_DATABASE_URL", target.database_url)
    monkeypatch.setenv("ATA_STORAGE_DIR", str(target.storage_dir))
    monkeypatch.setenv("ATA_SECRET_KEY", target.secret_key)
    assert main(["restore", str(source["archive"])]) == 0
    assert "2 documents" in capsys.readouterr().out
    engine = create_engine(target.database_url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM organisation WHERE name = :name"), {"name": source["before"][0]})
    engine.dispose()
    count = _scalar(target.database_url, "SELECT count(*) FROM organisation")

    assert main(["restore", str(source["archive"])]) == 2
    assert "not empty" in capsys.readouterr().err
    assert _scalar(target.database_url, "SELECT count(*) FROM organisation") == count  # nothing changed

    assert main(["restore", str(source["archive"]), "--force"]) == 0
    assert "--force: replacing the database's" in capsys.readouterr().out
    assert _scalar(target.database_url, "SELECT count(*) FROM organisation") == count + 1


def _rewrite(src: Path, dest: Path, change) -> None:
    """A copy of the archive with `change(name, bytes)` applied to each member's bytes."""
    with tarfile.open(src) as archive, tarfile.open(dest, "w") as out:
        for member in archive:
            body = change(member.name, archive.extractfile(member).read())
            member.size = len(body)
            out.addfile(member, io.BytesIO(body))


def test_the_password_reaches_pg_dump_through_the_environment_not_its_arguments():
    conninfo, env = _libpq("postgresql+psycopg://ata:s3cret'pw@db.internal:6543/ata?sslmode=require")
    assert "s3cret" not in conninfo and env["PGPASSWORD"] == "s3cret'pw"
    assert conninfo == "host='db.internal' port='6543' user='ata' dbname='ata' sslmode='require'"


def _flip_last_byte(body: bytes) -> bytes:
    return body[:-1] + bytes([body[-1] ^ 1])


@pytest.mark.parametrize("damage", ["document bytes", "manifest checksum", "truncated"])
def test_a_damaged_archive_is_refused_and_nothing_is_written(source, target, tmp_path, damage):
    damaged = tmp_path / "damaged.tar"
    if damage == "document bytes":
        _rewrite(source["archive"], damaged,
                 lambda name, body: _flip_last_byte(body) if name.startswith("documents/") else body)
    elif damage == "manifest checksum":
        def change(name, body):
            if name != "manifest.json":
                return body
            manifest = json.loads(body)
            manifest["database"]["sha256"] = "0" * 64
            return json.dumps(manifest).encode()
        _rewrite(source["archive"], damaged, change)
    else:
        data = source["archive"].read_bytes()
        damaged.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(BackupError, match="nothing was restored") as refused:
        restore(target, damaged)
    assert ("truncated" in str(refused.value)) if damage == "truncated" else ("does not match" in str(refused.value))
    assert _tables(target.database_url) == []
    assert _files(Path(target.storage_dir)) == []


def test_a_restored_database_whose_rows_differ_from_the_manifest_is_reported(source, target, tmp_path):
    """The database member intact, but the manifest's counts not what it holds: refused after the
    database step, not served as if complete."""
    def change(name, body):
        if name != "manifest.json":
            return body
        manifest = json.loads(body)
        manifest["tables"]["organisation"] += 1
        return json.dumps(manifest).encode()
    miscounted = tmp_path / "miscounted.tar"
    _rewrite(source["archive"], miscounted, change)
    with pytest.raises(BackupError, match="does not match the backup's manifest"):
        restore(target, miscounted)


def test_a_backup_of_the_other_kind_is_refused(source, target, tmp_path):
    other = "sqlite" if source["manifest"]["database"]["kind"] == "postgresql" else "postgresql"
    member = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[other]
    foreign = tmp_path / "other-kind.tar"
    with tarfile.open(source["archive"]) as archive, tarfile.open(foreign, "w") as out:
        for entry in archive:
            body = archive.extractfile(entry).read()
            if entry.name == "manifest.json":
                manifest = json.loads(body)
                manifest["database"] |= {"kind": other, "file": member}
                body = json.dumps(manifest).encode()
            elif entry.name == source["manifest"]["database"]["file"]:
                entry.name = member
            entry.size = len(body)
            out.addfile(entry, io.BytesIO(body))
    with pytest.raises(BackupError, match="only into a database of its own kind"):
        restore(target, foreign)
    assert _tables(target.database_url) == []


def test_a_backup_of_an_older_schema_is_migrated_to_head_and_a_gzip_archive_works(tmp_path, target):
    with fresh_database(tmp_path) as url:
        upgrade(url, "0013_meeting_cycle")
        archive = tmp_path / "older.tar.gz"
        manifest = backup(make_settings(url, storage_dir=tmp_path / "older-storage"), archive)
    assert manifest["database"]["revision"] == "0013_meeting_cycle" and "outbox_message" not in manifest["tables"]
    with open(archive, "rb") as raw:
        assert raw.read(2) == b"\x1f\x8b"  # gzip
    # A database migrated down to base (an empty alembic_version) counts as empty.
    engine = create_engine(target.database_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
    engine.dispose()
    summary = restore(target, archive)
    assert summary["revision"] == "0013_meeting_cycle" and {summary["head"]} == head_revisions(target.database_url)
    assert "outbox_message" in _tables(target.database_url)


def test_an_existing_file_is_never_overwritten(source, tmp_path):
    dest = tmp_path / "exists.tar"
    dest.write_bytes(b"keep me")
    with pytest.raises(BackupError, match="already exists"):
        backup(source["settings"], dest)
    assert dest.read_bytes() == b"keep me"


@pytest.mark.skipif(not os.environ.get("ATA_TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="pg_dump is used for PostgreSQL only")
def test_a_missing_or_older_pg_dump_fails_in_one_clear_line(source, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ATA_DATABASE_URL", source["url"])
    monkeypatch.setenv("ATA_STORAGE_DIR", str(source["settings"].storage_dir))
    monkeypatch.setenv("ATA_SECRET_KEY", source["settings"].secret_key)
    tools = tmp_path / "bin"
    tools.mkdir()
    monkeypatch.setenv("PATH", str(tools))
    assert main(["backup", str(tmp_path / "a.tar")]) == 2
    err = capsys.readouterr().err
    assert "pg_dump was not found on PATH" in err and len(err.strip().splitlines()) == 1
    fake = tools / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(0o755)
    assert main(["backup", str(tmp_path / "b.tar")]) == 2
    err = capsys.readouterr().err
    assert "pg_dump 9" in err and "older than the PostgreSQL" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "a.tar").exists() and not (tmp_path / "b.tar").exists()
