"""Every refusal leaves the same trace in the audit log (api/access.py `refuse`): the rule broken
and what was asked for, whichever door or service refused."""

from sqlmodel import select

from api.audit.models import AuditEvent
from tests.api.test_contributions import me  # noqa: F401 (fixture)


def _denials(session) -> list[dict]:
    session.expire_all()
    return [e.after for e in session.exec(select(AuditEvent).where(AuditEvent.action == "authz.denied")
                                          .order_by(AuditEvent.id))]


def test_logging_someone_elses_contribution_is_refused_and_audited(client, session, me):  # noqa: F811
    _, headers, other, _ = me
    r = client.post("/api/v1/contributions", headers=headers,
                    json={"kind": "event", "description": "x", "date": "2024-05-11", "stakeholder_id": other.id})
    assert r.status_code == 403
    assert _denials(session) == [{"rule": "may_log_contribution_for",
                                  "target": f"contribution for stakeholder {other.id}"}]


def test_a_route_rule_is_audited_in_the_same_shape(client, session, me):  # noqa: F811
    _, headers, _, _ = me
    assert client.get("/api/v1/audit-events", headers=headers).status_code == 403
    assert _denials(session) == [{"rule": "may_read_audit_log", "target": "GET /api/v1/audit-events"}]
