"""Which part of a log one day type describes: its dates and its opening window.

A real log mixes full days, short days and closed days; the fit describes each *day type*
(:mod:`wsim.calibrate.daytypes` groups the weekdays) by its dates and, within them, the hours
in which tickets are issued on most days. The validation uses the same selection, so both
compare like with like.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wsim.calibrate.layout import LogError
from wsim.scenario.calendar import WEEKDAYS
from wsim.scenario.units import MINUTES_PER_DAY, format_clock


@dataclass(frozen=True)
class Selection:
    """The days and hours a fit describes.

    ``weekdays`` in the order they follow the log's first selected date; ``dates`` the log
    dates used; ``open``/``close`` minutes after midnight; ``reason`` says in words why these
    days and hours.
    """

    weekdays: tuple[str, ...]
    dates: tuple[pd.Timestamp, ...]
    open: float
    close: float
    slot: float
    reason: str

    @property
    def n_days(self) -> int:
        """The number of log dates used."""
        return len(self.dates)

    @property
    def slots(self) -> np.ndarray:
        """Start of each slot of the opening window (minutes after midnight)."""
        return np.arange(self.open, self.close - 1e-9, self.slot)

    def mask(self, tickets: pd.DataFrame) -> pd.Series:
        """Tickets issued on the selected dates within the opening window."""
        on_day = tickets["date"].isin(self.dates)
        in_hours = (tickets["clock"] >= self.open) & (tickets["clock"] < self.close)
        return on_day & in_hours


def _volume_by_weekday(tickets: pd.DataFrame) -> pd.DataFrame:
    per_date = tickets.groupby(["weekday", "date"]).size().rename("tickets").reset_index()
    table = per_date.groupby("weekday")["tickets"].agg(["mean", "count"])
    return table.rename(columns={"count": "dates"})


def weekday_table(tickets: pd.DataFrame) -> pd.DataFrame:
    """Tickets per weekday: mean per date and number of dates in the log (week order)."""
    table = _volume_by_weekday(tickets)
    return table.reindex([d for d in WEEKDAYS if d in table.index])


def parse_days(days: Sequence[str] | str) -> tuple[str, ...]:
    """Weekday names (``"sun,mon"`` or a list; ``sunday`` is ``sun``) in week order."""
    items = days.split(",") if isinstance(days, str) else list(days)
    chosen = []
    for item in items:
        day = str(item).strip().lower()[:3]
        if day not in WEEKDAYS:
            raise LogError(f"days: unknown weekday {item!r}; allowed: {', '.join(WEEKDAYS)}")
        if day not in chosen:
            chosen.append(day)
    if not chosen:
        raise LogError("days: give at least one weekday, e.g. sun,mon,tue,wed,thu")
    return tuple(sorted(chosen, key=WEEKDAYS.index))


def opening_hours(clock: pd.Series, dates: pd.Series, n_days: int, slot: float):
    """The opening window ``(open, close)`` in minutes of the day, from the slots with tickets.

    A slot is open when tickets were issued in it on at least half of the days. Open slots
    separated by at most one closed slot form a run, and the window is the run that holds the
    most tickets, from its first slot to the end of its last: stray tickets far from the day's
    hours (a call just after midnight) neither stretch the window nor make a run of their own
    count, and one quiet slot does not split a day.
    """
    index = np.floor(clock.to_numpy() / slot).astype(int)
    frame = pd.DataFrame({"slot": index, "date": dates.to_numpy()})
    days_with_tickets = frame.drop_duplicates().groupby("slot").size()
    busy = np.sort(days_with_tickets[days_with_tickets >= math.ceil(n_days / 2)].index)
    if busy.size == 0:
        raise LogError("no slot has tickets on at least half of the chosen days")
    breaks = np.flatnonzero(np.diff(busy) > 2)
    runs = np.split(busy, breaks + 1)
    counts = frame.groupby("slot").size()
    best = max(runs, key=lambda run: counts.reindex(range(run[0], run[-1] + 1)).sum())
    first, last = int(best[0]), int(best[-1])
    return first * slot, min((last + 1) * slot, MINUTES_PER_DAY)


def select(
    tickets: pd.DataFrame,
    days: Sequence[str] | str | None = None,
    slot: float = 30.0,
    hours: tuple[float, float] | None = None,
    dates: Sequence[pd.Timestamp] | None = None,
    reason: str = "",
) -> Selection:
    """The dates and the opening window a day type describes.

    The dates are ``dates``, else every date on the weekdays ``days``, else every date.
    ``hours`` = (open, close) in minutes after midnight overrides the window found in the log
    (the slots with tickets on at least half of the dates).
    """
    if not 0 < slot <= 240 or MINUTES_PER_DAY % slot:
        raise LogError(f"slot must divide the day into whole slots (e.g. 15, 30, 60), got {slot}")
    if dates is None:
        weekdays = parse_days(days) if days is not None else tuple(tickets["weekday"].unique())
        dates = tickets.loc[tickets["weekday"].isin(weekdays), "date"].unique()
    dates = tuple(sorted(pd.Timestamp(d) for d in dates))
    if not dates:
        raise LogError(f"days: the log has no tickets on {', '.join(parse_days(days or []))}")
    on_days = tickets[tickets["date"].isin(dates)]
    if hours is None:
        lo, hi = opening_hours(on_days["clock"], on_days["date"], len(dates), slot)
        where = "hours in which tickets were issued on at least half of these days"
    else:
        lo, hi = hours
        if not 0 <= lo < hi <= MINUTES_PER_DAY:
            raise LogError(f"hours: need 0 <= open < close <= 24:00, got {lo}-{hi}")
        where = "hours chosen by the user"
    reason = f"{reason}. " if reason else ""
    reason += f"Open {format_clock(lo)}-{format_clock(hi)}: {where}"
    weekdays = []
    for date in dates:  # in the order they follow the first date
        name = WEEKDAYS[date.day_of_week]
        if name not in weekdays:
            weekdays.append(name)
    return Selection(tuple(weekdays), dates, lo, hi, slot, reason)
