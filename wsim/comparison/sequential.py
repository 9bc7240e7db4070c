"""Adding replications until the intervals are narrow enough (a sequential procedure)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from wsim.comparison.errors import CompareError
from wsim.experiment import t_interval
from wsim.metrics import HEADLINE_KPIS

#: Default cap of the sequential procedure (replications per option).
MAX_REPLICATIONS = 200


class SequentialPrecision:
    """The sequential procedure: how many replications until the intervals are narrow enough.

    After each batch, for every option and chosen KPI, the 95% interval half-width h of the
    mean is compared with gamma/(1+gamma) times |mean| (gamma = `precision`); with that bound
    the estimate is within gamma of the true mean relative to the true mean (Law and Kelton,
    *Simulation Modeling and Analysis*, relative-precision procedure). If a KPI is not there
    yet, the next count is what its current variance needs, at least one more and at most
    double, and never above the cap. Every option gets the same count (they stay paired).
    The decisions depend only on the KPI values, so any executor gives the same count.
    """

    def __init__(self, precision: float, kpis: Sequence[str] | None, cap: int, confidence: float):
        self.precision = precision
        self.chosen = list(kpis) if kpis is not None else None
        self.cap = cap
        self.confidence = confidence
        self.rows: list[dict[str, Any]] = []
        self.reached = False

    def next_count(self, tables: Mapping[str, pd.DataFrame], n: int) -> int | None:
        """The next replication count, or None to stop (precision reached, or the cap)."""
        bound = self.precision / (1 + self.precision)
        needed, self.rows = n, []
        for option, table in tables.items():
            for kpi in self._kpis(table):
                values = table[kpi].to_numpy(dtype=float)
                mean, low, high, count = t_interval(values, self.confidence)
                if count < 2:
                    continue  # nothing to measure (e.g. a KPI that is NaN in this option)
                half = (high - low) / 2
                relative = half / abs(mean) if mean != 0 else (0.0 if half == 0 else math.inf)
                self.rows.append(
                    {
                        "option": option,
                        "kpi": kpi,
                        "mean": mean,
                        "half_width": half,
                        "relative_half_width": relative,
                    }
                )
                if relative > bound:
                    want = (
                        self.cap if math.isinf(relative) else math.ceil(n * (relative / bound) ** 2)
                    )
                    needed = max(needed, min(want, 2 * n), n + 1)
        self.reached = needed == n
        if self.reached or n >= self.cap:
            return None
        return min(needed, self.cap)

    def _kpis(self, table: pd.DataFrame) -> list[str]:
        if self.chosen is None:
            return [k for k in HEADLINE_KPIS if k in table.columns]
        missing = [k for k in self.chosen if k not in table.columns]
        if missing:
            raise CompareError(
                f"unknown KPI {', '.join(missing)} for the precision target; "
                f"KPIs: {', '.join(table.columns)}"
            )
        return self.chosen

    def describe(self) -> dict[str, Any]:
        """What the procedure aimed at and reached (for reports)."""
        worst = max(self.rows, key=lambda row: row["relative_half_width"], default=None)
        return {
            "precision": self.precision,
            "kpis": sorted({row["kpi"] for row in self.rows}),
            "max_replications": self.cap,
            "reached": self.reached,
            "worst": worst,
            "table": self.rows,
        }
