"""Benchmarking against a comparator: Fingertips' 95% CI overlap method, by polarity."""

import pytest

from api.indicators.compare import outcome


@pytest.mark.parametrize(("polarity", "comparator", "lower", "upper", "expected"), [
    ("higher_is_better", 50.0, 45.0, 55.0, "similar"),
    ("higher_is_better", 50.0, 50.0, 55.0, "similar"),      # on the limit counts as inside
    ("higher_is_better", 40.0, 45.0, 55.0, "better"),
    ("higher_is_better", 60.0, 45.0, 55.0, "worse"),
    ("lower_is_better", 40.0, 45.0, 55.0, "worse"),         # the area is higher: worse when lower is better
    ("lower_is_better", 60.0, 45.0, 55.0, "better"),
    ("no_judgement", 40.0, 45.0, 55.0, "higher"),
    ("no_judgement", 60.0, 45.0, 55.0, "lower"),
    ("no_judgement", 50.0, 45.0, 55.0, "similar"),
    ("higher_is_better", None, 45.0, 55.0, "not_compared"),
    ("higher_is_better", 50.0, None, 55.0, "not_compared"),
    ("lower_is_better", 50.0, 45.0, None, "not_compared"),
])
def test_outcome(polarity, comparator, lower, upper, expected):
    assert outcome(polarity, comparator, lower, upper) == expected
