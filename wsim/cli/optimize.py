"""`wsim optimize`: shift plans (`staffing`) and reform portfolios (`portfolio`, its own module)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wsim.cli.common import EXIT_BAD_INPUT, positive_int, seed
from wsim.cli.portfolio import add_portfolio

if TYPE_CHECKING:
    from wsim.optimize.shifts.plan import StaffingPlan


def register(commands: argparse._SubParsersAction) -> None:
    """Add the `optimize` command group and its `staffing` subcommand."""
    optimize = commands.add_parser(
        "optimize",
        help="optimize a scenario (staffing plans, reform portfolios)",
        description="Optimization commands. `wsim optimize staffing FILE` plans shifts; "
        "`wsim optimize portfolio BASELINE LEVERS` chooses reform levers under a budget.",
    )
    tasks = optimize.add_subparsers(dest="task", metavar="TASK", required=True)
    staffing = tasks.add_parser(
        "staffing",
        help="plan the cheapest shifts that meet the staffing target, verified by simulation",
        description="Read the scenario's staffing section (slot, groups, shifts, target), set "
        "the windows each group needs per slot (--method sipp or lag: queueing formulas; "
        "simulation: iterated simulation), cover them with shifts at least cost (Pyomo + "
        "HiGHS), and simulate the plan to check every slot against the target. With --out, "
        "writes plan.yaml, overlay.yaml (the plan as a scenario overlay), requirements.csv, "
        "shifts.csv, slot_kpis.csv, history.csv and staffing.png there.",
        epilog="An unreachable target ends with exit status 2 and a message naming the slots "
        "and the limit (max_open, a shift or family maximum) that blocks them.",
    )
    staffing.add_argument("file", metavar="FILE", help="scenario YAML file with a staffing section")
    staffing.add_argument(
        "--method",
        choices=("sipp", "lag", "simulation"),
        default="simulation",
        help="how requirements are set (default simulation)",
    )
    staffing.add_argument(
        "--reps", type=positive_int, default=20, help="replications per simulation (default 20)"
    )
    staffing.add_argument(
        "--verify-reps",
        type=positive_int,
        help="replications of the final verification (default: --reps)",
    )
    staffing.add_argument(
        "--seed",
        type=seed,
        default=0,
        help="seed of the iterations (default 0); the verification uses seed + 1",
    )
    staffing.add_argument(
        "--time-limit",
        type=_positive_seconds,
        metavar="SEC",
        help="seconds for the optimization (shift covering and iterations); the final "
        "verification runs after it",
    )
    staffing.add_argument(
        "--max-iterations",
        type=positive_int,
        default=10,
        help="iterations per loop of the simulation method (default 10)",
    )
    staffing.add_argument(
        "--workers",
        type=positive_int,
        default=1,
        help="worker processes for the simulations (default 1); results do not depend on it",
    )
    staffing.add_argument("--out", metavar="DIR", help="folder for the plan files")
    staffing.set_defaults(handler=_staffing)
    add_portfolio(tasks)


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return value


def _staffing(args: argparse.Namespace) -> int:
    from wsim.figures import png_bytes
    from wsim.files import write_bytes_atomic, write_table_atomic
    from wsim.optimize import CoverError, StaffingError, staffing
    from wsim.scenario import load_scenario

    scenario = load_scenario(args.file)
    out = Path(args.out) if args.out else None
    history: list[dict[str, Any]] = []

    def progress(row: dict[str, Any]) -> None:
        history.append(row)
        print(_progress_line(row), file=sys.stderr, flush=True)
        if out is not None:
            import pandas as pd

            out.mkdir(parents=True, exist_ok=True)
            write_table_atomic(pd.DataFrame(history), out / "history.csv")

    try:
        plan = staffing(
            scenario,
            method=args.method,
            replications=args.reps,
            seed=args.seed,
            workers=args.workers,
            time_limit=args.time_limit,
            max_iterations=args.max_iterations,
            verify_replications=args.verify_reps,
            progress=progress,
        )
    except (StaffingError, CoverError) as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(format_plan(plan))
    if out is not None:
        written = plan.save(out)
        figure = plan.plot_windows()
        written.append(write_bytes_atomic(out / "staffing.png", png_bytes(figure, dpi=110)))
        for path in written:
            print(f"wrote {path}")
    return 0


def _progress_line(row: dict[str, Any]) -> str:
    parts = [f"[{row['seconds']:7.1f} s] {row['phase']:<15} required {row['required']:4d}"]
    if "changed" in row:
        parts.append(f"changed {row['changed']}")
    if "cost" in row:
        parts.append(f"cost {row['cost']:g}, windows {row['scheduled']}")
    if "missed" in row:
        parts.append(f"slots missing the target {row['missed']}")
    return ", ".join(parts)


def format_plan(plan: StaffingPlan) -> str:
    """A short report: the outcome, then per slot the windows and the simulated target metric."""
    from wsim.optimize.shifts.kpis import HALL, METRIC_COLUMNS

    problem = plan.problem
    column = METRIC_COLUMNS[problem.target.metric]
    hall = plan.slot_kpis[plan.slot_kpis["group"] == HALL].set_index("slot")
    lines = [
        f"{problem.scenario.name}: {plan.method} plan, {plan.status}; cost {plan.cost:g} per day "
        f"(LP bound {plan.covering.lp_value:g}); target {problem.target}",
        f"simulated with {plan.replications} replications (seed {plan.seed}): target met in "
        "{} of {} slots with tickets".format(*plan.slots_met())
        + (f"; missed at {', '.join(plan.missed_slots)}" if plan.missed_slots else ""),
        "",
    ]
    names = [group.name for group in problem.groups]
    width = max(12, *(len(name) for name in names)) + 2
    header = f"{'slot':<6}" + "".join(f"{name:>{width}}" for name in names)
    lines.append(header + f"  {column} [95% interval]")
    for t, label in enumerate(problem.labels):
        cells = "".join(
            f"{f'{plan.requirements[g, t]} -> {plan.scheduled[g, t]}':>{width}}"
            for g in range(len(names))
        )
        row = hall.loc[t]
        if row["n"] == 0:
            value = "   no tickets"
        else:
            value = (
                f"{row[column]:7.3f} [{row[f'{column}_ci_low']:.3f}, "
                f"{row[f'{column}_ci_high']:.3f}]" + ("" if row["meets"] else "  MISSED")
            )
        lines.append(f"{label:<6}{cells}  {value}")
    lines.append("(windows: required -> opened by the shifts)")
    shifts = plan.shifts_table()
    if len(shifts):
        lines += ["", "shifts:"]
        lines += [
            f"  {r.shift:<20} {r.group:<20} {r.clerks:3d} x {r.cost_each:g}"
            for r in shifts.itertuples()
        ]
    lines += [f"note: {note}" for note in plan.notes]
    return "\n".join(lines)
