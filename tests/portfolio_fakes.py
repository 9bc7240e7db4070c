"""Synthetic centers and levers files of any size, and a simulator whose truth is known.

``write_center(folder, groups)`` writes a small center (one window group, service and
department per index) and a levers file with four levers per group: two clerk steps, the next
group's service joining this group, and a faster back office for this group's service.
:class:`FakeRunner` gives the KPIs of any lever set from a stated model (additive effects plus
chosen pair terms, noise shared by replication as with common random numbers, and a little
noise of each set), so that what the portfolio loop finds can be compared with the truth.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

SERVED, CASES, TRIPS, LEAD = 1000.0, 800.0, 1.5, 2.0
WAIT_HOUR, LEAD_HOUR, TRIP = 30.0, 2.0, 40.0
DAYS, DAYS_PER_YEAR = 5, 250


def write_center(
    folder: Path, groups: int, *, budget: float = 60000, rules=(), targets=None, hub=False
):
    """A center with ``groups`` window groups and its levers file; returns the levers path.

    With ``hub``, every other group's service may join group g0 instead of the next group's
    service joining each group: all those levers share g0, so the pairs that share a
    resource grow with the square of the groups.
    """
    services, windows, departments = {}, [], {}
    for g in range(groups):
        services[f"s{g}"] = {
            "department": f"d{g}",
            "window_time": {"dist": "exponential", "mean": 10},
            "workflow": [{"department": f"d{g}", "time": {"dist": "exponential", "mean": 30}}],
        }
        windows.append({"name": f"g{g}", "count": 2, "serves": [f"s{g}"], "hourly_cost": 50})
        departments[f"d{g}"] = {"staff": 2, "hourly_cost": 60}
    base = {
        "name": f"Synthetic center of {groups} groups",
        "calendar": {"days": DAYS, "open": "09:00", "close": "12:00"},
        "services": services,
        "demand": [{"service": f"s{g}", "per_day": 20} for g in range(groups)],
        "windows": windows,
        "departments": departments,
    }
    levers = {
        "baseline": "base.yaml",
        "economics": {
            "discount_rate": 0.03,
            "horizon_years": 5,
            "days_per_year": DAYS_PER_YEAR,
            "value_of_time": {"wait_hour": WAIT_HOUR, "lead_hour": LEAD_HOUR, "trip": TRIP},
        },
        "budget": {"one_off": budget},
        "integrate": _integrate(groups, hub),
        "staff": [{"group": f"g{g}", "steps": 2, "cost": {"one_off": 2000}} for g in range(groups)],
        "levers": [
            {
                "name": f"fast_{g}",
                "cost": {"one_off": 10000, "yearly": 1000},
                "changes": {
                    "services": {
                        f"s{g}": {
                            "workflow": [
                                {"department": f"d{g}", "time": {"dist": "exponential", "mean": 15}}
                            ]
                        }
                    }
                },
            }
            for g in range(groups)
        ],
        "rules": list(rules),
    }
    if targets:
        levers["targets"] = targets
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "base.yaml").write_text(yaml.safe_dump(base, sort_keys=False), encoding="utf-8")
    path = folder / "levers.yaml"
    path.write_text(yaml.safe_dump(levers, sort_keys=False), encoding="utf-8")
    return path


def _integrate(groups: int, hub: bool) -> list[dict]:
    cost = {"one_off": 6000, "yearly": 500}
    if groups < 2:
        return []
    if hub:
        return [{"group": "g0", "services": [f"s{g}" for g in range(1, groups)], "cost": cost}]
    return [
        {"group": f"g{g}", "services": [f"s{(g + 1) % groups}"], "cost": cost}
        for g in range(groups)
    ]


class FakeRunner:
    """KPIs of lever sets from a known model instead of a simulation.

    ``wait`` and ``lead`` give each lever's change of the mean hall wait (minutes) and of the
    mean lead time (days), ``staff`` its change of the staff cost over the run; ``pairs`` add a
    wait change when both levers of a pair are chosen. Replication r adds noise ``eps_r``
    shared by every set (common random numbers) and ``set_noise`` of its own.
    """

    def __init__(
        self,
        replications: int,
        wait: Mapping[str, float],
        *,
        lead: Mapping[str, float] | None = None,
        staff: Mapping[str, float] | None = None,
        pairs: Mapping[frozenset[str], float] | None = None,
        noise: float = 0.5,
        set_noise: float = 0.0,
    ) -> None:
        self.replications = replications
        self.wait = dict(wait)
        self.lead = dict(lead or {})
        self.staff = dict(staff or {})
        self.pairs = dict(pairs or {})
        self.eps = np.random.default_rng(7).normal(0, noise, replications)
        self.set_noise = set_noise
        self.runs: list[frozenset[str]] = []
        self._scenarios: dict[str, pd.DataFrame] = {}

    @property
    def sets(self) -> list[frozenset[str]]:
        """The lever sets run, in order."""
        return list(dict.fromkeys(self.runs))

    def run(self, sets: Iterable[Collection[str]]) -> None:
        """Record the sets as run (their KPIs come from the model)."""
        for chosen in sets:
            key = frozenset(chosen)
            if key not in self.runs:
                self.runs.append(key)

    def means(self, chosen: Collection[str]) -> dict[str, float]:
        """The noiseless KPIs of a lever set."""
        chosen = set(chosen)
        wait = 10.0 + sum(self.wait.get(n, 0.0) for n in chosen)
        wait += sum(v for pair, v in self.pairs.items() if pair <= chosen)
        return {
            "hall_wait_mean": wait,
            "case_lead_time_days_mean": LEAD + sum(self.lead.get(n, 0.0) for n in chosen),
            "staff_cost": 20000.0 + sum(self.staff.get(n, 0.0) for n in chosen),
        }

    def kpis(self, chosen: Collection[str]) -> pd.DataFrame:
        """The KPIs of a set that has run, one row per replication."""
        key = frozenset(chosen)
        assert key in self.runs, f"{sorted(key)} was not run"
        means = self.means(key)
        label = "+".join(sorted(key)).encode()
        own = np.random.default_rng(zlib.crc32(label)).normal(0, 1, self.replications)
        return pd.DataFrame(
            {
                "hall_served": SERVED,
                "hall_wait_mean": means["hall_wait_mean"] + self.eps + self.set_noise * own,
                "cases_started": CASES,
                "case_lead_time_days_mean": means["case_lead_time_days_mean"],
                "trips_per_case_mean": TRIPS,
                "staff_cost": means["staff_cost"],
            }
        )

    def run_scenarios(self, named):  # pragma: no cover - not used by these tests
        """Other options are not modelled."""
        raise NotImplementedError

    def scenario_kpis(self, label):  # pragma: no cover - not used by these tests
        """Other options are not modelled."""
        raise NotImplementedError

    def describe(self) -> dict:
        """How many sets ran."""
        return {"lever_sets": len(self.sets), "replications_per_set": self.replications}


def true_objective(levers, runner: FakeRunner, chosen: Collection[str]) -> float:
    """Cost per year plus the value of the noiseless KPIs, by hand (money per year)."""
    selected = levers.select(sorted(chosen))
    cost = sum(levers.annuity * lever.one_off + lever.yearly for lever in selected)
    kpis = runner.means(chosen)
    per_year = DAYS_PER_YEAR / DAYS
    value = (
        WAIT_HOUR * kpis["hall_wait_mean"] * SERVED / 60
        + LEAD_HOUR * kpis["case_lead_time_days_mean"] * 24 * CASES
        + TRIP * TRIPS * CASES
        + kpis["staff_cost"]
    )
    return cost + per_year * value


def true_best(levers, runner: FakeRunner, one_off: float | None) -> tuple[frozenset[str], float]:
    """The best lever set by the noiseless truth, by enumeration, under rules and budget."""
    best, value = frozenset(), true_objective(levers, runner, ())
    for size in range(1, len(levers.names) + 1):
        for chosen in itertools.combinations(levers.names, size):
            if not levers.allows(chosen):
                continue
            if one_off is not None and sum(x.one_off for x in levers.select(chosen)) > one_off:
                continue
            objective = true_objective(levers, runner, chosen)
            if objective < value - 1e-6:
                best, value = frozenset(chosen), objective
    return best, value


def write_sharing_center(folder: Path, *, budget: float = 10000) -> Path:
    """Two services, each from its own department to a shared registry, and sharing levers.

    The platform syncs nightly at 02:00 and stale data is reworked at 0.02 per hour of age;
    the levers file has one sharing lever per pair (d0-registry, d1-registry), real time.
    The registry has staff enough that cases never queue there, so one pair's lever leaves
    the other service's cases exactly as they were. Returns the levers path.
    """
    services = {
        f"s{g}": {
            "department": f"d{g}",
            "window_time": {"dist": "exponential", "mean": 10},
            "result": "online",
            "workflow": [
                {"department": f"d{g}", "time": {"dist": "exponential", "mean": 30}},
                {"department": "registry", "time": {"dist": "exponential", "mean": 20}},
            ],
        }
        for g in range(2)
    }
    base = {
        "name": "Two departments and a registry",
        "calendar": {"days": DAYS, "open": "09:00", "close": "12:00"},
        "services": services,
        "demand": [{"service": f"s{g}", "per_day": 20} for g in range(2)],
        "windows": [{"name": "w", "count": 2, "serves": list(services), "hourly_cost": 50}],
        "departments": {
            "d0": {"staff": 2, "hourly_cost": 60},
            "d1": {"staff": 2, "hourly_cost": 60},
            "registry": {"staff": 300, "hourly_cost": 0},
        },
        "handoffs": {"at": "02:00", "staleness": {"per_hour": 0.02}},
    }
    levers = {
        "baseline": "base.yaml",
        "economics": {
            "discount_rate": 0.03,
            "horizon_years": 5,
            "days_per_year": DAYS_PER_YEAR,
            "value_of_time": {"wait_hour": WAIT_HOUR, "lead_hour": LEAD_HOUR, "trip": TRIP},
        },
        "budget": {"one_off": budget},
        "sharing": [{"pairs": "all", "delay": 0, "cost": {"one_off": 4000, "yearly": 200}}],
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "base.yaml").write_text(yaml.safe_dump(base, sort_keys=False), encoding="utf-8")
    path = folder / "levers.yaml"
    path.write_text(yaml.safe_dump(levers, sort_keys=False), encoding="utf-8")
    return path
