"""PNG in and out: through Pillow when it is installed (the ``media`` extra; the encoder W&B
uses, so the files are the same), else a small zlib encoder so arrays log without Pillow."""

from __future__ import annotations

import io
import struct
import zlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["decode_png", "encode_png", "has_pillow", "png_size"]


def has_pillow() -> bool:
    try:
        import PIL.Image  # noqa: F401
    except ImportError:
        return False
    return True


def encode_png(pixels: np.ndarray) -> bytes:
    """PNG bytes of a uint8 array: (H, W) grey, (H, W, 3) RGB or (H, W, 4) RGBA."""
    if has_pillow():
        import PIL.Image

        buf = io.BytesIO()
        PIL.Image.fromarray(pixels).save(buf, format="PNG")
        return buf.getvalue()
    return _encode_zlib(pixels)


def _encode_zlib(pixels: np.ndarray) -> bytes:
    import numpy as np

    height, width = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    color_type = {1: 0, 3: 2, 4: 6}[channels]
    rows = np.ascontiguousarray(pixels).reshape(height, width * channels)
    raw = np.zeros((height, width * channels + 1), dtype=np.uint8)  # filter byte 0: none
    raw[:, 1:] = rows

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw.tobytes(), 6))
        + chunk(b"IEND", b"")
    )


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG header, or ``None`` if ``data`` is not a PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return None
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def decode_png(data: bytes) -> Any:
    """A NumPy array of an image file's pixels (needs Pillow: ``pip install parabola[media]``)."""
    import numpy as np

    try:
        import PIL.Image
    except ImportError:
        raise ImportError(
            "Reading image pixels back needs Pillow: pip install 'parabola[media]'."
        ) from None
    return np.asarray(PIL.Image.open(io.BytesIO(data)))
