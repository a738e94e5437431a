"""A group's membership history read from the audit trail (api/registry/history.py)."""

from datetime import date

from api.authz import SYSTEM_SUBJECT
from api.registry import history
from api.registry import service as registry
from tests import factories


def test_history_names_each_change_newest_first(session):
    board = factories.group(session, name="History Board")
    other = factories.group(session, name="Another Board")
    person = factories.stakeholder(session, name="Hana Historian")
    seat = factories.membership(session, group=board, stakeholder=person, start_date=date(2024, 4, 1))
    factories.membership(session, group=other, stakeholder=person)  # another group's seat stays out
    registry.update_membership(session, actor=SYSTEM_SUBJECT, membership=seat, changes={"role": "secretary"})
    registry.update_membership(session, actor=SYSTEM_SUBJECT, membership=seat,
                               changes={"end_date": date(2025, 3, 31)})
    session.commit()

    ended, role, added = history.for_group(session, board.id)

    assert [c.kind for c in (ended, role, added)] == ["ended", "role_changed", "added"]
    assert {c.person for c in (ended, role, added)} == {"Hana Historian"}
    assert [(f.field, f.before, f.after) for f in added.fields] == [
        ("role", None, "member"), ("start_date", None, date(2024, 4, 1))]
    assert [(f.field, f.before, f.after) for f in role.fields] == [("role", "member", "secretary")]
    assert [(f.field, f.before, f.after) for f in ended.fields] == [("end_date", None, date(2025, 3, 31))]
    assert history.for_group(session, board.id, limit=1) == [ended]


def test_a_group_without_changes_has_no_history(session):
    assert history.for_group(session, factories.group(session).id) == []
