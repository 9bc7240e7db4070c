"""Progress of long work (replications) on stderr: a bar on a terminal, plain lines elsewhere.

A redirected run or a CI log cannot show a progress bar (it would be one long line of
carriage returns), and a run silent for minutes looks hung. :func:`progress_bar` gives a tqdm
bar when stderr is a terminal and otherwise a :class:`PlainProgress`, which prints one line
every few percent. Both have tqdm's small interface: ``total`` (may grow), ``update(n)``, and
use as a context manager.
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any, TextIO

#: Percent of the work between two lines of plain progress.
STEP_PERCENT = 5.0


class PlainProgress:
    """Progress as plain lines: ``replications: 12/40 (30%), 35 s, about 82 s left``."""

    def __init__(self, desc: str, unit: str, stream: TextIO, step: float = STEP_PERCENT):
        self.desc = desc
        self.unit = unit
        self.stream = stream
        self.step = step
        self.total = 0
        self.n = 0
        self._started = time.perf_counter()
        self._next = step  # the next percentage that prints a line

    def update(self, n: int = 1) -> None:
        """Count `n` more units done; print a line when a step of percent is crossed."""
        self.n += n
        if not self.total:
            return
        percent = 100.0 * self.n / self.total
        if percent >= self._next or self.n >= self.total:
            self._next = (math.floor(percent / self.step) + 1) * self.step
            print(self._line(percent), file=self.stream, flush=True)

    def _line(self, percent: float) -> str:
        elapsed = time.perf_counter() - self._started
        text = f"{self.desc}: {self.n}/{self.total} ({percent:.0f}%), {elapsed:.0f} s"
        if 0 < self.n < self.total:
            text += f", about {elapsed * (self.total - self.n) / self.n:.0f} s left"
        return text

    def close(self) -> None:
        """Nothing to clean up (the lines are already written)."""

    def __enter__(self) -> PlainProgress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class Silent(PlainProgress):
    """No progress at all (``--quiet``)."""

    def update(self, n: int = 1) -> None:
        """Count without printing."""
        self.n += n


def progress_bar(
    progress: bool | None,
    desc: str = "replications",
    unit: str = "rep",
    stream: TextIO | None = None,
) -> Any:
    """The progress display for `progress`.

    ``False``: none. ``True``: a tqdm bar on a terminal, plain lines every few percent
    elsewhere (the command line's default). ``None``: a bar on a terminal, else none (the
    default in Python and notebooks, where a stream of lines would clutter the output).
    """
    stream = sys.stderr if stream is None else stream
    terminal = hasattr(stream, "isatty") and stream.isatty()
    if progress is False or (progress is None and not terminal):
        return Silent(desc, unit, stream)
    if not terminal:
        return PlainProgress(desc, unit, stream)
    from tqdm import tqdm

    return tqdm(total=0, unit=unit, desc=desc, file=stream)
