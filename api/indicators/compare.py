"""Comparing each area with a benchmark (England or the subregion), Fingertips' default method.

An area is *similar* when the comparator's value lies inside the area's 95% confidence interval;
otherwise it is *better* or *worse* depending on which side the interval lies and the
indicator's polarity (for indicators without a judgement: *higher* or *lower*). Without a value
and both limits for the area, or without a comparator value, it is *not compared*.
"""

from typing import Literal

Outcome = Literal["better", "similar", "worse", "not_compared", "higher", "lower"]


def outcome(polarity: str, comparator: float | None, lower: float | None, upper: float | None) -> Outcome:
    if comparator is None or lower is None or upper is None:
        return "not_compared"
    if lower <= comparator <= upper:
        return "similar"
    above = lower > comparator
    if polarity == "no_judgement":
        return "higher" if above else "lower"
    if polarity == "higher_is_better":
        return "better" if above else "worse"
    return "worse" if above else "better"
