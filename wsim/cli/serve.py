"""`wsim serve`: the what-if page of a scenario in a local web server."""

from __future__ import annotations

import argparse

from wsim.cli.common import positive_int, seed


def register(commands: argparse._SubParsersAction) -> None:
    """Add the `serve` subcommand."""
    serve = commands.add_parser(
        "serve",
        help="a what-if page: change levers in a browser, see the simulated effect",
        description="Serve a page that shows the scenario and its baseline KPIs, lets you "
        "change its levers (windows, services served, staff, online services, sync "
        "interval, outages, patience, demand, and a levers file's levers), simulates the "
        "change against the baseline on common random numbers and shows the paired "
        "effects, costs and the waiting by hour; runs can be saved as reform options "
        "(overlay files) and opened as the decision report. Serves 127.0.0.1 unless --host "
        "says otherwise.",
    )
    serve.add_argument("scenario", metavar="SCENARIO", help="scenario YAML file")
    serve.add_argument("--levers", metavar="LEVERS", help="levers file of this scenario")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free)")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to serve (default 127.0.0.1; any other is reachable from other "
        "machines and prints a warning)",
    )
    serve.add_argument(
        "--reps", type=positive_int, default=10, help="replications per run (default 10)"
    )
    serve.add_argument("--seed", type=seed, default=0, help="random seed (default 0)")
    serve.add_argument(
        "--workers",
        type=positive_int,
        default=2,
        help="worker processes for the simulations (default 2; 1 runs them in a thread)",
    )
    serve.add_argument("--quiet", action="store_true", help="no request log")
    serve.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    from wsim.optimize.levers import load_levers
    from wsim.serve import WhatIf, serve
    from wsim.serve.server import bind

    if not 0 <= args.port <= 65535:
        raise SystemExit(f"wsim serve: --port must be from 0 to 65535, got {args.port}")
    sock = bind(args.host, args.port)  # a port in use fails before anything is simulated
    lever_set = load_levers(args.levers) if args.levers else None
    whatif = WhatIf(
        args.scenario,
        lever_set,
        workers=args.workers,
        replications=args.reps,
        seed=args.seed,
    )
    serve(whatif, args.host, args.port, quiet=args.quiet, sock=sock)
    return 0
