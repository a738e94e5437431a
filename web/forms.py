"""Turning validation failures into per-field messages for the NHS.UK error pattern."""

import re
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import BeforeValidator, TypeAdapter, ValidationError

from api.core.db import savepoint
from api.core.errors import Conflict, InvalidInput
from api.core.schemas import Id

# Service rules raise short phrases meant for the API's problem details ("cannot be in the future");
# these are the ones a form can meet, in the words a person should read. `{label}` is the field's
# label, `{noun}` the same with an article ("a title").
_SERVICE_PHRASES = {
    "cannot be in the future": "{label} must be today or in the past",
    "must be today or earlier": "{label} must be today or in the past",
    "required for this account": "Your account is not linked to a person in the directory. Ask an admin to link it",
    "not an agenda item of this meeting": "Select an agenda item of this meeting",
    "not an agenda item of the action's meeting": "Select an agenda item of the action's meeting",
    "must not be empty": "Enter {noun}",
    "enter the guest's name": "Enter the guest's name",
}
# Phrases that go on to name ids or dates: matched by their beginning.
_SERVICE_OPENINGS = {
    "no stakeholder with": "Select a person from the list",
    "must be a later meeting of the same group": "Select a later meeting of the same group that is not cancelled",
}
_ARTICLES = ("a ", "an ", "the ", "your ", "this ", "each ", "any ")


def _lower(label: str) -> str:
    """The label inside a sentence: "Due date (optional)" -> "due date"; "CSV file" stays."""
    label = re.sub(r"\s*\(optional\)\s*$", "", label.strip())
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _noun(label: str) -> str:
    words = _lower(label)
    if words.lower().startswith(_ARTICLES):
        return words
    return ("an " if words[:1].lower() in "aeiou" else "a ") + words


def _sentence(label: str, tail: str) -> str:
    return f"{_lower(label)[:1].upper()}{_lower(label)[1:]} {tail}"


def error_message(item: dict, label: str | None) -> str:
    """One validation or service error as a sentence in the GOV.UK style ("Enter a title",
    "Title must be 300 characters or fewer"), never pydantic's own words."""
    kind = str(item.get("type", ""))
    context = item.get("ctx") or {}
    text = str(item.get("msg", "")).removeprefix("Value error, ").strip().rstrip(".")
    name = label or "This answer"
    if kind == "missing" or (kind == "string_too_short" and int(context.get("min_length", 1)) <= 1):
        return f"Enter {_noun(name)}" if label else "Answer every question on the form"
    if kind == "string_too_short":
        return _sentence(name, f"must be {int(context['min_length']):,} characters or more")
    if kind == "string_too_long":
        return _sentence(name, f"must be {int(context['max_length']):,} characters or fewer")
    if kind in ("int_parsing", "int_type", "int_from_float", "float_parsing", "float_type", "decimal_parsing",
                "decimal_type"):
        return _sentence(name, "must be a number")
    bounds = {"greater_than_equal": ("ge", "or more"), "less_than_equal": ("le", "or less"),
              "greater_than": ("gt", None), "less_than": ("lt", None)}
    if kind in bounds:
        key, after = bounds[kind]
        limit = context.get(key)
        if after:
            return _sentence(name, f"must be {limit} {after}")
        return _sentence(name, f"must be {'more' if key == 'gt' else 'less'} than {limit}")
    if kind.startswith(("date_", "datetime_")) or kind in ("date_type", "datetime_type"):
        if kind in ("date_past", "datetime_past"):
            return _sentence(name, "must be in the past")
        if kind in ("date_future", "datetime_future"):
            return _sentence(name, "must be in the future")
        return _sentence(name, "must be a real date")
    if kind.startswith("time_"):
        return _sentence(name, "must be a real time, like 14:30")
    if kind in ("enum", "literal_error", "bool_parsing", "bool_type", "is_instance_of"):
        return f"Select {_noun(name)}"
    if kind.startswith("url_"):
        return _sentence(name, "must be a web address, like https://www.example.org")
    if kind == "string_pattern_mismatch":
        return _sentence(name, "is not in the right format")
    phrase = _SERVICE_PHRASES.get(text) or _SERVICE_PHRASES.get(text.lower()) or next(
        (words for opening, words in _SERVICE_OPENINGS.items() if text.lower().startswith(opening)), None)
    if phrase:
        return phrase.format(label=_lower(name)[:1].upper() + _lower(name)[1:], noun=_noun(name))
    if not text:
        return _sentence(name, "is not valid")
    if text[:1].isupper():
        return text  # already a sentence of its own (a service's message for people)
    return _sentence(name, text) if label else text[:1].upper() + text[1:]


def plain(detail: str, label: str | None = None) -> str:
    """A service's refusal (a problem's detail) as a sentence for a form's error message."""
    return error_message({"msg": detail}, label)


def field_errors(error: ValidationError | InvalidInput, labels: dict[str, str]) -> dict[str, str]:
    """{field: message} for the fields a form shows; anything else under "form". Messages are
    sentences in the GOV.UK style, written by `error_message`."""
    found = error.errors() if isinstance(error, ValidationError) else (error.errors or [])
    messages: dict[str, str] = {}
    for item in found:
        loc = [part for part in item.get("loc", []) if part != "body"]
        field = str(loc[0]) if loc else "form"
        key = field if field in labels else "form"
        messages.setdefault(key, error_message(item, labels.get(field)))
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


T = TypeVar("T")
FormErrors = dict[str, str]


def changed_fields(record: Any, data: dict[str, Any]) -> dict[str, Any]:
    """What an edit form changes: only these are sent to the service (and audited)."""
    return {key: value for key, value in data.items() if getattr(record, key) != value}


def attempt(session, write: Callable[[], T], *, conflict: Callable[[Conflict], FormErrors],
            invalid: Callable[[InvalidInput], FormErrors]) -> tuple[T | None, FormErrors]:
    """A form's service write inside a savepoint: (its result, {}), or, when the service refuses it,
    (None, the form's errors in the page's own words) with nothing of the write kept."""
    try:
        with savepoint(session):
            return write(), {}
    except Conflict as error:
        return None, conflict(error)
    except InvalidInput as error:
        return None, invalid(error)
