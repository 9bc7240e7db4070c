"""Practical significance: better or worse only beyond a minimal important difference.

See section 6 of ``docs/decision_rules.md`` for the rule.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from wsim.comparison.economics.checks import as_non_negative
from wsim.errors import unknown_name_message

#: Verdicts of the minimal-important-difference rule (:func:`material_verdict`).
VERDICTS: tuple[str, ...] = ("better", "worse", "uncertain", "no material change", "unknown")

#: Keys of a minimal important difference: absolute (in the KPI's unit) or relative to the
#: baseline mean (a fraction, 0.05 = 5%).
MID_KEYS: tuple[str, ...] = ("abs", "rel")


def minimal_important_difference(spec: Mapping[str, float], baseline_mean: float) -> float:
    """The absolute threshold of a minimal important difference.

    Parameters
    ----------
    spec : mapping
        ``{"abs": a}`` (in the KPI's unit), ``{"rel": r}`` (fraction of the baseline mean) or
        both; with both, a change must exceed each (the threshold is the larger).
    baseline_mean : float
        Mean of the KPI in the baseline, used by ``rel``; NaN makes a ``rel`` threshold NaN.

    Returns
    -------
    float
        ``max(a, r x |baseline mean|)`` over the keys given, in the KPI's unit.
    """
    if not isinstance(spec, Mapping) or not spec:
        raise ValueError(
            f"a minimal important difference is a mapping such as {{'abs': 1.0}} or "
            f"{{'rel': 0.05}}, got {spec!r}"
        )
    thresholds = []
    for key, amount in spec.items():
        if key not in MID_KEYS:
            raise ValueError(
                unknown_name_message("minimal important difference key", key, MID_KEYS)
            )
        size = as_non_negative(f"minimal important difference {key!r}", amount)
        thresholds.append(size if key == "abs" else size * abs(float(baseline_mean)))
    return max(thresholds) if not any(math.isnan(t) for t in thresholds) else math.nan


def _direction(direction: object) -> str:
    if direction not in ("lower", "higher"):
        raise ValueError(
            f"direction must be 'lower' or 'higher' (which is better), got {direction!r}"
        )
    return str(direction)


def material_verdict(
    diff: float,
    low: float,
    high: float,
    *,
    direction: str,
    mid: Mapping[str, float],
    baseline_mean: float = math.nan,
) -> str:
    """Whether a change of a KPI is materially better or worse than the baseline.

    With ``m`` the minimal important difference (:func:`minimal_important_difference`):

    - ``"better"`` / ``"worse"``: the paired interval ``[low, high]`` excludes 0 and
      ``|diff| > m``; better when the change goes in the KPI's better `direction`;
    - ``"uncertain"``: ``|diff| > m`` but the interval includes 0 (or is unknown);
    - ``"no material change"``: ``|diff| <= m``, whatever the interval;
    - ``"unknown"``: the change or its threshold is not known (NaN).

    Parameters
    ----------
    diff, low, high : float
        Mean paired change (option - baseline) and its interval, in the KPI's unit.
    direction : {"lower", "higher"}
        Which direction of the KPI is better.
    mid : mapping
        The KPI's minimal important difference, ``{"abs": a}`` and/or ``{"rel": r}``.
    baseline_mean : float
        Baseline mean of the KPI, needed for a relative threshold.
    """
    table = pd.DataFrame(
        {
            "kpi": ["kpi"],
            "diff": [diff],
            "diff_low": [low],
            "diff_high": [high],
            "baseline_mean": [baseline_mean],
            "direction": [direction],
        }
    )
    return str(material_verdicts(table, {"kpi": mid})["verdict"].iloc[0])


def material_verdicts(table: pd.DataFrame, mids: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """The rule of :func:`material_verdict` for every row of a table of changes.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``kpi, diff, diff_low, diff_high, baseline_mean, direction`` (others are kept).
    mids : mapping
        Minimal important difference per KPI, e.g. ``{"hall_wait_mean": {"abs": 1.0},
        "case_lead_time_days_mean": {"rel": 0.05}}``; every KPI of the table needs one.

    Returns
    -------
    pandas.DataFrame
        A copy of `table` with ``mid`` (the absolute threshold used, in the KPI's unit) and
        ``verdict`` (one of :data:`VERDICTS`).
    """
    needed = ["kpi", "diff", "diff_low", "diff_high", "baseline_mean", "direction"]
    missing = [column for column in needed if column not in table.columns]
    if missing:
        raise ValueError(f"the table of changes lacks column(s): {', '.join(missing)}")
    for kpi in table["kpi"].unique():
        if kpi not in mids:
            raise ValueError(
                f"no minimal important difference for KPI {kpi!r}; given for: "
                f"{', '.join(map(str, mids)) or '(none)'}"
            )
    lower = np.array([_direction(d) == "lower" for d in table["direction"]], dtype=bool)
    mid = np.array(
        [
            minimal_important_difference(mids[kpi], base)
            for kpi, base in zip(table["kpi"], table["baseline_mean"].astype(float), strict=True)
        ],
        dtype=float,
    )
    diff = table["diff"].to_numpy(dtype=float)
    low = table["diff_low"].to_numpy(dtype=float)
    high = table["diff_high"].to_numpy(dtype=float)
    known = np.isfinite(diff) & ~np.isnan(mid)
    material = known & (np.abs(diff) > mid)
    clear = (low > 0) | (high < 0)  # False for NaN bounds
    improves = (diff < 0) == lower
    verdict = np.select(
        [~known, material & clear & improves, material & clear, material],
        ["unknown", "better", "worse", "uncertain"],
        default="no material change",
    )
    out = table.copy()
    out["mid"] = mid
    out["verdict"] = verdict
    return out
