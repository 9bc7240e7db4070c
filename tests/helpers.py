"""Shared test helpers: statistical assertions against theory."""

from __future__ import annotations

import numpy as np

from wsim.experiment import t_interval

#: Confidence level of the statistical checks: with a fixed seed a check is deterministic, and
#: a correct simulator fails a 99.9% interval for only about 1 seed in 1,000, so a failure
#: points at the model rather than at bad luck.
LEVEL = 0.999


def assert_in_interval(values, expected: float, what: str) -> None:
    """Assert that `expected` lies in the 99.9% t-interval of the mean of `values`."""
    mean, low, high, n = t_interval(np.asarray(values, dtype=float), LEVEL)
    assert low <= expected <= high, (
        f"{what}: theory {expected:.5g} outside the {LEVEL:.1%} interval "
        f"[{low:.5g}, {high:.5g}] of the simulated mean {mean:.5g} (n={n})"
    )
