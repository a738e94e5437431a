"""The recent-trend test against published worked examples, and its decisions."""

import pytest

from api.indicators.trend import Point, chi_squared_for_trend, p_value, recent_trend, weighted_slope_test


def test_chi_squared_for_trend_matches_published_examples():
    # R's documented prop.trend.test example: X-squared = 8.2249, p-value = 0.004132.
    statistic, sign = chi_squared_for_trend([83, 90, 129, 70], [86, 93, 136, 82])
    assert statistic == pytest.approx(8.2249, abs=1e-4) and p_value(statistic) == pytest.approx(0.004132, abs=1e-6)
    assert sign == -1
    # Armitage (1955), carriers by tonsil size: chi-squared for trend 7.19 on one degree of freedom.
    statistic, sign = chi_squared_for_trend([19, 29, 24], [516, 589, 293])
    assert statistic == pytest.approx(7.19, abs=0.005) and sign == 1


def test_p_value_is_the_chi_squared_upper_tail():
    assert p_value(3.841459) == pytest.approx(0.05, abs=1e-6)
    assert p_value(10.827566) == pytest.approx(0.001, abs=1e-6)


def test_weighted_slope_is_zero_for_a_flat_series_and_signed_otherwise():
    assert weighted_slope_test([5, 5, 5, 5, 5], [1, 1, 1, 1, 1]) == (0.0, 0)
    statistic, sign = weighted_slope_test([1, 2, 3, 4, 5], [1, 1, 1, 1, 1])
    # Unit weights: slope 1, Sxx 10, so chi-squared = 1 * 1 * 10.
    assert statistic == pytest.approx(10) and sign == 1


def _proportions(shares, n=10_000):
    return [Point(f"20{16 + i}/{17 + i}", s * 100, count=s * n, denominator=n) for i, s in enumerate(shares)]


def test_a_significant_fall_in_inactivity_is_getting_better():
    result = recent_trend(_proportions([0.30, 0.29, 0.28, 0.27, 0.26]), polarity="lower_is_better", unit="percent")
    assert (result.trend, result.judgement, result.method) == ("decreasing", "getting_better",
                                                               "chi_squared_for_trend")
    assert result.p_value < 0.001 and result.periods[-1] == "2020/21"


def test_the_same_fall_is_getting_worse_when_higher_is_better_and_unjudged_without_polarity():
    points = _proportions([0.30, 0.29, 0.28, 0.27, 0.26])
    assert recent_trend(points, polarity="higher_is_better", unit="percent").judgement == "getting_worse"
    unjudged = recent_trend(points, polarity="no_judgement", unit="percent")
    assert unjudged.trend == "decreasing" and unjudged.judgement is None


def test_a_small_wobble_is_no_significant_change_at_the_999_level():
    # Significant at 95% but not at 99.9%: Fingertips reports no significant change.
    result = recent_trend(_proportions([0.300, 0.297, 0.294, 0.291, 0.288], n=20_000), polarity="lower_is_better",
                          unit="percent")
    assert 0.001 < result.p_value < 0.05
    assert (result.trend, result.judgement) == ("no_significant_change", None)


def test_only_the_last_five_points_count():
    # A steep early fall, then flat: the last five are flat.
    points = _proportions([0.50, 0.40, 0.30, 0.30, 0.30, 0.30, 0.30])
    result = recent_trend(points, polarity="lower_is_better", unit="percent")
    assert result.trend == "no_significant_change" and len(result.periods) == 5


def test_rates_use_the_weighted_slope_from_their_limits():
    points = [Point(str(2016 + i), v, v - 2, v + 2) for i, v in enumerate([100, 110, 120, 130, 140])]
    result = recent_trend(points, polarity="lower_is_better", unit="rate")
    assert (result.trend, result.judgement, result.method) == ("increasing", "getting_worse",
                                                               "weighted_least_squares")


@pytest.mark.parametrize("points", [
    [Point(str(2016 + i), 10.0, 9.0, 11.0) for i in range(4)],                       # only four points
    [Point(str(2016 + i), 10.0, None, None) for i in range(5)],                      # no limits, no counts
    [Point(str(2016 + i), 10.0, 9.0, 11.0) for i in range(4)] + [Point("2020", 10.0)],  # one point lacks limits
])
def test_cannot_be_calculated_without_five_complete_points(points):
    result = recent_trend(points, polarity="higher_is_better", unit="rate")
    assert result.trend == "cannot_be_calculated" and result.judgement is None and result.p_value is None
