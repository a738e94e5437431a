"""Confidence intervals from a count and a denominator, checked against published values.

Sources:
* PHE/APHO "Technical Guidance: Confidence intervals": Wilson score for proportions, Byar's method
  for rates, exact Poisson limits for fewer than 10 events.
* Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of seven
  methods. Stat Med 1998;17:857-872, examples 81/263, 15/148, 0/20 and 1/29, method 3 (score
  interval without continuity correction, i.e. Wilson); the same 81/263 example appears in Newcombe
  and Altman, "Proportions and their differences", in Altman DG et al. (eds), Statistics with
  Confidence, 2nd edn, BMJ Books 2000.
* Exact (Garwood 1936) Poisson limits as tabulated in standard tables of Poisson confidence limits,
  cross-checked against closed forms that hold for 0 and 1 events.
"""

import math
import statistics

import pytest

from api.indicators.stats import (
    byar,
    byar_count_limits,
    confidence_interval,
    exact_poisson,
    wilson,
    z_value,
)

Z95 = 1.959963984540054
Z998 = 3.090232306167813


# --- z ---------------------------------------------------------------------------------------------------------------


def test_z_values_match_the_published_constants_to_12_places():
    assert z_value(0.95) == pytest.approx(Z95, abs=1e-12)
    assert z_value(0.998) == pytest.approx(Z998, abs=1e-12)


def test_z_value_is_the_upper_quantile_of_the_standard_normal():
    # Independent check: the normal CDF at z leaves (1 - level) / 2 in the upper tail.
    for level in (0.8, 0.9, 0.95, 0.99, 0.998):
        assert statistics.NormalDist().cdf(z_value(level)) == pytest.approx(1 - (1 - level) / 2, abs=1e-14)


@pytest.mark.parametrize("level", [0, 1, -0.5, 95, 1.5, math.nan])
def test_z_value_rejects_levels_outside_0_to_1(level):
    with pytest.raises(ValueError, match="confidence level"):
        z_value(level)


# --- Wilson ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "denominator", "lower", "upper"), [
    # Newcombe (1998) worked examples, method 3 (Wilson); Altman et al., Statistics with Confidence, ch. 6.
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_matches_newcombe_1998(count, denominator, lower, upper):
    low, high = wilson(count, denominator, multiplier=1)
    # Published to 4 decimal places, so the computed limit must round to it (within half a unit).
    assert low == pytest.approx(lower, abs=5e-5)
    assert high == pytest.approx(upper, abs=5e-5)


def test_wilson_scales_by_the_multiplier():
    # Default multiplier 100: a percentage.
    low, high = wilson(81, 263)
    assert low == pytest.approx(25.53, abs=5e-3)
    assert high == pytest.approx(36.62, abs=5e-3)


def test_wilson_hand_computation():
    # 81/263 at 95% from the formula: 2np + z^2 = 162 + z^2, z*sqrt(z^2 + 4*81*(182/263)), over 2(263 + z^2).
    centre = 162 + Z95**2
    spread = Z95 * math.sqrt(Z95**2 + 4 * 81 * 182 / 263)
    scale = 2 * (263 + Z95**2)
    assert wilson(81, 263, multiplier=1) == pytest.approx(((centre - spread) / scale, (centre + spread) / scale))


def test_wilson_at_zero_and_at_n():
    # With 0 events the lower limit is exactly 0; with n events the upper limit is exactly 1, and
    # the other limit mirrors the 0 case (1 - 0.1611 for 20/20).
    assert wilson(0, 20, multiplier=1)[0] == 0.0
    low, high = wilson(20, 20, multiplier=1)
    assert high == 1.0
    assert low == pytest.approx(1 - wilson(0, 20, multiplier=1)[1], abs=1e-12)
    assert wilson(0, 20) == pytest.approx((0.0, 16.11), abs=5e-3)


# --- exact Poisson ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "lower", "upper"), [
    # Standard tables of exact 95% Poisson limits for an observed count (Garwood 1936).
    (0, 0.0, 3.689),
    (1, 0.0253, 5.572),
    (5, 1.6235, 11.668),
    (9, 4.115, 17.085),
])
def test_exact_poisson_matches_tabulated_limits(count, lower, upper):
    low, high = exact_poisson(count)
    assert low == pytest.approx(lower, abs=5e-4)
    assert high == pytest.approx(upper, abs=5e-4)


def test_exact_poisson_closed_forms_for_zero_and_one_events():
    # O = 0: upper solves e^-U = a/2, so U = -ln(a/2) (ln 40 = 3.68888 at 95%, ln 1000 at 99.8%).
    # O = 1: lower solves 1 - e^-L = a/2, so L = -ln(1 - a/2); upper solves e^-U (1 + U) = a/2.
    for level in (0.95, 0.998):
        tail = (1 - level) / 2
        low0, high0 = exact_poisson(0, level)
        assert low0 == 0.0
        assert high0 == pytest.approx(-math.log(tail), rel=1e-12)
        low1, high1 = exact_poisson(1, level)
        assert low1 == pytest.approx(-math.log(1 - tail), rel=1e-12)
        assert math.exp(-high1) * (1 + high1) == pytest.approx(tail, rel=1e-10)


@pytest.mark.parametrize("count", [2, 5, 9, 20])
def test_exact_poisson_limits_leave_a_over_2_in_each_poisson_tail(count):
    # The defining property, checked with the Poisson probability mass summed directly:
    # P(X >= O | lower) = a/2 and P(X <= O | upper) = a/2.
    def cdf(k, mean):
        return sum(math.exp(-mean + i * math.log(mean) - math.lgamma(i + 1)) for i in range(k + 1))

    for level in (0.95, 0.998):
        tail = (1 - level) / 2
        low, high = exact_poisson(count, level)
        assert 1 - cdf(count - 1, low) == pytest.approx(tail, rel=1e-9)
        assert cdf(count, high) == pytest.approx(tail, rel=1e-9)


# --- Byar ------------------------------------------------------------------------------------------------------------


def test_byar_hand_computation_for_100_events():
    # O = 100, z = 1.959964:
    #   lower = 100 * (1 - 1/900 - 1.959964/30)^3 = 100 * 0.9335568^3 = 81.3621
    #   upper = 101 * (1 - 1/909 + 1.959964/(3*sqrt(101)))^3 = 101 * 1.0639078^3 = 121.6279
    lower, upper = byar_count_limits(100)
    assert lower == pytest.approx(81.3621, abs=1e-4)
    assert upper == pytest.approx(121.6279, abs=1e-4)
    assert lower == pytest.approx(100 * (1 - 1 / 900 - Z95 / 30) ** 3, rel=1e-12)
    assert upper == pytest.approx(101 * (1 - 1 / 909 + Z95 / (3 * math.sqrt(101))) ** 3, rel=1e-12)


def test_byar_agrees_with_the_exact_limits_for_100_events():
    # Independent check: Byar's approximation is close to the exact limits 81.36 to 121.63 at O = 100.
    byar_limits = byar_count_limits(100)
    exact_limits = exact_poisson(100)
    assert exact_limits == pytest.approx((81.364, 121.627), abs=1e-3)
    assert byar_limits == pytest.approx(exact_limits, abs=0.01)


def test_byar_rate_is_scaled_by_denominator_and_multiplier():
    # 100 deaths in a population of 50,000: 200 per 100,000, 95% CI 162.72 to 243.26.
    lower, upper = byar(100, 50_000)
    assert lower == pytest.approx(81.3621 / 50_000 * 100_000, abs=1e-3)
    assert upper == pytest.approx(121.6279 / 50_000 * 100_000, abs=1e-3)
    assert byar(100, 50_000, multiplier=1000) == pytest.approx((lower / 100, upper / 100))


def test_byar_switches_to_exact_poisson_below_10_events():
    for count in range(10):
        expected = tuple(limit / 2_000 * 100_000 for limit in exact_poisson(count))
        assert byar(count, 2_000) == pytest.approx(expected)
    expected_at_10 = tuple(limit / 2_000 * 100_000 for limit in byar_count_limits(10))
    assert byar(10, 2_000) == pytest.approx(expected_at_10)
    assert byar(0, 2_000)[0] == 0.0


def test_byar_allows_more_events_than_people():
    # Rates over person-time or of repeated events may exceed the denominator.
    lower, upper = byar(150, 100, multiplier=1)
    assert lower < 1.5 < upper


# --- dispatch and validation -----------------------------------------------------------------------------------------


def test_confidence_interval_dispatches_on_method():
    assert confidence_interval("wilson", 81, 263, 0.95, 100) == wilson(81, 263, 0.95, 100)
    assert confidence_interval("byar", 100, 50_000, 0.998, 100_000) == byar(100, 50_000, 0.998, 100_000)
    with pytest.raises(ValueError, match="unknown confidence interval method"):
        confidence_interval("normal", 81, 263, 0.95, 100)


@pytest.mark.parametrize("method", ["wilson", "byar"])
@pytest.mark.parametrize(("count", "denominator", "message"), [
    (-1, 100, "count"),
    (math.nan, 100, "count"),
    (5, 0, "denominator"),
    (5, -10, "denominator"),
    (5, math.inf, "denominator"),
])
def test_invalid_inputs_are_rejected(method, count, denominator, message):
    with pytest.raises(ValueError, match=message):
        confidence_interval(method, count, denominator, 0.95, 100)


def test_proportion_count_cannot_exceed_denominator():
    with pytest.raises(ValueError, match="cannot exceed"):
        wilson(11, 10)


def test_exact_poisson_rejects_negative_counts_and_bad_levels():
    with pytest.raises(ValueError, match="count"):
        exact_poisson(-1)
    with pytest.raises(ValueError, match="confidence level"):
        exact_poisson(5, 95)


# --- properties ------------------------------------------------------------------------------------------------------

PROPORTIONS = [(0, 1), (0, 20), (1, 29), (15, 148), (81, 263), (50, 100), (99, 100), (20, 20), (3, 7), (4_999, 5_000)]
RATES = [(0, 1_000), (1, 1_000), (5, 10), (9, 80_000), (10, 80_000), (65, 1_000), (100, 50_000), (12_345, 9_000_000)]


@pytest.mark.parametrize(("method", "count", "denominator", "multiplier"), [
    *(("wilson", c, n, 100) for c, n in PROPORTIONS),
    *(("byar", c, n, 100_000) for c, n in RATES),
])
def test_limits_bracket_the_value_and_the_99_8_interval_contains_the_95(method, count, denominator, multiplier):
    value = count / denominator * multiplier
    low95, high95 = confidence_interval(method, count, denominator, 0.95, multiplier)
    low998, high998 = confidence_interval(method, count, denominator, 0.998, multiplier)
    assert 0 <= low998 <= low95 <= value <= high95 <= high998
    assert low95 < high95
    if method == "wilson":
        assert high998 <= multiplier


@pytest.mark.parametrize(("method", "proportion"), [
    ("wilson", 0.0), ("wilson", 0.1), ("wilson", 0.5), ("wilson", 1.0), ("byar", 0.001), ("byar", 0.1),
])
def test_intervals_shrink_as_the_denominator_grows(method, proportion):
    widths = []
    for denominator in (10, 100, 1_000, 10_000, 100_000):
        lower, upper = confidence_interval(method, proportion * denominator, denominator, 0.95, 100)
        widths.append(upper - lower)
    assert widths == sorted(widths, reverse=True)
    assert len(set(widths)) == len(widths)
