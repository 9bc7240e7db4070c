"""Which part of a log one scenario describes: a day type and an opening window.

A scenario has one window schedule and one opening window for every open day, while a real
log may mix full days, short days and closed days. The fit therefore describes one *day type*:
by default the weekdays whose average ticket volume is at least half that of the busiest
weekday (the full working days), and within them the hours in which tickets are issued on most
days. The validation uses the same selection, so both compare like with like.
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

#: A weekday is a full day by default when its mean daily volume is at least this share of
#: the busiest weekday's.
FULL_DAY_SHARE = 0.5


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


def _parse_days(days: Sequence[str] | str) -> tuple[str, ...]:
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


def choose_days(tickets: pd.DataFrame, days: Sequence[str] | str | None) -> tuple[tuple, str]:
    """The weekdays to fit and why: ``days`` if given, else the full working days."""
    volume = weekday_table(tickets)
    if days is not None:
        chosen = _parse_days(days)
        absent = [d for d in chosen if d not in volume.index]
        if len(absent) == len(chosen):
            raise LogError(
                f"days: the log has no tickets on {', '.join(chosen)}; "
                f"it has {', '.join(volume.index)}"
            )
        return tuple(d for d in chosen if d in volume.index), "chosen by the user"
    busiest = float(volume["mean"].max())
    full = volume["mean"] >= FULL_DAY_SHARE * busiest
    chosen = tuple(volume.index[full])
    left_out = ", ".join(f"{d} ({m:.0f})" for d, m in volume.loc[~full, "mean"].items())
    reason = (
        f"full working days: weekdays with at least {FULL_DAY_SHARE:.0%} of the busiest "
        f"weekday's mean volume ({busiest:.0f} tickets a day)"
    )
    if left_out:
        reason += f"; left out (mean tickets a day): {left_out}"
    return chosen, reason


def opening_hours(clock: pd.Series, dates: pd.Series, n_days: int, slot: float):
    """The opening window ``(open, close)`` in minutes of the day, from the slots with tickets.

    It runs from the first to the end of the last slot in which tickets were issued on at least half
    of the days, so that stray early or late tickets do not stretch a schedule that one open and one
    close must describe.
    """
    index = np.floor(clock.to_numpy() / slot).astype(int)
    frame = pd.DataFrame({"slot": index, "date": dates.to_numpy()})
    days_with_tickets = frame.drop_duplicates().groupby("slot").size()
    busy = days_with_tickets[days_with_tickets >= math.ceil(n_days / 2)].index
    if busy.empty:
        raise LogError("no slot has tickets on at least half of the chosen days")
    first, last = int(busy.min()), int(busy.max())
    return first * slot, min((last + 1) * slot, MINUTES_PER_DAY)


def select(
    tickets: pd.DataFrame,
    days: Sequence[str] | str | None = None,
    slot: float = 30.0,
    hours: tuple[float, float] | None = None,
) -> Selection:
    """Choose the day type and opening window a scenario will describe (see module notes).

    ``hours`` = (open, close) in minutes after midnight overrides the window found in the log.
    """
    if not 0 < slot <= 240 or MINUTES_PER_DAY % slot:
        raise LogError(f"slot must divide the day into whole slots (e.g. 15, 30, 60), got {slot}")
    weekdays, reason = choose_days(tickets, days)
    on_days = tickets[tickets["weekday"].isin(weekdays)]
    dates = tuple(sorted(on_days["date"].unique()))
    if hours is None:
        lo, hi = opening_hours(on_days["clock"], on_days["date"], len(dates), slot)
        where = "hours in which tickets were issued on at least half of these days"
    else:
        lo, hi = hours
        if not 0 <= lo < hi <= MINUTES_PER_DAY:
            raise LogError(f"hours: need 0 <= open < close <= 24:00, got {lo}-{hi}")
        where = "hours chosen by the user"
    reason = f"{reason}. Open {format_clock(lo)}-{format_clock(hi)}: {where}"
    first = pd.Timestamp(dates[0]).day_of_week
    in_log_order = sorted(weekdays, key=lambda day: (WEEKDAYS.index(day) - first) % 7)
    return Selection(
        tuple(in_log_order), tuple(pd.Timestamp(d) for d in dates), lo, hi, slot, reason
    )
