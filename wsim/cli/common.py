"""What the `wsim` subcommands share: exit statuses and argument types."""

from __future__ import annotations

import argparse

#: Exit status for bad input (a scenario error, a missing file, a bad option value).
EXIT_BAD_INPUT = 2
#: Exit status after Ctrl-C, as a shell reports a SIGINT.
EXIT_INTERRUPTED = 130


def positive_int(text: str) -> int:
    """Argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def seed(text: str) -> int:
    """Argparse type: a random seed, a whole number from 0 to 2**63 - 1 (numpy seeds)."""
    from wsim.scenario.limits import LimitError, check_seed

    try:
        return check_seed(int(text))
    except (ValueError, LimitError):
        raise argparse.ArgumentTypeError(
            f"must be a whole number from 0 to 2**63 - 1, got {text[:40]!r}"
        ) from None


def max_tickets(text: str) -> float:
    """Argparse type: the run-size limit of hall tickets per replication (a number > 0)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a number such as 5e6, got {text[:40]!r}"
        ) from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text[:40]}")
    return value


def add_max_tickets(parser: argparse.ArgumentParser) -> None:
    """The ``--max-tickets`` option: allow a run larger than the default run-size limit."""
    parser.add_argument(
        "--max-tickets",
        type=max_tickets,
        metavar="N",
        help="expected hall tickets (and back-office work items) one replication may have "
        "before wsim refuses to start it (default 1e6, or $WSIM_MAX_TICKETS); a replication "
        "that grows past 3 times this stops",
    )
