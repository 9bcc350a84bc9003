"""Media and tables for tracking runs: W&B's ``Table``, ``Image``, ``Histogram``, ``Video``,
``Audio``, ``Html`` and ``plot`` charts.

``run.log({"img": Image(...)})`` stores the file in the store's artifact folder (by SHA-256) and
the row holds a reference (``_type``, ``path``, ``sha256``, ``size``...); ``load_media`` turns
a reference read back through ``Api`` into the object again. The stored format is described in
docs/tracking.md ("Media and tables"). Loaded on first use: ``import parabola`` does not load it.
"""

from __future__ import annotations

from parabola.tracking._media import _plot as plot
from parabola.tracking._media._base import Media
from parabola.tracking._media._files import Audio, Html, Video
from parabola.tracking._media._histogram import Histogram
from parabola.tracking._media._image import Image
from parabola.tracking._media._refs import externalize, holds_media, load_media, reject_media
from parabola.tracking._media._table import Table

__all__ = [
    "Audio",
    "Histogram",
    "Html",
    "Image",
    "Media",
    "Table",
    "Video",
    "externalize",
    "holds_media",
    "load_media",
    "plot",
    "reject_media",
]
