"""Windows open per slot, estimated from the servers' activity in the log.

A log does not say when a clerk (or call-center agent) was at the window, only when they
served someone. Two quantities are measured per server and date, on a grid of ``GRID``
minutes over the opening window:

- *present*: within a shift. A server's services on a date are merged into shifts; a gap
  between the end of one service and the start of the next ends a shift (a break, or the
  end of work) when it is longer than ``break_gap`` minutes and some ticket waited during it
  (had the server been at the window, the ticket would have been called). The server is
  present from the first call of a shift to the end of its last service, busy or idle.
- *busy*: serving a ticket.

Two estimators turn them into windows:

- ``"available"`` (default): a present server counts as an open window while busy, and while
  idle only if no ticket was waiting at that moment. The simulated hall calls a waiting ticket
  the moment a window is free; a server who sat idle while tickets waited was therefore not
  available to the queue (after-call work, other duties, a short break), and counting them
  would give the model capacity the hall did not have. Idle time with nobody waiting is
  counted: that server would have taken a ticket had one come.
- ``"present"``: every present server counts (busy or idle); an upper bound on capacity.

The windows of a slot are the chosen quantity time-averaged over the slot and over the
selected dates, rounded to the nearest whole number, and at least one (the opening window
holds the slots in which tickets were issued on most days). Reported beside them: the mean number
present, busy, available, and the mean number of distinct servers with any service in the
slot. Without a server column the windows are the most tickets in service at once in the
slot, averaged over the dates (a lower bound: windows that stayed idle are not seen).

Known biases: with skills (servers who serve only some services) a server idle while others'
tickets wait is counted as unavailable, so ``available`` is then too low; the minutes of a
shift before its first call and after its last service are not counted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wsim.calibrate.layout import LogError
from wsim.calibrate.selection import Selection
from wsim.scenario.units import MINUTES_PER_DAY, format_clock

#: Default longest gap between two services of one server inside a shift (minutes): a gap
#: longer than a short break is time away. (In the bank log of wsim.datasets.anonymous_bank_week
#: 95% of the gaps between an agent's consecutive calls are under 8 minutes and 97.5% under 14.)
BREAK_GAP = 15.0
#: Grid step of the time averages (minutes): 5 seconds.
GRID = 1 / 12
ESTIMATORS = ("available", "present")
#: How far past midnight (minutes) a day's services are followed.
AFTER_MIDNIGHT = 240.0


@dataclass(frozen=True)
class ServerFit:
    """Windows per slot and the per-slot estimates behind them.

    ``by_slot`` columns: ``time`` (HH:MM) and ``slot`` (minutes after midnight); ``present``,
    ``busy``, ``available`` (mean servers present, busy, available; see the module notes);
    ``distinct`` (mean servers with a service in the slot); ``windows`` (the count to
    schedule) and ``utilization`` (busy / the estimate before rounding). ``slot`` is the slot
    length (minutes) and ``estimator`` says in words how windows were estimated.
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
    """Merge one server's services into shifts.

    A gap between two services ends a shift when it is longer than ``gap`` minutes and a
    ticket waited at some moment of it (``waited(from, to)``): the server was then evidently
    not at an open window. A long gap in which nobody waited is kept inside the shift: nothing
    shows the server left, only that nobody needed them.
    """
    order = np.argsort(on)
    on, off = on[order], np.maximum.accumulate(off[order])
    away = (on[1:] - off[:-1] > gap) & waited(off[:-1], on[1:])
    new = np.concatenate([[True], away])
    return on[new], np.maximum.reduceat(off, np.flatnonzero(new))


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


def _one_day(day: pd.DataFrame, grid: np.ndarray, edges: np.ndarray, gap: float) -> dict:
    served = day[day["served"] & day["end"].notna() & (day["server"] != "")]
    waiting = _waiting(day, grid)
    waiting_before = np.concatenate([[0], np.cumsum(waiting)])

    def waited(start: np.ndarray, end: np.ndarray) -> np.ndarray:
        first, last = np.searchsorted(grid, start), np.searchsorted(grid, end)
        return waiting_before[last] - waiting_before[first] > 0

    figures = {key: np.zeros(grid.size) for key in ("present", "busy", "available")}
    distinct = np.zeros(edges.size - 1)
    for _, mine in served.groupby("server"):
        on, off = mine["on"].to_numpy(), np.maximum(mine["off"].to_numpy(), mine["on"].to_numpy())
        present = _on_grid(*_shifts(on, off, gap, waited), grid)
        busy = _on_grid(on, off, grid)
        figures["present"] += present
        figures["busy"] += busy
        figures["available"] += busy | (present & ~waiting)
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
    return {"present": most, "busy": mean, "available": most, "distinct": most}


def compress_schedule(slots: np.ndarray, counts: np.ndarray) -> dict[str, int]:
    """A schedule mapping with an entry at opening and wherever the count changes."""
    schedule: dict[str, int] = {}
    last = None
    for slot, count in zip(slots, counts, strict=True):
        if count != last:
            schedule[format_clock(slot)] = int(count)
            last = count
    return schedule


def fit_servers(
    tickets: pd.DataFrame,
    selection: Selection,
    break_gap: float = BREAK_GAP,
    estimator: str = "available",
) -> ServerFit:
    """Estimate windows open per slot from ``tickets`` of the selected dates.

    All hours are used, so that shifts starting before opening are seen whole.
    """
    if estimator not in ESTIMATORS:
        raise LogError(f"unknown server estimator {estimator!r}; allowed: {', '.join(ESTIMATORS)}")
    edges = np.append(selection.slots, selection.close)
    # The whole day and a few hours past midnight: shifts and queues are followed throughout,
    # the slot figures average the points inside the opening window.
    grid = np.arange(GRID / 2, MINUTES_PER_DAY + AFTER_MIDNIGHT, GRID)
    chosen = _clock_times(tickets[tickets["date"].isin(selection.dates)])
    use_servers = bool((chosen["served"] & (chosen["server"] != "")).any())
    keys = ("present", "busy", "available", "distinct")
    totals = {key: np.zeros(edges.size - 1) for key in keys}
    for _, day in chosen.groupby("date"):
        if use_servers:
            figures = _one_day(day, grid, edges, break_gap)
        else:
            figures = _concurrent_day(day, grid, edges)
        for key in keys:
            totals[key] += figures[key]
    table = pd.DataFrame(
        {"time": [format_clock(slot) for slot in selection.slots], "slot": selection.slots}
    )
    for key in keys:
        table[key] = totals[key] / selection.n_days
    basis = estimator if use_servers else "present"
    # An open slot keeps at least one window: tickets were issued in it on most days, so
    # someone was there to serve them (a shift is only seen from its first call).
    table["windows"] = np.rint(table[basis]).astype(int).clip(lower=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["utilization"] = table["busy"] / table[basis]
    if not use_servers:
        described = "most tickets in service at once (the log names no servers)"
    elif estimator == "available":
        described = (
            f"available servers: serving, or idle in a shift while no ticket waited (a gap over "
            f"{break_gap:g} min between services ends a shift)"
        )
    else:
        described = (
            f"present servers: busy or idle within a shift (a gap over {break_gap:g} min "
            "between services ends a shift)"
        )
    return ServerFit(table, described, selection.slot)


def served_by_server(tickets: pd.DataFrame) -> pd.DataFrame:
    """Tickets each server served, per service (rows: servers).

    A skills check: a server who serves only some services is a specialist the pooled window group
    does not model.
    """
    served = tickets[tickets["served"] & (tickets["server"] != "")]
    table = pd.crosstab(served["server"], served["service"])
    table["total"] = table.sum(axis=1)
    return table.sort_values("total", ascending=False).reset_index()
