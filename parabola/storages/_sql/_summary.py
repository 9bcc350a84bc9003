"""Pre-aggregated envelope summaries of history chunks, written beside each chunk.

A chart of a long run needs the min/max envelope of every metric, not its rows. Building it from
the rows means decoding the whole history (a million steps: seconds). So every history chunk is
written with a *summary* row in the same transaction (:func:`summary_stream` names its stream),
which can never be ahead of, nor behind, the rows it describes. A summary holds, per numeric key:

* the chunk's first and last plotted point (smallest and largest step with a finite value);
* for each block of ``SUMMARY_BLOCK`` consecutive rows, the point of the block's minimum and of
  its maximum, with the block's smallest step (which bucket the block falls in).

A point is ``(step, value, _runtime, _timestamp)`` of one real row (NaN where that row lacks the
carried column; a carried column the whole chunk lacks is not stored).
``_summary_read.envelope_from_summaries`` buckets these points like
``parabola.storages._envelope.envelope_of_columns`` buckets rows, with bucket edges snapped to
block edges: every bucket's minimum and maximum are exact over the rows of the blocks that fall
in it, so a spike of one step is always kept, and a cold chart reads a few points per block.

Layout: ``b"PBS2"`` + uint32 rows + uint32 header length + JSON header (padded with spaces so
that the body starts at a multiple of 8 bytes) + float64 body, little-endian and not
compressed: a cold chart reads every summary, and zlib's decompression was a third of its
cost (about 3.3 kB per 1,000 rows of 10 keys, 0.33 byte per value, against 1.1 kB). ``b"PBS1"``
summaries, written before, hold the same body zlib-compressed and unpadded; they are still read.
The header is ``{"b": block rows, "k": [[key, status], ...], "c": [carried column, ...]}``:
``"k"`` over the chunk's columns other than ``_step``, with status ``"n"`` (numbers only, with
at least one), ``"e"`` (no value) or ``"x"`` (a non-number somewhere: the whole key is then no
chart series); ``"c"`` the columns of :data:`SUMMARY_CARRY` the chunk has (absent in ``PBS1``:
both), so a point is ``2 + len(c)`` floats and a chunk without them stores no NaN columns.
The body has one row for the chunk then one per block, each ``2 + 2 * point * (number of "n"
keys)`` wide: the chunk row holds its smallest and largest plotted step then per key the first
and last point; a block row holds its smallest and largest step then per key the min and max
point.

The writer side is stdlib only (the tracking writer thread never imports numpy); the reader
(``_summary_read.py``) uses numpy.
"""

from __future__ import annotations

import json
import math
import struct
import sys
import zlib
from array import array
from collections.abc import Sequence
from typing import Any

__all__ = [
    "SUMMARY_BLOCK",
    "SUMMARY_CARRY",
    "SUMMARY_PREFIX",
    "encode_summary",
    "summary_stream",
]

SUMMARY_BLOCK = 250
#: The carried columns a summary keeps with each point (the dashboard's x axes).
SUMMARY_CARRY = ("_runtime", "_timestamp")
#: Stream-name prefix of summary rows; user streams may not start with it.
SUMMARY_PREFIX = "~e:"
_MAGIC = b"PBS2"
_MAGIC_V1 = b"PBS1"  # the same body, zlib-compressed: still read
_NAN = math.nan
_STREAM_LIMIT = 64  # run_history.stream is VARCHAR(64)
_BIG_ENDIAN = sys.byteorder == "big"


def summary_stream(stream: str) -> str | None:
    """The stream holding ``stream``'s summaries, or ``None`` when the name would not fit the
    column (such a stream is read from its rows)."""
    name = SUMMARY_PREFIX + stream
    return name if len(name) <= _STREAM_LIMIT else None


def _num(v: Any) -> float | None:
    """``v`` as a finite float, or ``None`` when it is not a plotted number."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        try:
            f = float(v)
        except OverflowError:  # an int beyond float range: stored, but not a plotted number
            return None
        if math.isfinite(f):
            return f
    return None


def _status(values: Sequence[Any]) -> str:
    seen = False
    for v in values:
        if v is None:
            continue
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            return "x"
        seen = True
    return "n" if seen else "e"


def encode_summary(
    n: int,
    columns: Sequence[tuple[str, Sequence[Any], Sequence[bool] | None, str, array[Any] | None]],
) -> bytes:
    """The summary of one chunk of ``n`` rows, from its columns as the chunk encoder holds them:
    ``(key, present values, presence flags or None for a full column, kind, packed array)``
    where ``kind`` is the chunk's column kind (``"f"`` all floats, ``"i"`` all ints, ``"j"``
    anything else) and the packed array is the numeric column's ``array("d"/"q")``.

    The usual chunk (integer steps in order, full float or int columns) costs, per block and
    key, one vectorised argmin/argmax over the packed array when numpy is already imported
    (a training script's usual state; the writer never imports it), else a C-level
    ``min``/``max``/``index``; anything else takes a per-cell loop.
    """
    np = sys.modules.get("numpy") if not _BIG_ENDIAN else None
    if np is not None:
        blob = _encode_np(np, n, columns)
        if blob is not None:
            return blob
    full: dict[str, Sequence[Any]] = {}
    for key, values, present, _, _ in columns:
        if present is None:
            full[key] = values
        else:
            it = iter(values)
            full[key] = [next(it) if p else None for p in present]
    kind_of = {key: kind for key, _, present, kind, _ in columns if present is None}
    raw_steps = full.get("_step")
    steps: Sequence[float | int | None]
    if raw_steps is not None and kind_of.get("_step") == "i":
        steps = raw_steps
        all_steps = True
    else:
        steps = [None] * n if raw_steps is None else [_num(s) for s in raw_steps]
        all_steps = all(s is not None for s in steps)
    # sorted() of a sorted list is one C-level pass.
    ordered = all_steps and list(steps) == sorted(steps)  # type: ignore[type-var]
    kept = [c for c in SUMMARY_CARRY if c in full]  # the carried columns this chunk has
    carried = [full[c] for c in kept]

    def point(i: int, value: float) -> list[float]:
        out = [steps[i], value]
        for col in carried:
            v = _num(col[i])
            out.append(_NAN if v is None else v)
        return out  # type: ignore[return-value]

    none_point = [_NAN] * (2 + len(kept))
    blocks = [(a, min(a + SUMMARY_BLOCK, n)) for a in range(0, n, SUMMARY_BLOCK)]
    valid_steps: Sequence[Any] = steps if all_steps else [s for s in steps if s is not None]
    chunk_row: list[float] = [min(valid_steps), max(valid_steps)] if valid_steps else [_NAN, _NAN]
    block_rows: list[list[float]] = []
    for a, b in blocks:
        if ordered:
            block_rows.append([steps[a], steps[b - 1]])  # type: ignore[list-item]
            continue
        seg = [s for s in steps[a:b] if s is not None]
        block_rows.append([min(seg), max(seg)] if seg else [_NAN, _NAN])
    header: list[list[str]] = []
    for key, _, present, kind, _ in columns:
        if key == "_step":
            continue
        col = full[key]
        status = "n" if kind in ("f", "i") else _status(col)
        header.append([key, status])
        if status != "n":
            continue
        if (
            all_steps
            and ordered
            and present is None
            and kind in ("f", "i")
            and _block_extremes(col, steps, n, blocks, block_rows, chunk_row, point)
        ):
            continue
        ok = [(i, f) for i in range(n) if steps[i] is not None and (f := _num(col[i])) is not None]
        if ok:
            first_i = min(ok, key=lambda p: steps[p[0]])  # type: ignore[arg-type,return-value]
            last_i = max(reversed(ok), key=lambda p: steps[p[0]])  # type: ignore[arg-type,return-value]
            chunk_row += point(*first_i) + point(*last_i)
        else:
            chunk_row += none_point + none_point
        for row, (a, b) in zip(block_rows, blocks, strict=True):
            seg_ok = [p for p in ok if a <= p[0] < b]
            if seg_ok:
                # min() and max() keep the first of equal extremes, as the row envelope.
                mn_p = min(seg_ok, key=lambda p: p[1])
                mx_p = max(seg_ok, key=lambda p: p[1])
                row += point(*mn_p) + point(*mx_p)
            else:
                row += none_point + none_point
    return _pack(n, header, kept, array("d", chunk_row), block_rows)


def _pack(
    n: int,
    header: list[list[str]],
    kept: list[str],
    body: array[Any],
    block_rows: list[list[float]],
) -> bytes:
    head = json.dumps({"b": SUMMARY_BLOCK, "k": header, "c": kept}).encode()
    # Spaces (JSON whitespace) so that the body starts at a multiple of 8 bytes: equal
    # summaries joined end to end are then one float64 array (see _groups).
    head += b" " * (-(12 + len(head)) % 8)
    for row in block_rows:
        body.extend(row)
    if body.itemsize != 8:  # pragma: no cover - every supported platform has 8-byte doubles
        raise RuntimeError("float64 arrays are needed")
    if _BIG_ENDIAN:  # pragma: no cover
        body.byteswap()
    # Not compressed: the cold chart of a long run reads every summary, and zlib's
    # decompression was a third of it (3.3 MB of floats for a million rows of 10 keys).
    return _MAGIC + struct.pack("<II", n, len(head)) + head + body.tobytes()


def _finite(v: float) -> bool:
    return v - v == 0  # False for NaN and infinities (faster than math.isfinite here)


def _block_extremes(
    col: Sequence[Any],
    steps: Sequence[Any],
    n: int,
    blocks: Sequence[tuple[int, int]],
    block_rows: list[list[float]],
    chunk_row: list[float],
    point: Any,
) -> bool:
    """The chunk row's first/last points and every block's min/max points of one full
    numeric column with steps in order, by C-level ``min``/``max``/``index``; ``False``
    (nothing appended) when a block needs the per-cell path.

    ``min`` and ``max`` skip NaN cells unless the first cell is NaN (every comparison with
    NaN is false), so a block whose first cell and both extremes are finite has its extremes
    exact over its finite cells; infinities would show as an extreme and send it to the
    per-cell path. No extra pass checks for NaN first.
    """
    first = next((i for i in range(n) if _finite(col[i])), None)
    if first is None:
        return False
    last = next(i for i in range(n - 1, -1, -1) if _finite(col[i]))
    points = []
    for a, b in blocks:
        part = col[a:b]
        mn, mx = min(part), max(part)
        if not (_finite(part[0]) and _finite(mn) and _finite(mx)):
            return False
        points.append(point(a + part.index(mn), mn) + point(a + part.index(mx), mx))
    chunk_row += point(first, col[first]) + point(last, col[last])
    for row, extra in zip(block_rows, points, strict=True):
        row += extra
    return True


def _encode_np(
    np: Any,
    n: int,
    columns: Sequence[tuple[str, Sequence[Any], Sequence[bool] | None, str, array[Any] | None]],
) -> bytes | None:
    """:func:`encode_summary` of the usual chunk with numpy (already imported): integer steps
    in order and every numeric key a full column of finite numbers, all keys' blocks at once
    over the encoder's packed arrays (no copy of a cell into a Python object). ``None`` for
    any other chunk. Gives the same bytes as the per-key path."""
    by_key = {c[0]: c for c in columns}
    step = by_key.get("_step")
    if step is None or step[2] is not None or step[3] != "i" or step[4] is None:
        return None
    steps = np.frombuffer(step[4], dtype=np.int64)
    if n > 1 and not (steps[1:] >= steps[:-1]).all():
        return None
    header: list[list[str]] = []
    packed: list[Any] = []
    for key, values, present, kind, arr in columns:
        if key == "_step":
            continue
        if kind in ("f", "i"):
            if present is not None or arr is None:
                return None
            header.append([key, "n"])
            packed.append(np.frombuffer(arr, dtype=np.float64 if kind == "f" else np.int64))
        else:
            status = _status(values)  # over the present cells: a missing one is a None
            if status == "n":
                return None
            header.append([key, status])
    k = len(packed)
    values = np.empty((k, n))
    for i, col in enumerate(packed):
        values[i] = col
    if not np.isfinite(values).all():
        return None
    kept = [c for c in SUMMARY_CARRY if c in by_key]  # the carried columns this chunk has
    carried = []
    for c in kept:
        col = by_key[c]
        if col[2] is None and col[4] is not None:
            x = np.frombuffer(col[4], dtype=np.float64 if col[3] == "f" else np.int64)
            x = x.astype(np.float64)
            carried.append(np.where(np.isfinite(x), x, np.nan))
            continue
        cells = col[1] if col[2] is None else _spread(col[1], col[2])
        carried.append(np.array([_NAN if (v := _num(x)) is None else v for x in cells]))
    st = steps.astype(np.float64)
    b = SUMMARY_BLOCK
    nb = -(-n // b)
    pad = nb * b - n
    starts = np.arange(nb) * b
    pw = 2 + len(kept)  # a point: step, value, the kept carries
    body = np.empty((nb + 1, 2 + 2 * pw * k))
    body[0, :2] = st[0], st[-1]
    body[1:, 0] = st[starts]
    body[1:, 1] = st[np.minimum(starts + b, n) - 1]
    cells = np.empty((nb + 1, k, 2 * pw))
    for half, (row_of, fill) in enumerate(((np.argmin, np.inf), (np.argmax, -np.inf))):
        padded = np.concatenate([values, np.full((k, pad), fill)], axis=1) if pad else values
        at = row_of(padded.reshape(k, nb, b), axis=2) + starts  # (k, nb), first of equals
        o = pw * half
        cells[1:, :, o] = st[at].T
        cells[1:, :, o + 1] = np.take_along_axis(values, at, axis=1).T
        end = 0 if half == 0 else n - 1  # the chunk row: first, then last point
        cells[0, :, o] = st[end]
        cells[0, :, o + 1] = values[:, end]
        for i, col in enumerate(carried):
            cells[1:, :, o + 2 + i] = col[at].T
            cells[0, :, o + 2 + i] = col[end]
    body[:, 2:] = cells.reshape(nb + 1, 2 * pw * k)
    return _pack(n, header, kept, array("d", body.tobytes()), [])


def _spread(values: Sequence[Any], present: Sequence[bool]) -> list[Any]:
    it = iter(values)
    return [next(it) if p else None for p in present]


def _split(blob: bytes) -> tuple[int, bytes, Any]:
    """Row count, JSON header and float64 body of one summary (either layout)."""
    magic = blob[:4]
    if magic != _MAGIC and magic != _MAGIC_V1:
        raise ValueError("Not a parabola history summary (bad magic bytes).")
    n, hlen = struct.unpack_from("<II", blob, 4)
    body = memoryview(blob)[12 + hlen :]
    return n, blob[12 : 12 + hlen], body if magic == _MAGIC else zlib.decompress(body)
