"""Window speed per day type: a factor on the bands' speeds where the log shows one.

The speed bands (:func:`wsim.calibrate.service.choose_bands`) describe how fast windows work
over the hours of the day, pooled over all fitted dates. Clerks (or agents) may work at
another pace on another kind of day: on a short Friday with a different crew, a day type's
window times can be shorter at the same hour. The model: a ticket of day type ``d`` called in
band ``b`` has the expected window time ``mean(service) / (speed_b x factor_d)``, with
``factor = 1`` on the default day type.

Whether a day type gets its own factor is decided by a likelihood-ratio criterion, so a thin
day type keeps the pooled speed. With ``r`` each served ticket's window time over its
service's fitted mean and its band's slowness (``1 / speed_b``), the ``r`` of a day type are
taken as gamma with mean ``delta`` (the day type's slowness) and the squared cv of their
service's fitted window time (``phi``, as in :func:`~wsim.calibrate.service.choose_bands`):
the quasi-likelihood gain of ``delta`` over ``delta = 1`` is, doubled,
``2 W (delta - 1 - log delta)`` with ``W`` the sum of ``1 / phi`` and ``delta`` the weighted
mean of ``r``. A day type keeps its own factor when that exceeds ``PENALTY`` (AIC: one
parameter; a single pre-specified comparison per day type, not a search, so AIC is the
criterion rather than BIC). A change of speed of ``sqrt(2 / W)`` (9% with ``W`` = 250, 14%
with 100) is found about half the time; a day type with no change gets its own factor 15.7% of
the time (P(chi2 with 1 df > 2)).

The band speeds are then measured again on the tickets of the day types that keep the pooled
speed (a day type with its own factor would otherwise pull the bands of the others), and each
own factor against those band speeds: ``factor = sum(mean / speed_b) / sum(window time)``
over the day type's served tickets, with a delta-method 95% interval (the ratio estimator of
:func:`~wsim.calibrate.service.band_speeds`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from wsim.calibrate.daytypes import DEFAULT, DayType
from wsim.calibrate.service import band_speeds, ratio_estimate, served_ratios

#: Twice the log-likelihood gain a day type's own speed factor must exceed (AIC, one
#: parameter).
PENALTY = 2.0
#: Columns of the table of :func:`day_type_speeds`.
COLUMNS = ("day_type", "tickets", "factor", "ci_low", "ci_high", "gain", "penalty", "source")


def _band_of(called: np.ndarray, bands: pd.DataFrame) -> np.ndarray:
    """Index of the band each call time (minutes after midnight) falls in (-1: none)."""
    index = np.full(called.size, -1)
    for k, band in enumerate(bands.itertuples()):
        index[(called >= band.start) & (called < band.end)] = k
    return index


def _factor(
    tickets: pd.DataFrame, window_time: dict[str, dict], bands: pd.DataFrame
) -> tuple[int, float, float, float, float]:
    """Tickets, weighted gain of an own factor, and the factor with its 95% interval."""
    called, ratio, weight, mean, value = served_ratios(tickets, window_time)
    band = _band_of(called, bands)
    inside = (band >= 0) & np.isfinite(ratio)
    speed = bands["speed"].to_numpy()[band[inside]]
    ratio, weight = ratio[inside] * speed, weight[inside]
    expected, value = mean[inside] / speed, value[inside]
    total = weight.sum()
    delta = float((weight * ratio).sum() / total) if total > 0 else 1.0
    gain = float(2 * total * (delta - 1 - np.log(delta))) if delta > 0 else 0.0
    factor, se = ratio_estimate(expected, value)
    return int(inside.sum()), gain, factor, factor - 1.96 * se, factor + 1.96 * se


def day_type_speeds(
    tickets: pd.DataFrame,
    types: Sequence[DayType],
    window_time: dict[str, dict],
    bands: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each day type's window-speed factor (1 unless its own is kept), and the band speeds.

    `bands` are the band speeds over all fitted tickets (:func:`band_speeds`). Returns the
    bands measured again on the day types that keep the pooled speed (the same bands, new
    ``speed`` and interval, also for a single band; unchanged when no day type has its own
    factor), and one row per
    day type: ``day_type``, ``tickets`` (served, with a window time), ``factor`` (the speed
    factor the scenario uses: 1 for a pooled day type), ``ci_low``, ``ci_high`` (of the day
    type's own factor), ``gain`` (twice the quasi-likelihood gain of its own factor against
    the pooled bands), ``penalty`` and ``source`` (``own`` or ``pooled``).
    """
    mine = {t.name: tickets[t.selection.mask(tickets)] for t in types}
    tests = {name: _factor(mine[name], window_time, bands) for name in mine}
    own = [name for name, test in tests.items() if name != DEFAULT and test[1] > PENALTY]
    if own:
        pooled = pd.concat([mine[name] for name in mine if name not in own])
        edges = list(zip(bands["start"], bands["end"], strict=True))
        bands = band_speeds(pooled, window_time, edges)
    rows = []
    for name, (n, gain, _, _, _) in tests.items():
        _, _, factor, low, high = _factor(mine[name], window_time, bands)
        rows.append(
            {
                "day_type": name,
                "tickets": n,
                "factor": factor if name in own else 1.0,
                "ci_low": low,
                "ci_high": high,
                "gain": gain,
                "penalty": PENALTY,
                "source": "own" if name in own else "pooled",
            }
        )
    return bands, pd.DataFrame(rows, columns=list(COLUMNS))


def pooled_speeds(types: Sequence[DayType]) -> pd.DataFrame:
    """The table of :func:`day_type_speeds` when every day type has the pooled bands' speeds."""
    rows = [
        {"day_type": t.name, "factor": 1.0, "penalty": PENALTY, "source": "pooled"} for t in types
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS))
