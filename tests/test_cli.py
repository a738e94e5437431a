"""The `ata` command against a real database file."""

import ast
import io

import pytest
from sqlalchemy import create_engine, text

from api.cli import main


@pytest.fixture
def db_env(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("ATA_DATABASE_URL", url)
    monkeypatch.setenv("ATA_ENV", "development")
    return url


def _scalar(url, sql):
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            return c.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def test_db_upgrade_and_downgrade(db_env):
    assert main(["db", "upgrade"]) == 0
    assert _scalar(db_env, "SELECT count(*) FROM area") == 13
    assert main(["db", "downgrade", "base"]) == 0
    assert _scalar(db_env, "SELECT count(*) FROM alembic_version") == 0


def test_create_admin_then_duplicate_refused(db_env, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert main(["users", "create-admin", "--email", "Root@Example.org", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert main(["users", "create-admin", "--email", "root@example.org", "--password-stdin"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert _scalar(db_env, "SELECT count(*) FROM user_account WHERE is_admin") == 1


def test_short_password_refused(db_env, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "create-admin", "--email", "x@example.org", "--password-stdin"]) == 2
    assert "at least 10" in capsys.readouterr().err


def test_client_secret_printed_once_and_stored_hashed(db_env, capsys):
    assert main(["clients", "create", "--name", "Council Intelligence", "--scopes", "indicators:read"]) == 0
    out = capsys.readouterr().out
    secret = next(line.split()[-1] for line in out.splitlines() if line.startswith("client_secret"))
    stored = _scalar(db_env, "SELECT secret_hash FROM partner_client WHERE client_id = 'council-intelligence'")
    assert stored.startswith("$argon2") and secret not in stored
    assert main(["clients", "create", "--name", "Other", "--scopes", "root"]) == 2
    assert main(["clients", "revoke", "council-intelligence"]) == 0
    assert _scalar(db_env, "SELECT is_active FROM partner_client") in (0, False)
    assert main(["clients", "revoke", "nobody"]) == 2


def test_demo_refused_in_production(db_env, monkeypatch):
    monkeypatch.setenv("ATA_ENV", "production")
    monkeypatch.setenv("ATA_SECRET_KEY", "p" * 40)
    assert main(["demo", "load"]) == 2


def test_demo_load_twice_creates_nothing_the_second_time(db_env, capsys):
    assert main(["demo", "load"]) == 0
    first = ast.literal_eval(capsys.readouterr().out.strip().removeprefix("demo data: "))
    assert first["organisations"] >= 70 and first["stakeholders"] >= 130 and first["accounts"] == 3
    events = _scalar(db_env, "SELECT count(*) FROM audit_event")
    assert main(["demo", "load"]) == 0
    second = ast.literal_eval(capsys.readouterr().out.strip().removeprefix("demo data: "))
    assert second == dict.fromkeys(first, 0)
    assert _scalar(db_env, "SELECT count(*) FROM audit_event") == events
    assert _scalar(db_env, "SELECT count(*) FROM stakeholder") == first["stakeholders"]


def test_indicators_import_from_the_command_line(tmp_path, capsys, monkeypatch):
    from api.cli import main
    from api.core.migrations import upgrade

    url = f"sqlite:///{tmp_path / 'cli-indicators.db'}"
    monkeypatch.setenv("ATA_DATABASE_URL", url)
    monkeypatch.setenv("ATA_ENV", "test")
    upgrade(url)
    good = tmp_path / "values.csv"
    good.write_text("indicator_id,area_code,period,value\nX1,E08000012,2022/23,1.5\n")
    assert main(["indicators", "import", str(good)]) == 2  # the indicator does not exist yet
    assert "no indicator 'X1'" in capsys.readouterr().err
    from sqlalchemy import create_engine
    from sqlmodel import Session

    from api.indicators.models import Indicator

    engine = create_engine(url)
    with Session(engine) as session:
        session.add(Indicator(id="X1", name="Test indicator", unit="percent", polarity="higher_is_better"))
        session.commit()
    engine.dispose()
    assert main(["indicators", "import", str(good)]) == 0
    assert "1 values written" in capsys.readouterr().out
    assert main(["indicators", "import", str(good)]) == 0
    assert "0 values written" in capsys.readouterr().out
