"""Reading a queue log into clean tickets, counting every row that is repaired or dropped.

Real exports are dirty: missing times, services that end before they start, tickets that run
across midnight, duplicated rows. :func:`read_log` turns a CSV file (plain or compressed) or a
DataFrame into one row per usable ticket (times in minutes) and a table of *issues*: for each
problem, how many rows had it and what was done (dropped, repaired, or kept with some facts
unused). No row disappears without a line in that table.

Times in the tickets table are minutes from midnight of the log's first date; ``clock`` is the
issue time in minutes after midnight of the ticket's own date.
"""

from __future__ import annotations

import csv
import importlib
import os
import re
import zlib
from dataclasses import dataclass
from typing import IO

import numpy as np
import pandas as pd

from wsim.calibrate.layout import LogError, LogLayout
from wsim.scenario.calendar import WEEKDAYS
from wsim.scenario.units import MINUTES_PER_DAY

try:
    import lzma
except ImportError:  # a Python built without it: .xz logs are refused with a message
    lzma = None

_CLOCK = re.compile(r"^\d{1,2}:\d{2}(:\d{2}(\.\d*)?)?$")
_NULLS = ("", "nan", "nat", "none", "null", "<na>")
#: A later time this many minutes or more before an earlier one on the same date is taken to
#: be on the next day (the ticket ran across midnight); a smaller gap is a negative duration.
MIDNIGHT_GAP = 720.0

DROPPED, REPAIRED, KEPT = "dropped", "repaired", "kept"


@dataclass
class TicketLog:
    """A cleaned queue log.

    ``tickets``: one row per usable ticket with ``row`` (line in the source table, 0-based),
    ``date`` (midnight of its date), ``weekday`` (mon..sun), ``service``, ``priority`` (text,
    "" if none), ``server`` (text, "" if none), ``arrival``, ``start``, ``end``, ``left``
    (minutes from the first date's midnight, NaN if not logged), ``clock`` (issue time in
    minutes after its date's midnight), ``abandoned``, ``served``, ``wait`` (issue to call for
    the served, issue to leaving for those who abandoned; NaN if unknown) and ``service_time``.

    ``issues``: one row per problem found: ``issue``, ``rows``, ``action`` (dropped, repaired
    or kept) and ``detail``.
    """

    tickets: pd.DataFrame
    issues: pd.DataFrame
    rows_read: int
    source: str
    layout: LogLayout
    resolution: float

    @property
    def rows_dropped(self) -> int:
        """Rows of the source that are not tickets here."""
        return self.rows_read - len(self.tickets)

    @property
    def half_step(self) -> float:
        """Half the log's time resolution (minutes): a logged time is +- this much."""
        return self.resolution / 2


#: Text encodings tried in turn: UTF-8 (with or without a byte-order mark), then GB18030
#: (the Chinese national encoding, a superset of GBK, common in exports of Chinese systems).
ENCODINGS = ("utf-8-sig", "gb18030")
_DELIMITERS = ",;\t|"


#: Compressed logs are read as they are: file name ending -> module whose ``open`` reads it.
#: pandas infers the same compressions from the same endings.
COMPRESSIONS = {".gz": "gzip", ".bz2": "bz2", ".xz": "lzma"}


def _open_text(path: str, encoding: str) -> IO[str]:
    """The file as text, decompressed on the fly when its name ends in .gz, .bz2 or .xz."""
    ending = os.path.splitext(path)[1].lower()
    if ending not in COMPRESSIONS:
        return open(path, encoding=encoding, newline="")
    try:
        module = importlib.import_module(COMPRESSIONS[ending])
    except ImportError:
        raise LogError(
            f"{path}: cannot read a {ending} file: this Python has no "
            f"{COMPRESSIONS[ending]} module; decompress the log first"
        ) from None
    return module.open(path, "rt", encoding=encoding, newline="")


#: Besides OSError, what a truncated or corrupt compressed file raises while it is read.
CORRUPT = (EOFError, zlib.error) + ((lzma.LZMAError,) if lzma else ())


def _delimiter(path: str, encoding: str) -> str:
    """The field separator of a CSV file: comma, semicolon, tab or bar, sniffed from its start."""
    with _open_text(path, encoding) as handle:
        sample = handle.read(65536)
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        return ","


def _read_csv(path: str) -> pd.DataFrame:
    for encoding in ENCODINGS:
        try:
            return pd.read_csv(
                path,
                sep=_delimiter(path, encoding),
                dtype=str,
                keep_default_na=False,
                skipinitialspace=True,
                encoding=encoding,
            )
        except UnicodeDecodeError:
            continue
    raise LogError(f"{path}: cannot read the log: it is not {' or '.join(ENCODINGS)} text")


def _read_table(log: str | os.PathLike | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The raw table as text cells (column names trimmed), and a name for messages."""
    if isinstance(log, pd.DataFrame):
        table = log.astype(object).where(log.notna(), "").astype(str).reset_index(drop=True)
        source = "<DataFrame>"
    else:
        source = os.fspath(log)
        try:
            table = _read_csv(source)
        except (
            OSError,
            *CORRUPT,
            pd.errors.ParserError,
            pd.errors.EmptyDataError,
            csv.Error,
        ) as exc:
            reason = " ".join(str(exc).split())
            raise LogError(f"{source}: cannot read the log as CSV ({reason})") from None
    table.columns = [str(column).strip() for column in table.columns]
    return table, source


def _check_columns(table: pd.DataFrame, layout: LogLayout, source: str) -> None:
    from wsim.errors import did_you_mean

    problems = []
    for field, columns in layout.columns().items():
        for column in columns:
            if column not in table.columns:
                hint = did_you_mean(column, [str(c) for c in table.columns])
                problems.append(f"{field}={column}: no column {column!r}{hint}")
    if problems:
        available = ", ".join(str(c) for c in table.columns)
        raise LogError(
            f"{source}: the column mapping does not fit the log ({'; '.join(problems)}); "
            f"columns in the log: {available}"
        )


def _cells(table: pd.DataFrame, column: str) -> pd.Series:
    """Trimmed text cells of ``column``."""
    return table[column].astype(str).str.strip()


def _is_missing(cells: pd.Series, layout: LogLayout) -> pd.Series:
    missing = {value.lower() for value in layout.missing} | set(_NULLS)
    return cells.str.lower().isin(missing)


def _parse_dates(cells: pd.Series) -> pd.Series:
    parsed = pd.to_datetime(cells, errors="coerce", format="mixed")
    return parsed.dt.normalize()


def _parse_times(cells: pd.Series, present: pd.Series, dates: pd.Series | None):
    """Times as (timestamp or NaT, unreadable mask, clock-style flag) for present cells.

    A column is clock style when most of its cells are clock times (``h:mm[:ss]``): these are
    placed on the row's date and any other cell is unreadable. Otherwise cells must be full
    timestamps.
    """
    values = cells.where(present)
    is_clock = values.str.match(_CLOCK).fillna(False).astype(bool)
    clock_style = bool(present.any()) and float(is_clock[present].mean()) >= 0.5
    if clock_style and dates is not None:
        clock = values.where(is_clock)
        clock = clock.where(clock.str.count(":") != 1, clock + ":00")  # h:mm -> h:mm:00
        offsets = pd.to_timedelta(clock, errors="coerce")
        stamps = dates + offsets
    else:
        stamps = _timestamps(values.where(~is_clock))
    unreadable = present & stamps.isna()
    return stamps, unreadable, clock_style


def _holds_times(cells: pd.Series, layout: LogLayout) -> bool:
    """Whether most filled cells of a column look like times (``h:mm`` somewhere in them)."""
    filled = cells[~_is_missing(cells, layout)]
    return bool(filled.size) and float(filled.str.contains(r"\d:\d\d", regex=True).mean()) >= 0.5


def _timestamps(values: pd.Series) -> pd.Series:
    """Full timestamps, read at the hall's local wall-clock time.

    Ones with a UTC offset are taken at their local wall-clock time (the hall's clock), as are mixed
    offsets (e.g. across a daylight-saving change).
    """
    try:
        stamps = pd.to_datetime(values, errors="coerce", format="mixed")
    except (ValueError, TypeError):
        stamps = None
    if stamps is None or not pd.api.types.is_datetime64_any_dtype(stamps):
        # Mixed offsets: strip them and read the wall-clock part.
        wall = values.str.replace(r"(Z|[+-]\d{2}:?\d{2})$", "", regex=True)
        stamps = pd.to_datetime(wall, errors="coerce", format="mixed")
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    return stamps


def _resolution(stamps: list[pd.Series]) -> float:
    """The log's time resolution in minutes.

    1 if all times are whole minutes, 1/60 if whole seconds, else 0 (times taken as exact).
    """
    seconds = pd.concat([s.dropna() for s in stamps])
    if seconds.empty:
        return 0.0
    ns = seconds.astype("datetime64[ns]").astype("int64").to_numpy()
    if np.all(ns % 60_000_000_000 == 0):
        return 1.0
    if np.all(ns % 1_000_000_000 == 0):
        return 1 / 60
    return 0.0


class _Cleaning:
    """One pass over a raw table, keeping the usable rows and recording every problem.

    ``keep`` marks the rows still usable, and every problem found is recorded in ``issues`` with the
    number of rows and what was done.
    """

    def __init__(self, table: pd.DataFrame, layout: LogLayout, source: str) -> None:
        self.table, self.layout, self.source = table, layout, source
        self.keep = pd.Series(True, index=table.index)
        self.issues: list[dict] = []

    def note(self, issue: str, count: int, action: str, detail: str) -> None:
        if count:
            self.issues.append(
                {"issue": issue, "rows": int(count), "action": action, "detail": detail}
            )

    def drop(self, mask: pd.Series, issue: str, detail: str) -> None:
        hit = mask.fillna(False).astype(bool) & self.keep
        self.note(issue, int(hit.sum()), DROPPED, detail)
        self.keep &= ~hit

    def cells(self, column: str) -> pd.Series:
        return _cells(self.table, column)

    def missing(self, cells: pd.Series) -> pd.Series:
        return _is_missing(cells, self.layout)

    # --- the steps, in order ---------------------------------------------------------------

    def drop_ignored_and_duplicates(self) -> None:
        layout = self.layout
        if layout.abandoned and layout.ignore_values:
            outcome = self.cells(layout.abandoned).str.lower()
            ignored = outcome.isin({v.lower() for v in layout.ignore_values})
            detail = f"{layout.abandoned} in {', '.join(layout.ignore_values)}"
            self.drop(ignored, "ignored outcome", detail)
        if layout.id:
            ids = self.cells(layout.id)
            ids = ids.where(self.keep & ~self.missing(ids))
            repeated = ids.dropna().duplicated().reindex(ids.index, fill_value=False)
            detail = f"a second row with the same {layout.id}; the first is kept"
            self.drop(repeated, "duplicate id", detail)
        else:
            kept = self.table[self.keep]
            repeated = kept.duplicated().reindex(self.table.index, fill_value=False)
            self.drop(repeated, "duplicate row", "identical to an earlier row; the first is kept")

    def read_dates(self) -> pd.Series | None:
        column = self.layout.date
        if not column:
            return None
        cells = self.cells(column)
        dates = _parse_dates(cells)
        self.drop(self.missing(cells), "no date", f"{column} is empty")
        self.drop(dates.isna(), "unreadable date", f"{column} is not a date")
        return dates

    def time_sources(self) -> tuple[dict[str, tuple[str, ...]], bool]:
        """The columns of each time field, and whether the abandonment column holds times.

        An abandonment column may hold the time the citizen left instead of a flag (then a filled
        cell means abandoned).
        """
        layout = self.layout
        sources = layout.columns()
        leave_times = layout.abandoned is not None and _holds_times(
            self.cells(layout.abandoned), layout
        )
        if leave_times:
            sources["left"] = (layout.left or layout.abandoned,)
            if layout.left:
                sources["left_flag"] = (layout.abandoned,)
        return sources, leave_times

    def read_times(self, sources: dict, dates: pd.Series | None) -> tuple[dict, dict]:
        """Timestamps and presence masks of the time fields (first filled column wins)."""
        times, present = {}, {}
        for field in ("arrival", "start", "end", "left", "left_flag"):
            stamp = pd.Series(pd.NaT, index=self.table.index, dtype="datetime64[ns]")
            found = pd.Series(False, index=self.table.index)
            for column in sources.get(field, ()):
                cells = self.cells(column)
                has = ~self.missing(cells)
                parsed, unreadable, clock_style = _parse_times(cells, has, dates)
                if clock_style and dates is None:
                    raise LogError(
                        f"{self.source}: column {column!r} holds clock times (hh:mm:ss) but "
                        "the mapping names no date column; add date=COLUMN"
                    )
                self.drop(unreadable, f"unreadable {field} time", f"{column} is not a time")
                take = has & ~unreadable & ~found
                stamp = stamp.where(~take, parsed.astype("datetime64[ns]"))
                found |= take
            times[field], present[field] = stamp, found
        columns = ", ".join(self.layout.arrival)
        self.drop(
            ~present["arrival"],
            "no arrival time",
            f"none of {columns} has a time: the row never became a ticket",
        )
        return times, present

    def abandoned(self, present: dict, leave_times: bool) -> pd.Series:
        """Whether each citizen abandoned: from the leaving time, the flag, or "never called"."""
        layout = self.layout
        if leave_times:
            return present["left_flag"] if layout.left else present["left"]
        if not layout.abandoned:
            return ~present["start"]
        outcome = self.cells(layout.abandoned)
        abandoned = outcome.str.lower().isin({v.lower() for v in layout.abandoned_values})
        if self.keep.any() and not abandoned[self.keep].any():
            seen = ", ".join(sorted(set(outcome[self.keep]))[:8])
            self.note(
                "no abandonment value recognised",
                int(self.keep.sum()),
                KEPT,
                f"no {layout.abandoned} value is one of {', '.join(layout.abandoned_values)} "
                f"(values found: {seen}); set abandoned_values",
            )
        return abandoned

    def check_outcomes(self, abandoned: pd.Series, present: dict) -> pd.Series:
        """Drop rows with an unknown outcome; return which tickets were served."""
        self.drop(
            ~abandoned & ~present["start"],
            "never called, not abandoned",
            "no call time and not marked abandoned: the outcome is unknown",
        )
        self.note(
            "abandoned with a call time",
            int((abandoned & present["start"] & self.keep).sum()),
            KEPT,
            "marked abandoned: the call time is ignored",
        )
        return present["start"] & ~abandoned

    def repair_midnight(self, minutes: dict[str, pd.Series]) -> None:
        """Clock times on one date: move times after a midnight crossing to the next day.

        A time 12 h (``MIDNIGHT_GAP``) or more before the one it follows is on the next day: the
        ticket ran across midnight.
        """
        crossed = pd.Series(False, index=self.table.index)
        for later, earlier in (("start", "arrival"), ("end", "start"), ("left", "arrival")):
            behind = (minutes[earlier] - minutes[later]) >= MIDNIGHT_GAP
            minutes[later] = minutes[later].where(~behind, minutes[later] + MINUTES_PER_DAY)
            crossed |= behind
        self.note(
            "crosses midnight",
            int((crossed & self.keep).sum()),
            REPAIRED,
            "a time earlier on the clock than the one before it: taken on the next day",
        )

    def check_order(self, minutes: dict[str, pd.Series], slack: float) -> None:
        """Drop rows whose times run backwards by more than the log's resolution."""
        for later, earlier, issue, detail in (
            ("start", "arrival", "called before issued", "call time earlier than the issue time"),
            ("end", "start", "ends before it starts", "service end earlier than the call time"),
            ("left", "arrival", "left before issued", "leaving time earlier than the issue time"),
        ):
            self.drop(minutes[later] - minutes[earlier] < -slack, issue, detail)

    def labels(self, called: pd.Series) -> pd.DataFrame:
        """Service, priority and server of each row (dropping rows without a service)."""
        layout = self.layout
        service = (
            self.cells(layout.service) if layout.service else pd.Series("all", self.table.index)
        )
        if layout.service:
            self.drop(self.missing(service), "no service type", f"{layout.service} is empty")
        priority = self.cells(layout.priority) if layout.priority else ""
        server = self.cells(layout.server) if layout.server else pd.Series("", self.table.index)
        no_server = self.missing(server) | server.str.lower().isin(
            {v.lower() for v in layout.no_server}
        )
        return pd.DataFrame(
            {
                "service": service,
                "priority": priority,
                "server": server.where(~no_server & called, ""),
            },
            index=self.table.index,
        )

    def note_partial(self, tickets: pd.DataFrame) -> None:
        """Count kept tickets that miss a fact (used for some estimates, not others)."""
        self.note(
            "served, no service end",
            int((tickets["served"] & tickets["end"].isna()).sum()),
            KEPT,
            "used for arrivals and waits, not for service times",
        )
        self.note(
            "abandoned, no leaving time",
            int((tickets["abandoned"] & tickets["left"].isna()).sum()),
            KEPT,
            "used for arrivals and abandonment, not for patience",
        )
        if self.layout.server:
            self.note(
                "served, no server",
                int((tickets["served"] & (tickets["server"] == "")).sum()),
                KEPT,
                "used for waits and service times, not for counting windows",
            )

    def issue_table(self) -> pd.DataFrame:
        return pd.DataFrame(self.issues, columns=["issue", "rows", "action", "detail"])


def read_log(log: str | os.PathLike | pd.DataFrame | TicketLog, layout: LogLayout) -> TicketLog:
    """Read and clean a queue log (CSV path or DataFrame) with a column mapping.

    A CSV file may be compressed (name ending in .gz, .bz2 or .xz): it is read as it is.

    Raises :class:`LogError` when the file cannot be read or a mapped column is absent;
    dirty rows are never an error: they are dropped or repaired and counted in ``issues``.
    """
    if isinstance(log, TicketLog):
        return log
    table, source = _read_table(log)
    _check_columns(table, layout, source)
    clean = _Cleaning(table, layout, source)
    clean.drop_ignored_and_duplicates()
    dates = clean.read_dates()
    sources, leave_times = clean.time_sources()
    times, present = clean.read_times(sources, dates)
    abandoned = clean.abandoned(present, leave_times)
    called = clean.check_outcomes(abandoned, present)

    day = dates if dates is not None else times["arrival"].dt.normalize()
    first_date = day[clean.keep].min()
    if pd.isna(first_date):
        reasons = "; ".join(f"{row['issue']}: {row['rows']}" for row in clean.issues)
        raise LogError(f"{source}: no usable ticket, every row was dropped ({reasons})")
    minutes = {
        field: (stamp - first_date) / pd.Timedelta(minutes=1) for field, stamp in times.items()
    }
    # Without a leaving-time column, an abandoned ticket's end is when it was closed.
    minutes["left"] = (minutes["left"] if "left" in sources else minutes["end"]).where(abandoned)
    minutes["start"] = minutes["start"].where(called)
    minutes["end"] = minutes["end"].where(called)
    if dates is not None:
        clean.repair_midnight(minutes)
    resolution = _resolution([times[field][clean.keep] for field in times])
    clean.check_order(minutes, resolution + 1e-9)

    tickets = clean.labels(called)
    tickets.insert(0, "row", table.index)
    tickets.insert(1, "date", day)
    tickets.insert(2, "weekday", day.dt.day_of_week.map(dict(enumerate(WEEKDAYS))))
    for field in ("arrival", "start", "end", "left"):
        tickets[field] = minutes[field]
    tickets["clock"] = minutes["arrival"] - (day - first_date) / pd.Timedelta(minutes=1)
    tickets["abandoned"] = abandoned
    tickets["served"] = called
    waits = (minutes["start"] - minutes["arrival"]).where(
        called, minutes["left"] - minutes["arrival"]
    )
    tickets["wait"] = waits.clip(lower=0)
    tickets["service_time"] = (minutes["end"] - minutes["start"]).clip(lower=0)
    tickets = tickets[clean.keep].reset_index(drop=True)
    clean.note_partial(tickets)
    return TicketLog(tickets, clean.issue_table(), len(table), source, layout, resolution)
