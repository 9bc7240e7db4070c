"""The `wsim` command. Each group of subcommands lives in its own module of this package.

Bad input ends with one message on stderr naming the file and field, and exit status 2; an
interrupted run ends with status 130 and keeps whatever it had already written.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from wsim._version import __version__
from wsim.cli.common import EXIT_BAD_INPUT, EXIT_INTERRUPTED
from wsim.errors import WsimError, printable


def _command_modules() -> list:
    """The modules of this package that add subcommands (those with `register(subparsers)`).

    Each command group lives in its own module, imports its heavy dependencies inside its
    handlers, and is found here without a central list to edit.
    """
    modules = [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
        if info.name != "__main__"  # importing it would run the command
    ]
    return [m for m in modules if hasattr(m, "register")]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wsim",
        description="Simulate government administrative service centers: halls, windows, "
        "queues. Scenarios are YAML files; durations are minutes unless a unit says otherwise.",
        epilog="Run `wsim COMMAND --help` for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"wsim {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _command_modules():
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `wsim` console script; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return args.handler(args)
    except WsimError as error:  # a scenario error, or any other bad input: its message
        print(printable(str(error)), file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:
        where = f": {error.filename}" if error.filename else ""
        print(printable(f"wsim: {error.strerror or error}{where}"), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("wsim: interrupted; files already written are kept", file=sys.stderr)
        return EXIT_INTERRUPTED
