"""What every plot of a comparison shares: sizes, colors, the baseline's style, legends, labels.

Each plot comes in two variants: *wide* for a page or a notebook (about 9.5 inches) and
*narrow* for a phone (4.3 inches at a higher resolution, legends under the axes), so that its
text stays readable when the report is read at phone width. The baseline is drawn last, on
top, as a thick black line (or black marks), so no option hides it. Option names that share a
leading phrase ("W district, ...") are shortened in the plots, with the phrase as the legend
title.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from wsim.figures import PlotFigure, font_context, plot_language
from wsim.texts import text, wrap

#: Widths of the two variants (inches).
WIDE_WIDTH, NARROW_WIDTH = 9.5, 4.3
#: Resolution the report renders the narrow variant at (dots per inch): sharper on phones.
NARROW_DPI = 120
#: Font size of the wide and the narrow variant (points).
WIDE_FONT, NARROW_FONT = 10.0, 9.0

BASELINE_COLOR = "#111111"
VERDICT_COLORS = {
    "better": "#1a7f37",
    "worse": "#c62828",
    "uncertain": "#d97706",
    "no material change": "#6e7781",
    "unknown": "#6e7781",
}
_PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"]
_PALETTE += ["#7f7f7f", "#bcbd22", "#17becf"]
_SEPARATORS = " ,;:-\u2013\u2014\u00b7\uff0c\uff1a"


def color(index: int) -> str:
    """The color of the option at `index` of the options other than the baseline."""
    return _PALETTE[index % len(_PALETTE)]


def option_colors(options: Sequence[str], baseline: str) -> dict[str, str]:
    """Option -> color: black for the baseline, the palette in order for the others."""
    others = [option for option in options if option != baseline]
    colors = {option: color(i) for i, option in enumerate(others)}
    return {baseline: BASELINE_COLOR, **colors}


def short_names(options: Sequence[str]) -> tuple[str, dict[str, str]]:
    """The leading phrase all option names share, and each name without it.

    The phrase ends at a separator (space, comma, colon, dash) in every name and leaves every
    name something; ``("", names)`` when there is no such phrase.
    """
    names = [str(option) for option in options]
    if len(names) < 2:
        return "", {name: name for name in names}
    prefix = names[0]
    for name in names[1:]:
        while not name.startswith(prefix):
            prefix = prefix[:-1]
    while prefix and not all(len(n) > len(prefix) and n[len(prefix)] in _SEPARATORS for n in names):
        prefix = prefix[:-1]
    prefix = prefix.rstrip(_SEPARATORS)
    rest = {name: name[len(prefix) :].lstrip(_SEPARATORS) for name in names}
    if len(prefix) < 3 or not all(rest.values()) or len(set(rest.values())) < len(names):
        return "", {name: name for name in names}
    return prefix, rest


def label(text: object, width: int | None = None) -> str:
    """Text safe for matplotlib (a ``$`` would start math mode), wrapped to `width` columns.

    Columns count display width: a Chinese character takes two. Lines break at spaces, and
    between Chinese characters.
    """
    text = str(text)
    if width is not None:
        text = "\n".join(wrap(text, width))
    return text.replace("$", r"\$")


def wrap_width(narrow: bool, wide: int = 40, narrow_width: int = 22) -> int:
    """Display columns per line of a label in a variant."""
    return narrow_width if narrow else wide


def title_width(narrow: bool, lang: str = "en") -> int:
    """Display columns per line of a title or a panel title."""
    return wrap_width(narrow, 90, 46)


def baseline_name(name: str, lang: str) -> str:
    """The baseline's name in a legend, marked as the baseline unless its name says so."""
    if "baseline" in name.lower() or "基准" in name:
        return name
    return text("plot.baseline", lang, option=name)


class Canvas:
    """A figure of one variant with its language, made inside the right font settings.

    ``with Canvas(narrow, lang, wide_height, narrow_height) as c:`` gives ``c.fig`` (a
    :class:`~wsim.figures.PlotFigure`) and ``c.lang`` (English when Chinese has no font).
    """

    def __init__(self, narrow: bool, lang: str, height: float, narrow_height: float | None = None):
        self.narrow = narrow
        self.lang = plot_language(lang)
        self._context = font_context(self.lang, NARROW_FONT if narrow else WIDE_FONT)
        size = (NARROW_WIDTH, narrow_height or height * 1.25) if narrow else (WIDE_WIDTH, height)
        self._size = size
        self.fig: PlotFigure | None = None

    def __enter__(self) -> Canvas:
        self._context.__enter__()
        self.fig = PlotFigure(figsize=self._size, layout="constrained")
        return self

    def __exit__(self, *exc: object) -> None:
        self._context.__exit__(*exc)

    def legend(self, ax, title: str = "", ncols: int | None = None) -> None:
        """The legend of `ax`: right of the axes when wide, under them when narrow."""
        handles, labels = ax.get_legend_handles_labels()
        if not handles:
            ax.text(0.5, 0.5, "\u2013", ha="center", transform=ax.transAxes)
            return
        size = NARROW_FONT - 1 if self.narrow else WIDE_FONT - 1.5
        if self.narrow:
            self.fig.legend(
                handles,
                labels,
                loc="outside lower center",
                ncols=ncols or 1,
                fontsize=size,
                title=label(title) or None,
                title_fontsize=size,
            )
        else:
            ax.legend(
                loc="upper left",
                bbox_to_anchor=(1.01, 1),
                fontsize=size,
                title=label(title) or None,
                title_fontsize=size,
            )


def error(center, low, high) -> np.ndarray:
    """Error-bar lengths below and above `center` (0 where an interval bound is missing)."""
    center, low, high = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (center, low, high))
    below = np.where(np.isfinite(low), center - low, 0.0)
    above = np.where(np.isfinite(high), high - center, 0.0)
    return np.vstack([np.clip(below, 0, None), np.clip(above, 0, None)])


def halo(linewidth: float = 4.0) -> list:
    """A white outline that keeps a line visible where it crosses others."""
    from matplotlib import patheffects

    return [patheffects.Stroke(linewidth=linewidth, foreground="white"), patheffects.Normal()]
