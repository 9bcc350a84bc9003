"""``Table`` (W&B's ``wandb.Table``): columns and rows, stored as one JSON file per log call."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from parabola.tracking._media._base import Media, MediaSink, safe_key

__all__ = ["Table"]

_SCALARS = frozenset({int, float, str, bool, type(None)})


def _cell(value: Any, where: str) -> Any:
    """A storable cell: a JSON-like value or a media value (kept as is until logged)."""
    if type(value) in _SCALARS or isinstance(value, Media):
        return value
    from parabola.tracking._values import to_storable

    if isinstance(value, (list, tuple)):
        return [_cell(v, f"{where}[{i}]") for i, v in enumerate(value)]
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat) and not hasattr(value, "shape"):  # datetime, pandas.Timestamp
        return str(isoformat())
    return to_storable(value, where)


def _json_cell(value: Any, sink: MediaSink, key: str, step: int) -> Any:
    if isinstance(value, Media):
        return value.to_ref(sink, key, step)
    if isinstance(value, list):
        return [_json_cell(v, sink, key, step) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


class Table(Media):
    """Rows of values under named columns: numbers, strings, lists, ``Image`` and other media.

    Args:
        columns: Column names (default ``["Input", "Output", "Expected"]`` as in W&B, or the
            width of the first row as ``"0", "1"``... when only ``data`` is given).
        data: Rows (a list of equal-width lists); ``rows`` is W&B's other name for it.
        dataframe: A ``pandas.DataFrame`` to copy columns and rows from.

    Raises:
        ValueError: a row of the wrong width, duplicate column names.
        TypeError: a cell that cannot be stored, naming the row and column.

    Example:
        >>> import parabola
        >>> t = parabola.Table(columns=["epoch", "loss"], data=[[0, 0.9]])
        >>> t.add_data(1, 0.5)
        >>> t.get_column("loss")
        [0.9, 0.5]
        >>> t.add_data(2)
        Traceback (most recent call last):
        ...
        ValueError: Table.add_data(...): the row has 1 value, the table has 2 columns ...
    """

    _type: ClassVar[str] = "table-file"

    def __init__(
        self,
        columns: Sequence[Any] | None = None,
        data: Sequence[Sequence[Any]] | None = None,
        rows: Sequence[Sequence[Any]] | None = None,
        dataframe: Any = None,
        dtype: Any = None,
        optional: bool = True,
        allow_mixed_types: bool = False,
    ) -> None:
        if data is not None and rows is not None:
            raise ValueError("Table(data=..., rows=...): give one of them (rows is W&B's alias).")
        data = rows if data is None else data
        if dataframe is not None:
            if data is not None:
                raise ValueError("Table(data=..., dataframe=...): give one of them.")
            columns = [str(c) for c in dataframe.columns]
            data = dataframe.to_numpy(dtype=object).tolist()
        if data is not None and not isinstance(data, Sequence) and hasattr(data, "tolist"):
            data = data.tolist()  # a 2-D NumPy array
        if columns is None:
            if data:
                columns = [str(i) for i in range(len(data[0]))]
            else:
                columns = ["Input", "Output", "Expected"]
        if isinstance(columns, str) or not isinstance(columns, Sequence):
            raise TypeError(f"Table(columns=...): expected a list of names, got {columns!r:.60}.")
        self.columns: list[str] = [str(c) for c in columns]
        if len(set(self.columns)) != len(self.columns):
            raise ValueError(f"Table(columns=...): duplicate column names in {self.columns}.")
        self.data: list[list[Any]] = []
        for i, row in enumerate(data or ()):
            self._append(row, f"Table(data=...)[{i}]")

    def _append(self, row: Any, what: str) -> None:
        if isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
            raise TypeError(f"{what}: a row must be a list of values, got {row!r:.60}.")
        if len(row) != len(self.columns):
            raise ValueError(
                f"{what}: the row has {len(row)} value{'s' if len(row) != 1 else ''}, the table "
                f"has {len(self.columns)} columns ({self.columns})."
            )
        n = len(self.data)
        if all(type(v) in _SCALARS for v in row):  # the usual row: no per-cell work
            self.data.append(list(row))
            return
        self.data.append(
            [
                _cell(v, f"{what} row {n}, column {c!r}")
                for v, c in zip(row, self.columns, strict=True)
            ]
        )

    def add_data(self, *data: Any) -> None:
        """Append one row (one value per column)."""
        self._append(data, "Table.add_data(...)")

    def add_column(self, name: str, data: Sequence[Any]) -> None:
        """Append a column; ``data`` has one value per existing row."""
        if name in self.columns:
            raise ValueError(f"Table.add_column(name=...): a column {name!r} exists already.")
        if len(data) != len(self.data):
            raise ValueError(
                f"Table.add_column(data=...): {len(data)} values for {len(self.data)} rows."
            )
        self.columns.append(str(name))
        for i, (row, v) in enumerate(zip(self.data, data, strict=True)):
            row.append(_cell(v, f"Table.add_column(data=...)[{i}]"))

    def get_column(self, name: str, convert_to: str | None = None) -> Any:
        """The values of one column (``convert_to="numpy"`` for an array)."""
        try:
            j = self.columns.index(name)
        except ValueError:
            raise KeyError(f"Table.get_column: no column {name!r} in {self.columns}.") from None
        values = [row[j] for row in self.data]
        if convert_to == "numpy":
            import numpy as np

            return np.asarray(values)
        return values

    def get_dataframe(self) -> Any:
        """The table as a ``pandas.DataFrame``."""
        import pandas as pd

        return pd.DataFrame(self.data, columns=self.columns)

    def iterrows(self) -> Iterator[tuple[int, list[Any]]]:
        """``(index, row)`` pairs, as W&B's ``Table.iterrows``."""
        yield from enumerate(self.data)

    @property
    def ncols(self) -> int:
        return len(self.columns)

    def __len__(self) -> int:
        return len(self.data)

    def _payload(self, sink: MediaSink, key: str, step: int) -> bytes:
        plain = all(type(v) in _SCALARS for row in self.data for v in row)
        if plain:
            body: Any = self.data
            try:
                text = json.dumps(
                    {"columns": self.columns, "data": body}, allow_nan=False, separators=(",", ":")
                )
                return text.encode()
            except ValueError:  # NaN/inf: written as null/"Infinity" like W&B's table files
                pass
        body = [[_json_cell(v, sink, key, step) for v in row] for row in self.data]
        return json.dumps({"columns": self.columns, "data": body}, separators=(",", ":")).encode()

    def to_ref(self, sink: MediaSink, key: str, step: int) -> dict[str, Any]:
        entry = sink.put(
            f"media/table/{safe_key(key)}_{step}", "table.json", self._payload(sink, key, step)
        )
        return {
            "_type": self._type,
            **entry,
            "ncols": self.ncols,
            "nrows": len(self.data),
            "columns": list(self.columns),
        }

    def __repr__(self) -> str:
        return f"<parabola.Table {len(self.data)} rows x {self.ncols} columns>"
