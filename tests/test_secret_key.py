"""The signing secret is never a known value: set, or generated once and kept beside the database."""

import logging
import stat
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from api.auth import service as auth_service
from api.core.config import Settings
from api.main import create_app
from tests.conftest import make_settings

# The value every demo instance signed with before: published in the source, so anyone could
# sign an admin's token for any demo instance.
OLD_PLACEHOLDER = "insecure-development-secret-change-me"


def _settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def test_without_a_secret_one_is_generated_kept_beside_the_database_and_reused(tmp_path, caplog):
    url = f"sqlite:///{tmp_path}/data/ata.db"
    with caplog.at_level(logging.INFO, logger="ata"):
        first = _settings(env="demo", database_url=url)
        again = _settings(env="development", database_url=url)
    kept = tmp_path / "data" / ".ata-secret"
    assert first.secret_key != OLD_PLACEHOLDER and len(first.secret_key) >= 32
    assert again.secret_key == first.secret_key == kept.read_text().strip()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    # Said once, with where it is kept, so an operator knows which file to protect.
    announcements = [r.getMessage() for r in caplog.records if str(kept) in r.getMessage()]
    assert len(announcements) == 1, announcements

    elsewhere = _settings(env="demo", database_url=f"sqlite:///{tmp_path}/other/ata.db")
    assert elsewhere.secret_key != first.secret_key  # generated, not a constant


def test_on_postgresql_it_is_kept_in_the_storage_folder(tmp_path):
    settings = _settings(database_url="postgresql+psycopg://ata@db.invalid:5432/ata", storage_dir=tmp_path / "files")
    kept = tmp_path / "files" / ".ata-secret"
    assert settings.secret_key == kept.read_text().strip() and len(settings.secret_key) >= 32
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_starts_at_the_same_moment_agree_on_one_secret(tmp_path):
    url = f"sqlite:///{tmp_path}/ata.db"
    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(lambda _: _settings(env="demo", database_url=url).secret_key, range(16)))
    assert len(keys) == 1
    assert (tmp_path / ".ata-secret").read_text().strip() in keys


def test_a_kept_secret_that_is_too_short_is_refused(tmp_path):
    (tmp_path / ".ata-secret").write_text("short\n")
    with pytest.raises(ValueError, match=r"\.ata-secret"):
        _settings(env="demo", database_url=f"sqlite:///{tmp_path}/ata.db")


def test_a_given_secret_is_used_and_nothing_is_written(tmp_path):
    settings = _settings(env="demo", database_url=f"sqlite:///{tmp_path}/ata.db", secret_key="given-" + "g" * 40)
    assert settings.secret_key == "given-" + "g" * 40
    assert not (tmp_path / ".ata-secret").exists()


def test_production_without_a_secret_refuses_to_start(tmp_path):
    with pytest.raises(ValueError, match="ATA_SECRET_KEY"):
        _settings(env="production", database_url=f"sqlite:///{tmp_path}/ata.db")
    assert not (tmp_path / ".ata-secret").exists()


def test_a_token_signed_with_the_old_placeholder_is_refused_by_a_demo_instance(database_url, person, tmp_path):
    _, admin = person("demo.admin@example.org", is_admin=True)
    demo = create_app(_settings(env="demo", database_url=database_url, storage_dir=tmp_path))
    try:
        forged = auth_service.user_token(make_settings(database_url, secret_key=OLD_PLACEHOLDER), admin).token
        genuine = auth_service.user_token(demo.state.settings, admin).token
        with TestClient(demo, raise_server_exceptions=False) as c:
            refused = c.get("/api/v1/users", headers={"Authorization": f"Bearer {forged}"})
            assert refused.status_code == 401, refused.text
            assert refused.headers["content-type"] == "application/problem+json"
            assert c.get("/api/v1/users", headers={"Authorization": f"Bearer {genuine}"}).status_code == 200
    finally:
        demo.state.engine.dispose()


def test_the_command_line_refuses_production_without_a_secret_in_one_line(tmp_path, monkeypatch):
    from api.cli import main

    monkeypatch.setenv("ATA_ENV", "production")
    monkeypatch.setenv("ATA_DATABASE_URL", f"sqlite:///{tmp_path}/ata.db")
    monkeypatch.delenv("ATA_SECRET_KEY", raising=False)
    with pytest.raises(SystemExit, match="ATA_SECRET_KEY must be set"):
        main(["db", "upgrade"])
    assert not (tmp_path / "ata.db").exists() and not (tmp_path / ".ata-secret").exists()
