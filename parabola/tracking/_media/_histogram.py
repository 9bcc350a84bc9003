"""``Histogram`` (W&B's ``wandb.Histogram``): counts and bin edges, stored inline in the row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from parabola.tracking._media._base import Media, MediaSink

__all__ = ["Histogram"]

MAX_BINS = 512  # W&B's limit


class Histogram(Media):
    """A histogram of values (``sequence``) or a precomputed ``np_histogram=(counts, edges)``.

    Example:
        >>> import parabola
        >>> h = parabola.Histogram([1, 2, 2, 3], num_bins=2)
        >>> h.histogram, h.bins
        ([1, 3], [1.0, 2.0, 3.0])
    """

    _type: ClassVar[str] = "histogram"

    def __init__(
        self,
        sequence: Sequence[Any] | Any = None,
        np_histogram: tuple[Any, Any] | None = None,
        num_bins: int = 64,
    ) -> None:
        import numpy as np

        if (
            isinstance(num_bins, bool)
            or not isinstance(num_bins, int)
            or not (1 <= num_bins <= MAX_BINS)
        ):
            raise ValueError(
                f"Histogram(num_bins=...): expected an int in 1..{MAX_BINS}, got {num_bins!r}."
            )
        if (sequence is None) == (np_histogram is None):
            raise ValueError("Histogram(...): give either sequence or np_histogram.")
        if np_histogram is not None:
            if not isinstance(np_histogram, (tuple, list)) or len(np_histogram) != 2:
                raise ValueError("Histogram(np_histogram=...): expected (counts, bin_edges).")
            counts = np.asarray(np_histogram[0], dtype=float)
            edges = np.asarray(np_histogram[1], dtype=float)
            if counts.ndim != 1 or edges.shape != (len(counts) + 1,):
                raise ValueError(
                    "Histogram(np_histogram=...): bin_edges must have one more value than counts, "
                    f"got {len(counts)} counts and {edges.size} edges."
                )
            if len(counts) > MAX_BINS:
                raise ValueError(f"Histogram(np_histogram=...): at most {MAX_BINS} bins.")
        else:
            detach = getattr(sequence, "detach", None)
            if callable(detach):
                sequence = detach().cpu().numpy()
            try:
                values = np.asarray(sequence, dtype=float).ravel()
            except (TypeError, ValueError):
                raise TypeError(
                    f"Histogram(sequence=...): expected numbers, got {type(sequence).__name__}."
                ) from None
            values = values[np.isfinite(values)]
            counts, edges = np.histogram(values, bins=num_bins)
        self.histogram: list[Any] = [
            int(c) if float(c).is_integer() else float(c) for c in np.asarray(counts).tolist()
        ]
        self.bins: list[float] = [float(e) for e in np.asarray(edges).tolist()]

    def to_ref(self, sink: MediaSink, key: str, step: int) -> dict[str, Any]:
        return {"_type": self._type, "values": list(self.histogram), "bins": list(self.bins)}

    def __repr__(self) -> str:
        return f"<parabola.Histogram {len(self.histogram)} bins>"
