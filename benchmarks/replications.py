"""Replications per minute of a scenario with 1 and 2 workers, and the parallel efficiency.

By default the W district baseline (`scenarios/w_district/baseline.yaml`), the scenario of
`wsim demo`. Each worker count runs the same replications (0..N-1, seed 0) through the
executor `wsim compare` uses (serial for 1 worker, worker processes otherwise), start-up of the
pool included, with the visit, window and case tables returned as `compare` receives them.
Parallel efficiency = rate with W workers / (W x rate with 1 worker). The figures depend on
what else the machine runs: the load average is printed with them.

    python benchmarks/replications.py [--scenario FILE] [--reps 8] [--workers 1 2] [--dask]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import wsim
from wsim.experiment import Task, make_executor

ROOT = Path(__file__).resolve().parents[1]


def rate(scenario: wsim.Scenario, reps: int, workers: int, kind: str) -> float:
    """Replications per minute of `reps` replications on `workers` workers (start-up included)."""
    tasks = [Task(scenario, 0, r) for r in range(reps)]
    if kind == "dask":
        executor = make_executor("dask", workers=workers)  # cluster start-up not timed
        started = time.perf_counter()
    else:
        started = time.perf_counter()
        executor = make_executor("serial" if workers == 1 else "processes", workers=workers)
    with executor:
        done = sum(1 for _ in executor.imap_unordered(tasks))
    return done / (time.perf_counter() - started) * 60


def main() -> None:
    """Print replications per minute and parallel efficiency per executor and worker count."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenario", default=str(ROOT / "scenarios" / "w_district" / "baseline.yaml")
    )
    parser.add_argument("--reps", type=int, default=8, help="replications per measurement")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--dask", action="store_true", help="also a local Dask cluster")
    args = parser.parse_args()

    scenario = wsim.load_scenario(args.scenario)
    print(f"{scenario.name} ({args.scenario}), {args.reps} replications per measurement")
    print(
        f"wsim {wsim.__version__}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    kinds = ["processes"] + (["dask"] if args.dask else [])
    print(f"{'executor':<10} {'workers':>7} {'reps/min':>9} {'efficiency':>10}")
    for kind in kinds:
        single = None
        for workers in args.workers:
            per_minute = rate(scenario, args.reps, workers, kind)
            if workers == 1:
                single = per_minute
            efficiency = per_minute / (workers * single) if single else float("nan")
            name = "serial" if workers == 1 and kind == "processes" else kind
            print(f"{name:<10} {workers:>7} {per_minute:>9.1f} {efficiency:>10.0%}")
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
