"""Base classes and field types for the public request and response shapes.

Every request field, path, query and form parameter takes its type from here, so that bad input
is refused once, the same way at both doors: text never holds control characters (PostgreSQL
cannot store NUL, and no person types the others), and ids fit the integer columns they name.
"""

import re
from dataclasses import dataclass
from datetime import time
from typing import Annotated, Any, ClassVar

from annotated_types import Ge, Le
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import core_schema

# PostgreSQL `integer`, the type of every id column: a larger id cannot name a row, and sending
# one to the database is an error there (and not on SQLite), so it is refused as input.
MAX_ID = 2**31 - 1
Id = Annotated[int, Ge(1), Le(MAX_ID)]

# C0 controls and DEL, and lone surrogates (which cannot be encoded as UTF-8 for the database).
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
# The same, less tab, line feed and carriage return: for text people write in several lines.
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class PlainText:
    """Refuses control characters in a string. Put it LAST in `Annotated[str, ..., SINGLE_LINE]`,
    after any StringConstraints, so that those still apply to the plain string."""

    multiline: bool = False

    def check(self, value: Any) -> Any:
        if isinstance(value, str) and (_CONTROL_MULTILINE if self.multiline else _CONTROL).search(value):
            if self.multiline:
                raise ValueError("must not contain control characters other than tab and line breaks")
            raise ValueError("must not contain control characters (such as NUL, tab or a line break)")
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler) -> Any:
        # Said in the contract too, so that clients and fuzzers know what is refused.
        found = handler(schema)
        target = handler.resolve_ref_schema(found)
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$" if self.multiline else r"^[^\x00-\x1f\x7f]*$"
        for option in [target, *target.get("anyOf", [])]:  # `str | None` too
            if option.get("type") == "string":
                option.setdefault("pattern", pattern)
        return found


SINGLE_LINE = PlainText()
MULTI_LINE = PlainText(multiline=True)
# For parameters with no other constraint (a query's free text, a form field checked later).
Text = Annotated[str, SINGLE_LINE]


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    """For a form handler that answers bad text with its own page instead of a 422."""
    return bool((_CONTROL_MULTILINE if multiline else _CONTROL).search(value))


Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SINGLE_LINE]
OptionalText200 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), SINGLE_LINE] | None
GssCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[EWSN]\d{8}$")]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        max_length=254,
        # Deliberately plain: one @, no spaces, a dotted domain. Deliverability is not ours to judge.
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    ),
    SINGLE_LINE,
]

# A time of day on a UK clock, as meetings are set: "14:00" or "14:00:00". Not JSON Schema's
# "time" format, which is RFC 3339's full-time and needs an offset: a UK clock time has none of
# its own (Europe/London's offset depends on the day), so the contract gives the shape the service
# reads and writes, and an offset or a bare number is refused rather than silently reinterpreted.
_CLOCK_TIME = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"


def _clock_time(value: Any) -> Any:
    if isinstance(value, time) and value.tzinfo is None:
        return value
    if not isinstance(value, str) or not re.fullmatch(_CLOCK_TIME, value):
        raise ValueError("must be a time of day as HH:MM, UK time, with no offset")
    return value


UkTime = Annotated[time, BeforeValidator(_clock_time),
                   WithJsonSchema({"type": "string", "pattern": _CLOCK_TIME, "examples": ["14:00"]})]


class RequestModel(BaseModel):
    """A request body: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class PatchModel(RequestModel):
    """A partial update: only the fields sent are changed; `null` clears nullable ones.

    `table` names the table the patch writes: every field that is a NOT NULL column there refuses
    `null` (a 422), so a hand-kept list cannot fall behind the schema and let a null reach the
    database or the response. `not_nullable` adds fields that are not columns (lists, passwords)."""

    table: ClassVar[type | None] = None
    not_nullable: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if cls.table is not None:
            columns = cls.table.__table__.columns
            required = {name for name in cls.model_fields if name in columns and not columns[name].nullable}
            cls.not_nullable = frozenset(cls.not_nullable | required)

    @model_validator(mode="after")
    def _no_null_for_required(self) -> "PatchModel":
        for name in self.model_fields_set & self.not_nullable:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        return self.model_dump(include=self.model_fields_set)


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)
