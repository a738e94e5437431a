"""Importing indicator values from CSV: every row validated first, then all written or none.

Columns are ours (`indicator_id, area_code, period, breakdown, value, lower_ci, upper_ci,
lower_ci_998, upper_ci_998, count, denominator, note`) or the Fingertips data-CSV names
(`Indicator ID`, `Area Code`, `Time period`, `Sex`/`Category`, `Value`, `Lower CI 95.0 limit`,
...). Other columns are ignored with a warning. Re-importing the same file changes nothing.
A count above its denominator is a problem, except for a rate (repeated events can outnumber
people). `preview` says what a file would do, with a digest that `import_csv` can be held to.
"""

import csv
import hashlib
import io
import json
import math
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO

from sqlmodel import Session, select

from api.audit import service as audit
from api.authz import Subject
from api.core.errors import Conflict, InvalidInput
from api.core.types import utcnow
from api.core.uploads import UnsupportedType, decode_csv, limit_of, read_limited
from api.indicators import stats
from api.indicators.models import Indicator, IndicatorValue
from api.registry.models import Area

FINGERTIPS = {
    "indicator id": "indicator_id", "area code": "area_code", "time period": "period", "sex": "breakdown",
    "category": "category", "value": "value", "lower ci 95.0 limit": "lower_ci", "upper ci 95.0 limit": "upper_ci",
    "lower ci 99.8 limit": "lower_ci_998", "upper ci 99.8 limit": "upper_ci_998", "count": "count",
    "denominator": "denominator", "value note": "note",
}
OURS = ("indicator_id", "area_code", "period", "breakdown", "value", "lower_ci", "upper_ci", "lower_ci_998",
        "upper_ci_998", "count", "denominator", "note")
REQUIRED = ("indicator_id", "area_code", "period")
NUMBERS = ("value", "lower_ci", "upper_ci", "lower_ci_998", "upper_ci_998", "count", "denominator")
MAX_ERRORS = 200
FIRST_ROWS = 10  # rows shown in a preview


def _columns(header: list[str], warnings: list[str]) -> dict[int, str]:
    mapping = {}
    for index, name in enumerate(header):
        key = name.strip().lstrip("\ufeff")
        field = key if key in OURS else FINGERTIPS.get(key.lower())
        if field is None:
            warnings.append(f"column '{key}' is not used and was ignored")
        elif field in mapping.values():
            warnings.append(f"column '{key}' repeats {field} and was ignored")
        else:
            mapping[index] = field
    return mapping


def _number(raw: str) -> float | None:
    text = raw.strip().replace(",", "")
    if not text:
        return None
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(raw)
    return number


def parse(lines: Iterable[str], *, indicators: set[str], areas: set[str],
          progress: Callable[[int], None] | None = None,
          rates: frozenset[str] = frozenset()) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows ready to write and the warnings; InvalidInput with every error (up to 200) if any.
    `rates`: the indicators whose unit is a rate, whose count may exceed the denominator."""
    reader = csv.reader(lines)
    warnings: list[str] = []
    errors: list[dict[str, Any]] = []
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput("The file is empty.", errors=[{"line": 1, "column": None, "msg": "no header"}]) from None
    except csv.Error as exc:
        raise InvalidInput("The file is not valid CSV.",
                           errors=[{"line": 1, "column": None, "msg": str(exc)}]) from None
    mapping = _columns(header, warnings)
    missing = [c for c in REQUIRED if c not in mapping.values()]
    if missing:
        raise InvalidInput("The header lacks required columns; is the file comma-separated?", errors=[
            {"line": 1, "column": c, "msg": "required column missing"} for c in missing])
    rows, seen = [], {}
    line = 1
    try:
        for line, record in enumerate(reader, start=2):
            if progress and line % 10_000 == 0:
                progress(line)
            if not any(cell.strip() for cell in record):
                continue
            row, row_errors = _row(record, mapping, indicators, areas, line, rates)
            key = (row.get("indicator_id"), row.get("area_code"), row.get("period"), row.get("breakdown"))
            if not row_errors and key in seen:
                row_errors.append({"line": line, "column": None, "msg": f"repeats line {seen[key]} (same indicator, "
                                                                           "area, period and breakdown)"})
            seen.setdefault(key, line)
            errors.extend(row_errors)
            if len(errors) >= MAX_ERRORS:
                break
            row["line"] = line
            rows.append(row)
    except csv.Error as exc:
        errors.append({"line": line, "column": None, "msg": f"not valid CSV: {exc}"})
    if errors:
        raise InvalidInput(f"{len(errors)} problem(s) found; nothing was imported.", errors=errors[:MAX_ERRORS])
    return rows, warnings


def _row(record: list[str], mapping: dict[int, str], indicators: set[str], areas: set[str],
         line: int, rates: frozenset[str] = frozenset()) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    raw = {field: (record[i] if i < len(record) else "") for i, field in mapping.items()}
    errors = []
    row: dict[str, Any] = {"breakdown": "Persons", "note": ""}
    for field, value in raw.items():
        value = value.strip()
        if field in NUMBERS:
            try:
                row[field] = _number(value)
            except ValueError:
                errors.append({"line": line, "column": field, "msg": f"'{value[:40]}' is not a number"})
        elif field == "category":
            if value:
                row["breakdown"] = value
        elif field == "breakdown":
            row["breakdown"] = value or row["breakdown"]
        else:
            row[field] = value
    for field, limit in (("indicator_id", 40), ("area_code", 9), ("period", 20), ("breakdown", 80), ("note", 300)):
        if len(row.get(field) or "") > limit:
            errors.append({"line": line, "column": field, "msg": f"longer than {limit} characters"})
    if not row.get("indicator_id"):
        errors.append({"line": line, "column": "indicator_id", "msg": "required"})
    elif row["indicator_id"] not in indicators:
        errors.append({"line": line, "column": "indicator_id", "msg": f"no indicator '{row['indicator_id'][:40]}'"})
    if not row.get("area_code"):
        errors.append({"line": line, "column": "area_code", "msg": "required"})
    elif row["area_code"] not in areas:
        errors.append({"line": line, "column": "area_code", "msg": f"unknown area '{row['area_code'][:20]}'"})
    if not row.get("period"):
        errors.append({"line": line, "column": "period", "msg": "required"})
    errors += _check_numbers(row, line, is_rate=row.get("indicator_id") in rates)
    return row, errors


def _figure(number: float) -> str:
    return f"{number:,.0f}" if number == int(number) else f"{number:,}"


def _check_numbers(row: dict[str, Any], line: int, *, is_rate: bool = False) -> list[dict[str, Any]]:
    errors = []
    for low, high in (("lower_ci", "upper_ci"), ("lower_ci_998", "upper_ci_998")):
        lo, hi, value = row.get(low), row.get(high), row.get("value")
        if lo is not None and hi is not None and lo > hi:
            errors.append({"line": line, "column": low, "msg": f"{low} is above {high}"})
        elif value is not None and ((lo is not None and value < lo) or (hi is not None and value > hi)):
            errors.append({"line": line, "column": "value", "msg": f"outside its interval {low}..{high}"})
    if row.get("denominator") is not None and row["denominator"] <= 0:
        errors.append({"line": line, "column": "denominator", "msg": "must be above 0"})
    if row.get("count") is not None and row["count"] < 0:
        errors.append({"line": line, "column": "count", "msg": "cannot be negative"})
    # A proportion (or a count out of a population) cannot have more in it than the population;
    # a rate can (repeated events, person-time), so only rates are spared.
    count, denominator = row.get("count"), row.get("denominator")
    if not is_rate and count is not None and denominator is not None and 0 < denominator < count:
        errors.append({"line": line, "column": "count", "msg": f"the count ({_figure(count)}) is above its "
                                                              f"denominator ({_figure(denominator)})"})
    return errors


def read_upload(upload: BinaryIO, *, max_mb: int) -> bytes:
    """An uploaded file's bytes for `import_csv`, refused (413) beyond ATA_MAX_UPLOAD_MB; every
    door that imports (the API, the admin page) reads uploads through this one rule."""
    return read_limited(upload, limit=limit_of(max_mb))


class PreviewOutdated(Conflict):
    """The file would now write something other than what its preview showed."""


def _prepare(session: Session, data: bytes, progress: Callable[[int], None] | None):
    """The file's rows, checked and completed, its warnings, and the indicators' and areas' names."""
    try:
        text = decode_csv(data)
    except UnsupportedType as refused:
        # The size was checked as the upload was read. A file that is not CSV text is a 422 here,
        # as it has been since this import was published (the admin page lists it among the
        # rows' problems); the membership import answers 415 for the same refusal.
        raise InvalidInput(refused.detail, errors=refused.errors) from None
    indicators = {i.id: i for i in session.exec(select(Indicator))}
    areas = dict(session.exec(select(Area.gss_code, Area.name)).all())
    rates = frozenset(i.id for i in indicators.values() if i.unit == "rate")
    rows, warnings = parse(io.StringIO(text, newline=""), indicators=set(indicators), areas=set(areas),
                           progress=progress, rates=rates)
    computed = sum(_complete(row, indicators[row["indicator_id"]].ci_method,
                             indicators[row["indicator_id"]].multiplier) for row in rows)
    if computed:
        warnings.append(f"confidence intervals computed from count and denominator for {computed} row(s)")
    return rows, warnings, indicators, areas


def import_csv(session: Session, *, actor: Subject, data: bytes,
               progress: Callable[[int], None] | None = None, dry_run: bool = False,
               digest: str | None = None) -> dict[str, Any]:
    """Validate the whole file, then insert new values and update changed ones; unchanged rows
    are left alone (so their `updated_at`, which incremental sync reads, does not move).
    `dry_run`: validate and count what would be written, and write nothing. `digest` (from
    `preview`): refuse (PreviewOutdated, 409) if the file would now write anything else."""
    rows, warnings, _, _ = _prepare(session, data, progress)
    planned = _plan(session, rows)
    if digest is not None and digest != _digest(planned):
        raise PreviewOutdated("The values held changed after the file was checked, so it would now make different "
                              "changes. Nothing was imported: check the file again.")
    written = sum(status != "unchanged" for *_, status in planned)
    if dry_run:
        return {"rows_written": written, "warnings": warnings}
    _apply(session, planned)
    if written:
        now = utcnow()
        for indicator in session.exec(select(Indicator).where(Indicator.id.in_({r["indicator_id"] for r in rows}))):
            indicator.last_updated = now
        session.flush()
    audit.record(session, actor=actor, action="indicators.import", entity_type="indicator_value", entity_id=None,
                 after={"rows": len(rows), "rows_written": written, "warnings": warnings[:20]})
    return {"rows_written": written, "warnings": warnings}


def preview(session: Session, *, data: bytes, first: int = FIRST_ROWS) -> dict[str, Any]:
    """What importing the file would do, writing nothing: rows and new/changed/unchanged values
    per indicator, the file's first rows with what each would do, the warnings, and the digest
    that `import_csv` checks. InvalidInput with every problem (by line) if any row is wrong."""
    rows, warnings, indicators, areas = _prepare(session, data, None)
    planned = _plan(session, rows)
    by_indicator: dict[str, dict[str, Any]] = {}
    for row, _, _, status in planned:
        indicator = indicators[row["indicator_id"]]
        entry = by_indicator.setdefault(indicator.id, {"indicator_id": indicator.id, "name": indicator.name,
                                                       "rows": 0, "new": 0, "changed": 0, "unchanged": 0})
        entry["rows"] += 1
        entry[status] += 1
    shown = sorted(planned, key=lambda item: item[0]["line"])[:first]
    return {
        "rows": len(rows), "rows_written": sum(status != "unchanged" for *_, status in planned),
        "warnings": warnings, "digest": _digest(planned),
        "by_indicator": [by_indicator[key] for key in sorted(by_indicator)],
        "first": [{**values, "line": row["line"], "area_name": areas.get(values["area_code"], ""), "status": status}
                  for row, values, _, status in shown],
    }


def _complete(row: dict[str, Any], method: str, multiplier: float) -> bool:
    """Fill in the value and both intervals from count and denominator, by the indicator's
    method (Wilson for proportions, Byar or exact Poisson for rates), where the file gives none."""
    count, denominator = row.get("count"), row.get("denominator")
    if method == "given" or count is None or denominator is None:
        return False
    if row.get("lower_ci") is not None or row.get("upper_ci") is not None:
        return False
    if method == "wilson" and count > denominator:
        return False  # reported as given; not a proportion we can qualify
    if row.get("value") is None:
        row["value"] = count / denominator * multiplier
    row["lower_ci"], row["upper_ci"] = stats.confidence_interval(method, count, denominator, 0.95, multiplier)
    if row.get("lower_ci_998") is None and row.get("upper_ci_998") is None:
        row["lower_ci_998"], row["upper_ci_998"] = stats.confidence_interval(method, count, denominator, 0.998,
                                                                             multiplier)
    return True


def _plan(session: Session, rows: list[dict[str, Any]]) -> list[tuple[dict, dict, IndicatorValue | None, str]]:
    """Each row with the values it would write, the value held now, and whether it is new,
    changed or unchanged; one query per indicator in the file."""
    planned = []
    for indicator_id in sorted({r["indicator_id"] for r in rows}):
        existing = {(v.area_code, v.period, v.breakdown): v for v in session.exec(
            select(IndicatorValue).where(IndicatorValue.indicator_id == indicator_id))}
        for row in (r for r in rows if r["indicator_id"] == indicator_id):
            values = {field: row.get(field) for field in OURS if field != "note"} | {"note": row.get("note") or ""}
            current = existing.get((row["area_code"], row["period"], row["breakdown"]))
            if current is None:
                status = "new"
            elif any(getattr(current, field) != value for field, value in values.items()):
                status = "changed"
            else:
                status = "unchanged"
            planned.append((row, values, current, status))
    return planned


def _digest(planned: list[tuple[dict, dict, IndicatorValue | None, str]]) -> str:
    """The writes a file would make: the same file against the same values gives the same digest."""
    writes = [[status, values] for _, values, _, status in planned if status != "unchanged"]
    return hashlib.sha256(json.dumps(writes, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _apply(session: Session, planned: list[tuple[dict, dict, IndicatorValue | None, str]]) -> None:
    for _, values, current, status in planned:
        if status == "new":
            session.add(IndicatorValue(**values))
        elif status == "changed":
            for field, value in values.items():
                setattr(current, field, value)
    session.flush()
