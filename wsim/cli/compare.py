"""`wsim compare`, `wsim grid` and `wsim demo`: reform options side by side, and the report.

`wsim compare BASE OPTION... --reps R --seed S --out DIR` runs every scenario with the same
seeds, prints the decision summary and the headline table and writes the comparison and
decision tables and `report.html` to DIR (`--lang zh` in Chinese; `--budget`,
`--yearly-budget` override the baseline's `decision.budget`).
Finished replications are stored in DIR, so running the same command again resumes.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wsim.cli.common import EXIT_BAD_INPUT, positive_int
from wsim.texts import LANGUAGES

if TYPE_CHECKING:
    from wsim.comparison import Comparison

#: Replications `wsim demo` runs in all, shared out over the options: a W district
#: replication takes about 4 s, so this keeps the demo to about 3 minutes on 2 cores.
DEMO_RUNS = 72
#: Fewest and most replications per option of `wsim demo`.
DEMO_REPLICATIONS = (5, 30)
#: Worker processes of `wsim demo`.
DEMO_WORKERS = 2


def register(commands: argparse._SubParsersAction) -> None:
    """Add the `compare`, `grid` and `demo` subcommands."""
    compare = commands.add_parser(
        "compare",
        help="compare reform options with a baseline and write the report",
        description="Run the baseline and every option with the same seeds (common random "
        "numbers), print the decision (the recommended option within the budget, its cost "
        "per year, what citizens gain, the runner-up and why it lost) and the headline KPIs "
        "with their paired 95% intervals, and with --out write summary.csv, kpis.csv, "
        "costs.csv, changes.csv, ranking.csv, decision.csv, frontier.csv, frontier_all.csv, "
        "acceptability.csv, verdicts.csv and report.html there. Finished replications are "
        "kept in the folder: the same command again resumes where it stopped.",
    )
    compare.add_argument("baseline", metavar="BASE", help="the baseline scenario file")
    compare.add_argument("options", nargs="*", metavar="OPTION", help="reform option files")
    _run_arguments(compare, reps=10)
    compare.add_argument(
        "--rank-by", metavar="KPI", help="KPI of ranking.csv (default: hall_wait_mean)"
    )
    _decision_arguments(compare)
    compare.add_argument(
        "--no-report", action="store_true", help="write the tables but not report.html"
    )
    compare.set_defaults(handler=_compare)

    grid = commands.add_parser(
        "grid",
        help="vary one or two scenario parameters over values (what-if curves)",
        description="Run the base scenario at every combination of parameter values, each "
        "compared with the base (common random numbers); print the headline KPIs per point "
        "and with --out write grid.csv, kpis.csv and one plot per headline KPI.",
        epilog="Example: wsim grid hall.yaml --vary 'windows[comprehensive].count=2..8' "
        "--vary 'demand[0].per_day=40,60,80'. Paths are as in the scenario file: list items "
        "by name or index, quoted mapping keys (schedule['12:00']).",
    )
    grid.add_argument("base", metavar="BASE", help="the base scenario file")
    grid.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="PATH=VALUES",
        help="a field and its values: comma-separated (YAML values) or a range A..B",
    )
    _run_arguments(grid, reps=10)
    grid.set_defaults(handler=_grid)

    demo = commands.add_parser(
        "demo",
        help="the built-in study: the W district baseline against its reform options",
        description="Compare scenarios/w_district/baseline.yaml with every "
        "scenarios/w_district/reforms/*.yaml, print the decision summary, write the report "
        "and print where it is.",
    )
    demo.add_argument(
        "--scenarios",
        metavar="DIR",
        help="folder with baseline.yaml and reforms/*.yaml (default: the W district's)",
    )
    demo.add_argument("--out", metavar="DIR", default="runs/demo", help="default runs/demo")
    demo.add_argument(
        "--reps",
        type=positive_int,
        help=f"replications per option (default: {DEMO_RUNS} in all shared out over the "
        f"options, {DEMO_REPLICATIONS[0]} to {DEMO_REPLICATIONS[1]} each)",
    )
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument(
        "--workers",
        type=positive_int,
        default=DEMO_WORKERS,
        help=f"worker processes (default {DEMO_WORKERS})",
    )
    demo.add_argument(
        "--fresh",
        action="store_true",
        help="discard stored replications first (done anyway when the scenarios changed)",
    )
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    _decision_arguments(demo)
    demo.set_defaults(handler=_demo)


def _decision_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the decision: language, and a budget overriding the scenario's."""
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default="en",
        help="language of the report and the decision summary (default en; zh: Chinese)",
    )
    parser.add_argument(
        "--budget",
        type=_amount,
        metavar="AMOUNT",
        help="one-off budget (currency of the costs); default: the baseline's decision.budget",
    )
    parser.add_argument(
        "--yearly-budget",
        type=_amount,
        metavar="AMOUNT",
        help="yearly budget; default: the baseline's decision.budget",
    )


def _amount(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an amount such as 3e6, got {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be an amount of at least 0, got {text}")
    return value


def _run_arguments(parser: argparse.ArgumentParser, reps: int) -> None:
    """The options shared by `compare` and `grid`: replications, seed, where to run, output."""
    parser.add_argument(
        "--reps",
        type=positive_int,
        default=reps,
        help=f"replications per option (default {reps}; with --precision: the first batch)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--out", metavar="DIR", help="folder for the tables, report and resume")
    parser.add_argument(
        "--executor",
        choices=("serial", "processes", "dask"),
        help="where replications run (default: serial, or processes with --workers > 1, "
        "or dask with --scheduler); results do not depend on it",
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=1,
        help="worker processes, or local Dask workers (default 1)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies --executor dask)",
    )
    parser.add_argument(
        "--precision",
        type=_fraction,
        metavar="FRACTION",
        help="add replications until the 95%% interval half-widths are within this fraction "
        "of the means (e.g. 0.05)",
    )
    parser.add_argument(
        "--precision-kpi",
        action="append",
        metavar="KPI",
        help="KPI the precision applies to (repeatable; default: the headline KPIs)",
    )
    parser.add_argument(
        "--max-reps",
        type=positive_int,
        default=200,
        help="cap of replications per option with --precision (default 200)",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="discard the replications stored in --out first"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number such as 0.05, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (e.g. 0.05), got {text}")
    return value


def _run_options(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments of :func:`wsim.compare` from the shared command-line options."""
    executor = args.executor
    if args.scheduler:
        if executor not in (None, "dask"):
            raise _BadOption(f"--scheduler needs --executor dask, not {executor}")
        executor = "dask"
    if executor is None:
        executor = "processes" if args.workers > 1 else "serial"
    return {
        "replications": args.reps,
        "seed": args.seed,
        "executor": executor,
        "workers": args.workers,
        "address": args.scheduler,
        "out": args.out,
        "fresh": args.fresh,
        "precision": args.precision,
        "precision_kpis": args.precision_kpi,
        "max_replications": max(args.max_reps, args.reps),
        "progress": False if args.quiet else None,
    }


class _BadOption(ValueError):
    """A combination of command-line options that does not work."""


def _handled(run):
    """Run a handler; bad input from the comparison machinery becomes one message, exit 2."""

    def handler(args: argparse.Namespace) -> int:
        from wsim.comparison import CompareError
        from wsim.experiment import ExecutorError, StoreMismatch

        try:
            return run(args)
        except (CompareError, ExecutorError, StoreMismatch, _BadOption) as error:
            print(f"wsim {args.command}: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT

    return handler


@_handled
def _compare(args: argparse.Namespace) -> int:
    from wsim.comparison import compare

    options = [args.baseline, *args.options]
    comparison = compare(options, rank_by=args.rank_by, **_run_options(args))
    comparison.info["command"] = _command_line(args)
    _finish(comparison, args, report=not args.no_report)
    return 0


@_handled
def _demo(args: argparse.Namespace) -> int:
    from wsim.comparison import compare
    from wsim.experiment import StoreMismatch

    folder = Path(args.scenarios) if args.scenarios else default_demo_folder()
    baseline = folder / "baseline.yaml"
    reforms = sorted((folder / "reforms").glob("*.yaml"))
    if not baseline.is_file() or not reforms:
        print(
            f"wsim demo: no study found in {folder}: it needs baseline.yaml and "
            "reforms/*.yaml (give another folder with --scenarios DIR)",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    reps = args.reps or demo_replications(1 + len(reforms))
    print(
        f"wsim demo: {baseline} against {len(reforms)} reform options, {reps} "
        f"replications each on {args.workers} worker(s)"
    )
    run = {
        "replications": reps,
        "seed": args.seed,
        "executor": "processes" if args.workers > 1 else "serial",
        "workers": args.workers,
        "out": args.out,
        "progress": False if args.quiet else None,
    }
    try:
        comparison = compare([baseline, *reforms], fresh=args.fresh, **run)
    except StoreMismatch as mismatch:
        # the demo's folder is wsim's own: results of older scenarios are replaced, not mixed
        print(f"wsim demo: {mismatch}; starting over", file=sys.stderr)
        comparison = compare([baseline, *reforms], fresh=True, **run)
    comparison.info["command"] = (
        f"wsim demo --scenarios {shlex.quote(str(folder))} "
        + (f"--reps {reps} --seed {args.seed} --out {shlex.quote(args.out)}")
        + _decision_words(args)
    )
    _finish(comparison, args, brief=True)
    return 0


def demo_replications(options: int) -> int:
    """Replications per option of the demo: DEMO_RUNS shared out, within DEMO_REPLICATIONS."""
    low, high = DEMO_REPLICATIONS
    return max(low, min(high, DEMO_RUNS // options))


def default_demo_folder() -> Path:
    """The W district scenarios of the repository wsim runs from (an editable install)."""
    import wsim

    return Path(wsim.__file__).resolve().parents[1] / "scenarios" / "w_district"


def _finish(
    comparison: Comparison, args: argparse.Namespace, report: bool = True, brief: bool = False
) -> None:
    """Print the decision (and, unless `brief`, the headline table); write tables and report.

    The tables and the report go to ``args.out`` when given.
    """
    from wsim.texts import text

    info = comparison.info
    print(
        text(
            "cli.run",
            args.lang,
            options=len(comparison.options),
            reps=comparison.replications,
            seed=comparison.seed,
            executor=info["executor"],
            seconds=f"{info['run_time_s']:.1f}",
        )
    )
    precision = info.get("precision")
    if precision and not precision["reached"]:
        print(
            f"note: the precision target {precision['precision']:.1%} was not reached within "
            f"{precision['max_replications']} replications"
        )
    from wsim.cli.tables import format_decision, format_headline

    decision = comparison.decision(decision=_budget_overrides(args))
    print(format_decision(decision, args.lang))
    if not brief:
        print()
        print(format_headline(comparison, args.lang))
    if args.out is None:
        print("(give --out DIR to write the tables and report.html)")
        return
    for path in [*comparison.save(args.out), *decision.save(args.out)]:
        print(f"wrote {path}")
    if report:
        from wsim.report import write_report

        path = write_report(
            comparison, Path(args.out) / "report.html", lang=args.lang, decision=decision
        )
        print(text("cli.report", args.lang, path=path.resolve()))


def _budget_overrides(args: argparse.Namespace) -> dict[str, Any] | None:
    """The command line's budget as a ``decision`` block (``None`` without one)."""
    budget = {"one_off": args.budget, "yearly": args.yearly_budget}
    budget = {key: value for key, value in budget.items() if value is not None}
    return {"budget": budget} if budget else None


def _decision_words(args: argparse.Namespace) -> str:
    """The decision options of the command line, as typed (for the reproducibility block)."""
    words = []
    if args.lang != "en":
        words += ["--lang", args.lang]
    if args.budget is not None:
        words += ["--budget", f"{args.budget:g}"]
    if args.yearly_budget is not None:
        words += ["--yearly-budget", f"{args.yearly_budget:g}"]
    return "".join(f" {word}" for word in words)


@_handled
def _grid(args: argparse.Namespace) -> int:
    from wsim.comparison import grid
    from wsim.figures import png_bytes
    from wsim.files import write_bytes_atomic
    from wsim.report import format_number

    vary = dict(parse_vary(text) for text in args.vary)
    result = grid(args.base, vary, **_run_options(args))
    comparison = result.comparison
    kpis = comparison.headline_kpis or comparison.kpi_names
    table = result.table(kpis)
    shown = table.pivot_table(index=result.parameters, columns="kpi", values="mean", sort=False)
    print(
        f"{len(result.points)} grid points + base, {comparison.replications} replications each, "
        f"seed {comparison.seed}, {comparison.info['run_time_s']:.1f} s"
    )
    print(shown[kpis].to_string(float_format=format_number))
    if args.out is None:
        print("(give --out DIR to write grid.csv and the plots)")
        return 0
    out = Path(args.out)
    for path in result.save(out):
        print(f"wrote {path}")
    for kpi in kpis:
        path = write_bytes_atomic(out / f"grid_{kpi}.png", png_bytes(result.plot_curves(kpi)))
        print(f"wrote {path}")
    return 0


def parse_vary(text: str) -> tuple[str, list[Any]]:
    """``PATH=2..8`` or ``PATH=a,b,c`` (each a YAML value) -> (path, values)."""
    import re

    import yaml

    from wsim.comparison import GridError

    path, equals, values = text.partition("=")
    if not equals or not path.strip() or not values.strip():
        raise GridError(f"--vary {text!r}: expected PATH=VALUES, e.g. windows[w].count=2..8")
    span = re.fullmatch(r"\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*", values)
    if span:
        low, high = int(span.group(1)), int(span.group(2))
        if high < low:
            raise GridError(f"--vary {text!r}: the range {low}..{high} is empty")
        return path.strip(), list(range(low, high + 1))
    try:
        parsed = [yaml.safe_load(item) for item in values.split(",")]
    except yaml.YAMLError as error:
        raise GridError(f"--vary {text!r}: cannot read the values ({error})") from None
    return path.strip(), parsed


def _command_line(args: argparse.Namespace) -> str:
    """The command as a user would type it again (for the report's reproducibility block)."""
    words = ["wsim", "compare", args.baseline, *args.options]
    words += ["--reps", str(args.reps), "--seed", str(args.seed)]
    if args.rank_by:
        words += ["--rank-by", args.rank_by]
    words += _decision_words(args).split()
    if args.precision:
        words += ["--precision", str(args.precision), "--max-reps", str(args.max_reps)]
        for kpi in args.precision_kpi or []:
            words += ["--precision-kpi", kpi]
    if args.out:
        words += ["--out", args.out]
    return " ".join(shlex.quote(str(word)) for word in words)
