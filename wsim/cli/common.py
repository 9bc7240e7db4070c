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
