"""W&B's ``wandb.plot`` charts: a ``Table`` plus a chart spec, logged as one ``chart`` value.

The spec follows W&B's: its Vega spec name and the mapping of chart fields to table columns.

Example:
    >>> import parabola
    >>> t = parabola.Table(columns=["step", "loss"], data=[[0, 1.0], [1, 0.5]])
    >>> chart = parabola.plot.line(t, "step", "loss", title="Loss")
    >>> chart.spec_name, chart.fields
    ('wandb/line/v0', {'x': 'step', 'y': 'loss'})
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from parabola.tracking._media._base import Media, MediaSink
from parabola.tracking._media._table import Table

__all__ = [
    "CustomChart",
    "bar",
    "confusion_matrix",
    "histogram",
    "line",
    "line_series",
    "pr_curve",
    "roc_curve",
    "scatter",
]


class CustomChart(Media):
    """A table and how to draw it: ``spec_name`` (W&B's Vega spec id), ``fields`` (chart role ->
    column) and ``string_fields`` (title...)."""

    _type: ClassVar[str] = "chart"

    def __init__(
        self,
        table: Table,
        spec_name: str,
        fields: dict[str, str],
        string_fields: dict[str, str] | None = None,
    ) -> None:
        self.table = table
        self.spec_name = spec_name
        self.fields = fields
        self.string_fields = dict(string_fields or {})

    def to_ref(self, sink: MediaSink, key: str, step: int) -> dict[str, Any]:
        return {
            "_type": self._type,
            "vega_spec_name": self.spec_name,
            "fields": dict(self.fields),
            "string_fields": dict(self.string_fields),
            "table": self.table.to_ref(sink, f"{key}_table", step),
        }

    def __repr__(self) -> str:
        return f"<parabola.plot chart {self.spec_name} over {self.table!r}>"


def _table_with(table: Any, what: str, *columns: str | None) -> Table:
    if not isinstance(table, Table):
        raise TypeError(
            f"{what}(table=...): expected a parabola.Table, got {type(table).__name__}."
        )
    for c in columns:
        if c is not None and c not in table.columns:
            raise ValueError(f"{what}: no column {c!r} in the table's {table.columns}.")
    return table


def line(
    table: Table,
    x: str,
    y: str,
    stroke: str | None = None,
    title: str = "",
    split_table: bool = False,
) -> CustomChart:
    """A line chart of column ``y`` against ``x`` (one line per ``stroke`` value)."""
    _table_with(table, "plot.line", x, y, stroke)
    fields = {"x": x, "y": y, **({"stroke": stroke} if stroke else {})}
    return CustomChart(table, "wandb/line/v0", fields, {"title": title})


def scatter(
    table: Table, x: str, y: str, title: str = "", split_table: bool = False
) -> CustomChart:
    """A scatter plot of column ``y`` against ``x``."""
    _table_with(table, "plot.scatter", x, y)
    return CustomChart(table, "wandb/scatter/v0", {"x": x, "y": y}, {"title": title})


def bar(
    table: Table, label: str, value: str, title: str = "", split_table: bool = False
) -> CustomChart:
    """A bar per row: ``label`` names it, ``value`` is its height."""
    _table_with(table, "plot.bar", label, value)
    return CustomChart(table, "wandb/bar/v0", {"label": label, "value": value}, {"title": title})


def histogram(table: Table, value: str, title: str = "", split_table: bool = False) -> CustomChart:
    """A histogram of column ``value`` (binned when drawn)."""
    _table_with(table, "plot.histogram", value)
    return CustomChart(table, "wandb/histogram/v0", {"value": value}, {"title": title})


def line_series(
    xs: Sequence[Any],
    ys: Sequence[Sequence[Any]],
    keys: Sequence[str] | None = None,
    title: str = "",
    xname: str = "x",
    split_table: bool = False,
) -> CustomChart:
    """Several lines over shared (or per-line) ``xs``; ``keys`` names the lines."""
    if not ys or isinstance(ys, (str, bytes)):
        raise ValueError("plot.line_series(ys=...): expected a non-empty list of series.")
    per_line = len(xs) > 0 and isinstance(xs[0], Sequence) and not isinstance(xs[0], str)
    if keys is not None and len(keys) != len(ys):
        raise ValueError(f"plot.line_series(keys=...): {len(keys)} keys for {len(ys)} series.")
    names = list(keys) if keys is not None else [f"key_{i}" for i in range(len(ys))]
    rows = []
    for i, series in enumerate(ys):
        x = xs[i] if per_line else xs
        if len(x) != len(series):
            raise ValueError(
                f"plot.line_series(ys=...): series {i} has {len(series)} values for {len(x)} xs."
            )
        rows += [[names[i], y, xv] for xv, y in zip(x, series, strict=True)]
    table = Table(columns=["lineKey", "lineVal", "step"], data=rows)
    fields = {"step": "step", "lineKey": "lineKey", "lineVal": "lineVal"}
    return CustomChart(table, "wandb/lineseries/v0", fields, {"title": title, "xname": xname})


def _class_index(y_true: Any, labels: Sequence[str] | None, what: str) -> Any:
    import numpy as np

    y = np.asarray(y_true)
    if y.dtype.kind in "iu":
        return y.astype(int)
    if labels is None:
        raise ValueError(f"{what}(y_true=...): class names need labels=[...] to map them.")
    index = {name: i for i, name in enumerate(labels)}
    try:
        return np.asarray([index[v] for v in y.tolist()])
    except KeyError as e:
        raise ValueError(f"{what}(y_true=...): {e.args[0]!r} is not in labels.") from None


def confusion_matrix(
    probs: Any = None,
    y_true: Any = None,
    preds: Any = None,
    class_names: Sequence[str] | None = None,
    title: str = "Confusion Matrix Curve",
    split_table: bool = False,
) -> CustomChart:
    """Counts of (actual, predicted) classes, from ``preds`` or the argmax of ``probs``."""
    import numpy as np

    if (probs is None) == (preds is None):
        raise ValueError("plot.confusion_matrix(...): give exactly one of probs and preds.")
    if y_true is None:
        raise ValueError("plot.confusion_matrix(y_true=...): the true classes are required.")
    predicted = np.argmax(np.asarray(probs), axis=1) if probs is not None else np.asarray(preds)
    actual = _class_index(y_true, class_names, "plot.confusion_matrix")
    predicted = _class_index(predicted, class_names, "plot.confusion_matrix")
    if actual.shape != predicted.shape:
        raise ValueError(
            f"plot.confusion_matrix: {len(actual)} true classes for {len(predicted)} predictions."
        )
    n = int(max(actual.max(initial=0), predicted.max(initial=0))) + 1
    if class_names is not None:
        if n > len(class_names):
            raise ValueError(
                f"plot.confusion_matrix(class_names=...): class {n - 1} has no name "
                f"({len(class_names)} names)."
            )
        n = len(class_names)
    names = list(class_names) if class_names is not None else [f"Class_{i}" for i in range(n)]
    counts = np.zeros((n, n), dtype=int)
    np.add.at(counts, (actual, predicted), 1)
    rows = [[names[i], names[j], int(counts[i, j])] for i in range(n) for j in range(n)]
    table = Table(columns=["Actual", "Predicted", "nPredictions"], data=rows)
    fields = {"Actual": "Actual", "Predicted": "Predicted", "nPredictions": "nPredictions"}
    return CustomChart(table, "wandb/confusion_matrix/v1", fields, {"title": title})


def _curve_inputs(
    y_true: Any, y_probas: Any, labels: Sequence[str] | None, what: str
) -> tuple[Any, Any, list[str]]:
    import numpy as np

    probas = np.asarray(y_probas, dtype=float)
    if probas.ndim != 2:
        raise ValueError(
            f"{what}(y_probas=...): expected (n_samples, n_classes), got {probas.shape}."
        )
    truth = _class_index(y_true, labels, what)
    if truth.shape != (probas.shape[0],):
        raise ValueError(
            f"{what}: {truth.size} true classes for {probas.shape[0]} rows of y_probas."
        )
    names = list(labels) if labels is not None else [str(i) for i in range(probas.shape[1])]
    return truth, probas, names


def _scores(truth: Any, scores: Any) -> tuple[Any, Any, Any]:
    """True and false positives at each distinct threshold, high to low."""
    import numpy as np

    order = np.argsort(-scores, kind="stable")
    s, t = scores[order], truth[order]
    distinct = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]
    tps = np.cumsum(t)[distinct]
    fps = (distinct + 1) - tps
    return tps, fps, s[distinct]


def roc_curve(
    y_true: Any = None,
    y_probas: Any = None,
    labels: Sequence[str] | None = None,
    classes_to_plot: Sequence[int] | None = None,
    title: str = "ROC",
    split_table: bool = False,
) -> CustomChart:
    """One-vs-rest ROC curves: false and true positive rates per class."""
    import numpy as np

    truth, probas, names = _curve_inputs(y_true, y_probas, labels, "plot.roc_curve")
    rows: list[list[Any]] = []
    for c in classes_to_plot if classes_to_plot is not None else range(probas.shape[1]):
        positive = (truth == c).astype(int)
        tps, fps, _ = _scores(positive, probas[:, c])
        p, n = max(int(positive.sum()), 1), max(int(len(positive) - positive.sum()), 1)
        tpr, fpr = np.r_[0.0, tps / p], np.r_[0.0, fps / n]
        rows += [[names[c], float(f), float(t)] for f, t in zip(fpr, tpr, strict=True)]
    table = Table(columns=["class", "fpr", "tpr"], data=rows)
    fields = {"x": "fpr", "y": "tpr", "class": "class"}
    string_fields = {
        "title": title,
        "x-axis-title": "False positive rate",
        "y-axis-title": "True positive rate",
    }
    return CustomChart(table, "wandb/area-under-curve/v0", fields, string_fields)


def pr_curve(
    y_true: Any = None,
    y_probas: Any = None,
    labels: Sequence[str] | None = None,
    classes_to_plot: Sequence[int] | None = None,
    interp_size: int = 21,
    title: str = "Precision v. Recall",
    split_table: bool = False,
) -> CustomChart:
    """One-vs-rest precision-recall curves, interpolated on ``interp_size`` recall points."""
    import numpy as np

    truth, probas, names = _curve_inputs(y_true, y_probas, labels, "plot.pr_curve")
    grid = np.linspace(0.0, 1.0, interp_size)
    rows: list[list[Any]] = []
    for c in classes_to_plot if classes_to_plot is not None else range(probas.shape[1]):
        positive = (truth == c).astype(int)
        tps, fps, _ = _scores(positive, probas[:, c])
        precision = tps / np.maximum(tps + fps, 1)
        recall = tps / max(int(positive.sum()), 1)
        # Interpolated precision: the best precision at any recall >= r (the usual PR envelope).
        best = np.maximum.accumulate(precision[::-1])[::-1]
        at = np.searchsorted(recall, grid, side="left")
        values = np.where(at < len(best), best[np.minimum(at, len(best) - 1)], 0.0)
        rows += [[names[c], float(p), float(r)] for p, r in zip(values, grid, strict=True)]
    table = Table(columns=["class", "precision", "recall"], data=rows)
    fields = {"x": "recall", "y": "precision", "class": "class"}
    string_fields = {"title": title, "x-axis-title": "Recall", "y-axis-title": "Precision"}
    return CustomChart(table, "wandb/area-under-curve/v0", fields, string_fields)
