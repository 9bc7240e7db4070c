"""`wsim schema`: the scenario file reference, its JSON Schema and the KPI definitions.

All three are generated from the code (the scenario schema, the KPI catalog), so they say what
wsim accepts and measures; the committed copies are checked by tests/test_reference.py.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(commands: argparse._SubParsersAction) -> None:
    """Add the `schema` subcommand."""
    schema = commands.add_parser(
        "schema",
        help="the scenario file reference (Markdown) or its JSON Schema",
        description="Write every key a scenario file may have, with its type, unit, default, "
        "allowed values, description and an example, as Markdown (--markdown), or the JSON "
        "Schema editors use to complete and check scenario files (--json; VS Code's YAML "
        "extension: put `# yaml-language-server: $schema=PATH` on a file's first line). Both "
        "are generated from wsim's scenario schema.",
    )
    what = schema.add_mutually_exclusive_group(required=True)
    what.add_argument("--markdown", action="store_true", help="the reference as Markdown")
    what.add_argument("--json", action="store_true", help="the JSON Schema (draft-07)")
    what.add_argument(
        "--kpis", action="store_true", help="the KPI definitions (from the KPI catalog)"
    )
    schema.add_argument("--out", metavar="FILE", help="write to FILE instead of printing")
    schema.set_defaults(handler=_schema)


def _schema(args: argparse.Namespace) -> int:
    from wsim.files import write_text_atomic
    from wsim.metrics.reference import kpi_markdown
    from wsim.scenario import reference

    if args.kpis:
        text = kpi_markdown()
    else:
        text = reference.markdown() if args.markdown else reference.json_text()
    if args.out is None:
        print(text, end="")
    else:
        write_text_atomic(Path(args.out), text)
        print(f"wrote {args.out}")
    return 0
