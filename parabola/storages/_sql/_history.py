"""Compact, column-oriented encoding of tracking-history chunks.

A chunk is up to ``CHUNK_ROWS`` history rows (flat dicts). It is stored as one binary payload:

``b"PBH1"`` + zlib( uint32 header length + JSON header + column buffers ), where the header
lists the columns in first-seen order with their kind:

* ``"f"``: every present value is a Python ``float``: a float64 array (NaN and inf kept exactly);
* ``"i"``: every present value is an ``int`` (not ``bool``) that fits int64: an int64 array;
* ``"j"``: anything else (strings, bools, lists, mixed types): a JSON list in the header.

A column that is missing from some rows carries a presence bitmap (``numpy.packbits``). Ten
float metrics per row cost about 8 bytes each before compression, well under the 30-byte budget.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["CHUNK_ROWS", "decode_chunk", "encode_chunk", "row_steps"]

CHUNK_ROWS = 1000
_MAGIC = b"PBH1"
_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1


def row_steps(rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """The ``_step`` of each row (0 when absent), used for the chunk's min/max step."""
    out = []
    for r in rows:
        s = r.get("_step", 0)
        out.append(int(s) if isinstance(s, (int, float)) and not isinstance(s, bool) else 0)
    return out


def encode_chunk(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """Encode ``rows`` (a non-empty list of flat dicts) into a payload."""
    n = len(rows)
    keys: dict[str, None] = {}
    for r in rows:
        for k in r:
            if k not in keys:
                keys[k] = None
    header_cols: list[list[Any]] = []
    buffers: list[bytes] = []
    for key in keys:
        if not isinstance(key, str):
            raise TypeError(f"append_run_history: history keys must be str, got {key!r}.")
        column = [r.get(key, _MISSING) for r in rows]
        present = [v is not _MISSING for v in column]
        full = all(present)
        values = column if full else [v for v in column if v is not _MISSING]
        kinds = {type(v) for v in values}
        kind = "j"
        if kinds == {float}:
            kind = "f"
        elif kinds == {int} and all(_INT64_MIN <= v <= _INT64_MAX for v in values):
            kind = "i"
        entry: list[Any] = [key, kind, full]
        if not full:
            buffers.append(np.packbits(np.array(present, dtype=bool)).tobytes())
        if kind == "f":
            buffers.append(np.array(values, dtype="<f8").tobytes())
        elif kind == "i":
            buffers.append(np.array(values, dtype="<i8").tobytes())
        else:
            try:
                entry.append(values if len(values) else [])
                json.dumps(values, allow_nan=True)
            except (TypeError, ValueError) as e:
                raise TypeError(
                    f"append_run_history: the value(s) of key '{key}' are not "
                    f"JSON-serialisable: {e}."
                ) from None
        header_cols.append(entry)
    header = json.dumps({"n": n, "cols": header_cols}, allow_nan=True).encode()
    body = struct.pack("<I", len(header)) + header + b"".join(buffers)
    return _MAGIC + zlib.compress(body, 1)


def decode_chunk(payload: bytes) -> list[dict[str, Any]]:
    """Inverse of :func:`encode_chunk`."""
    if payload[:4] != _MAGIC:
        raise ValueError("Not a parabola history chunk (bad magic bytes).")
    body = zlib.decompress(payload[4:])
    (hlen,) = struct.unpack_from("<I", body, 0)
    header = json.loads(body[4 : 4 + hlen])
    n: int = header["n"]
    offset = 4 + hlen
    rows: list[dict[str, Any]] = [{} for _ in range(n)]
    nbits = (n + 7) // 8
    for col in header["cols"]:
        key, kind, full = col[0], col[1], col[2]
        if full:
            idx: list[int] = list(range(n))
        else:
            bits = np.frombuffer(body, dtype=np.uint8, count=nbits, offset=offset)
            offset += nbits
            idx = np.flatnonzero(np.unpackbits(bits, count=n)).tolist()
        m = len(idx)
        if kind == "f":
            values: list[Any] = np.frombuffer(body, dtype="<f8", count=m, offset=offset).tolist()
            offset += 8 * m
        elif kind == "i":
            values = np.frombuffer(body, dtype="<i8", count=m, offset=offset).tolist()
            offset += 8 * m
        else:
            values = col[3]
        for i, v in zip(idx, values, strict=True):
            rows[i][key] = v
    return rows


class _Missing:
    __slots__ = ()


_MISSING: Any = _Missing()
