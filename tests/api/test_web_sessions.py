"""Server-side web sessions: rotation, idle timeout, and ending with the account."""

from datetime import timedelta

from api.auth import service as auth_service
from api.auth import sessions
from api.authz import SYSTEM_SUBJECT
from tests.conftest import make_settings


def _user(session, email="web@example.org"):
    user = auth_service.create_user(session, actor=SYSTEM_SUBJECT,
                                    data={"email": email, "password": "web-password-1"})
    session.commit()
    return user


def test_start_resolve_and_end(session, settings):
    user = _user(session)
    key, record = sessions.start(session, user=user)
    found = sessions.resolve(session, settings, key)
    assert found is not None and found[1].id == user.id
    assert record.key_hash != key and len(record.csrf_token) >= 32
    assert sessions.csrf_matches(found[0], record.csrf_token)
    assert not sessions.csrf_matches(found[0], "another-token")
    assert not sessions.csrf_matches(found[0], None)
    sessions.end(session, key)
    assert sessions.resolve(session, settings, key) is None


def test_sign_in_replaces_the_old_session(session, settings):
    user = _user(session)
    old, _ = sessions.start(session, user=user)
    new, _ = sessions.start(session, user=user, replacing=old)
    assert new != old
    assert sessions.resolve(session, settings, old) is None
    assert sessions.resolve(session, settings, new) is not None


def test_idle_and_absolute_timeouts(session, database_url):
    settings = make_settings(database_url, session_idle_minutes=30, session_max_hours=2)
    user = _user(session)
    key, record = sessions.start(session, user=user)
    record.last_seen_at -= timedelta(minutes=31)
    session.flush()
    assert sessions.resolve(session, settings, key) is None

    key, record = sessions.start(session, user=user)
    record.created_at -= timedelta(hours=3)
    session.flush()
    assert sessions.resolve(session, settings, key) is None


def test_disabling_the_account_ends_its_sessions(session, settings):
    user = _user(session)
    key, _ = sessions.start(session, user=user)
    auth_service.update_user(session, actor=SYSTEM_SUBJECT, user=user, changes={"is_active": False})
    assert sessions.resolve(session, settings, key) is None


def test_garbage_keys(session, settings):
    for key in [None, "", "x" * 500, "not-a-session"]:
        assert sessions.resolve(session, settings, key) is None
