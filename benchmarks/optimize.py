"""Speed of the staffing optimizer: shift covering at a week's scale, and whole staffing runs.

1. `cover` on a week of 30-minute slots (a hall open 08:00-20:00 every day: 168 periods) with
   every shift pattern of a realistic day (4-hour part-time shifts, 6-hour shifts with a
   30-minute break, 8-hour shifts with a one-hour lunch at three different times, 9.5-hour
   shifts with lunch and a break), starting on any half hour:
   a. daily shifts: each pattern on each day (one column per day and pattern);
   b. weekly tours: the same daily shift on five consecutive days (cyclic), as in the
      post-office problem, which couples the days and is the harder problem.
   Requirements follow a two-peak day scaled by weekday. Prints the patterns, the
   nonzeros, the wall time (model building and solving), the status, cost, bound and LP value.
2. `staffing` on scenarios/examples/staffing_peak.yaml by each method: the wall time of the
   whole run (requirements, covering, iterations, verification), the cost and the share of
   slots meeting the target in the verification. This is the table in docs/staffing.md.
3. `portfolio` (with --portfolio): how the simulations of a portfolio run grow with the number
   of levers, on synthetic centers of 2 to 16 window groups (4 levers each, the generator of
   tests/portfolio_fakes.py) simulated for real: pairs sharing a resource, lever sets
   simulated, replications, wall time. With --w-district, also the W district run of
   docs/portfolio.md (its levers file; hours on 2 shared cores): wall time and simulations.

    python benchmarks/optimize.py [--reps 30] [--verify-reps 100] [--time-limit 60]
    python benchmarks/optimize.py --only portfolio [--w-district --w-out runs/portfolio_w]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np

from wsim.optimize import cover, portfolio, staffing

SLOT = 30  # minutes
OPEN, CLOSE = 8 * 60, 20 * 60
SLOTS_PER_DAY = (CLOSE - OPEN) // SLOT
WEEKDAY_FACTORS = (1.25, 1.05, 1.0, 1.0, 0.9, 0.7, 0.5)
PEAK = Path(__file__).resolve().parents[1] / "scenarios" / "examples" / "staffing_peak.yaml"


def day_patterns() -> tuple[np.ndarray, np.ndarray]:
    """(patterns, paid hours) of every daily shift that fits the opening hours."""
    rows, hours = [], []
    # (length in slots, breaks as (offset, length) in slots)
    kinds = [(8, ()), (12, ((5, 1),)), (16, ((7, 2),)), (16, ((8, 2),)), (16, ((9, 2),))]
    kinds.append((19, ((4, 1), (9, 2))))
    for length, breaks in kinds:
        for start in range(SLOTS_PER_DAY - length + 1):
            row = np.zeros(SLOTS_PER_DAY, dtype=int)
            row[start : start + length] = 1
            for offset, size in breaks:
                row[start + offset : start + offset + size] = 0
            rows.append(row)
            hours.append(row.sum() * SLOT / 60)
    return np.array(rows), np.array(hours)


def week_requirements(rng: np.random.Generator) -> np.ndarray:
    """Clerks needed per 30-minute slot over a week: two daily peaks, weekday factors."""
    t = np.arange(SLOTS_PER_DAY) + 0.5
    day = 4 + 8 * np.exp(-((t - 5) ** 2) / 8) + 6 * np.exp(-((t - 15) ** 2) / 10)
    week = np.concatenate([day * f for f in WEEKDAY_FACTORS])
    return np.ceil(week + rng.normal(0, 0.5, week.size)).clip(1)


def daily_shifts(day: np.ndarray, hours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each daily pattern on each day of the week, separately."""
    patterns, costs = [], []
    for d in range(7):
        block = np.zeros((day.shape[0], 7 * SLOTS_PER_DAY), dtype=int)
        block[:, d * SLOTS_PER_DAY : (d + 1) * SLOTS_PER_DAY] = day
        patterns.append(block)
        costs.append(hours)
    return np.vstack(patterns), np.concatenate(costs)


def weekly_tours(day: np.ndarray, hours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same daily pattern on five consecutive days, starting on any day (cyclic)."""
    patterns, costs = [], []
    for first in range(7):
        block = np.zeros((day.shape[0], 7 * SLOTS_PER_DAY), dtype=int)
        for d in range(first, first + 5):
            k = d % 7
            block[:, k * SLOTS_PER_DAY : (k + 1) * SLOTS_PER_DAY] = day
        patterns.append(block)
        costs.append(5 * hours)
    return np.vstack(patterns), np.concatenate(costs)


def bench_cover(time_limit: float) -> None:
    """Print a Markdown table of `cover` on the week's daily shifts and weekly tours.

    Per instance: patterns, nonzeros, wall time in seconds (model building and solving), status,
    cost, bound and LP value; `time_limit` (seconds) is passed to each solve.
    """
    day, hours = day_patterns()
    need = week_requirements(np.random.default_rng(0))
    print(
        f"cover: a week of {SLOT}-minute slots, {need.size} periods, {int(need.sum())} clerk-slots "
        f"needed; {day.shape[0]} daily shift patterns; time limit {time_limit:g} s"
    )
    print("| instance | patterns | nonzeros | seconds | status | cost | bound | LP |")
    print("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |")
    for name, build in (
        ("daily shifts", daily_shifts),
        ("weekly tours (5 of 7 days)", weekly_tours),
    ):
        patterns, costs = build(day, hours)
        started = time.perf_counter()
        plan = cover(need, patterns, costs, time_limit=time_limit)
        seconds = time.perf_counter() - started
        print(
            f"| {name} | {patterns.shape[0]:,} | {int(patterns.sum()):,} | {seconds:.2f} | "
            f"{plan.status} | {plan.cost:,.1f} | {plan.bound:,.1f} | {plan.lp_value:,.1f} |"
        )


def bench_staffing(reps: int, verify_reps: int) -> None:
    """Print a Markdown table of `staffing` on the peak scenario by each method.

    Iterations use `reps` replications (seed 0), the verification `verify_reps` (seed 1). Per
    method: cost, LP bound, slots meeting the target, missed slots and wall time in seconds.
    """
    print()
    print(
        f"staffing {PEAK.name}: iterations with {reps} replications (seed 0), verification "
        f"with {verify_reps} (seed 1)"
    )
    print("| method | cost | LP bound | slots meeting the target | missed slots | seconds |")
    print("| --- | ---: | ---: | ---: | --- | ---: |")
    for method in ("sipp", "lag", "simulation"):
        started = time.perf_counter()
        plan = staffing(
            PEAK, method=method, replications=reps, seed=0, verify_replications=verify_reps
        )
        seconds = time.perf_counter() - started
        met, slots = plan.slots_met()
        missed = ", ".join(plan.missed_slots) or "none"
        print(
            f"| {method} | {plan.cost:g} | {plan.covering.lp_value:g} | {met} of {slots} | "
            f"{missed} | {seconds:.1f} |"
        )


def bench_portfolio_growth(reps: int, workers: int) -> None:
    """Print a Markdown table: simulations of a portfolio run against the number of levers."""
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from portfolio_fakes import write_center

    print()
    print(f"portfolio on synthetic centers: {reps} replications per lever set, {workers} workers")
    print(
        "| groups | levers | pairs sharing a resource | pairs simulated | lever sets "
        "simulated | sets per lever | replications | seconds |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for groups in (2, 4, 8, 16):
        with tempfile.TemporaryDirectory() as folder:
            levers = write_center(Path(folder), groups, budget=20000 * groups, hub=True)
            started = time.perf_counter()
            result = portfolio(levers, replications=reps, seed=0, workers=workers)
            seconds = time.perf_counter() - started
        info = result.info
        print(
            f"| {groups} | {info['levers']} | {info['interaction_candidates']} | "
            f"{info['interactions_estimated']} | {info['lever_sets']} | "
            f"{info['lever_sets'] / info['levers']:.2f} | {info['replications_run']} | "
            f"{seconds:.1f} |"
        )


def bench_portfolio_w(reps: int, workers: int, out: str | None, without: list[str]) -> None:
    """Print the wall time and simulations of the W district portfolio run."""
    root = Path(__file__).resolve().parents[1] / "scenarios" / "w_district"
    started = time.perf_counter()
    result = portfolio(
        root / "levers.yaml",
        frontier=[0, 5e5, 1e6, 2e6, 3e6, 5e6],
        replications=reps,
        seed=0,
        workers=workers,
        out=out,
        without=without,
        against=sorted((root / "reforms").glob("*.yaml")),
    )
    seconds = time.perf_counter() - started
    info = result.info
    print()
    print(f"W district portfolio: {reps} replications per lever set, {workers} workers")
    print(
        "| levers | pairs sharing a resource | pairs simulated | lever sets | replications "
        "run | from the store | seconds |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {info['levers']} | {info['interaction_candidates']} | "
        f"{info['interactions_estimated']} | {info['lever_sets']} | {info['replications_run']} "
        f"| {info['replications_loaded']} | {seconds:.0f} |"
    )


def main() -> None:
    """Run the benchmarks with the command-line options and print the machine they ran on."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--verify-reps", type=int, default=100)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument(
        "--only", choices=("cover", "staffing", "portfolio"), help="run one benchmark only"
    )
    parser.add_argument("--portfolio-reps", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--w-district", action="store_true", help="also the W district run")
    parser.add_argument("--w-reps", type=int, default=5)
    parser.add_argument("--w-out", help="store of the W district run (resumes)")
    parser.add_argument("--w-without", action="append", default=[], metavar="PATTERN")
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, {platform.machine()}, {platform.processor()}")
    if args.only in (None, "cover"):
        bench_cover(args.time_limit)
    if args.only in (None, "staffing"):
        bench_staffing(args.reps, args.verify_reps)
    if args.only in (None, "portfolio"):
        bench_portfolio_growth(args.portfolio_reps, args.workers)
        if args.w_district:
            bench_portfolio_w(args.w_reps, args.workers, args.w_out, args.w_without)


if __name__ == "__main__":
    main()
