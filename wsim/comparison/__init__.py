"""Comparing reform options: paired experiments with common random numbers.

``compare({"baseline": s0, "one window": s1}, replications=R, seed=S)`` runs every option with
the same seed, so replication r of every option draws the same random numbers wherever the
options share a random source, and the change of an option against the baseline is measured
replication by replication (:mod:`.comparison`). :mod:`.runner` runs the options (any
executor, resumable, with an optional sequential precision procedure, :mod:`.sequential`);
:mod:`.grid` varies scenario parameters for what-if curves; :mod:`.plots` draws them.
"""

from wsim.comparison.comparison import Comparison
from wsim.comparison.errors import CompareError
from wsim.comparison.grid import Grid, GridError, grid
from wsim.comparison.runner import KEEP_TABLES, compare
from wsim.comparison.sequential import MAX_REPLICATIONS

__all__ = [
    "KEEP_TABLES",
    "MAX_REPLICATIONS",
    "CompareError",
    "Comparison",
    "Grid",
    "GridError",
    "compare",
    "grid",
]
