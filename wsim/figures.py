"""Matplotlib figures made without pyplot, and their PNG form for files and reports.

wsim draws on :class:`PlotFigure`, a Figure that needs no global pyplot state or display and
shows itself in notebooks as a PNG; :func:`png_bytes` and :func:`png_data_uri` render any
Figure with the Agg backend, for files and for reports that embed their images.
"""

from __future__ import annotations

import base64
import io

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
