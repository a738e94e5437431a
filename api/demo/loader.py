"""Loading the demo data set (api.demo.data) through the registry and account services.

Every row is written by the same service functions the API uses, so the rules apply and each
write is in the audit log (actor: the system). Loading is idempotent by natural keys:
organisation name, stakeholder email, group slug, membership (person, group, start date),
account email and client id. What already exists is left as it is, so a second run writes
nothing and records no audit events. The existing rows are read up front, one query per kind,
and held (as are the areas) so that the services' reference checks find them in the session's
identity map instead of selecting them again row by row. The caller commits.
"""

from sqlalchemy import func
from sqlmodel import Session, select

from api.auth import service as auth_service
from api.auth.models import PartnerClient, UserAccount
from api.authz import SYSTEM_SUBJECT
from api.core.errors import Conflict
from api.demo import data, indicators, meetings, pilots, place_updates
from api.registry import service
from api.registry.models import Area, Group, Membership, Organisation, Stakeholder


def load_demo(session: Session, *, password: str) -> dict[str, int]:
    """Insert whatever of the demo data set is missing; return how many rows of each kind were created."""
    _areas = session.exec(select(Area)).all()  # held: the services look Places up by key
    organisations, orgs_created = _organisations(session)
    groups, groups_created = _groups(session)
    people, people_created = _stakeholders(session, organisations)
    return {
        "organisations": orgs_created,
        "groups": groups_created,
        "stakeholders": people_created,
        "memberships": _memberships(session, people, groups),
        "accounts": _accounts(session, people, password),
        "clients": _partner_client(session, password),
        "meetings": meetings.load(session, groups),
        "pilots": pilots.load(session),
        "place_updates": place_updates.load(session),
        "indicator_values": indicators.load(session),
    }


def _organisations(session: Session) -> tuple[dict[str, Organisation], int]:
    """Organisations by lower-cased name, creating the missing ones."""
    by_name = {o.name.lower(): o for o in session.exec(select(Organisation))}
    created = 0
    for spec in data.ORGANISATIONS:
        if spec.name.lower() in by_name:
            continue
        by_name[spec.name.lower()] = service.create_organisation(session, actor=SYSTEM_SUBJECT, data={
            "name": spec.name, "sector": spec.sector, "website": None, "place_code": spec.place_code})
        created += 1
    return by_name, created


def _groups(session: Session) -> tuple[dict[str, Group], int]:
    """Groups by their demo code, creating the missing ones (parents come first in GROUPS)."""
    by_slug = {g.slug: g for g in session.exec(select(Group))}
    by_code: dict[str, Group] = {}
    created = 0
    for spec in data.GROUPS:
        slug = service.slugify(spec.name)
        group = by_slug.get(slug)
        if group is None:
            parent = by_code[spec.parent_code].id if spec.parent_code else None
            group = service.create_group(session, actor=SYSTEM_SUBJECT, data={
                "name": spec.name, "slug": slug, "kind": spec.kind, "code": spec.code, "remit": spec.remit,
                "parent_id": parent, "place_code": spec.place_code})
            created += 1
        by_code[spec.code] = group
    return by_code, created


def _stakeholders(session: Session, organisations: dict[str, Organisation]) -> tuple[dict[str, Stakeholder], int]:
    """Stakeholders by lower-cased email, creating the missing people."""
    by_email = {p.email.lower(): p for p in session.exec(select(Stakeholder).where(Stakeholder.email.is_not(None)))}
    created = 0
    for spec in data.PEOPLE:
        if spec.email in by_email:
            continue
        by_email[spec.email] = service.create_stakeholder(session, actor=SYSTEM_SUBJECT, data={
            "name": spec.name, "initials": None, "email": spec.email, "job_title": spec.job_title,
            "organisation_id": organisations[spec.organisation.lower()].id, "place_code": spec.place_code,
            "system_leader_level": spec.system_leader_level})
        created += 1
    return by_email, created


def _memberships(session: Session, people: dict[str, Stakeholder], groups: dict[str, Group]) -> int:
    existing = set(session.exec(select(Membership.stakeholder_id, Membership.group_id, Membership.start_date)).all())
    created = 0
    for spec in data.MEMBERSHIPS:
        group, person_id = groups[spec.group_code], people[spec.email].id
        if (person_id, group.id, spec.start_date) in existing:
            continue
        try:
            service.create_membership(session, actor=SYSTEM_SUBJECT, group=group, data={
                "stakeholder_id": person_id, "role": spec.role, "start_date": spec.start_date,
                "end_date": spec.end_date, "on_behalf_of_id": None})
        except Conflict:
            # An admin has since given this person another seat on the group over these dates;
            # theirs stands (the check runs before anything is written).
            continue
        existing.add((person_id, group.id, spec.start_date))
        created += 1
    return created


def _accounts(session: Session, people: dict[str, Stakeholder], password: str) -> int:
    existing = set(session.exec(select(func.lower(UserAccount.email))).all())
    created = 0
    for email, is_admin in data.ACCOUNTS:
        if email in existing:
            continue
        auth_service.create_user(session, actor=SYSTEM_SUBJECT, data={
            "email": email, "password": password, "stakeholder_id": people[email].id, "is_admin": is_admin})
        created += 1
    return created


def _partner_client(session: Session, secret: str) -> int:
    stmt = select(PartnerClient.id).where(PartnerClient.client_id == data.PARTNER_CLIENT_ID)
    if session.exec(stmt).first() is not None:
        return 0
    auth_service.create_client(session, actor=SYSTEM_SUBJECT, name=data.PARTNER_CLIENT_NAME,
                               scopes=data.PARTNER_SCOPES, client_id=data.PARTNER_CLIENT_ID, secret=secret)
    return 1
