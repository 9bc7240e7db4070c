"""`wsim optimize portfolio`: which levers to choose under a budget, verified by simulation.

``wsim optimize portfolio BASELINE LEVERS --budget 3e6 --frontier 0,1e6,2e6 --reps 10 --out
DIR`` estimates every lever's effect by simulation (common random numbers), solves the
portfolio MILP, verifies its choice by simulation at each budget, and writes the files of
:data:`wsim.optimize.levers.result.FILES` to DIR. DIR also stores every simulated lever set:
the same command again resumes.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from wsim.cli.common import EXIT_BAD_INPUT, positive_int


def add_portfolio(tasks: argparse._SubParsersAction) -> None:
    """Add the `portfolio` subcommand to `wsim optimize`."""
    parser = tasks.add_parser(
        "portfolio",
        help="choose the reform levers under a budget (Pyomo + HiGHS), verified by simulation",
        description="Estimate each lever's effect by simulation with common random numbers "
        "(every lever with what it requires against the baseline, paired; interactions of "
        "screened pairs that share a resource), choose the lever set with the best yearly "
        "objective (lever costs, annualised one-off costs, staff cost change, value of "
        "citizens' time) under the budgets, targets and rules (a MILP solved by HiGHS), "
        "simulate the choice with the baseline's seeds and correct the surrogate until its "
        "prediction holds. With --frontier, do the same at each one-off budget of the sweep "
        "and mark the efficient frontier. With --out, write portfolio.yaml (an overlay that "
        "wsim compare accepts), effects.csv, frontier.csv, frontier.png, "
        "predicted_vs_simulated.csv, solver.json and more there; the folder also keeps every "
        "simulated lever set, so the same command resumes.",
        epilog="An infeasible request (a target no allowed lever set reaches within the budget) "
        "ends with exit status 2 and a message naming the binding constraint and the cheapest "
        "set that meets the targets. Money is in the levers file's currency.",
    )
    parser.add_argument("baseline", metavar="BASELINE", help="the baseline scenario file")
    parser.add_argument("levers", metavar="LEVERS", help="the levers file (it names BASELINE)")
    parser.add_argument(
        "--budget",
        type=_money,
        metavar="AMOUNT",
        help="one-off budget (default: the levers file's; inf: no limit)",
    )
    parser.add_argument(
        "--yearly-budget",
        type=_money,
        metavar="AMOUNT",
        help="yearly budget: yearly lever costs plus the staff cost change a year (default: "
        "the levers file's; inf: no limit)",
    )
    parser.add_argument(
        "--frontier",
        type=_amounts,
        metavar="A,B,...",
        default=(),
        help="one-off budgets of a sweep, e.g. 0,1e6,2e6 (each verified by simulation)",
    )
    parser.add_argument(
        "--reps", type=positive_int, default=10, help="replications per lever set (default 10)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=1,
        help="worker processes (default 1); results do not depend on it",
    )
    parser.add_argument(
        "--executor",
        choices=("serial", "processes", "dask"),
        help="where replications run (default: processes with --workers > 1, else serial)",
    )
    parser.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler")
    parser.add_argument("--out", metavar="DIR", help="folder for the files and the resume store")
    parser.add_argument(
        "--fresh", action="store_true", help="discard the lever sets stored in --out first"
    )
    parser.add_argument(
        "--against",
        nargs="+",
        default=(),
        metavar="FILE",
        help="other options (e.g. reform overlays) to compare each budget's portfolio with",
    )
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="PATTERN",
        help="leave out levers (a name or a glob pattern such as 'sharing:*'; repeatable)",
    )
    parser.add_argument(
        "--pairs",
        type=_non_negative,
        default=1.0,
        metavar="F",
        help="interaction pairs simulated per lever after screening (default 1)",
    )
    parser.add_argument(
        "--no-formulas",
        action="store_true",
        help="simulate extra clerks too, even where queueing formulas match the baseline",
    )
    parser.add_argument(
        "--max-iterations",
        type=positive_int,
        default=6,
        help="rounds of the verification loop per budget (default 6)",
    )
    parser.add_argument(
        "--time-limit", type=_positive, metavar="SEC", help="seconds for each MILP solve"
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="also simulate the recommended portfolio with the baseline and the --against "
        "options and write the decision report (DIR/report/report.html; needs --out)",
    )
    parser.add_argument("--lang", choices=("en", "zh"), default="en", help="report language")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or step lines")
    parser.set_defaults(handler=_portfolio)


def _money(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an amount such as 3e6, got {text!r}") from None
    if math.isnan(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be an amount >= 0 (or inf), got {text}")
    return value


def _amounts(text: str) -> tuple[float, ...]:
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        raise argparse.ArgumentTypeError("give one-off budgets separated by commas, e.g. 0,1e6")
    return tuple(_money(part) for part in parts)


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a number >= 0, got {text}")
    return value


def _positive(text: str) -> float:
    value = _non_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


def _portfolio(args: argparse.Namespace) -> int:
    from wsim.optimize import load_levers, portfolio
    from wsim.optimize.levers import PortfolioError, PortfolioInfeasible

    if args.report and not args.out:
        print("wsim optimize portfolio: --report needs --out DIR", file=sys.stderr)
        return EXIT_BAD_INPUT
    levers = load_levers(args.levers)
    problem = _baseline_problem(args.baseline, levers)
    if problem:
        print(f"wsim optimize portfolio: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    started = time.perf_counter()

    def log(line: str) -> None:
        if not args.quiet:
            print(f"[{time.perf_counter() - started:7.1f} s] {line}", file=sys.stderr, flush=True)

    executor = args.executor or ("dask" if args.scheduler else None)
    try:
        result = portfolio(
            levers,
            args.budget,
            args.yearly_budget,
            frontier=args.frontier,
            replications=args.reps,
            seed=args.seed,
            executor=executor,
            workers=args.workers,
            address=args.scheduler,
            out=args.out,
            fresh=args.fresh,
            against=list(args.against),
            without=args.without,
            pair_factor=args.pairs,
            formulas=not args.no_formulas,
            max_iterations=args.max_iterations,
            time_limit=args.time_limit,
            progress=False if args.quiet else None,
            log=log,
        )
    except PortfolioInfeasible as error:
        print(f"{args.levers}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except PortfolioError as error:
        print(f"wsim optimize portfolio: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(result.describe())
    if args.out:
        for path in result.save(args.out):
            print(f"wrote {path}")
    if args.report:
        from wsim.report import write_portfolio_report

        log("decision report: the baseline, the portfolio and the other options")
        path = write_portfolio_report(
            result,
            args.out,
            list(args.against),
            lang=args.lang,
            workers=args.workers,
            progress=False if args.quiet else None,
        )
        print(f"wrote {path}")
    return 0


def _baseline_problem(baseline: str, levers) -> str | None:
    """Why BASELINE is not the levers file's baseline, or ``None``."""
    from wsim.scenario import load_scenario

    given = Path(baseline)
    if not given.is_file():
        return f"baseline scenario file not found: {baseline}"
    if given.resolve() == levers.baseline_file.resolve():
        return None
    if load_scenario(given).digest() == levers.baseline.digest():
        return None
    return (
        f"{levers.file} is written for the baseline {levers.baseline_file}, not {baseline}: "
        "give that file, or a levers file whose baseline is this one"
    )
