"""`wsim validate` and `wsim run`: check scenario files and simulate them."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from wsim.cli.common import EXIT_BAD_INPUT, add_max_tickets, positive_int, seed
from wsim.errors import printable
from wsim.metrics.catalog import KPI_DESCRIPTIONS

if TYPE_CHECKING:
    import pandas as pd


def register(commands: argparse._SubParsersAction) -> None:
    """Add the `validate` and `run` subcommands."""
    validate = commands.add_parser(
        "validate",
        help="check scenario files",
        description="Check scenario files (overlays included). Prints `ok` per valid file; "
        "for an invalid one prints what is wrong, and where, on stderr and exits with 2.",
    )
    validate.add_argument("files", nargs="+", metavar="FILE", help="scenario YAML files")
    add_max_tickets(validate)
    validate.set_defaults(handler=_validate)

    run = commands.add_parser(
        "run",
        help="simulate a scenario and summarise its KPIs",
        description="Simulate a scenario's replications, print the KPI summary (mean, 95%% "
        "t-interval) and, with --out, write kpis.csv, summary.csv, windows.csv, "
        "visits.csv.gz and cases.csv.gz there. With --out every finished replication is kept "
        "at once in DIR/replications, so running the same command again after an "
        "interruption only runs what is missing. KPI times are minutes.",
        epilog="KPIs: " + "; ".join(f"{k}: {v}" for k, v in KPI_DESCRIPTIONS.items()),
    )
    run.add_argument("file", metavar="FILE", help="scenario YAML file")
    run.add_argument("--reps", type=positive_int, default=10, help="replications (default 10)")
    run.add_argument("--seed", type=seed, default=0, help="random seed (default 0)")
    run.add_argument(
        "--workers",
        type=positive_int,
        default=1,
        help="worker processes (default 1); results do not depend on it",
    )
    run.add_argument("--out", metavar="DIR", help="folder for the result tables")
    add_max_tickets(run)
    run.add_argument("--quiet", action="store_true", help="no progress on stderr")
    run.set_defaults(handler=_run)


def _validate(args: argparse.Namespace) -> int:
    """Check each file: its fields, references and the size of a run of it."""
    from wsim.scenario import RunLimits, ScenarioError, check_run_size, load_scenario
    from wsim.scenario.limits import default_limits

    limits: RunLimits = default_limits().with_max_tickets(args.max_tickets)
    status = 0
    for file in args.files:
        try:
            check_run_size(load_scenario(file), limits)
        except ScenarioError as error:
            print(error, file=sys.stderr)
            status = EXIT_BAD_INPUT
        else:
            print(printable(f"{file}: ok"))
    return status


def _run(args: argparse.Namespace) -> int:
    from wsim.experiment import StoreMismatch, simulate
    from wsim.scenario import load_scenario

    scenario = load_scenario(args.file)
    started = time.perf_counter()
    try:
        results = simulate(
            scenario,
            args.reps,
            args.seed,
            workers=args.workers,
            out=args.out,
            max_tickets=args.max_tickets,
            progress=not args.quiet,
        )
    except StoreMismatch as error:
        print(printable(f"wsim run: {error}"), file=sys.stderr)
        return EXIT_BAD_INPUT
    elapsed = time.perf_counter() - started
    name = printable(scenario.name)
    print(f"{name}: {args.reps} replications, seed {args.seed}, {elapsed:.1f} s")
    print(format_summary(results.summary()))
    if args.out:
        for path in results.save(args.out):
            print(printable(f"wrote {path}"))
    return 0


def format_summary(summary: pd.DataFrame) -> str:
    """The summary table as aligned text: mean and 95% interval per KPI."""
    table = summary[["mean", "ci_low", "ci_high", "n"]].copy()
    table["n"] = table["n"].astype(int)
    return table.to_string(float_format=lambda x: f"{x:,.3f}")
