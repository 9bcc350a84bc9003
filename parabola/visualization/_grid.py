"""A subplot grid as plain layout data: plotly's ``make_subplots`` layout, without its cost.

``make_subplots(rows=5, cols=5)`` takes a quarter of a second and every
``update_xaxes(row=, col=)`` walks the grid again; a 5-parameter contour or rank plot needs one
grid and a hundred axis updates. The same layout (domains, anchors, shared axes) is built here
as dicts, numbered as plotly numbers them (row-major from the top left; ``xaxis``, ``xaxis2``...).
"""

from __future__ import annotations

from typing import Any

__all__ = ["Grid"]


class Grid:
    """Axes of a ``rows`` x ``cols`` grid; ``axis("x", row, col)`` is that cell's dict."""

    def __init__(
        self,
        rows: int,
        cols: int,
        *,
        shared_x: bool = False,
        shared_y: bool = False,
        hspace: float | None = None,
        vspace: float | None = None,
    ) -> None:
        self.rows, self.cols = rows, cols
        hs = 0.2 / cols if hspace is None else hspace
        vs = 0.3 / rows if vspace is None else vspace
        width = (1.0 - hs * (cols - 1)) / cols
        height = (1.0 - vs * (rows - 1)) / rows
        self.axes: dict[str, dict[str, Any]] = {}
        for r in range(1, rows + 1):
            for c in range(1, cols + 1):
                x_name, y_name = self._names(r, c)
                x_ref, y_ref = self.ref(r, c)
                x0 = (c - 1) * (width + hs)
                top = 1.0 - (r - 1) * (height + vs)
                xa: dict[str, Any] = {"anchor": y_ref, "domain": [x0, min(1.0, x0 + width)]}
                ya: dict[str, Any] = {"anchor": x_ref, "domain": [max(0.0, top - height), top]}
                if shared_x and rows > 1:
                    bottom = self.ref(rows, c)[0]
                    if x_ref != bottom:
                        xa["matches"] = bottom
                        xa["showticklabels"] = False
                if shared_y and cols > 1:
                    first = self.ref(r, 1)[1]
                    if y_ref != first:
                        ya["matches"] = first
                        ya["showticklabels"] = False
                self.axes[x_name], self.axes[y_name] = xa, ya

    def _index(self, row: int, col: int) -> int:
        return (row - 1) * self.cols + col

    def _names(self, row: int, col: int) -> tuple[str, str]:
        i = self._index(row, col)
        suffix = "" if i == 1 else str(i)
        return f"xaxis{suffix}", f"yaxis{suffix}"

    def ref(self, row: int, col: int) -> tuple[str, str]:
        """The ``xaxis``/``yaxis`` values of a trace in this cell (``"x3"``, ``"y3"``)."""
        i = self._index(row, col)
        suffix = "" if i == 1 else str(i)
        return f"x{suffix}", f"y{suffix}"

    def axis(self, which: str, row: int, col: int) -> dict[str, Any]:
        return self.axes[self._names(row, col)[0 if which == "x" else 1]]

    def place(self, trace: dict[str, Any], row: int, col: int) -> dict[str, Any]:
        x_ref, y_ref = self.ref(row, col)
        return {**trace, "xaxis": x_ref, "yaxis": y_ref}
