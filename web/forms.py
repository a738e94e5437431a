"""Turning validation failures into per-field messages for the NHS.UK error pattern."""

from typing import Annotated

from pydantic import BeforeValidator, TypeAdapter, ValidationError

from api.core.errors import InvalidInput
from api.core.schemas import Id


def field_errors(error: ValidationError | InvalidInput, labels: dict[str, str]) -> dict[str, str]:
    """{field: "Label: message"} for the fields a form shows; anything else under "form"."""
    found = error.errors() if isinstance(error, ValidationError) else (error.errors or [])
    messages: dict[str, str] = {}
    for item in found:
        loc = [part for part in item.get("loc", []) if part != "body"]
        field = str(loc[0]) if loc else "form"
        key = field if field in labels else "form"
        text = str(item.get("msg", "is not valid")).removeprefix("Value error, ")
        messages.setdefault(key, f"{labels.get(field, 'This form')}: {text[:1].lower() + text[1:]}")
    if not messages and isinstance(error, InvalidInput):
        messages["form"] = error.detail
    return messages


def safe_next(value: str | None, default: str = "/") -> str:
    """A path on this site to go on to after signing in or a form: never `//evil.example`,
    `/\\evil.example` (browsers read a backslash as a slash) or `https://...`."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value and len(value) <= 500:
        return value
    return default


_id = TypeAdapter(Id)

# A filter form's select whose blank option means "any": the browser sends `group=` for it, which
# must read as no filter, not fail as a bad id (the action log's filter did, with its defaults).
BlankOrId = Annotated[Id | None, BeforeValidator(lambda value: None if value == "" else value)]


def form_id(value: str) -> int | None:
    """The id a form's select or hidden field names, or None when it is blank or names no
    possible row: ASCII digits only (Python reads fullwidth digits as numbers too) and within the
    id columns."""
    value = value.strip()
    if not (value.isascii() and value.isdigit()):
        return None
    try:
        return _id.validate_python(int(value))
    except ValidationError:
        return None
