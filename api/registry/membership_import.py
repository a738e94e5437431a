"""Bulk membership changes from CSV: parse, plan against a group's seats, then apply.

The CSV has a header and the columns `email` (an existing stakeholder, matched by email),
`role`, and optionally `start_date` and `end_date` (ISO dates). A row without an end date says
"this person holds this role": a new seat, a changed role, or nothing to do. A row with an end
date ends the person's current seat on that date. People the file does not name are left alone.

`plan` only reads; `apply` writes through the registry service (so every change is audited and
the no-overlap rule holds), and only a plan without errors. The plan's `digest` lets a preview
be applied later only if the group's seats still give the same plan.
"""

import csv
import dataclasses
import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, get_args

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, select

from api.authz import Subject
from api.core.errors import InvalidInput
from api.core.types import today
from api.core.uploads import UnsupportedType, decode_csv
from api.registry import service
from api.registry.current import has_ended
from api.registry.models import Group, Membership, Stakeholder
from api.registry.schemas import ROLES

# Its own limit, not ATA_MAX_UPLOAD_MB: the same text may be pasted into the admin page's form,
# whose field this bounds, and the API has always published 1 MB for this import.
MAX_BYTES = 1024 * 1024
MAX_ERRORS = 200
COLUMNS = ("email", "role", "start_date", "end_date")
REQUIRED = ("email", "role")
CSV_MEDIA_TYPES = ("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel")

Kind = Literal["add", "change_role", "end", "unchanged"]
KINDS: tuple[Kind, ...] = get_args(Kind)


@dataclass(frozen=True)
class Row:
    line: int
    email: str
    role: str | None
    start_date: date | None
    end_date: date | None
    valid: bool = True  # False: the row has errors of its own and is not planned


@dataclass(frozen=True)
class Change:
    kind: Kind
    line: int
    stakeholder_id: int
    name: str
    email: str
    membership_id: int | None = None
    role_before: str | None = None
    role_after: str | None = None
    start_date: date | None = None
    end_date_before: date | None = None
    end_date_after: date | None = None


@dataclass
class Plan:
    changes: list[Change] = dataclasses.field(default_factory=list)
    errors: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(KINDS, 0)
        for change in self.changes:
            counts[change.kind] += 1
        return counts

    @property
    def writes(self) -> list[Change]:
        return [c for c in self.changes if c.kind != "unchanged"]

    @property
    def digest(self) -> str:
        """Changes only (not names): the same file against the same seats gives the same digest."""
        canonical = [
            [c.kind, c.line, c.stakeholder_id, c.membership_id, c.role_before, c.role_after,
             _iso(c.start_date), _iso(c.end_date_before), _iso(c.end_date_after)]
            for c in self.changes
        ] + [[e["line"], e["column"], e["msg"]] for e in self.errors]
        return hashlib.sha256(json.dumps(canonical, separators=(",", ":")).encode()).hexdigest()


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# Reading the upload ---------------------------------------------------------------------------

def check_media_type(content_type: str | None, filename: str | None = None) -> None:
    """415 unless the upload says it is CSV or plain text (or is named *.csv)."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in CSV_MEDIA_TYPES or (filename or "").lower().endswith(".csv"):
        return
    raise UnsupportedType("Send the memberships as a CSV file (text/csv, UTF-8).")


def decode(data: bytes) -> str:
    """The upload as text, by the CSV decoder every import shares, within MAX_BYTES."""
    return decode_csv(data, limit=MAX_BYTES)


# Parsing --------------------------------------------------------------------------------------

def _normal_role(raw: str) -> str:
    return raw.strip().lower().replace("-", "_").replace(" ", "_")


def _date(raw: str) -> date | None:
    raw = raw.strip()
    return date.fromisoformat(raw) if raw else None


def parse(text: str) -> tuple[list[Row], list[dict[str, Any]]]:
    """Rows and per-row errors `{line, column, msg}` (line 1 is the header)."""
    errors: list[dict[str, Any]] = []

    def error(line: int, column: str | None, msg: str) -> None:
        errors.append({"line": line, "column": column, "msg": msg})

    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return [], [{"line": 1, "column": None, "msg": f"not valid CSV: {exc}"}]
    if header is None or not any(h.strip() for h in header):
        return [], [{"line": 1, "column": None, "msg": "the file is empty: it needs a header row "
                                                        "(email,role,start_date,end_date)"}]
    names = [h.strip().lower() for h in header]
    for name in names:
        if name not in COLUMNS:
            error(1, name, f"unknown column '{name}'; the columns are {', '.join(COLUMNS)}")
    for name in REQUIRED:
        if name not in names:
            error(1, name, "required column missing")
    if len(set(names)) != len(names):
        error(1, None, "a column is named twice")
    if errors:
        return [], errors
    index = {name: i for i, name in enumerate(names)}
    rows: list[Row] = []
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(names):
                error(line, None, f"has {len(values)} fields where the header has {len(names)}")
                continue
            cell = {name: values[i] for name, i in index.items()}
            rows.append(_row(line, cell, error))
            if len(errors) >= MAX_ERRORS:
                break
    except csv.Error as exc:
        error(reader.line_num, None, f"not valid CSV: {exc}")
    return rows, errors


def _row(line: int, cell: dict[str, str], report) -> Row:
    problems = []

    def error(line: int, column: str, msg: str) -> None:
        problems.append(column)
        report(line, column, msg)

    email = cell["email"].strip()
    if not email:
        error(line, "email", "enter the person's email address")
    role = _normal_role(cell["role"]) or None
    if role is not None and role not in ROLES:
        error(line, "role", f"'{cell['role'].strip()}' is not a role; use one of {', '.join(ROLES)}")
        role = None
    dates = {}
    for column in ("start_date", "end_date"):
        try:
            dates[column] = _date(cell.get(column, ""))
        except ValueError:
            error(line, column, f"'{cell[column].strip()}' is not a date; write it as YYYY-MM-DD")
            dates[column] = None
    if cell["role"].strip() == "" and not cell.get("end_date", "").strip():
        error(line, "role", "enter a role (or an end_date to end the membership)")
    if dates["start_date"] and dates["end_date"] and dates["end_date"] < dates["start_date"]:
        error(line, "end_date", "end_date cannot be before start_date")
    return Row(line=line, email=email, role=role, start_date=dates["start_date"], end_date=dates["end_date"],
               valid=not problems)


# Planning -------------------------------------------------------------------------------------

def compute(rows: Sequence[Row], *, people: dict[str, Stakeholder], seats: Iterable[Membership],
            on: date) -> Plan:
    """The changes the rows make to a group whose memberships (current and ended) are `seats`.

    `people` maps lower-case email to stakeholder. Pure: no database, so the rules are testable
    on their own."""
    plan = Plan()
    by_person: dict[int, list[Membership]] = {}
    for seat in seats:
        by_person.setdefault(seat.stakeholder_id, []).append(seat)
    first_line: dict[int, int] = {}
    for row in rows:
        if not row.email:
            continue
        person = people.get(row.email.lower())
        if person is None:
            plan.errors.append({"line": row.line, "column": "email",
                                "msg": f"no one in the directory has the email address {row.email}"})
            continue
        if person.id in first_line:
            plan.errors.append({"line": row.line, "column": "email",
                                "msg": f"{row.email} is already on line {first_line[person.id]}; "
                                       "give each person one row"})
            continue
        first_line[person.id] = row.line
        if not row.valid:
            continue
        change, problem = _change_for(row, person, by_person.get(person.id, []), on)
        if problem:
            plan.errors.append({"line": row.line, "column": problem[0], "msg": problem[1]})
        elif change is not None:
            plan.changes.append(change)
    return plan


def _change_for(row: Row, person: Stakeholder, seats: list[Membership], on: date
                ) -> tuple[Change | None, tuple[str, str] | None]:
    base = {"line": row.line, "stakeholder_id": person.id, "name": person.name, "email": row.email}
    # The seat still open on the day (it may not have started yet): the one a row changes or ends.
    current = next((s for s in seats if not has_ended(s, on)), None)
    if row.end_date is not None:
        if current is None:
            if any(s.end_date == row.end_date for s in seats):
                return Change(kind="unchanged", **base), None
            return None, ("end_date", f"{person.name} has no current membership of this group to end")
        if row.end_date < current.start_date:
            return None, ("end_date", f"end_date cannot be before the membership's start "
                                      f"({current.start_date.isoformat()})")
        kind = "unchanged" if current.end_date == row.end_date else "end"
        return Change(kind=kind, membership_id=current.id, role_before=current.role, role_after=current.role,
                      start_date=current.start_date, end_date_before=current.end_date,
                      end_date_after=row.end_date, **base), None
    if current is not None:
        kind = "unchanged" if current.role == row.role else "change_role"
        return Change(kind=kind, membership_id=current.id, role_before=current.role, role_after=row.role,
                      start_date=current.start_date, end_date_before=current.end_date,
                      end_date_after=current.end_date, **base), None
    start = row.start_date or on
    clash = next((s for s in seats if not has_ended(s, start)), None)
    if clash is not None:
        return None, ("start_date", f"{person.name}'s earlier membership ran until "
                                    f"{clash.end_date.isoformat() if clash.end_date else 'no end date'}; "
                                    "start the new one on or after that date")
    return Change(kind="add", role_after=row.role, start_date=start, **base), None


def plan(session: Session, *, group: Group, text: str) -> Plan:
    """Parse the CSV and plan it against the group's memberships, in three queries; writes nothing."""
    rows, errors = parse(text)
    emails = sorted({r.email.lower() for r in rows if r.email})
    people: dict[str, Stakeholder] = {}
    if emails:
        found = session.exec(select(Stakeholder).where(func.lower(Stakeholder.email).in_(emails))).all()
        people = {p.email.lower(): p for p in found if p.email}
    seats = session.exec(select(Membership).where(Membership.group_id == group.id)).all() if rows else []
    result = compute(rows, people=people, seats=seats, on=today())
    result.errors = sorted(errors + result.errors, key=lambda e: (e["line"], e["column"] or ""))[:MAX_ERRORS]
    return result


def apply(session: Session, *, actor: Subject, group: Group, plan: Plan) -> None:
    """Write every change of an error-free plan through the registry service (audited). Ends
    first, then role changes, then new seats; any failure raises and the request rolls back."""
    if not plan.ok:
        raise InvalidInput("The file has problems; nothing was changed.", errors=plan.errors)
    order = {"end": 0, "change_role": 1, "add": 2}
    seats = {}
    ids = [c.membership_id for c in plan.writes if c.membership_id is not None]
    if ids:
        seats = {m.id: m for m in session.exec(select(Membership).where(Membership.id.in_(ids)))}
    for change in sorted(plan.writes, key=lambda c: (order[c.kind], c.line)):
        if change.kind == "add":
            service.create_membership(session, actor=actor, group=group, data={
                "stakeholder_id": change.stakeholder_id, "role": change.role_after,
                "start_date": change.start_date, "end_date": None, "on_behalf_of_id": None})
        elif change.kind == "change_role":
            service.update_membership(session, actor=actor, membership=seats[change.membership_id],
                                      changes={"role": change.role_after})
        else:
            service.update_membership(session, actor=actor, membership=seats[change.membership_id],
                                      changes={"end_date": change.end_date_after})


# Public shape (API) ---------------------------------------------------------------------------

class ChangeRead(BaseModel):
    kind: Kind
    line: int
    stakeholder_id: int
    name: str
    email: str
    membership_id: int | None
    role_before: str | None
    role_after: str | None
    start_date: date | None
    end_date_before: date | None
    end_date_after: date | None


class ImportResult(BaseModel):
    applied: bool
    digest: str
    counts: dict[str, int]
    changes: list[ChangeRead]


def result_of(plan: Plan, *, applied: bool) -> ImportResult:
    return ImportResult(applied=applied, digest=plan.digest, counts=plan.counts,
                        changes=[ChangeRead(**dataclasses.asdict(c)) for c in plan.changes])
