"""Arranging registry data through the domain services (so audit and rules apply)."""

from datetime import date
from itertools import count

from sqlmodel import Session

from api.auth import service as auth_service
from api.auth.models import UserAccount
from api.authz import SYSTEM_SUBJECT
from api.registry import service
from api.registry.models import Group, Membership, Organisation, Stakeholder

_seq = count(1)
PASSWORD = "web-test-password-1"


def organisation(session: Session, **values) -> Organisation:
    n = next(_seq)
    data = {"name": f"Test Organisation {n}", "sector": "public", "website": None, "place_code": None} | values
    return service.create_organisation(session, actor=SYSTEM_SUBJECT, data=data)


def stakeholder(session: Session, **values) -> Stakeholder:
    n = next(_seq)
    data = {
        "name": f"Test Person {n}", "initials": None, "email": f"person{n}@example.org", "job_title": None,
        "organisation_id": None, "place_code": None, "system_leader_level": None,
    } | values
    return service.create_stakeholder(session, actor=SYSTEM_SUBJECT, data=data)


def group(session: Session, **values) -> Group:
    n = next(_seq)
    data = {"name": f"Test Group {n}", "slug": None, "kind": "thematic", "code": None, "remit": "",
            "parent_id": None, "place_code": None} | values
    return service.create_group(session, actor=SYSTEM_SUBJECT, data=data)


def membership(session: Session, *, group: Group, stakeholder: Stakeholder, **values) -> Membership:
    data = {"stakeholder_id": stakeholder.id, "role": "member", "start_date": date(2024, 1, 1),
            "end_date": None, "on_behalf_of_id": None} | values
    return service.create_membership(session, actor=SYSTEM_SUBJECT, group=group, data=data)


def person_with_account(session: Session, email: str, *, is_admin: bool = False,
                        **values) -> tuple[Stakeholder, UserAccount]:
    """A stakeholder who can sign in with PASSWORD."""
    person = stakeholder(session, email=email, **values)
    account = auth_service.create_user(session, actor=SYSTEM_SUBJECT, data={
        "email": email, "password": PASSWORD, "stakeholder_id": person.id, "is_admin": is_admin})
    return person, account


# An indicator as partners know it from Fingertips (the values in tests are made up).
INACTIVE = {"id": "93014", "name": "Percentage of physically inactive adults", "unit": "percent",
            "polarity": "lower_is_better", "theme": "Physical activity", "ci_method": "wilson",
            "definition": "Adults doing less than 30 minutes of moderate activity a week.",
            "breakdowns": ["Persons", "Male", "Female"], "source": "Active Lives Adult Survey"}
PLACES = ["E06000049", "E06000050", "E06000007", "E06000006", "E08000011", "E08000012", "E08000014",
          "E08000013", "E08000015"]
