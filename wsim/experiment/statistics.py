"""Confidence intervals of simulated means and of differences between options.

Replications are independent and identically distributed (each draws its own random numbers),
so the Student-t interval of their mean is the interval of a KPI. Two options run with the
same seeds are paired replication by replication (common random numbers), and the interval
of the per-replication differences is usually much narrower than Welch's interval, which
treats them as independent samples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats


def t_interval(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float, int]:
    """Mean, and the Student-t confidence interval of the mean, of the finite `values`.

    Returns (mean, ci_low, ci_high, n); the interval is NaN with fewer than two values.
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return float("nan"), float("nan"), float("nan"), 0
    mean = float(x.mean())
    if n < 2:
        return mean, float("nan"), float("nan"), n
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * x.std(ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half, n


def paired_interval(
    option: Sequence[float], baseline: Sequence[float], confidence: float = 0.95
) -> tuple[float, float, float, int]:
    """Mean difference ``option - baseline`` over paired replications and its t-interval.

    Replication r of the option is paired with replication r of the baseline (same seed,
    common random numbers); pairs where either value is missing (NaN) are left out.
    Returns (diff, low, high, n pairs).
    """
    a, b = np.asarray(option, dtype=float), np.asarray(baseline, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired samples must have the same length, got {a.size} and {b.size}")
    both = np.isfinite(a) & np.isfinite(b)
    return t_interval(a[both] - b[both], confidence)


def welch_interval(
    option: Sequence[float], baseline: Sequence[float], confidence: float = 0.95
) -> tuple[float, float, float]:
    """Difference of means ``option - baseline`` of two independent samples (Welch t-interval).

    What the interval would be without pairing: for showing what common random numbers gain.
    Returns (diff, low, high); NaN bounds with fewer than two values on a side.
    """
    a, b = np.asarray(option, dtype=float), np.asarray(baseline, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if a.size == 0 or b.size == 0:
        return float("nan"), float("nan"), float("nan")
    diff = float(a.mean() - b.mean())
    if a.size < 2 or b.size < 2:
        return diff, float("nan"), float("nan")
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    if se == 0:
        return diff, diff, diff
    dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = float(stats.t.ppf(0.5 + confidence / 2, dof) * se)
    return diff, diff - half, diff + half
