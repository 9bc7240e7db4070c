"""Windows open per slot, estimated from the servers' activity in the log.

A log does not say when a clerk (or call-center agent) was at the window, only when they
served someone. Per server and date, on a grid of ``GRID`` minutes, the server is *busy*
while serving; between two services (a *gap*) they are idle, and the question is whether they
were *ready* (would have taken a ticket) or *away* (after-call work, a break, other duties).
The one fact the log gives about a gap is whether some ticket waited during it: a ticket
waits only when no window that serves it is ready (a free window calls a waiting ticket at
once, as the simulated hall does), so a server idle while a ticket waited was away at that
moment.

Estimators (``estimator=``):

- ``"ready"`` (default; no threshold): in each gap the server is first away, then ready:
  away from the end of a service until the last moment in the gap at which a ticket waited,
  ready from then until their next call (ready for the whole gap if nobody waited in it).
  After-call work, a break or other work comes right after a service, and a server who comes
  back takes the next ticket; a gap of any length is split this way, so no idle-gap
  threshold is needed. A server's day runs from their first call to the end of their last
  service.
- ``"ready-early"``: the other order (ready first, away from the first moment a ticket waits
  until the next call), to measure how much the order assumption matters (the sensitivity to
  the one assumption left; docs/calibration.md gives it on the shipped log).
- ``"available"`` (the earlier rule, kept for comparison): a gap longer than ``break_gap``
  minutes in which a ticket waited ends a shift; within a shift a server is available while
  busy, or idle while no ticket waited.
- ``"present"``: busy or idle within a shift (``break_gap`` rule); an upper bound.

The windows of a slot are the chosen quantity time-averaged over the slot and over the
selected dates: a fractional number, which the fitted schedule reproduces as a time average
(:func:`dithered_schedule`). Reported beside it: the mean number present (within a ``break_gap``
shift), busy, ready, available, and the number of distinct servers with a service in the
slot. Without a server column the windows are the most tickets in service at once in the
slot, averaged over the dates (a lower bound: windows that stayed idle are not seen).

Known biases: with skills (servers who serve only some services) a server idle while others'
tickets wait is counted as away, so the estimate is then too low; a server's time before their
first call of the day and after their last service is not counted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wsim.calibrate.layout import LogError
from wsim.calibrate.selection import Selection
from wsim.scenario.units import MINUTES_PER_DAY, format_clock

#: Default longest gap between two services of one server inside a shift (minutes), for the
#: ``available`` and ``present`` estimators only. (In the bank log of
#: wsim.datasets.anonymous_bank_week 95% of the gaps between an agent's consecutive calls are
#: under 8 minutes and 97.5% under 14.)
BREAK_GAP = 15.0
#: Grid step of the time averages (minutes): 5 seconds.
GRID = 1 / 12
ESTIMATORS = ("ready", "ready-early", "available", "present")
#: How far past midnight (minutes) a day's services are followed.
AFTER_MIDNIGHT = 240.0
#: Per-slot figures of :class:`ServerFit` (time averages over the slot and the dates).
FIGURES = ("present", "busy", "ready", "available", "distinct")


@dataclass(frozen=True)
class ServerFit:
    """Windows per slot and the per-slot estimates behind them.

    ``by_slot`` columns: ``time`` (HH:MM) and ``slot`` (minutes after midnight); ``present``
    (mean servers within a ``break_gap`` shift), ``busy``, ``ready`` (busy or ready, by the
    ``ready`` or ``ready-early`` rule), ``available`` (the ``break_gap`` rule), ``distinct``
    (servers with a service in the slot); ``windows`` (the chosen estimator's value, fractional) and
    ``utilization`` (busy / windows). ``slot`` is the slot length (minutes) and ``estimator``
    says in words how windows were estimated.
    """

    by_slot: pd.DataFrame
    estimator: str
    slot: float


def _on_grid(starts: np.ndarray, ends: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Boolean mask of the grid points inside any of the intervals [starts, ends)."""
    order = np.argsort(starts)
    starts, ends = starts[order], np.maximum.accumulate(ends[order])
    # The last interval starting at or before each point covers it if it has not ended.
    last = np.searchsorted(starts, grid, side="right") - 1
    return (last >= 0) & (grid < ends[np.maximum(last, 0)])


def _shifts(
    on: np.ndarray,
    off: np.ndarray,
    gap: float,
    waited: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Merge one server's services into shifts (the ``break_gap`` rule).

    A gap between two services ends a shift when it is longer than ``gap`` minutes and a
    ticket waited at some moment of it (``waited(from, to)``).
    """
    away = (on[1:] - off[:-1] > gap) & waited(off[:-1], on[1:])
    new = np.concatenate([[True], away])
    return on[new], np.maximum.reduceat(off, np.flatnonzero(new))


def _ready_in_gaps(
    on: np.ndarray, off: np.ndarray, waiting: np.ndarray, grid: np.ndarray, late: bool
) -> np.ndarray:
    """Grid points at which a server is ready (idle, not away) in the gaps between services.

    ``on``/``off`` are the server's sorted service starts and running-maximum ends. With
    `late` (the ``ready`` rule) a gap is away until the last grid point at which a ticket
    waited and ready after it; otherwise ready until the first such point and away after it.
    """
    first = np.searchsorted(grid, off[:-1])
    last = np.searchsorted(grid, on[1:])
    keep = last > first
    first, last = first[keep], last[keep]
    points = np.arange(grid.size)
    if late:
        # Index of the last waiting point before each grid index (-1 if none).
        last_wait = np.maximum.accumulate(np.where(waiting, points, -1))
        before_end = np.concatenate([[-1], last_wait])[last]
        begin, end = np.maximum(first, before_end + 1), last
    else:
        # Index of the first waiting point at or after each grid index (size if none).
        next_wait = np.minimum.accumulate(np.where(waiting, points, grid.size)[::-1])[::-1]
        begin, end = first, np.minimum(last, next_wait[first])
    change = np.zeros(grid.size + 1)
    np.add.at(change, begin, 1)
    np.add.at(change, end, -1)
    return np.cumsum(change[:-1]) > 0


def _clock_times(tickets: pd.DataFrame) -> pd.DataFrame:
    """Tickets with issue, call, end and leaving times in minutes after their date's midnight."""
    offset = tickets["arrival"] - tickets["clock"]
    return tickets.assign(
        on=tickets["start"] - offset,
        off=tickets["end"] - offset,
        gone=tickets["start"].where(tickets["served"], tickets["left"]) - offset,
    )


def _waiting(day: pd.DataFrame, grid: np.ndarray) -> np.ndarray:
    """Whether any ticket waited at each grid point (issued, neither called nor gone)."""
    known = day[day["gone"].notna()]
    arrived = np.sort(known["clock"].to_numpy())
    gone = np.sort(known["gone"].to_numpy())
    count = np.searchsorted(arrived, grid, side="right") - np.searchsorted(gone, grid, side="right")
    return count > 0


def _slot_means(values: np.ndarray, grid: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Mean of ``values`` (on the grid) over the grid points of each slot."""
    slot_of = np.searchsorted(edges, grid, side="right") - 1
    inside = (slot_of >= 0) & (slot_of < edges.size - 1)
    slots = edges.size - 1
    total = np.bincount(slot_of[inside], values[inside], slots)
    return total / np.bincount(slot_of[inside], None, slots)


def _one_day(day: pd.DataFrame, grid: np.ndarray, edges: np.ndarray, gap: float, late: bool):
    """Per-slot figures of one date (servers named in the log)."""
    served = day[day["served"] & day["end"].notna() & (day["server"] != "")]
    waiting = _waiting(day, grid)
    waiting_before = np.concatenate([[0], np.cumsum(waiting)])

    def waited(start: np.ndarray, end: np.ndarray) -> np.ndarray:
        first, last = np.searchsorted(grid, start), np.searchsorted(grid, end)
        return waiting_before[last] - waiting_before[first] > 0

    figures = {key: np.zeros(grid.size) for key in FIGURES if key != "distinct"}
    distinct = np.zeros(edges.size - 1)
    for _, mine in served.groupby("server"):
        order = np.argsort(mine["on"].to_numpy())
        on = mine["on"].to_numpy()[order]
        off = np.maximum.accumulate(np.maximum(mine["off"].to_numpy()[order], on))
        busy = _on_grid(on, off, grid)
        in_shift = _on_grid(*_shifts(on, off, gap, waited), grid)
        figures["present"] += in_shift
        figures["busy"] += busy
        figures["ready"] += busy | _ready_in_gaps(on, off, waiting, grid, late)
        figures["available"] += busy | (in_shift & ~waiting)
        touched = (on[:, None] < edges[None, 1:]) & (off[:, None] >= edges[None, :-1])
        distinct += touched.any(axis=0)
    means = {key: _slot_means(value, grid, edges) for key, value in figures.items()}
    means["distinct"] = distinct
    return means


def _concurrent_day(day: pd.DataFrame, grid: np.ndarray, edges: np.ndarray) -> dict:
    """Without server ids: tickets in service on the grid; the slot's most and mean."""
    served = day[day["served"] & day["end"].notna()]
    on, off = np.sort(served["on"].to_numpy()), np.sort(served["off"].to_numpy())
    in_service = np.searchsorted(on, grid, side="right") - np.searchsorted(off, grid, side="right")
    slot_of = np.searchsorted(edges, grid, side="right") - 1
    inside = (slot_of >= 0) & (slot_of < edges.size - 1)
    most = np.zeros(edges.size - 1)
    np.maximum.at(most, slot_of[inside], in_service[inside])
    mean = _slot_means(in_service.astype(float), grid, edges)
    return {"present": most, "busy": mean, "ready": most, "available": most, "distinct": most}


def dithered_schedule(slots: np.ndarray, values: np.ndarray, slot: float) -> dict[str, int]:
    """A schedule whose windows average ``values`` over each slot (whole windows at any time).

    A slot with 6.4 windows has 7 windows for the first 40% of it (to the nearest minute)
    and 6 for the rest; entries are written only where the count changes.
    """
    times, counts = [], []
    for start, value in zip(slots, values, strict=True):
        low = int(np.floor(value + 1e-9))
        extra = round((value - low) * slot)
        if extra > 0:
            times.append(start)
            counts.append(low + 1)
        if extra < slot:
            times.append(start + extra)
            counts.append(low)
    schedule: dict[str, int] = {}
    last = None
    for time, count in zip(times, counts, strict=True):
        if count != last:
            schedule[format_clock(time)] = int(count)
            last = count
    return schedule


def fit_servers(
    tickets: pd.DataFrame,
    selection: Selection,
    break_gap: float = BREAK_GAP,
    estimator: str = "ready",
) -> ServerFit:
    """Estimate windows open per slot from ``tickets`` of the selected dates.

    All hours are used, so that days and queues are followed whole.
    """
    if estimator not in ESTIMATORS:
        raise LogError(f"unknown server estimator {estimator!r}; allowed: {', '.join(ESTIMATORS)}")
    edges = np.append(selection.slots, selection.close)
    # The whole day and a few hours past midnight: shifts and queues are followed throughout,
    # the slot figures average the points inside the opening window.
    grid = np.arange(GRID / 2, MINUTES_PER_DAY + AFTER_MIDNIGHT, GRID)
    chosen = _clock_times(tickets[tickets["date"].isin(selection.dates)])
    use_servers = bool((chosen["served"] & (chosen["server"] != "")).any())
    totals = {key: np.zeros(edges.size - 1) for key in FIGURES}
    for _, day in chosen.groupby("date"):
        if use_servers:
            figures = _one_day(day, grid, edges, break_gap, estimator != "ready-early")
        else:
            figures = _concurrent_day(day, grid, edges)
        for key in FIGURES:
            totals[key] += figures[key]
    table = pd.DataFrame(
        {"time": [format_clock(slot) for slot in selection.slots], "slot": selection.slots}
    )
    for key in FIGURES:
        table[key] = totals[key] / selection.n_days
    if not use_servers:
        basis, described = "present", "most tickets in service at once (the log names no servers)"
    elif estimator == "present":
        basis = "present"
        described = (
            f"present servers: busy or idle within a shift (a gap over {break_gap:g} min "
            "between services ends a shift)"
        )
    elif estimator == "available":
        basis = "available"
        described = (
            f"available servers: serving, or idle in a shift while no ticket waited (a gap over "
            f"{break_gap:g} min between services ends a shift)"
        )
    else:
        basis = "ready"
        order = "away, then ready" if estimator == "ready" else "ready, then away"
        described = (
            f"ready servers: serving, or idle and ready; in each gap between two services a "
            f"server is {order}, the change at the "
            f"{'last' if estimator == 'ready' else 'first'} moment a ticket waited (no threshold)"
        )
    table["windows"] = table[basis]
    with np.errstate(invalid="ignore", divide="ignore"):
        table["utilization"] = table["busy"] / table["windows"]
    return ServerFit(table, described, selection.slot)


def served_by_server(tickets: pd.DataFrame) -> pd.DataFrame:
    """Tickets each server served, per service (rows: servers).

    A skills check: a server who serves only some services is a specialist the pooled window
    group does not model.
    """
    served = tickets[tickets["served"] & (tickets["server"] != "")]
    table = pd.crosstab(served["server"], served["service"])
    table["total"] = table.sum(axis=1)
    return table.sort_values("total", ascending=False).reset_index()
