"""People and organisations in the search index, kept in step with every change to them.

The registry sits below search (tests/unit/test_import_graph.py), so its services cannot write
documents themselves; instead this module listens to every session's flushes and writes the
documents of the people and organisations inserted, changed or deleted in it, through the
flush's own connection (so in the same transaction, and whichever service, the demo loader or
the privacy code made the change: an anonymised person's document holds only the label).

Registered once, when the search package is first imported (api/search/__init__.py).
"""

from sqlalchemy import Connection, event, inspect, select
from sqlalchemy.orm import Session

from api.registry.models import Area, Organisation, Stakeholder
from api.search import service as search

PERSON, ORGANISATION = "person", "organisation"
# What a change must touch for a document to be written again.
_PERSON_FIELDS = ("name", "job_title", "organisation_id")
# Personal data: when these leave a document, no trace may stay in the index.
_PERSONAL_FIELDS = ("name", "job_title")
_ORGANISATION_FIELDS = ("name", "sector", "place_code")


def _changed(record, fields: tuple[str, ...]) -> bool:
    state = inspect(record)
    return any(state.attrs[field].history.has_changes() for field in fields)


def _organisation_body(sector: str, place: str | None) -> str:
    """The sector in words ("health care sector, Wirral"), as the snippet reads it."""
    return ", ".join(part for part in (f"{sector.replace('_', ' ')} sector", place) if part)


def _write_person(connection: Connection, person_id: int, name: str, job_title: str | None,
                  organisation: str | None, *, new: bool) -> None:
    search.write(connection, kind=PERSON, ref_id=person_id, title=name,
                 body=" at ".join(part for part in (job_title, organisation) if part), url=f"/people/{person_id}",
                 new=new)


def _organisation_names(connection: Connection, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    table = Organisation.__table__
    return dict(connection.execute(select(table.c.id, table.c.name).where(table.c.id.in_(ids))).all())


def _people(connection: Connection, session: Session) -> None:
    new = [p for p in session.new if isinstance(p, Stakeholder)]
    changed = [p for p in session.dirty if isinstance(p, Stakeholder) and _changed(p, _PERSON_FIELDS)]
    if new or changed:
        names = _organisation_names(connection, {p.organisation_id for p in new + changed if p.organisation_id})
        for person, is_new in [(p, True) for p in new] + [(p, False) for p in changed]:
            _write_person(connection, person.id, person.name, person.job_title, names.get(person.organisation_id),
                          new=is_new)
    gone = [p.id for p in session.deleted if isinstance(p, Stakeholder)]
    if gone:
        search.erase(connection, kind=PERSON, ref_ids=gone)
    if gone or any(_changed(p, _PERSONAL_FIELDS) for p in changed):
        search.forget_old_words(connection)


def _organisations(connection: Connection, session: Session) -> None:
    new = [o for o in session.new if isinstance(o, Organisation)]
    changed = [o for o in session.dirty if isinstance(o, Organisation) and _changed(o, _ORGANISATION_FIELDS)]
    if new or changed:
        areas = Area.__table__
        codes = {o.place_code for o in new + changed if o.place_code}
        places = dict(connection.execute(select(areas.c.gss_code, areas.c.name)
                                         .where(areas.c.gss_code.in_(codes))).all()) if codes else {}
        for organisation, is_new in [(o, True) for o in new] + [(o, False) for o in changed]:
            body = _organisation_body(organisation.sector, places.get(organisation.place_code))
            search.write(connection, kind=ORGANISATION, ref_id=organisation.id, title=organisation.name, body=body,
                         url=f"/organisations/{organisation.id}", new=is_new)
    # A renamed organisation: its people's documents name it.
    renamed = [o.id for o in changed if inspect(o).attrs["name"].history.has_changes()]
    if renamed:
        people = Stakeholder.__table__
        rows = connection.execute(select(people.c.id, people.c.name, people.c.job_title, people.c.organisation_id)
                                  .where(people.c.organisation_id.in_(renamed))).all()
        names = _organisation_names(connection, set(renamed))
        for person_id, name, job_title, organisation_id in rows:
            _write_person(connection, person_id, name, job_title, names.get(organisation_id), new=False)
    gone = [o.id for o in session.deleted if isinstance(o, Organisation)]
    if gone:
        search.erase(connection, kind=ORGANISATION, ref_ids=gone)


def _after_flush(session: Session, _context) -> None:
    """Ids are known here (the rows are written) and the session still says what the flush wrote."""
    touched = (session.new, session.dirty, session.deleted)
    if not any(isinstance(record, Stakeholder | Organisation) for records in touched for record in records):
        return
    connection = session.connection()
    _people(connection, session)
    _organisations(connection, session)


def listen() -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


search.register_open_kind(PERSON)
search.register_open_kind(ORGANISATION)


def reindex_all(session: Session) -> int:
    """Every person's and organisation's document, written again (`ata search reindex`); how many."""
    session.flush()
    connection = session.connection()
    people, organisations = Stakeholder.__table__, Organisation.__table__
    areas = Area.__table__
    names = dict(connection.execute(select(organisations.c.id, organisations.c.name)).all())
    everyone = connection.execute(select(people.c.id, people.c.name, people.c.job_title,
                                         people.c.organisation_id)).all()
    for person_id, name, job_title, organisation_id in everyone:
        _write_person(connection, person_id, name, job_title, names.get(organisation_id), new=False)
    places = dict(connection.execute(select(areas.c.gss_code, areas.c.name)).all())
    rows = connection.execute(select(organisations.c.id, organisations.c.name, organisations.c.sector,
                                     organisations.c.place_code)).all()
    for organisation_id, name, sector, place_code in rows:
        body = _organisation_body(sector, places.get(place_code))
        search.write(connection, kind=ORGANISATION, ref_id=organisation_id, title=name, body=body,
                     url=f"/organisations/{organisation_id}")
    return len(everyone) + len(rows)
