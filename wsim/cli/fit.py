"""`wsim fit` and `wsim validate-log`: a scenario from a queue log, and checking it against one."""

from __future__ import annotations

import argparse
import sys

from wsim.cli.common import EXIT_BAD_INPUT, positive_int, seed
from wsim.errors import printable

_LAYOUT_HELP = (
    "Column mapping FIELD=COLUMN,... with fields arrival (required; a|b takes the first "
    "column with a value), start (called), end (service finished), left (time an abandoning "
    "citizen left), abandoned (flag or outcome column), service, server, date (when times are "
    "clock times), priority, id."
)


def _minutes_above_zero(text: str) -> float:
    """Argparse type: a finite number of minutes > 0 (``nan``, ``inf`` and ``-1`` are refused)."""
    import math

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a number of minutes > 0, got {text[:40]!r}")
    return value


def _with_file(error: Exception, log: str | None) -> str:
    """The message of a log error, naming the log file when the message does not."""
    text = str(error)
    return text if log is None or str(log) in text else f"{log}: {text}"


def _add_log_options(parser: argparse.ArgumentParser) -> None:
    """Options that say which log to read and how (shared by both commands)."""
    from wsim.datasets import DATASETS

    parser.add_argument(
        "log",
        metavar="LOG",
        nargs="?",
        help="queue log (CSV, one row per ticket; may be .gz, .bz2 or .xz), or --dataset",
    )
    parser.add_argument(
        "--dataset",
        metavar="NAME",
        help="instead of LOG, a data set shipped with wsim, read with its preset: "
        + "; ".join(f"{d.name}: {d.title}" for d in DATASETS.values()),
    )
    parser.add_argument("--preset", help="a known log layout: anonymous-bank")
    parser.add_argument("--columns", metavar="MAPPING", help=_LAYOUT_HELP)
    for flag, dest, text in (
        ("--missing", "missing", "a cell value meaning 'did not happen' (repeatable)"),
        (
            "--abandoned-value",
            "abandoned_values",
            "a value of the abandoned column meaning abandoned (repeatable)",
        ),
        (
            "--ignore-value",
            "ignore_values",
            "a value of the abandoned column marking rows to ignore (repeatable)",
        ),
        ("--no-server", "no_server", "a value of the server column meaning none (repeatable)"),
    ):
        parser.add_argument(flag, dest=dest, action="append", metavar="VALUE", help=text)
    parser.add_argument(
        "--days",
        help="weekdays to use, e.g. sun,mon,tue,wed,thu (default: every weekday of the log "
        "for fit, the scenario's weekdays for validate-log)",
    )
    parser.add_argument(
        "--day-types",
        metavar="GROUPS",
        help="day types NAME=WEEKDAYS;... e.g. default=sun,mon,tue,wed,thu;friday=fri (first "
        "is the default; default: grouped by volume and opening hours)",
    )


def _run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reps", type=positive_int, default=20, help="replications (default 20)")
    parser.add_argument("--seed", type=seed, default=0, help="random seed (default 0)")
    parser.add_argument("--workers", type=positive_int, default=1, help="worker processes")
    parser.add_argument(
        "--target-wait",
        metavar="DURATION",
        help="target wait for the service level, e.g. 60s, 15min",
    )


def register(commands: argparse._SubParsersAction) -> None:
    """Add the `fit` and `validate-log` subcommands."""
    fit = commands.add_parser(
        "fit",
        help="fit a scenario to a queue log",
        description="Fit a scenario (arrival profiles, window times, patience, windows per "
        "slot) to a queue log and write it as YAML; with --report also simulate it against the "
        "log and write a fit report (HTML, plots, CSV tables).",
    )
    _add_log_options(fit)
    fit.add_argument("--out", required=True, metavar="FILE", help="scenario YAML to write")
    fit.add_argument("--report", metavar="DIR", help="folder for the fit report")
    fit.add_argument("--no-validate", action="store_true", help="report without simulating")
    fit.add_argument(
        "--holdout",
        metavar="SPLIT",
        help="with --report: also fit on some dates and validate on the others (day, week or "
        "dates to hold out) and report the split and its errors",
    )
    fit.add_argument("--hours", help="opening window HH:MM-HH:MM (default: found in the log)")
    fit.add_argument(
        "--slot", type=_minutes_above_zero, default=30.0, help="slot length, minutes (30)"
    )
    fit.add_argument(
        "--break-gap",
        type=_minutes_above_zero,
        default=None,
        help="a server's gap between services longer "
        "than this many minutes ends a shift (default 15)",
    )
    fit.add_argument(
        "--servers",
        choices=("ready", "ready-early", "available", "present"),
        default="ready",
        help="window estimator (default ready: busy, or idle and ready; in each gap between "
        "two services away until the last moment a ticket waited; no threshold)",
    )
    fit.add_argument(
        "--speed-bands",
        metavar="TIMES",
        default="auto",
        help="auto (default: chosen from the data), none, or clock times where a new band of "
        "the day starts, e.g. 10:00,13:00,17:00: each band gets a window group at its speed",
    )
    fit.add_argument(
        "--no-capacity-scale",
        action="store_true",
        help="use the ready servers as they are (default: scaled per day type so that the "
        "simulated windows serve as many tickets as the log)",
    )
    fit.add_argument(
        "--no-day-speeds",
        action="store_true",
        help="every day type at the speed bands' speeds (default: a day type gets its own "
        "speed factor where the AIC keeps it)",
    )
    fit.add_argument("--name", help="scenario name")
    _run_options(fit)
    fit.set_defaults(handler=_fit)

    check = commands.add_parser(
        "validate-log",
        help="simulate a scenario and compare it with a queue log",
        description="Simulate SCENARIO and compare it with LOG by hour of day and overall: "
        "arrivals, mean wait, share served within the target, abandonment, with 95% intervals.",
    )
    check.add_argument(
        "scenario",
        metavar="SCENARIO",
        nargs="?",
        help="scenario YAML (not with --holdout, which fits its own)",
    )
    _add_log_options(check)
    check.add_argument(
        "--holdout",
        metavar="SPLIT",
        help="fit on some dates and validate on the others: day (leave one date out), week "
        "(leave one week out) or dates to hold out (1999-08-03,1999-08-04)",
    )
    check.add_argument(
        "--known-volume",
        action="store_true",
        help="with --holdout: simulate each held-out date with its logged number of tickets "
        "(a diagnostic: the model's error given the day's volume)",
    )
    check.add_argument("--out", metavar="DIR", help="folder for the tables and the plot")
    _run_options(check)
    check.set_defaults(handler=_validate_log)


def _log(args: argparse.Namespace) -> tuple[str, str | None]:
    """The log file to read and the preset that reads it (a data set brings its own)."""
    from wsim.calibrate.layout import LogError
    from wsim.datasets import DatasetError, dataset

    if args.dataset is None:
        if args.log is None:
            raise LogError("give a LOG file or --dataset NAME")
        return args.log, args.preset
    if args.log is not None:
        both = f"{args.log!r}, {args.dataset!r}"
        raise LogError(f"give a LOG file or --dataset NAME, not both ({both})")
    try:
        shipped = dataset(args.dataset)
        return str(shipped.path), args.preset or shipped.preset
    except DatasetError as error:
        raise LogError(str(error)) from None


def _layout(args: argparse.Namespace, preset: str | None):
    from wsim.calibrate.layout import make_layout, parse_columns

    mapping: dict = parse_columns(args.columns) if args.columns else {}
    for field in ("missing", "abandoned_values", "ignore_values", "no_server"):
        if getattr(args, field):
            mapping[field] = getattr(args, field)
    return make_layout(mapping, preset)


def _minutes(text: str | None, what: str) -> float | None:
    from wsim.calibrate.layout import LogError
    from wsim.scenario.units import parse_duration

    if text is None:
        return None
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise LogError(f"{what}: {exc}") from None


def _hours(text: str | None) -> tuple[float, float] | None:
    from wsim.calibrate.layout import LogError
    from wsim.scenario.units import parse_clock

    if text is None:
        return None
    try:
        lo, hi = text.split("-")
        return parse_clock(lo.strip()), parse_clock(hi.strip())
    except ValueError as exc:
        raise LogError(f"--hours: expected HH:MM-HH:MM, e.g. 07:00-24:00 ({exc})") from None


def _speed_bands(text: str) -> str | list[str]:
    if text == "auto":
        return "auto"
    return [] if text == "none" else text.split(",")


def _fit_options(args: argparse.Namespace) -> dict:
    """The options of a fit given on the command line (shared with validate-log --holdout)."""
    from wsim.calibrate.servers import BREAK_GAP

    options = {
        "days": args.days,
        "day_types": args.day_types,
        "target_wait": _minutes(args.target_wait, "--target-wait"),
    }
    if hasattr(args, "slot"):
        options |= {
            "hours": _hours(args.hours),
            "slot": args.slot,
            "break_gap": BREAK_GAP if args.break_gap is None else args.break_gap,
            "servers": args.servers,
            "speed_bands": _speed_bands(args.speed_bands),
            "scale_capacity": not args.no_capacity_scale,
            "day_speeds": not args.no_day_speeds,
        }
    return options


def _fit(args: argparse.Namespace) -> int:
    from wsim.calibrate import LogError, fit, validate_against_log

    log = args.log
    try:
        log, preset = _log(args)
        result = fit(
            log,
            _layout(args, preset),
            seed=args.seed,
            workers=args.workers,
            name=args.name,
            **_fit_options(args),
        )
        print(result.text())
        print(f"wrote {result.to_yaml(args.out)}")
        if args.report:
            validation = None
            if not args.no_validate:
                validation = validate_against_log(
                    result.mapping,
                    result.log,
                    dates=result.dates,
                    day_type_of_weekday=result.day_type_of,
                    replications=args.reps,
                    seed=args.seed,
                    workers=args.workers,
                    label="fitted",
                )
                print(validation.text())
            check = None
            if args.holdout is not None:
                from wsim.calibrate.holdout import holdout

                check = holdout(
                    result.log,
                    scheme=args.holdout,
                    replications=args.reps,
                    seed=args.seed,
                    workers=args.workers,
                    **_fit_options(args),
                )
                print(check.text())
            from wsim.report import write_fit_report

            print(f"wrote {write_fit_report(result, args.report, validation, check)}")
    except LogError as error:
        print(printable(f"wsim fit: {_with_file(error, log)}"), file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


def _validate_log(args: argparse.Namespace) -> int:
    from pathlib import Path

    from wsim.calibrate import LogError, validate_against_log
    from wsim.calibrate.holdout import holdout
    from wsim.figures import png_bytes
    from wsim.files import write_bytes_atomic
    from wsim.scenario import ScenarioError

    if args.holdout is not None and args.log is None and args.dataset is None:
        args.log, args.scenario = args.scenario, None  # one positional with --holdout: the LOG
    log = args.log
    try:
        log, preset = _log(args)
        if args.holdout is not None:
            if args.scenario is not None:
                raise LogError("--holdout fits its own scenarios: give no SCENARIO with it")
            options = _fit_options(args)
            validation = holdout(
                log,
                _layout(args, preset),
                scheme=args.holdout,
                known_volume=args.known_volume,
                replications=args.reps,
                seed=args.seed,
                workers=args.workers,
                **options,
            )
        else:
            if args.scenario is None:
                raise LogError("give a SCENARIO to validate, or --holdout SPLIT")
            validation = validate_against_log(
                args.scenario,
                log,
                _layout(args, preset),
                days=args.days,
                replications=args.reps,
                seed=args.seed,
                workers=args.workers,
                target_wait=_minutes(args.target_wait, "--target-wait"),
            )
    except (LogError, ScenarioError) as error:
        print(printable(f"wsim validate-log: {_with_file(error, log)}"), file=sys.stderr)
        return EXIT_BAD_INPUT
    print(validation.text())
    if args.out:
        out = Path(args.out)
        for path in validation.save(out):
            print(f"wrote {path}")
        figure = validation.plot_hourly()
        print(f"wrote {write_bytes_atomic(out / 'validation.png', png_bytes(figure, dpi=110))}")
    return 0
