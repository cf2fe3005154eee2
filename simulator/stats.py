"""Summaries over seeds: the mean and its confidence interval; quantiles. Pure."""

from __future__ import annotations

import math
from collections.abc import Sequence

#: Student's t, two-sided 95 %, by degrees of freedom (1–30); the normal beyond
_T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
        2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
        2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


def quantile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (linear between order statistics); None for no values."""
    if not values:
        return None
    xs = sorted(values)
    pos = q * (len(xs) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def mean_ci(values: Sequence[float | None]) -> dict[str, float | int | None]:
    """The mean over seeds and its 95 % confidence interval (Student's t); a value a seed
    could not give (None) is left out."""
    xs = [float(v) for v in values if v is not None]
    n = len(xs)
    if n == 0:
        return {"mean": None, "low": None, "high": None, "n": 0}
    mean = sum(xs) / n
    if n == 1:
        return {"mean": mean, "low": None, "high": None, "n": 1}
    sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1))
    t = _T95[n - 2] if n - 2 < len(_T95) else 1.96
    half = t * sd / math.sqrt(n)
    return {"mean": mean, "low": mean - half, "high": mean + half, "n": n}
