"""``Video``, ``Audio`` and ``Html`` (W&B's): each stored as a file, referenced from the row."""

from __future__ import annotations

import io
import os
import wave
from pathlib import Path
from typing import Any, ClassVar

from parabola.tracking._media._base import Media, MediaSink, safe_key

__all__ = ["Audio", "Html", "Video"]


def _read(path: str | os.PathLike[str], what: str, allowed: tuple[str, ...]) -> tuple[bytes, str]:
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{what}: no such file {os.fspath(path)!r}.")
    ext = p.suffix.lower().lstrip(".")
    if ext not in allowed:
        raise ValueError(f"{what}: {p.name!r} is not one of the formats {', '.join(allowed)}.")
    return p.read_bytes(), ext


class _FileMedia(Media):
    _folder: ClassVar[str] = "media"
    _bytes: bytes
    format: str
    caption: str | None

    def _extra(self) -> dict[str, Any]:
        return {}

    def to_ref(self, sink: MediaSink, key: str, step: int) -> dict[str, Any]:
        entry = sink.put(f"{self._folder}/{safe_key(key)}_{step}", self.format, self._bytes)
        ref = {"_type": self._type, **entry, "format": self.format, **self._extra()}
        if self.caption is not None:
            ref["caption"] = self.caption
        return ref

    @property
    def content(self) -> bytes:
        """The stored file's content."""
        return self._bytes

    @classmethod
    def _from_stored(cls, data: bytes, ref: dict[str, Any]) -> _FileMedia:
        obj = cls.__new__(cls)
        obj._bytes = data
        obj.format = str(ref.get("format", ""))
        obj.caption = ref.get("caption")
        for k, v in ref.items():
            if k in ("fps", "sample_rate", "width", "height", "duration"):
                setattr(obj, k, v)
        return obj


class Video(_FileMedia):
    """A video: a file (mp4, webm, gif, ogg) or frames as an array (T, C, H, W) or (T, H, W, C).

    Arrays are written as animated GIF (through Pillow, the ``media`` extra); W&B needs moviepy
    for mp4, which parabola does not use, so ``format`` other than ``"gif"`` with an array is an
    error.
    """

    _type: ClassVar[str] = "video-file"
    _folder: ClassVar[str] = "media/videos"
    _FORMATS = ("mp4", "webm", "gif", "ogg")

    def __init__(
        self,
        data_or_path: Any,
        caption: str | None = None,
        fps: int | None = None,
        format: str | None = None,
    ) -> None:
        self.caption = caption
        self.fps = fps
        self.width: int | None = None
        self.height: int | None = None
        if isinstance(data_or_path, (str, os.PathLike)):
            self._bytes, self.format = _read(data_or_path, "Video(data_or_path=...)", self._FORMATS)
            return
        if format not in (None, "gif"):
            raise ValueError(
                f"Video(format={format!r}): frames given as an array are written as GIF; "
                "encode other formats yourself and pass the file path."
            )
        self._bytes = self._encode_gif(data_or_path, fps or 4)
        self.format = "gif"

    def _encode_gif(self, data: Any, fps: int) -> bytes:
        import numpy as np

        from parabola.tracking._media._image import to_pixels

        what = "Video(data_or_path=...)"
        detach = getattr(data, "detach", None)
        arr = np.asarray(detach().cpu().numpy() if callable(detach) else data)
        if arr.ndim == 5 and arr.shape[0] == 1:
            arr = arr[0]
        if arr.ndim != 4:
            raise ValueError(
                f"{what}: expected frames (T, C, H, W) or (T, H, W, C), got shape {arr.shape}."
            )
        frames = [to_pixels(f, what) for f in arr]
        try:
            import PIL.Image
        except ImportError:
            raise ImportError(
                f"{what}: writing frames needs Pillow: pip install 'parabola[media]'."
            ) from None
        images = [PIL.Image.fromarray(f) for f in frames]
        self.height, self.width = frames[0].shape[:2]
        buf = io.BytesIO()
        images[0].save(
            buf,
            format="GIF",
            save_all=True,
            append_images=images[1:],
            duration=int(1000 / fps),
            loop=0,
        )
        return buf.getvalue()

    def _extra(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.fps is not None:
            out["fps"] = self.fps
        if self.width is not None:
            out["width"], out["height"] = self.width, self.height
        return out


class Audio(_FileMedia):
    """A sound: a file (wav, mp3, flac, ogg), or samples with ``sample_rate`` (written as WAV).

    Samples are 1-D (mono) or (N, channels), floats in [-1, 1] or integers, stored as 16-bit PCM.
    """

    _type: ClassVar[str] = "audio-file"
    _folder: ClassVar[str] = "media/audio"
    _FORMATS = ("wav", "mp3", "flac", "ogg")

    def __init__(
        self, data_or_path: Any, sample_rate: int | None = None, caption: str | None = None
    ) -> None:
        self.caption = caption
        self.sample_rate = sample_rate
        self.duration: float | None = None
        if isinstance(data_or_path, (str, os.PathLike)):
            self._bytes, self.format = _read(data_or_path, "Audio(data_or_path=...)", self._FORMATS)
            return
        if isinstance(sample_rate, bool) or not isinstance(sample_rate, int) or sample_rate <= 0:
            raise ValueError(
                f"Audio(sample_rate=...): samples need a positive int sample rate, got "
                f"{sample_rate!r}."
            )
        self._bytes = self._encode_wav(data_or_path, sample_rate)
        self.format = "wav"

    def _encode_wav(self, data: Any, rate: int) -> bytes:
        import numpy as np

        what = "Audio(data_or_path=...)"
        detach = getattr(data, "detach", None)
        arr = np.asarray(detach().cpu().numpy() if callable(detach) else data)
        if arr.dtype.kind not in "iuf" or arr.ndim not in (1, 2) or arr.size == 0:
            raise TypeError(
                f"{what}: expected a non-empty 1-D or (N, channels) array of numbers, got dtype "
                f"{arr.dtype} and shape {arr.shape}."
            )
        if arr.dtype.kind == "f":
            if not np.isfinite(arr).all():
                raise ValueError(f"{what}: the samples hold NaN or inf.")
            pcm = np.clip(arr, -1.0, 1.0) * 32767.0
        else:
            pcm = arr.astype(np.float64)
        pcm16 = np.asarray(np.rint(pcm), dtype="<i2")
        channels = 1 if pcm16.ndim == 1 else pcm16.shape[1]
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(channels)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(pcm16.tobytes())
        self.duration = len(pcm16) / rate
        return buf.getvalue()

    def _extra(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.sample_rate is not None:
            out["sample_rate"] = self.sample_rate
        if self.duration is not None:
            out["duration"] = self.duration
        return out


class Html(_FileMedia):
    """An HTML page: a string of HTML, a path to a ``.html`` file, or an open text file."""

    _type: ClassVar[str] = "html-file"
    _folder: ClassVar[str] = "media/html"

    def __init__(self, data: Any, inject: bool = True, data_is_not_path: bool = False) -> None:
        self.caption = None
        self.format = "html"
        if hasattr(data, "read"):
            text = data.read()
        elif isinstance(data, os.PathLike) or (
            isinstance(data, str)
            and not data_is_not_path
            and data.lower().endswith((".html", ".htm"))
            and os.path.isfile(data)
        ):
            text = Path(data).read_text(encoding="utf-8")
        elif isinstance(data, str):
            text = data
        else:
            raise TypeError(
                f"Html(data=...): expected HTML text, a path or a file, got {type(data).__name__}."
            )
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        self._bytes = str(text).encode("utf-8")

    @property
    def html(self) -> str:
        return self._bytes.decode("utf-8")
