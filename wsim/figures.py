"""Matplotlib figures made without pyplot, and their PNG form for files and reports.

wsim draws on :class:`PlotFigure`, a Figure that needs no global pyplot state or display and
shows itself in notebooks as a PNG; :func:`png_bytes` and :func:`png_data_uri` render any
Figure with the Agg backend, for files and for reports that embed their images.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import io
import logging
import re
from pathlib import Path

from matplotlib.figure import Figure

#: Resolution of rendered figures (dots per inch).
DPI = 96


def png_bytes(figure: Figure, dpi: int = DPI) -> bytes:
    """The figure rendered as PNG (with the Agg backend)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def png_data_uri(figure: Figure, dpi: int = DPI) -> str:
    """The figure as a ``data:image/png;base64,...`` URI, for self-contained HTML."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(figure, dpi)).decode("ascii")


class PlotFigure(Figure):
    """A matplotlib Figure that also shows itself in notebooks (as a PNG), without pyplot."""

    def _repr_png_(self) -> bytes:
        return png_bytes(self)


#: Font families that can draw Chinese, in order of preference (the first one found is used).
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Droid Sans Fallback",
)
_CJK_FILES = re.compile(
    r"(notosanscjk|notosanssc|sourcehansans|wqy|msyh|simhei|pingfang|droidsansfallback)", re.I
)


def _known_cjk_font() -> str | None:
    """A Chinese font matplotlib already knows (no search of the system's font files)."""
    from matplotlib import font_manager

    known = {font.name for font in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in known), None)


@functools.cache
def cjk_font() -> str | None:
    """The name of a font that can draw Chinese, or ``None`` when the machine has none.

    Looks among the fonts matplotlib knows, then among the system's font files (a font
    installed after matplotlib built its font cache is added; this search takes a second or
    two, once per process).
    """
    from matplotlib import font_manager

    # a CJK font often has only a medium weight: matplotlib then logs a warning per text
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    found = _known_cjk_font()
    if found is not None:
        return found
    for path in font_manager.findSystemFonts():
        if _CJK_FILES.search(Path(path).name.replace("-", "").replace("_", "")):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
    return _known_cjk_font()


def plot_language(lang: str) -> str:
    """The language plots can be drawn in: `lang`, or English when Chinese has no font."""
    return "en" if lang == "zh" and cjk_font() is None else lang


def font_context(lang: str, size: float = 10.0) -> contextlib.AbstractContextManager:
    """Matplotlib settings for figures made inside it: font size, and a Chinese font for zh.

    In English a Chinese font matplotlib already knows is a fallback, for scenario names
    written in Chinese. The font family is stored in each text as it is created, so a figure
    made inside the context keeps its fonts when it is rendered later, outside it.
    """
    import matplotlib

    settings: dict[str, object] = {"font.size": size, "axes.titlesize": size + 1}
    chinese = cjk_font() if lang == "zh" else _known_cjk_font()
    if chinese is not None:
        families = [chinese, "DejaVu Sans"] if lang == "zh" else ["DejaVu Sans", chinese]
        settings["font.family"] = families
    return matplotlib.rc_context(settings)
