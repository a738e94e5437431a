"""One definition per vocabulary: each set of stored words is a Literal type in one place, its
tuple is read off that type, and the words people read for it are in web/labels.py only."""

import ast
from collections import defaultdict
from pathlib import Path
from typing import get_args

import pytest

from api.audit.schemas import ENTITY_TYPES, EntityType
from api.indicators import fingertips
from api.indicators.compare import Outcome
from api.indicators.schemas import CiMethod, Polarity, Unit
from api.indicators.trend import Trend
from api.mail.kinds import Frequency, MailKind
from api.meetings.schemas import ActionSort, ActionStatus, AttendanceStatus, MeetingStatus, MinutesStatus
from api.outcomes.schemas import ContributionKind, PilotStatus, PlanStatus
from api.registry.history import ChangeKind
from api.registry.schemas import GroupKind, Role, Sector
from web import labels

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("words", "vocabulary"), [
    (labels.ROLE_LABELS, Role),
    (labels.GROUP_KIND_LABELS, GroupKind),
    (labels.SECTOR_LABELS, Sector),
    (labels.ATTENDANCE_LABELS, AttendanceStatus),
    (labels.ACTION_STATUS_LABELS, ActionStatus),
    (labels.ACTION_SORT_LABELS, ActionSort),
    (labels.ACTION_OWNER_LABELS, labels.OwnerFilter),
    (labels.MEETING_STATUS_LABELS, MeetingStatus),
    (labels.MINUTES_STATUS_LABELS, MinutesStatus),
    (labels.PILOT_STATUS_LABELS, PilotStatus),
    (labels.CONTRIBUTION_KIND_LABELS, ContributionKind),
    (labels.PLAN_LABELS, PlanStatus | None),
    (labels.MEMBERSHIP_CHANGE_LABELS, ChangeKind),
    (labels.OUTCOME_LABELS, Outcome),
    (labels.TREND_LABELS, Trend),
    (labels.AUDIT_TYPE_LABELS, EntityType),
    (labels.MAIL_KIND_LABELS, MailKind),
    (labels.MAIL_KIND_HINTS, MailKind),
    (labels.MAIL_KIND_ABOUT, MailKind),
    (labels.FREQUENCY_LABELS, Frequency),
    # Fingertips' own words for our values: a data format partners' tools parse, not words for people.
    (fingertips._OUTCOMES, Outcome),
    (fingertips._POLARITIES, Polarity),
    (fingertips._VALUE_TYPES, Unit),
    (fingertips._CI_METHODS, CiMethod),
], ids=lambda value: "" if isinstance(value, dict) else str(value))
def test_every_value_has_words_and_no_words_are_left_over(words, vocabulary):
    values = {None if arg is type(None) else value for arg in get_args(vocabulary)
              for value in (get_args(arg) or (arg,))}
    assert set(words) == values
    assert all(text.strip() for text in words.values())


def test_the_audit_viewer_offers_every_type_the_services_record():
    from web.routes.admin_audit import ENTITY_TYPE_CHOICES

    assert set(ENTITY_TYPE_CHOICES) == set(ENTITY_TYPES)
    assert "attendance" in ENTITY_TYPE_CHOICES


def _string_sets(node: ast.AST) -> frozenset[str] | None:
    """The strings a Literal[...], tuple, list, set or dict's keys spell out (two or more, all strings)."""
    items = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", [])
    words = [item.value for item in items if isinstance(item, ast.Constant) and isinstance(item.value, str)]
    return frozenset(words) if len(words) >= 2 and len(words) == len(items) else None


def _definitions() -> tuple[dict, dict, dict]:
    literals, sequences, mappings = defaultdict(list), defaultdict(list), defaultdict(list)
    # The demo data set draws weighted samples from some vocabularies: data, not definitions.
    files = [p for p in [*ROOT.glob("api/**/*.py"), *ROOT.glob("web/**/*.py")] if "demo" not in p.parts]
    for path in files:
        where = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        inside_literal = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Literal":
                inside_literal.add(id(node.slice))
                found = _string_sets(node.slice) if isinstance(node.slice, ast.Tuple) else None
                if found:
                    literals[found].append(f"{where}:{node.lineno}")
        for node in ast.walk(tree):
            found = _string_sets(node) if id(node) not in inside_literal else None
            if found and isinstance(node, ast.Dict):
                mappings[found].append(f"{where}:{node.lineno}")
            elif found and isinstance(node, ast.Tuple | ast.List | ast.Set):
                sequences[found].append(f"{where}:{node.lineno}")
    return literals, sequences, mappings


def test_no_vocabulary_is_written_out_twice():
    """A Literal's values spelt out again (another Literal, a tuple, a dict of words outside
    web/labels.py) is a second definition that a new value would have to find."""
    literals, sequences, mappings = _definitions()
    twice = {", ".join(sorted(values)): places for values, places in literals.items() if len(places) > 1}
    assert twice == {}
    copies = {", ".join(sorted(values)): sequences[values] for values in literals if sequences.get(values)}
    assert copies == {}
    # The Fingertips door's format words are checked value by value above, like web/labels.py's.
    allowed = ("web/labels.py", "api/indicators/fingertips.py")
    words_elsewhere = {", ".join(sorted(values)): [p for p in mappings[values] if not p.startswith(allowed)]
                       for values in literals}
    assert {values: places for values, places in words_elsewhere.items() if places} == {}
