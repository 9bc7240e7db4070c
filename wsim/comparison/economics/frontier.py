"""The cost-effectiveness frontier: dominance, extended dominance and the ICERs.

See section 4 of ``docs/decision_rules.md`` for the rules, their conventions and sources.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from wsim.comparison.economics.checks import ArrayLike, as_array

#: Frontier statuses, in the order health economists list them.
STATUSES: tuple[str, ...] = ("efficient", "extendedly dominated", "dominated")

# Relative tolerance for "on the line between two frontier points" (collinear points stay
# efficient); only rounding is meant.
_COLLINEAR_RTOL = 1e-12


def cost_effectiveness_frontier(
    options: Sequence[str], cost: ArrayLike, effect: ArrayLike
) -> pd.DataFrame:
    """Options ordered by cost, dominated ones marked, and the ICERs along the efficient frontier.

    An option is *dominated* (strongly) when another costs no more and is at least as effective,
    and is better on one of the two; *extendedly dominated* when, after those are set aside, its
    ICER is higher than that of the next more effective option: a mix of its two neighbours on
    the frontier would give more effect for less. The remaining options are *efficient*; the
    ICER of each is its incremental cost per unit of incremental effect against the next cheaper
    efficient option.

    Conventions: options with the same cost and effect are one point (all efficient, or all
    dominated, together); an option on the straight line between two efficient neighbours
    (equal ICERs) is efficient; the cheapest option (the most effective one among equally
    cheap ones) is always efficient and has no ICER.

    Parameters
    ----------
    options : sequence of str
        Option names (unique).
    cost : array
        Expected cost per year of each option (currency per year), e.g. against the baseline.
    effect : array
        Expected effect per year of each option (effect units per year), larger is better.

    Returns
    -------
    pandas.DataFrame
        One row per option, by cost (then effect, most effective first): ``option, cost,
        effect, status`` (one of :data:`STATUSES`), ``dominated_by`` (a tuple: the cheapest
        option that dominates it, or the two efficient options whose mix extendedly dominates
        it; empty for efficient ones), ``icer`` (currency per effect unit; NaN off the frontier
        and for the first efficient option), ``icer_vs`` (the option the ICER is against),
        ``inc_cost`` and ``inc_effect`` (against that option).
    """
    names = [str(name) for name in options]
    c = as_array("cost", cost, finite=True)
    e = as_array("effect", effect, finite=True)
    if not names:
        raise ValueError("no options given")
    if not (len(names) == c.size == e.size):
        raise ValueError(
            f"need one cost and one effect per option: {len(names)} options, "
            f"{c.size} costs, {e.size} effects"
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"option names must be unique; repeated: {', '.join(repeated)}")

    order = [int(i) for i in np.lexsort((np.arange(c.size), -e, c))]  # cost up, effect down
    rank = {i: k for k, i in enumerate(order)}
    status = ["efficient"] * c.size
    dominated_by: list[tuple[str, ...]] = [()] * c.size
    for j in order:
        dominators = [
            i for i in order if c[i] <= c[j] and e[i] >= e[j] and (c[i] < c[j] or e[i] > e[j])
        ]
        if dominators:
            status[j] = "dominated"
            dominated_by[j] = (names[min(dominators, key=rank.__getitem__)],)

    # distinct points of the undominated options, by cost (their effect then rises strictly)
    points: list[list[int]] = []
    for i in order:
        if status[i] != "efficient":
            continue
        if points and c[points[-1][0]] == c[i] and e[points[-1][0]] == e[i]:
            points[-1].append(i)
        else:
            points.append([i])

    # the lower convex hull from the cheapest point: pop a point whose ICER exceeds the next one
    hull: list[list[int]] = []
    for point in points:
        while len(hull) >= 2 and _icer_falls(hull[-2][0], hull[-1][0], point[0], c, e):
            for i in hull.pop():
                status[i] = "extendedly dominated"
        hull.append(point)
    for k in range(1, len(hull)):
        low, high = hull[k - 1][0], hull[k][0]
        for point in points:
            if e[low] < e[point[0]] < e[high] and status[point[0]] == "extendedly dominated":
                for i in point:
                    dominated_by[i] = (names[low], names[high])

    icer = np.full(c.size, np.nan)
    inc_cost = np.full(c.size, np.nan)
    inc_effect = np.full(c.size, np.nan)
    icer_vs: list[str | None] = [None] * c.size
    for k in range(1, len(hull)):
        previous = hull[k - 1][0]
        for i in hull[k]:
            inc_cost[i] = c[i] - c[previous]
            inc_effect[i] = e[i] - e[previous]
            icer[i] = inc_cost[i] / inc_effect[i]
            icer_vs[i] = names[previous]
    return pd.DataFrame(
        {
            "option": [names[i] for i in order],
            "cost": c[order],
            "effect": e[order],
            "status": [status[i] for i in order],
            "dominated_by": [dominated_by[i] for i in order],
            "icer": icer[order],
            "icer_vs": [icer_vs[i] for i in order],
            "inc_cost": inc_cost[order],
            "inc_effect": inc_effect[order],
        }
    )


def _icer_falls(a: int, b: int, p: int, c: np.ndarray, e: np.ndarray) -> bool:
    """Whether ICER(a -> b) is higher than ICER(b -> p) (effects strictly rising a, b, p).

    Compared cross-multiplied (both effect gains are positive), so no division is needed.
    """
    left = (c[b] - c[a]) * (e[p] - e[b])
    right = (c[p] - c[b]) * (e[b] - e[a])
    return bool(left - right > _COLLINEAR_RTOL * max(abs(left), abs(right)))
