"""Compact, column-oriented encoding of tracking-history chunks.

A chunk is up to ``CHUNK_ROWS`` history rows (flat dicts). It is stored as one binary payload:

``b"PBH2"`` + zlib( uint32 header length + JSON header + column buffers ), where the header
lists the columns in first-seen order with their kind:

* ``"f"``: every present value is a Python ``float``: a float64 array (NaN and inf kept exactly);
* ``"i"``: every present value is an ``int`` (not ``bool``) that fits int64: an int64 array;
* ``"j"``: anything else (strings, bools, lists, mixed types): a JSON list in the header.

A column that is missing from some rows carries a presence bitmap (``numpy.packbits``). Ten
float metrics per row cost about 8 bytes each before compression, well under the 30-byte budget.

Numeric buffers are byte-shuffled (the 8 byte planes of the column one after the other, as in
Blosc/HDF5's shuffle filter): neighbouring values share their high bytes, so zlib compresses the
planes about 3x smaller and 2-3x faster than the raw array. ``b"PBH1"`` payloads (written before
the shuffle, same layout unshuffled) are still read.
"""

from __future__ import annotations

import json
import operator
import struct
import sys
import zlib
from array import array
from collections.abc import Mapping, Sequence
from typing import Any

from parabola.logging import get_logger
from parabola.storages._sql._summary import encode_summary

__all__ = [
    "CHUNK_ROWS",
    "concat_columns",
    "decode_chunk",
    "decode_chunk_columns",
    "encode_chunk",
    "encode_chunk_steps",
    "encode_chunk_with_summary",
    "filter_columns",
    "row_steps",
]

CHUNK_ROWS = 1000
_log = get_logger(__name__)
_MAGIC = b"PBH2"
_BIG_ENDIAN = sys.byteorder == "big"
_MAGIC_V1 = b"PBH1"  # unshuffled numeric buffers: still read


def row_steps(rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """The ``_step`` of each row (0 when absent), used for the chunk's min/max step."""
    out = []
    for r in rows:
        s = r.get("_step", 0)
        out.append(int(s) if isinstance(s, (int, float)) and not isinstance(s, bool) else 0)
    return out


def _column_entry(
    key: str, values: Sequence[Any], full: bool
) -> tuple[list[Any], bytes, array[Any] | None]:
    """Header entry, buffer and (numeric columns) packed array of one column (``values``
    are the present values only)."""
    kinds = set(map(type, values))
    entry: list[Any] = [key, "j", full]
    if kinds == {float}:
        entry[1] = "f"
        packed = array("d", values)
        return entry, _shuffle(packed), packed
    if kinds == {int}:
        try:  # ints outside int64 fall through to JSON
            packed = array("q", values)
        except OverflowError:
            pass
        else:
            entry[1] = "i"
            return entry, _shuffle(packed), packed
    try:
        json.dumps(values, allow_nan=True)
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"append_run_history: the value(s) of key '{key}' are not JSON-serialisable: {e}."
        ) from None
    entry.append(list(values))
    return entry, b"", None


def _shuffle(values: array[Any]) -> bytes:
    """The little-endian byte planes of an 8-byte array: every value's first byte, then every
    second byte, ... (stdlib only: the writer thread never needs numpy). ``values`` is left
    as it was."""
    if _BIG_ENDIAN:
        values = array(values.typecode, values)
        values.byteswap()
    buf = values.tobytes()
    return b"".join([buf[i::8] for i in range(8)])


def _packbits(present: Sequence[bool]) -> bytes:
    """``numpy.packbits`` of a bool list (first row in the high bit of the first byte)."""
    out = bytearray((len(present) + 7) // 8)
    for i, p in enumerate(present):
        if p:
            out[i >> 3] |= 0x80 >> (i & 7)
    return bytes(out)


def encode_chunk(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """Encode ``rows`` (a non-empty list of flat dicts) into a payload."""
    return encode_chunk_steps(rows)[0]


def encode_chunk_steps(rows: Sequence[Mapping[str, Any]]) -> tuple[bytes, int, int]:
    """Encode ``rows`` into a payload; also return the chunk's min and max ``_step``."""
    payload, lo, hi, _ = _encode(rows)
    return payload, lo, hi


def encode_chunk_with_summary(
    rows: Sequence[Mapping[str, Any]],
) -> tuple[bytes, bytes | None, int, int]:
    """Encode ``rows`` into a payload and its envelope summary (``_summary.py``), from the same
    transposed columns; also return the chunk's min and max ``_step``.

    The summary is ``None`` when numpy is not imported in this process: the stdlib path
    costs a logging process about a microsecond per row of 12 values (a fifth of its CPU),
    while a training script, which has numpy loaded, pays 0.15 µs. Such chunks are decoded
    when a chart needs them (``get_history_envelope``).
    """
    payload, lo, hi, columns = _encode(rows)
    if "numpy" not in sys.modules:
        return payload, None, lo, hi
    try:
        summary = encode_summary(len(rows), columns)
    except Exception:
        # The summary only speeds charts up: a value it cannot summarise must never cost the
        # rows themselves. Without one, the chunk is read from its rows (as a numpy-free
        # writer's chunks are).
        _log.warning("history chunk written without its envelope summary", exc_info=True)
        summary = None
    return payload, summary, lo, hi


def _encode(
    rows: Sequence[Mapping[str, Any]],
) -> tuple[
    bytes, int, int, list[tuple[str, Sequence[Any], list[bool] | None, str, array[Any] | None]]
]:
    """Payload, min and max ``_step`` and the columns of ``rows`` (key, present values,
    presence flags or ``None``, kind, packed array of a numeric column).

    The usual chunk (every row holds the same keys) is transposed with C-level iteration
    (``itemgetter`` + ``zip``) and each column is typed once; only ragged chunks pay a
    per-cell Python loop.
    """
    n = len(rows)
    first = rows[0]
    names = list(first)
    columns: list[tuple[str, Sequence[Any], list[bool] | None]] = []
    if names and sum(map(len, rows)) == len(names) * n:
        try:
            cells: list[Any] | None = list(map(operator.itemgetter(*names), rows))
        except KeyError:  # same sizes, different keys
            cells = None
        if cells is not None:
            transposed = list(zip(*cells, strict=True)) if len(names) > 1 else [tuple(cells)]
            columns = [(k, col, None) for k, col in zip(names, transposed, strict=True)]
    if not columns:
        columns = _ragged_columns(rows)
    header_cols: list[list[Any]] = []
    buffers: list[bytes] = []
    steps: Sequence[Any] | None = None
    typed: list[tuple[str, Sequence[Any], list[bool] | None, str, array[Any] | None]] = []
    for key, values, present in columns:
        if not isinstance(key, str):
            raise TypeError(f"append_run_history: history keys must be str, got {key!r}.")
        entry, buf, packed = _column_entry(key, values, present is None)
        if present is not None:
            buffers.append(_packbits(present))
        buffers.append(buf)
        header_cols.append(entry)
        typed.append((key, values, present, entry[1], packed))
        if key == "_step" and present is None and entry[1] == "i":
            steps = values
    header = json.dumps({"n": n, "cols": header_cols}, allow_nan=True).encode()
    body = struct.pack("<I", len(header)) + header + b"".join(buffers)
    if steps is None:
        steps = row_steps(rows)
    return _MAGIC + zlib.compress(body, 1), min(steps), max(steps), typed


def _ragged_columns(
    rows: Sequence[Mapping[str, Any]],
) -> list[tuple[str, Sequence[Any], list[bool] | None]]:
    keys: dict[str, None] = {}
    for r in rows:
        for k in r:
            if k not in keys:
                keys[k] = None
    out: list[tuple[str, Sequence[Any], list[bool] | None]] = []
    for key in keys:
        column = [r.get(key, _MISSING) for r in rows]
        present = [v is not _MISSING for v in column]
        if all(present):
            out.append((key, column, None))
        else:
            out.append((key, [v for v in column if v is not _MISSING], present))
    return out


def _decode_columns(payload: bytes) -> tuple[int, list[tuple[str, Any, list[int] | None]]]:
    """Row count and ``(key, values, positions)`` per column: ``positions`` is ``None`` for a
    full column, else the rows holding the key; ``values`` is a float64/int64 array for
    numeric columns, else a list."""
    import numpy as np

    shuffled = payload[:4] == _MAGIC
    if not shuffled and payload[:4] != _MAGIC_V1:
        raise ValueError("Not a parabola history chunk (bad magic bytes).")
    body = zlib.decompress(payload[4:])
    (hlen,) = struct.unpack_from("<I", body, 0)
    header = json.loads(body[4 : 4 + hlen])
    n: int = header["n"]
    offset = 4 + hlen
    nbits = (n + 7) // 8
    out: list[tuple[str, Any, list[int] | None]] = []
    for col in header["cols"]:
        key, kind, full = col[0], col[1], col[2]
        idx: list[int] | None = None
        if not full:
            bits = np.frombuffer(body, dtype=np.uint8, count=nbits, offset=offset)
            offset += nbits
            idx = np.flatnonzero(np.unpackbits(bits, count=n)).tolist()
        m = n if idx is None else len(idx)
        values: Any
        if kind in ("f", "i"):
            dtype = "<f8" if kind == "f" else "<i8"
            if shuffled:
                planes = np.frombuffer(body, dtype=np.uint8, count=8 * m, offset=offset)
                values = planes.reshape(8, m).T.copy().view(dtype).reshape(m)
            else:
                values = np.frombuffer(body, dtype=dtype, count=m, offset=offset)
            offset += 8 * m
        else:
            values = col[3]
        out.append((key, values, idx))
    return n, out


def decode_chunk(payload: bytes) -> list[dict[str, Any]]:
    """Inverse of :func:`encode_chunk`."""
    import numpy as np

    n, columns = _decode_columns(payload)
    rows: list[dict[str, Any]] = [{} for _ in range(n)]
    for key, values, idx in columns:
        cells = values.tolist() if isinstance(values, np.ndarray) else values
        if idx is None:
            for row, v in zip(rows, cells, strict=True):
                row[key] = v
        else:
            for i, v in zip(idx, cells, strict=True):
                rows[i][key] = v
    return rows


def decode_chunk_columns(payload: bytes) -> tuple[int, dict[str, Any]]:
    """Row count and columns of a payload, each ``n`` long, in first-seen key order: a
    float64/int64 array for a full numeric column, else a list with ``None`` where a row
    lacks the key."""
    import numpy as np

    n, columns = _decode_columns(payload)
    out: dict[str, Any] = {}
    for key, values, idx in columns:
        if idx is None:
            out[key] = values if isinstance(values, np.ndarray) else list(values)
            continue
        cells: list[Any] = [None] * n
        for i, v in zip(
            idx, values.tolist() if isinstance(values, np.ndarray) else values, strict=True
        ):
            cells[i] = v
        out[key] = cells
    return n, out


def concat_columns(parts: Sequence[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    """Join per-chunk columns (see :func:`decode_chunk_columns`) into whole columns; a key
    missing from a chunk gets ``None`` cells there, and a numeric key full in every chunk
    stays one array."""
    import numpy as np

    names: dict[str, None] = {}
    for _, cols in parts:
        names.update(dict.fromkeys(cols))
    out: dict[str, Any] = {}
    for key in names:
        pieces = [cols.get(key) for _, cols in parts]
        arrays = [p for p in pieces if isinstance(p, np.ndarray)]
        if len(arrays) == len(pieces):
            out[key] = np.concatenate(arrays) if len(arrays) > 1 else arrays[0]
            continue
        merged: list[Any] = []
        for (n, _), p in zip(parts, pieces, strict=True):
            if p is None:
                merged += [None] * n
            else:
                merged += p.tolist() if isinstance(p, np.ndarray) else p
        out[key] = merged
    return out


def filter_columns(n: int, columns: dict[str, Any], keep: Any) -> tuple[int, dict[str, Any]]:
    """The rows of ``columns`` where the boolean array ``keep`` is true."""
    import numpy as np

    if keep.all():
        return n, columns
    pos = np.flatnonzero(keep)
    out: dict[str, Any] = {}
    for key, col in columns.items():
        if isinstance(col, np.ndarray):
            out[key] = col[pos]
        else:
            out[key] = [col[i] for i in pos.tolist()]
    return len(pos), out


class _Missing:
    __slots__ = ()


_MISSING: Any = _Missing()
