"""Confidence intervals for indicator values computed from a count and a denominator.

Fingertips publishes 95% and 99.8% limits with each value, but some data files give only the
numerator and denominator, so the service derives the limits itself with the methods PHE
documents in its "Technical Guidance: Confidence intervals" (APHO/PHE):

* proportions (per 1 or per 100): the Wilson score interval, which stays inside [0, 1] and is
  defined for 0 and n events, unlike the normal approximation;
* rates (per 1,000, per 100,000, ...): Byar's approximation to the Poisson limits of the count,
  switching to the exact Poisson limits below 10 events, where Byar's is inaccurate.

Everything here is plain Python (no scipy): the normal quantile comes from the standard library,
whose ``NormalDist.inv_cdf`` is Wichura's AS241 (accurate to full double precision), and the exact
Poisson limits are found by bisection on the regularised incomplete gamma function, which is the
Poisson cumulative distribution function in disguise.
"""

import math
from statistics import NormalDist

# PHE's cut-off below which Byar's approximation is replaced by exact Poisson limits.
BYAR_MIN_COUNT = 10

_STANDARD_NORMAL = NormalDist()
_GAMMA_EPS = 1e-16
_GAMMA_MIN_ITER = 1_000


def z_value(level: float) -> float:
    """The two-sided standard normal quantile for a confidence level (0.95 gives 1.959963984540054).

    Levels are fractions, not percentages, because a level of 95 would be silently meaningless.
    """
    return _STANDARD_NORMAL.inv_cdf(1 - _tail(level))


def wilson(count: float, denominator: float, level: float = 0.95, multiplier: float = 100) -> tuple[float, float]:
    """Wilson score limits for the proportion count/denominator, scaled by ``multiplier``.

    lower/upper = (2np + z² ∓ z·√(z² + 4np(1-p))) / (2(n + z²)), with n the denominator and p = count/n.
    At count = 0 the lower limit is exactly 0 and at count = n the upper limit is exactly 1;
    they are pinned there so that rounding can never put a limit outside [0, 1].
    """
    _check_count_and_denominator(count, denominator)
    if count > denominator:
        raise ValueError(f"a proportion's count ({count}) cannot exceed its denominator ({denominator})")
    z = z_value(level)
    n = denominator
    p = count / n
    centre = 2 * n * p + z * z
    spread = z * math.sqrt(z * z + 4 * n * p * (1 - p))
    scale = 2 * (n + z * z)
    lower = 0.0 if count == 0 else max(0.0, (centre - spread) / scale)
    upper = 1.0 if count == denominator else min(1.0, (centre + spread) / scale)
    return lower * multiplier, upper * multiplier


def byar(count: float, denominator: float, level: float = 0.95, multiplier: float = 100_000) -> tuple[float, float]:
    """Limits for the rate count/denominator * multiplier, from Poisson limits for the count.

    Byar's approximation for 10 or more events; exact Poisson limits below that, as PHE
    recommends, because Byar's lower limit becomes inaccurate (and can go negative) for small counts.
    """
    _check_count_and_denominator(count, denominator)
    if count < BYAR_MIN_COUNT:
        lower, upper = exact_poisson(count, level)
    else:
        lower, upper = byar_count_limits(count, level)
    return lower / denominator * multiplier, upper / denominator * multiplier


def byar_count_limits(count: float, level: float = 0.95) -> tuple[float, float]:
    """Byar's approximate Poisson limits for an observed count O (O > 0).

    lower = O·(1 - 1/(9O) - z/(3√O))³, upper = (O+1)·(1 - 1/(9(O+1)) + z/(3√(O+1)))³.
    """
    if count <= 0:
        raise ValueError(f"Byar's method needs a positive count, got {count!r}")
    z = z_value(level)
    following = count + 1
    lower = count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
    upper = following * (1 - 1 / (9 * following) + z / (3 * math.sqrt(following))) ** 3
    return lower, upper


def exact_poisson(count: float, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) Poisson limits for an observed count O, not divided by any denominator.

    lower = chi2(alpha/2; 2O)/2 and upper = chi2(1-alpha/2; 2(O+1))/2, i.e. the alpha/2 and 1-alpha/2 quantiles of
    Gamma(O, 1) and Gamma(O+1, 1); the lower limit is 0 when O = 0. Non-integer counts use the
    same gamma quantiles, which is how the chi-squared formula extends to them.
    """
    _check_count(count)
    tail = _tail(level)
    lower = 0.0 if count == 0 else _gamma_quantile(count, tail)
    upper = _gamma_quantile(count + 1, 1 - tail)
    return lower, upper


def confidence_interval(
    method: str, count: float, denominator: float, level: float, multiplier: float
) -> tuple[float, float]:
    """Limits by the method an indicator's metadata names: "wilson" (proportions) or "byar" (rates).

    Level and multiplier have no defaults here because the right multiplier depends on the method.
    """
    if method == "wilson":
        return wilson(count, denominator, level, multiplier)
    if method == "byar":
        return byar(count, denominator, level, multiplier)
    raise ValueError(f"unknown confidence interval method {method!r}; expected 'wilson' or 'byar'")


def _tail(level: float) -> float:
    """The probability alpha/2 left in each tail by a two-sided level; levels are fractions, not percentages."""
    if not 0 < level < 1:
        raise ValueError(f"confidence level must be strictly between 0 and 1 (e.g. 0.95), got {level!r}")
    return (1 - level) / 2


def _check_count(count: float) -> None:
    """Counts of events are finite and never negative; anything else is a data error."""
    if not math.isfinite(count) or count < 0:
        raise ValueError(f"count must be a finite number >= 0, got {count!r}")


def _check_count_and_denominator(count: float, denominator: float) -> None:
    """A rate or proportion needs a usable count and a positive, finite denominator."""
    _check_count(count)
    if not math.isfinite(denominator) or denominator <= 0:
        raise ValueError(f"denominator must be a finite number > 0, got {denominator!r}")


def _gamma_quantile(shape: float, probability: float) -> float:
    """The x with P(shape, x) = probability, for the regularised lower incomplete gamma P.

    P(a, x) increases in x, so bisection is simple and cannot fail; it stops when the bracket
    can no longer be halved in double precision.
    """
    low, high = 0.0, max(1.0, shape)
    while _regularised_gamma_p(shape, high) < probability:
        low, high = high, high * 2
    while True:
        middle = (low + high) / 2
        if middle in (low, high):
            return middle
        if _regularised_gamma_p(shape, middle) < probability:
            low = middle
        else:
            high = middle


def _regularised_gamma_p(a: float, x: float) -> float:
    """P(a, x) = gamma(a, x) / Gamma(a): the series for x < a + 1, else 1 - the continued fraction for Q.

    This is the standard split (Numerical Recipes, "gammp"): each expansion converges quickly
    on its side. For integer a, 1 - P(a, x) is the Poisson probability of fewer than a events.
    """
    if x <= 0:
        return 0.0
    log_prefactor = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        return _gamma_series(a, x) * math.exp(log_prefactor)
    return 1 - _gamma_continued_fraction(a, x) * math.exp(log_prefactor)


def _gamma_iterations(a: float) -> int:
    """An iteration cap for both expansions: near x ≈ a they need a few times √a terms."""
    return _GAMMA_MIN_ITER + int(20 * math.sqrt(a))


def _gamma_series(a: float, x: float) -> float:
    """Σ xⁿ / (a(a+1)…(a+n)), the series part of P(a, x)."""
    term = total = 1 / a
    denominator = a
    for _ in range(_gamma_iterations(a)):
        denominator += 1
        term *= x / denominator
        total += term
        if abs(term) < abs(total) * _GAMMA_EPS:
            return total
    raise ArithmeticError(f"incomplete gamma series did not converge for a={a}, x={x}")


def _gamma_continued_fraction(a: float, x: float) -> float:
    """The continued fraction for Q(a, x) (modified Lentz's method), without its prefactor."""
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    result = d
    for i in range(1, _gamma_iterations(a)):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        result *= delta
        if abs(delta - 1) < _GAMMA_EPS:
            return result
    raise ArithmeticError(f"incomplete gamma continued fraction did not converge for a={a}, x={x}")
