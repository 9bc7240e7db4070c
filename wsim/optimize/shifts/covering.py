"""Shift covering: the cheapest numbers of each shift pattern that cover every period's need.

The model (a Pyomo model solved by HiGHS through highspy)::

    minimise    sum_p cost_p x_p
    subject to  sum_p A[p, t] x_p >= r_t        for every period t with r_t > 0
                sum_p A[p, t] x_p <= c_t        for every period t with a capacity c_t
                min_l <= sum_{p in l} x_p <= max_l   for every count limit l
                x_p >= 0 and whole (or real, for the LP relaxation)

``A[p, t]`` is 1 when pattern p works in period t. Count limits bound single patterns (at most
4 clerks on the early shift) or families of them (at most 6 part-timers in all). Capacities
bound the clerks working at once (there are only so many counters).

A plan is called "optimal" only when its cost meets the proven lower bound that HiGHS reports
within the relative gap asked for; a solve stopped by the time limit keeps its best plan and
bound under the status "time limit". When no plan exists, the least possible shortfall per
period (from an elastic version of the model) and the limits that cause it are reported
instead of a solver message.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from wsim.errors import WsimError

Status = Literal["optimal", "time limit", "infeasible"]

#: Relative optimality gap asked of HiGHS and required for the status "optimal".
DEFAULT_GAP = 1e-6
_ABS_GAP = 1e-6  # cost units: two costs closer than this are equal
_ZERO = 1e-7  # below this a shortfall or a count is zero (solver tolerance)
_MIN_SOLVE_SECONDS = 0.05  # a solve started at the deadline still gets this long


class CoverError(WsimError, ValueError):
    """Bad input to :func:`cover`, or a solver failure, as one readable message."""


@dataclass(frozen=True)
class CountLimit:
    """At least ``min`` and at most ``max`` clerks on the patterns ``members`` together.

    ``name`` says where the limit comes from (e.g. ``staffing.families.part_time.max``); it is
    how an infeasible plan names the limit that blocks it.
    """

    name: str
    members: tuple[int, ...]
    min: int = 0
    max: int | None = None


@dataclass(frozen=True)
class CoverPlan:
    """The answer of :func:`cover`.

    Attributes
    ----------
    counts : clerks per pattern (whole numbers unless the LP was asked for); ``None`` when
        there is no plan (infeasible, or the time limit came before any plan was found).
    cost : the plan's cost (NaN without a plan).
    bound : the best proven lower bound on the cost (equal to ``cost`` when optimal).
    lp_value : the optimum of the LP relaxation (NaN when even the LP has no solution).
    status : "optimal", "time limit" or "infeasible".
    coverage : clerks working in each period under the plan (``None`` without a plan).
    shortfall : when infeasible, the least possible uncovered need per period.
    blocking : when infeasible, the names of the limits whose removal reduces the shortfall.
    message : one sentence on the outcome (for infeasible plans: the periods and limits).
    seconds : wall time of the solves.
    """

    counts: np.ndarray | None
    cost: float
    bound: float
    lp_value: float
    status: Status
    coverage: np.ndarray | None
    shortfall: np.ndarray | None
    blocking: tuple[str, ...]
    message: str
    seconds: float

    @property
    def gap(self) -> float:
        """Relative distance between the cost and the bound (0 when proven optimal)."""
        if self.counts is None or not math.isfinite(self.bound):
            return float("nan")
        return (self.cost - self.bound) / max(abs(self.cost), _ABS_GAP)


@dataclass(frozen=True)
class _Solution:
    """What one HiGHS solve returned: how it ended, the best plan's values, cost and bound."""

    ended: str
    values: np.ndarray | None
    shortfall: np.ndarray | None
    cost: float
    bound: float


def cover(
    requirements: Sequence[float] | np.ndarray,
    patterns: Sequence[Sequence[int]] | np.ndarray,
    costs: Sequence[float] | np.ndarray | None = None,
    integer: bool = True,
    time_limit: float | None = None,
    limits: Sequence[CountLimit] = (),
    gap: float = DEFAULT_GAP,
    capacity: Sequence[float] | np.ndarray | None = None,
) -> CoverPlan:
    """Minimum-cost numbers of each pattern so that every period's requirement is covered.

    ``requirements`` has one need per period (clerks, >= 0); ``patterns`` is a 0/1 matrix with
    one row per pattern and one column per period; ``costs`` one cost per pattern (default 1).
    ``integer=False`` solves the LP relaxation only. ``time_limit`` (seconds) bounds the call;
    ``limits`` bound sums of pattern counts (see :class:`CountLimit`); ``gap`` is the relative
    optimality gap asked of HiGHS and required for the status "optimal"; ``capacity`` (one
    number per period, default unlimited) bounds the clerks working in a period. When no plan
    exists, a lifted capacity that would help is reported in ``blocking`` as ``"capacity"``.
    """
    need, matrix, price = _check_inputs(requirements, patterns, costs, limits)
    cap = _check_capacity(capacity, need)
    if time_limit is not None and not time_limit > 0:
        raise CoverError(f"time_limit must be a positive number of seconds, got {time_limit!r}")
    if not 0 <= gap < 1:
        raise CoverError(f"gap must be in [0, 1), got {gap!r}")
    started = time.perf_counter()
    deadline = None if time_limit is None else started + time_limit
    relaxation = _solve(need, matrix, price, limits, cap, False, deadline, gap)
    lp_value = relaxation.cost if relaxation.ended == "optimal" else float("nan")
    if not integer:
        main = relaxation
    elif relaxation.ended == "infeasible":
        main = relaxation  # no real-valued plan, hence no whole one
    else:
        main = _solve(need, matrix, price, limits, cap, True, deadline, gap)
    if main.ended == "infeasible":
        shortfall, blocking = _diagnose(need, matrix, limits, cap, integer, deadline)
        return CoverPlan(
            counts=None,
            cost=float("nan"),
            bound=float("inf"),
            lp_value=lp_value,
            status="infeasible",
            coverage=None,
            shortfall=shortfall,
            blocking=blocking,
            message=_infeasible_message(need, matrix, cap, shortfall, blocking, limits),
            seconds=time.perf_counter() - started,
        )
    counts = None
    if main.values is not None:
        counts = np.rint(main.values).astype(int) if integer else np.clip(main.values, 0, None)
    cost = float(price @ counts) if counts is not None else float("nan")
    proven = counts is not None and cost - main.bound <= max(gap * abs(cost), _ABS_GAP)
    status: Status = "optimal" if proven else "time limit"
    if status == "optimal":
        message = f"optimal plan, cost {cost:g}"
    elif counts is None:
        message = f"time limit of {time_limit:g} s reached before any plan was found"
    else:
        message = (
            f"time limit of {time_limit:g} s reached: best plan costs {cost:g}, "
            f"the optimum is at least {main.bound:g}"
        )
    return CoverPlan(
        counts=counts,
        cost=cost,
        bound=float(main.bound),
        lp_value=lp_value,
        status=status,
        coverage=None if counts is None else counts @ matrix,
        shortfall=None,
        blocking=(),
        message=message,
        seconds=time.perf_counter() - started,
    )


def _check_inputs(
    requirements: Sequence[float] | np.ndarray,
    patterns: Sequence[Sequence[int]] | np.ndarray,
    costs: Sequence[float] | np.ndarray | None,
    limits: Sequence[CountLimit],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The inputs as arrays, or a CoverError saying which one is malformed."""
    need = np.asarray(requirements, dtype=float)
    if need.ndim != 1 or need.size == 0:
        raise CoverError(f"requirements must be one number per period, got shape {need.shape}")
    if not (np.isfinite(need).all() and (need >= 0).all()):
        raise CoverError("requirements must be finite numbers >= 0")
    matrix = np.asarray(patterns, dtype=float)
    if matrix.ndim != 2 or matrix.shape[1] != need.size or matrix.shape[0] == 0:
        raise CoverError(
            f"patterns must be a 0/1 matrix with one row per pattern and {need.size} columns "
            f"(one per period), got shape {matrix.shape}"
        )
    if not np.isin(matrix, (0.0, 1.0)).all():
        raise CoverError("patterns must contain only 0 and 1")
    price = np.ones(matrix.shape[0]) if costs is None else np.asarray(costs, dtype=float)
    if price.shape != (matrix.shape[0],):
        raise CoverError(f"costs must be one number per pattern ({matrix.shape[0]})")
    if not (np.isfinite(price).all() and (price >= 0).all()):
        raise CoverError("costs must be finite numbers >= 0")
    for limit in limits:
        if not all(0 <= member < matrix.shape[0] for member in limit.members):
            raise CoverError(f"limit {limit.name!r} refers to a pattern that does not exist")
        if limit.min < 0 or (limit.max is not None and limit.max < limit.min):
            raise CoverError(f"limit {limit.name!r} needs 0 <= min <= max")
    return need, matrix, price


def _check_capacity(capacity: Sequence[float] | np.ndarray | None, need: np.ndarray) -> np.ndarray:
    """Capacities as an array (infinite where none is given)."""
    if capacity is None:
        return np.full(need.size, np.inf)
    cap = np.asarray(capacity, dtype=float)
    if cap.shape != need.shape or np.isnan(cap).any() or (cap < 0).any():
        raise CoverError(f"capacity must be one number >= 0 per period ({need.size})")
    return cap


def _build(
    need: np.ndarray,
    matrix: np.ndarray,
    price: np.ndarray | None,
    limits: Sequence[CountLimit],
    cap: np.ndarray,
    integer: bool,
):
    """The Pyomo model; with ``price=None`` the elastic model that minimises the shortfall."""
    import pyomo.environ as pyo

    model = pyo.ConcreteModel(name="shift covering")
    n_patterns = matrix.shape[0]
    domain = pyo.NonNegativeIntegers if integer else pyo.NonNegativeReals
    model.x = pyo.Var(range(n_patterns), domain=domain)
    needed = [int(t) for t in np.flatnonzero(need > 0)]
    on_duty = {t: np.flatnonzero(matrix[:, t]).tolist() for t in needed}
    elastic = price is None
    if elastic:
        model.short = pyo.Var(needed, domain=pyo.NonNegativeReals)

    def covered(m, t):
        working = pyo.quicksum(m.x[p] for p in on_duty[t])
        if elastic:
            working = working + m.short[t]
        return working >= float(need[t])

    model.cover = pyo.Constraint(needed, rule=covered)
    bounded = [int(t) for t in np.flatnonzero(np.isfinite(cap) & (matrix.sum(axis=0) > 0))]
    model.capacity = pyo.Constraint(
        bounded,
        rule=lambda m, t: pyo.quicksum(m.x[p] for p in np.flatnonzero(matrix[:, t])) <= cap[t],
    )
    model.limits = pyo.ConstraintList()
    for limit in limits:
        if not limit.members:
            continue
        total = pyo.quicksum(model.x[p] for p in limit.members)
        if limit.min > 0:
            model.limits.add(total >= limit.min)
        if limit.max is not None:
            model.limits.add(total <= limit.max)
    if elastic:
        model.objective = pyo.Objective(expr=pyo.quicksum(model.short[t] for t in needed))
    else:
        cost = pyo.quicksum(float(price[p]) * model.x[p] for p in range(n_patterns))
        model.objective = pyo.Objective(expr=cost)
    return model, needed


def _solve(
    need: np.ndarray,
    matrix: np.ndarray,
    price: np.ndarray | None,
    limits: Sequence[CountLimit],
    cap: np.ndarray,
    integer: bool,
    deadline: float | None,
    gap: float,
) -> _Solution:
    """Build and solve one model with HiGHS; read the plan, its cost and the proven bound."""
    from pyomo.contrib.appsi.base import TerminationCondition
    from pyomo.contrib.appsi.solvers import Highs

    if _trivially_infeasible(need, matrix, limits, cap, elastic=price is None):
        return _Solution("infeasible", None, None, float("nan"), float("inf"))
    model, needed = _build(need, matrix, price, limits, cap, integer)
    solver = Highs()
    if not solver.available():
        raise CoverError("the HiGHS solver (Python package highspy) is not available")
    # The appsi Highs object honours config.time_limit (the legacy SolverFactory wrapper
    # resets its config on each solve() and needs timelimit= there instead).
    if deadline is not None:
        solver.config.time_limit = max(deadline - time.perf_counter(), _MIN_SOLVE_SECONDS)
    solver.config.load_solution = False
    solver.config.stream_solver = False
    solver.highs_options = {"mip_rel_gap": gap, "mip_abs_gap": _ABS_GAP}
    results = solver.solve(model)
    ended = results.termination_condition
    if ended in (TerminationCondition.infeasible, TerminationCondition.infeasibleOrUnbounded):
        return _Solution("infeasible", None, None, float("nan"), float("inf"))
    if ended not in (TerminationCondition.optimal, TerminationCondition.maxTimeLimit):
        raise CoverError(f"the HiGHS solver stopped without a plan ({ended.name})")
    bound = results.best_objective_bound
    bound = float(bound) if bound is not None else float("-inf")
    if results.best_feasible_objective is None:
        return _Solution("time limit", None, None, float("nan"), bound)
    results.solution_loader.load_vars()
    values = np.array([model.x[p].value or 0.0 for p in range(matrix.shape[0])])
    shortfall = None
    if price is None:
        shortfall = np.zeros(need.size)
        for t in needed:
            shortfall[t] = max(model.short[t].value or 0.0, 0.0)
    ended_as = "optimal" if ended == TerminationCondition.optimal else "time limit"
    return _Solution(ended_as, values, shortfall, float(results.best_feasible_objective), bound)


def _trivially_infeasible(
    need: np.ndarray,
    matrix: np.ndarray,
    limits: Sequence[CountLimit],
    cap: np.ndarray,
    elastic: bool,
) -> bool:
    """Whether the problem is infeasible before any solve (Pyomo cannot state these cases).

    It is when a limit is empty but has a minimum or, unless elastic, when a needed period has no
    pattern covering it or a need exceeding its capacity.
    """
    if any(limit.min > 0 and not limit.members for limit in limits):
        return True
    uncovered = (need > 0) & (matrix.sum(axis=0) == 0)
    return not elastic and bool((uncovered | (need > cap)).any())


def _diagnose(
    need: np.ndarray,
    matrix: np.ndarray,
    limits: Sequence[CountLimit],
    cap: np.ndarray,
    integer: bool,
    deadline: float | None,
) -> tuple[np.ndarray | None, tuple[str, ...]]:
    """The least shortfall per period and the maximum limits that cause it.

    A limit (or the capacities, together) blocks when lifting its maximum alone lets the elastic
    model cover more. Returns
    ``(None, names of the limits with a minimum)`` when the limits contradict each other.
    """
    base = _solve(need, matrix, None, limits, cap, integer, deadline, DEFAULT_GAP)
    if base.shortfall is None:
        return None, tuple(limit.name for limit in limits if limit.min > 0)
    total = float(base.shortfall.sum())
    blocking = []
    for index, limit in enumerate(limits):
        if limit.max is None:
            continue
        lifted = [
            *limits[:index],
            CountLimit(limit.name, limit.members, limit.min),
            *limits[index + 1 :],
        ]
        relaxed = _solve(need, matrix, None, lifted, cap, integer, deadline, DEFAULT_GAP)
        if relaxed.shortfall is not None and relaxed.shortfall.sum() < total - _ZERO:
            blocking.append(limit.name)
    if np.isfinite(cap).any():
        unlimited = np.full(need.size, np.inf)
        relaxed = _solve(need, matrix, None, limits, unlimited, integer, deadline, DEFAULT_GAP)
        if relaxed.shortfall is not None and relaxed.shortfall.sum() < total - _ZERO:
            blocking.append("capacity")
    return base.shortfall, tuple(blocking)


def _infeasible_message(
    need: np.ndarray,
    matrix: np.ndarray,
    cap: np.ndarray,
    shortfall: np.ndarray | None,
    blocking: tuple[str, ...],
    limits: Sequence[CountLimit],
) -> str:
    """Which periods cannot be covered and why, in period indices (callers name the slots)."""
    if shortfall is None:
        return "the count limits contradict each other: " + ", ".join(blocking)
    short = shortfall > _ZERO
    uncovered = short & (matrix.sum(axis=0) == 0) & (need > 0)
    parts = []
    if uncovered.any():
        parts.append(f"periods {_indices(uncovered)}: no pattern works in them")
    if (short & ~uncovered).any():
        names = blocking or (
            *(limit.name for limit in limits if limit.max is not None),
            *(("capacity",) if np.isfinite(cap).any() else ()),
        )
        parts.append(
            f"periods {_indices(short & ~uncovered)} cannot be covered within the limits "
            + ", ".join(names)
        )
    return "; ".join(parts)


def _indices(mask: np.ndarray) -> str:
    return ", ".join(str(int(t)) for t in np.flatnonzero(mask))
