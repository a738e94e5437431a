"""Recent trend over an area's last five points, as Fingertips reports it.

Proportions with a count and a denominator at every point are tested with the chi-squared test
for linear trend (Cochran-Armitage); other values with both 95% limits at every point by a
weighted least-squares slope (weights from the limits). A trend is reported only when it is
significant at the 99.9% level, as Fingertips does; the direction is then judged by the
indicator's polarity. See docs/indicator-methods.md.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

POINTS = 5
SIGNIFICANCE = 0.001  # two-sided: significant at the 99.9% level
Z95 = 1.959964

Trend = Literal["increasing", "decreasing", "no_significant_change", "cannot_be_calculated"]
Judgement = Literal["getting_better", "getting_worse"] | None


@dataclass(frozen=True)
class Point:
    period: str
    value: float | None
    lower_ci: float | None = None
    upper_ci: float | None = None
    count: float | None = None
    denominator: float | None = None


@dataclass(frozen=True)
class TrendResult:
    trend: Trend
    judgement: Judgement
    method: str | None
    statistic: float | None
    p_value: float | None
    periods: tuple[str, ...]


def chi_squared_for_trend(counts: Sequence[float], denominators: Sequence[float]) -> tuple[float, int]:
    """Cochran-Armitage chi-squared (1 df) for a linear trend in proportions over equally spaced
    points, and the sign of the slope (+1, -1 or 0)."""
    scores = range(1, len(counts) + 1)
    total, events = sum(denominators), sum(counts)
    share = events / total
    weighted = sum(n * x for n, x in zip(denominators, scores, strict=True))
    slope = sum(r * x for r, x in zip(counts, scores, strict=True)) - events * weighted / total
    spread = sum(n * x * x for n, x in zip(denominators, scores, strict=True)) - weighted ** 2 / total
    variance = share * (1 - share) * spread
    if variance <= 0:
        return 0.0, 0
    return slope * slope / variance, (slope > 0) - (slope < 0)


def weighted_slope_test(values: Sequence[float], errors: Sequence[float]) -> tuple[float, int]:
    """Chi-squared (1 df; the squared z) for the slope of values on equally spaced points,
    each weighted by 1 / standard error², and the sign of the slope."""
    weights = [1 / (e * e) for e in errors]
    scores = range(1, len(values) + 1)
    total = sum(weights)
    mean_x = sum(w * x for w, x in zip(weights, scores, strict=True)) / total
    mean_y = sum(w * y for w, y in zip(weights, values, strict=True)) / total
    sxx = sum(w * (x - mean_x) ** 2 for w, x in zip(weights, scores, strict=True))
    sxy = sum(w * (x - mean_x) * (y - mean_y) for w, x, y in zip(weights, scores, values, strict=True))
    slope = sxy / sxx
    return slope * slope * sxx, (slope > 0) - (slope < 0)


def p_value(chi_squared: float) -> float:
    """Upper tail of chi-squared with one degree of freedom."""
    return math.erfc(math.sqrt(chi_squared / 2))


def recent_trend(points: Sequence[Point], *, polarity: str, unit: str) -> TrendResult:
    """The trend over the last five points (in period order); fewer, or figures missing at any of
    them, cannot be calculated."""
    recent = [p for p in points if p.value is not None][-POINTS:]
    periods = tuple(p.period for p in recent)
    if len(recent) < POINTS:
        return TrendResult("cannot_be_calculated", None, None, None, None, periods)
    proportions = unit == "percent" and all(
        p.count is not None and p.denominator and 0 <= p.count <= p.denominator for p in recent)
    if proportions:
        method = "chi_squared_for_trend"
        statistic, sign = chi_squared_for_trend([p.count for p in recent], [p.denominator for p in recent])
    elif all(p.lower_ci is not None and p.upper_ci is not None and p.upper_ci > p.lower_ci for p in recent):
        method = "weighted_least_squares"
        statistic, sign = weighted_slope_test([p.value for p in recent],
                                              [(p.upper_ci - p.lower_ci) / (2 * Z95) for p in recent])
    else:
        return TrendResult("cannot_be_calculated", None, None, None, None, periods)
    probability = p_value(statistic)
    if probability >= SIGNIFICANCE or sign == 0:
        return TrendResult("no_significant_change", None, method, round(statistic, 4), probability, periods)
    trend: Trend = "increasing" if sign > 0 else "decreasing"
    judgement: Judgement = None
    if polarity != "no_judgement":
        better = (sign > 0) == (polarity == "higher_is_better")
        judgement = "getting_better" if better else "getting_worse"
    return TrendResult(trend, judgement, method, round(statistic, 4), probability, periods)
