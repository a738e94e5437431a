"""Every "may this subject do that" rule, in one place.

Subjects are people (bearer tokens or web sessions for their accounts), partner clients
(client-credentials tokens with scopes) and the system (CLI, demo loader). Nobody else: without
credentials the API answers 401 and the web pages send you to sign in.
"""

from dataclasses import dataclass, field
from typing import Literal, get_args

SubjectKind = Literal["anonymous", "user", "client", "system"]


@dataclass(frozen=True)
class Subject:
    kind: SubjectKind
    label: str
    id: str | None = None
    is_admin: bool = False
    scopes: frozenset[str] = field(default_factory=frozenset)
    stakeholder_id: int | None = None
    # Set after an admin gives a one-time password: until the person chooses their own, the
    # only thing they may do is that (see `may_act`).
    must_change_password: bool = False


SYSTEM_SUBJECT = Subject(kind="system", label="system", is_admin=True)


Scope = Literal["indicators:read", "outcomes:read", "registry:read"]
PARTNER_SCOPES: tuple[Scope, ...] = get_args(Scope)


def is_person(subject: Subject) -> bool:
    """Pages about "me" need a signed-in person (partner clients have no "me")."""
    return subject.kind == "user"


def may_manage_own_sign_in(subject: Subject) -> bool:
    """Sign out, change one's own password: any person, even one holding a one-time password."""
    return subject.kind == "user"


def may_act(subject: Subject, rule) -> bool:
    """Checked before every rule: a person holding a one-time password may only replace it."""
    return not subject.must_change_password or rule is may_manage_own_sign_in


def may_read_registry(subject: Subject) -> bool:
    """People see the registry (the dashboard exists for transparency across groups)."""
    return subject.is_admin or subject.kind in ("user", "system")


def may_read_bodies(subject: Subject) -> bool:
    """Areas, organisations and groups: people, and partner clients granted `registry:read`
    (which never reaches people's records)."""
    return may_read_registry(subject) or (subject.kind == "client" and "registry:read" in subject.scopes)


def may_manage_accounts(subject: Subject) -> bool:
    return subject.is_admin


def may_manage_registry(subject: Subject) -> bool:
    """Organisations, stakeholders, groups and memberships change only by an admin."""
    return subject.is_admin


def may_read_audit_log(subject: Subject) -> bool:
    return subject.is_admin


# Group business (meetings, agendas, attendance, minutes, decisions, actions) ---------------
# These rules need the caller's current roles in the group concerned, which the meetings
# service looks up; "roles" is that set (empty for non-members).

OFFICER_ROLES = frozenset({"chair", "vice_chair", "secretary"})
MEMBER_ROLES = frozenset({"chair", "vice_chair", "secretary", "member"})


def may_read_group_business(subject: Subject) -> bool:
    """Published meetings, minutes, decisions and actions of every group: any signed-in person
    (the dashboard exists for transparency across groups)."""
    return may_read_registry(subject)


def may_manage_group_business(subject: Subject, roles: frozenset[str]) -> bool:
    """The group's chair, vice chair and secretary, and admins."""
    return subject.is_admin or bool(roles & OFFICER_ROLES)


def may_see_members_only(subject: Subject, roles: frozenset[str]) -> bool:
    """Draft minutes and confidential items: the group's members (not observers), and admins."""
    return subject.is_admin or bool(roles & MEMBER_ROLES)


def may_update_action(subject: Subject, roles: frozenset[str], owner_id: int | None) -> bool:
    """Post updates on an action and close it: its owner, the group's officers, admins."""
    return may_manage_group_business(subject, roles) or (
        subject.stakeholder_id is not None and subject.stakeholder_id == owner_id
    )


# Indicators -----------------------------------------------------------------------------------

def may_read_indicators(subject: Subject) -> bool:
    """Indicator metadata and values: people, and partner clients granted `indicators:read`.
    Published indicators are also open data, for anyone and without a subject, at the
    Fingertips-compatible door (api/indicators/fingertips.py serves those and nothing else)."""
    return may_read_registry(subject) or (subject.kind == "client" and "indicators:read" in subject.scopes)


def may_manage_indicators(subject: Subject) -> bool:
    return subject.is_admin


def may_read_outcomes(subject: Subject) -> bool:
    """Place updates, pilots and the strategy dashboard: people, and partner clients granted
    `outcomes:read`."""
    return may_read_registry(subject) or (subject.kind == "client" and "outcomes:read" in subject.scopes)


def may_report_outcomes(subject: Subject) -> bool:
    """Who may try to report a Place's progress; which Places is decided per Place (admins, and
    the officers of that Place's group) by the outcomes service."""
    return subject.kind == "user" or subject.is_admin


def may_log_contribution_for(subject: Subject, stakeholder_id: int | None) -> bool:
    """A contribution is logged by the person who made it; an admin may log one for anyone."""
    return subject.is_admin or (subject.stakeholder_id is not None and subject.stakeholder_id == stakeholder_id)


def may_see_contributions_of(subject: Subject, stakeholder_id: int | None) -> bool:
    """A person's logged contributions: the person themselves, and admins (as the API's list)."""
    return may_log_contribution_for(subject, stakeholder_id)


def may_manage_pilots(subject: Subject) -> bool:
    return subject.is_admin
