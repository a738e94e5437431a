"""POST /groups/{id}/memberships/import: dry run, apply all or nothing, refusals."""

from datetime import date

from sqlmodel import select

from api.audit.models import AuditEvent
from api.auth import service as auth_service
from api.registry.models import Membership
from tests import factories

CSV = {"Content-Type": "text/csv; charset=utf-8"}


def _arrange(session):
    group = factories.group(session, name="Import Board", kind="board")
    ann = factories.stakeholder(session, name="Ann Import", email="ann.import@example.org")
    bo = factories.stakeholder(session, name="Bo Import", email="bo.import@example.org")
    cy = factories.stakeholder(session, name="Cy Import", email="cy.import@example.org")
    factories.membership(session, group=group, stakeholder=ann, role="member")
    factories.membership(session, group=group, stakeholder=bo, role="member")
    session.commit()
    return group, ann, bo, cy


FILE = ("email,role,start_date,end_date\n"
        "ann.import@example.org,chair,,\n"
        "bo.import@example.org,,,2025-06-30\n"
        "cy.import@example.org,observer,2025-07-01,\n")


def _state(session, group_id):
    session.expire_all()
    seats = session.exec(select(Membership).where(Membership.group_id == group_id).order_by(Membership.id)).all()
    events = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "membership")).all()
    return [(m.stakeholder_id, m.role, m.start_date, m.end_date) for m in seats], len(events)


def test_dry_run_gives_the_plan_and_writes_nothing(client, session):
    group, ann, bo, cy = _arrange(session)
    before = _state(session, group.id)
    r = client.post(f"/api/v1/groups/{group.id}/memberships/import?dry_run=true", content=FILE, headers=CSV)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["applied"] is False and len(body["digest"]) == 64
    assert body["counts"] == {"add": 1, "change_role": 1, "end": 1, "unchanged": 0}
    assert [(c["kind"], c["stakeholder_id"], c["line"]) for c in body["changes"]] == [
        ("change_role", ann.id, 2), ("end", bo.id, 3), ("add", cy.id, 4)]
    assert _state(session, group.id) == before


def test_apply_writes_every_change_through_the_audited_service(client, session):
    group, ann, bo, cy = _arrange(session)
    dry = client.post(f"/api/v1/groups/{group.id}/memberships/import?dry_run=true", content=FILE, headers=CSV).json()
    r = client.post(f"/api/v1/groups/{group.id}/memberships/import?plan_digest={dry['digest']}",
                    content=FILE, headers=CSV)
    assert r.status_code == 200, r.text
    assert r.json()["applied"] is True and r.json()["digest"] == dry["digest"]
    seats, events = _state(session, group.id)
    assert (ann.id, "chair", date(2024, 1, 1), None) in seats
    assert (bo.id, "member", date(2024, 1, 1), date(2025, 6, 30)) in seats
    assert (cy.id, "observer", date(2025, 7, 1), None) in seats
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.actor_label == "test.admin@example.org")).all()
    assert sorted(actions) == ["membership.create", "membership.update", "membership.update"]
    # The same file again changes nothing.
    again = client.post(f"/api/v1/groups/{group.id}/memberships/import", content=FILE, headers=CSV).json()
    assert again["counts"] == {"add": 0, "change_role": 0, "end": 0, "unchanged": 3}
    assert _state(session, group.id)[1] == events


def test_a_stale_digest_is_409_and_writes_nothing(client, session):
    group, ann, *_ = _arrange(session)
    dry = client.post(f"/api/v1/groups/{group.id}/memberships/import?dry_run=true", content=FILE, headers=CSV).json()
    seat = session.exec(select(Membership).where(Membership.stakeholder_id == ann.id)).one()
    assert client.patch(f"/api/v1/memberships/{seat.id}", json={"role": "chair"}).status_code == 200
    before = _state(session, group.id)
    r = client.post(f"/api/v1/groups/{group.id}/memberships/import?plan_digest={dry['digest']}",
                    content=FILE, headers=CSV)
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert _state(session, group.id) == before


def test_any_error_writes_nothing_and_lists_every_problem(client, session):
    group, *_ = _arrange(session)
    before = _state(session, group.id)
    bad = FILE + "nobody@example.org,member,,\nann.import@example.org,member,,\n"
    r = client.post(f"/api/v1/groups/{group.id}/memberships/import", content=bad, headers=CSV)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert [(e["line"], e["column"]) for e in r.json()["errors"]] == [(5, "email"), (6, "email")]
    assert _state(session, group.id) == before
    dry = client.post(f"/api/v1/groups/{group.id}/memberships/import?dry_run=true", content=bad, headers=CSV)
    assert dry.status_code == 422


def test_a_write_that_fails_midway_rolls_back_the_earlier_ones(client, session, monkeypatch):
    """All or nothing even if the service refuses a change after others were flushed."""
    from api.core.errors import Conflict
    from api.registry import service

    group, *_ = _arrange(session)
    before = _state(session, group.id)

    def refuse(*args, **kwargs):
        raise Conflict("raced by another request")

    monkeypatch.setattr(service, "create_membership", refuse)  # the add comes last
    r = client.post(f"/api/v1/groups/{group.id}/memberships/import", content=FILE, headers=CSV)
    assert r.status_code == 409
    assert _state(session, group.id) == before


def test_multipart_upload_works_too(client, session):
    group, *_ = _arrange(session)
    r = client.post(f"/api/v1/groups/{group.id}/memberships/import?dry_run=true",
                    files={"file": ("members.csv", ("\ufeff" + FILE).encode(), "text/csv")})
    assert r.status_code == 200, r.text
    assert r.json()["counts"]["add"] == 1
    missing = client.post(f"/api/v1/groups/{group.id}/memberships/import",
                          files={"other": ("members.csv", FILE.encode(), "text/csv")})
    assert missing.status_code == 422


def test_too_large_or_not_csv_is_refused(client, session):
    group, *_ = _arrange(session)
    before = _state(session, group.id)
    url = f"/api/v1/groups/{group.id}/memberships/import"
    big = FILE + "x" * (1024 * 1024)
    assert client.post(url, content=big, headers=CSV).status_code == 413
    assert client.post(url, files={"file": ("m.csv", big.encode(), "text/csv")}).status_code == 413
    assert client.post(url, json={"email": "ann.import@example.org"}).status_code == 415
    assert client.post(url, files={"file": ("m.pdf", b"%PDF-1.4", "application/pdf")}).status_code == 415
    latin = client.post(url, content="email,role\nzoë@example.org,member\n".encode("latin-1"), headers=CSV)
    assert latin.status_code == 415 and "UTF-8" in latin.json()["detail"]
    empty = client.post(url, content=b"", headers=CSV)
    assert empty.status_code == 422 and empty.json()["errors"][0]["line"] == 1
    assert client.post("/api/v1/groups/987654/memberships/import", content=FILE, headers=CSV).status_code == 404
    assert _state(session, group.id) == before


def test_people_who_are_not_admins_are_refused_and_nothing_changes(anonymous_client, app, session):
    group, *_ = _arrange(session)
    _, account = factories.person_with_account(session, "plain.member@example.org")
    session.commit()
    before = _state(session, group.id)
    token = auth_service.user_token(app.state.settings, account).token
    url = f"/api/v1/groups/{group.id}/memberships/import"
    r = anonymous_client.post(url, content=FILE, headers={**CSV, "Authorization": f"Bearer {token}"})
    assert r.status_code == 403
    assert anonymous_client.post(url, content=FILE, headers=CSV).status_code == 401
    assert _state(session, group.id) == before
    denied = session.exec(select(AuditEvent).where(AuditEvent.action == "authz.denied")).all()
    assert [e.actor_label for e in denied] == ["plain.member@example.org"]
