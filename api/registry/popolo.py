"""The registry as Popolo JSON (persons, organizations, memberships, areas), streamed."""

import json
from collections.abc import Iterator

from sqlalchemy import Engine
from sqlmodel import Session, select

from api.registry.models import Area, Group, Membership, Organisation, Stakeholder

_BATCH = 500


def _person(p: Stakeholder) -> dict:
    return {
        "id": f"person-{p.id}",
        "name": p.name,
        "email": p.email,
        "identifiers": [{"scheme": "ata-stakeholder", "identifier": str(p.id)}],
        "initials": p.initials,
        "system_leader_level": p.system_leader_level,
    }


def _organisation(o: Organisation) -> dict:
    return {
        "id": f"organisation-{o.id}",
        "name": o.name,
        "classification": o.sector,
        "area_id": o.place_code,
        "links": [{"url": o.website, "note": "website"}] if o.website else [],
    }


def _group(g: Group) -> dict:
    return {
        "id": f"group-{g.id}",
        "name": g.name,
        "classification": g.kind,
        "identifiers": [{"scheme": "ata-group-code", "identifier": g.code}] if g.code else [],
        "parent_id": f"group-{g.parent_id}" if g.parent_id else None,
        "area_id": g.place_code,
        "description": g.remit,
    }


def _seat(m: Membership) -> dict:
    return {
        "id": f"membership-{m.id}",
        "person_id": f"person-{m.stakeholder_id}",
        "organization_id": f"group-{m.group_id}",
        "role": m.role,
        "start_date": m.start_date.isoformat(),
        "end_date": m.end_date.isoformat() if m.end_date else None,
        "on_behalf_of_id": f"organisation-{m.on_behalf_of_id}" if m.on_behalf_of_id else None,
    }


def _employment(p: Stakeholder) -> dict:
    return {
        "id": f"employment-{p.id}",
        "person_id": f"person-{p.id}",
        "organization_id": f"organisation-{p.organisation_id}",
        "role": p.job_title,
    }


def _area(a: Area) -> dict:
    return {"id": a.gss_code, "name": a.name, "classification": a.kind, "parent_id": a.parent_code}


def _array(session: Session, *parts) -> Iterator[str]:
    """One JSON array's items from several (statement, shape) parts, in batches."""
    first = True
    for stmt, shape in parts:
        for row in session.exec(stmt.execution_options(yield_per=_BATCH)):
            yield ("" if first else ",") + json.dumps(shape(row), ensure_ascii=False)
            first = False


def _coalesce(pieces: Iterator[str], size: int = 64 * 1024) -> Iterator[str]:
    """Joins small pieces into chunks of about `size` characters: one ASGI message per row
    would cost more than the rows themselves."""
    buffer: list[str] = []
    length = 0
    for piece in pieces:
        buffer.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(buffer)
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer)


def stream_popolo(engine: Engine) -> Iterator[str]:
    return _coalesce(_document(engine))


def _document(engine: Engine) -> Iterator[str]:
    """Yields the document in pieces; memory stays flat however large the registry is.

    Runs in its own read-only session because the body is sent after the request's session
    has closed.
    """
    employed = select(Stakeholder).where(Stakeholder.organisation_id.is_not(None)).order_by(Stakeholder.id)
    with Session(engine) as session:
        yield '{"persons":['
        yield from _array(session, (select(Stakeholder).order_by(Stakeholder.id), _person))
        yield '],"organizations":['
        yield from _array(session, (select(Organisation).order_by(Organisation.id), _organisation),
                          (select(Group).order_by(Group.id), _group))
        yield '],"memberships":['
        yield from _array(session, (select(Membership).order_by(Membership.id), _seat), (employed, _employment))
        yield '],"areas":['
        yield from _array(session, (select(Area).order_by(Area.gss_code), _area))
        yield "]}"
