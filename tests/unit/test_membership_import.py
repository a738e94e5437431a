"""The rules of a membership import: parsing, and the plan it makes against a group's seats."""

from datetime import date

import pytest

from api.core.errors import ProblemError
from api.registry.membership_import import MAX_BYTES, check_media_type, compute, decode, parse
from api.registry.models import Membership, Stakeholder

ON = date(2025, 6, 1)
ANN = Stakeholder(id=1, name="Ann Example", initials="AE", email="ann@example.org")
BO = Stakeholder(id=2, name="Bo Example", initials="BE", email="bo@example.org")
CY = Stakeholder(id=3, name="Cy Example", initials="CE", email="cy@example.org")
PEOPLE = {p.email: p for p in (ANN, BO, CY)}


def seat(person, role="member", start=date(2024, 1, 1), end=None, id=None):
    return Membership(id=id or 100 + person.id, stakeholder_id=person.id, group_id=9, role=role,
                      start_date=start, end_date=end)


def plan_of(text, seats=()):
    rows, errors = parse(text)
    plan = compute(rows, people=PEOPLE, seats=list(seats), on=ON)
    plan.errors = errors + plan.errors
    return plan


def kinds(plan):
    return [(c.kind, c.stakeholder_id) for c in plan.changes]


def test_add_change_role_end_and_unchanged():
    plan = plan_of(
        "email,role,start_date,end_date\n"
        "ann@example.org,chair,,\n"          # a member: role changes
        "BO@example.org,member,,\n"          # already a member: no change (email case ignored)
        "cy@example.org,observer,2025-07-01,\n",  # not a member: added from that date
        [seat(ANN), seat(BO)],
    )
    assert plan.errors == []
    assert kinds(plan) == [("change_role", 1), ("unchanged", 2), ("add", 3)]
    assert plan.counts == {"add": 1, "change_role": 1, "end": 0, "unchanged": 1}
    ann, _, cy = plan.changes
    assert (ann.membership_id, ann.role_before, ann.role_after) == (101, "member", "chair")
    assert (cy.membership_id, cy.role_after, cy.start_date) == (None, "observer", date(2025, 7, 1))


def test_a_new_seat_starts_today_when_no_start_date_is_given():
    plan = plan_of("email,role\ncy@example.org,Vice Chair\n")
    assert plan.errors == [] and plan.changes[0].start_date == ON and plan.changes[0].role_after == "vice_chair"


def test_an_end_date_ends_the_current_seat_and_role_may_be_blank():
    plan = plan_of("email,role,end_date\nann@example.org,,2025-05-31\n", [seat(ANN, role="chair")])
    assert plan.errors == []
    (change,) = plan.changes
    assert change.kind == "end" and change.end_date_after == date(2025, 5, 31) and change.role_after == "chair"


def test_ending_again_is_unchanged_so_a_file_can_be_applied_twice():
    ended = seat(ANN, end=date(2025, 5, 31))
    assert kinds(plan_of("email,role,end_date\nann@example.org,member,2025-05-31\n", [ended])) == [("unchanged", 1)]
    # A seat already due to end on that date is unchanged too.
    due = seat(ANN, end=date(2025, 9, 30))
    assert kinds(plan_of("email,role,end_date\nann@example.org,member,2025-09-30\n", [due])) == [("unchanged", 1)]


def test_ending_someone_who_is_not_a_member_is_an_error():
    plan = plan_of("email,role,end_date\nbo@example.org,,2025-05-31\n", [seat(ANN)])
    assert plan.changes == []
    assert plan.errors == [{"line": 2, "column": "end_date",
                            "msg": "Bo Example has no current membership of this group to end"}]


def test_end_before_the_seat_started_is_an_error():
    plan = plan_of("email,role,end_date\nann@example.org,,2023-12-31\n", [seat(ANN)])
    assert plan.changes == [] and plan.errors[0]["column"] == "end_date"
    assert "before the membership's start (2024-01-01)" in plan.errors[0]["msg"]


def test_end_before_start_in_the_same_row_is_an_error():
    plan = plan_of("email,role,start_date,end_date\ncy@example.org,member,2025-03-01,2025-02-01\n")
    assert plan.changes == []
    assert plan.errors == [{"line": 2, "column": "end_date", "msg": "end_date cannot be before start_date"}]


def test_a_new_seat_may_not_overlap_an_earlier_one():
    earlier = seat(CY, start=date(2023, 1, 1), end=date(2025, 3, 1))
    clash = plan_of("email,role,start_date\ncy@example.org,member,2025-02-01\n", [earlier])
    assert clash.changes == [] and clash.errors[0]["column"] == "start_date"
    assert "ran until 2025-03-01" in clash.errors[0]["msg"]
    after = plan_of("email,role,start_date\ncy@example.org,member,2025-03-01\n", [earlier])
    assert after.errors == [] and kinds(after) == [("add", 3)]


def test_row_errors_name_line_and_column():
    plan = plan_of(
        "email,role,start_date,end_date\n"
        "nobody@example.org,member,,\n"
        "ann@example.org,captain,,\n"
        "bo@example.org,member,1 May 2025,\n"
        "cy@example.org,,,\n"
        ",member,,\n"
        "ann@example.org,member,,\n"
        "cy@example.org,member,,2025-13-01\n",
        [seat(ANN)],
    )
    got = {(e["line"], e["column"]) for e in plan.errors}
    assert got == {(2, "email"), (3, "role"), (4, "start_date"), (5, "role"), (6, "email"), (7, "email"),
                   (8, "end_date"), (8, "email")}
    messages = {(e["line"], e["column"]): e["msg"] for e in plan.errors}
    assert "no one in the directory has the email address nobody@example.org" in messages[(2, "email")]
    assert "'captain' is not a role" in messages[(3, "role")]
    assert "write it as YYYY-MM-DD" in messages[(4, "start_date")]
    assert "already on line 3" in messages[(7, "email")]
    assert "already on line 5" in messages[(8, "email")]
    # Rows with problems of their own are not planned at all.
    assert plan.changes == []


def test_header_problems():
    assert parse("")[1][0]["msg"].startswith("the file is empty")
    _, errors = parse("email,rank\nann@example.org,member\n")
    assert {(e["line"], e["column"]) for e in errors} == {(1, "rank"), (1, "role")}
    _, errors = parse("Email , ROLE\nann@example.org,member\n")
    assert errors == []
    _, errors = parse("email,role,role\n")
    assert errors and errors[0]["line"] == 1


def test_ragged_rows_blank_lines_and_quoted_fields():
    rows, errors = parse('email,role\n\nann@example.org,member,extra\n"bo@example.org","observer"\n')
    assert [(e["line"], e["msg"]) for e in errors] == [(3, "has 3 fields where the header has 2")]
    assert [(r.line, r.email, r.role) for r in rows] == [(4, "bo@example.org", "observer")]


def test_digest_follows_the_plan_not_the_names():
    before = plan_of("email,role\nann@example.org,chair\n", [seat(ANN)])
    same = plan_of("email,role\nann@example.org,chair\n", [seat(ANN)])
    assert before.digest == same.digest
    changed = plan_of("email,role\nann@example.org,chair\n", [seat(ANN, role="chair")])
    assert changed.digest != before.digest and kinds(changed) == [("unchanged", 1)]


def test_decode_accepts_utf8_with_bom_and_refuses_the_rest():
    assert decode("\ufeffemail,role\n".encode()) == "email,role\n"
    assert decode("email,role\nzoë@example.org,member\n".encode()).endswith("zoë@example.org,member\n")
    with pytest.raises(ProblemError) as latin:
        decode("email\nzoë@example.org".encode("latin-1"))
    assert latin.value.status == 415
    with pytest.raises(ProblemError) as binary:
        decode(b"PK\x03\x04\x00\x00")
    assert binary.value.status == 415
    with pytest.raises(ProblemError) as large:
        decode(b"x" * (MAX_BYTES + 1))
    assert large.value.status == 413


def test_media_types():
    check_media_type("text/csv; charset=utf-8")
    check_media_type("application/octet-stream", "members.CSV")
    for bad in ("application/json", "application/pdf", None):
        with pytest.raises(ProblemError) as refused:
            check_media_type(bad, "members.xlsx")
        assert refused.value.status == 415
