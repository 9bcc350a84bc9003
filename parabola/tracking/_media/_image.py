"""``Image`` (W&B's ``wandb.Image``): arrays, PIL images or files, with captions, masks, boxes."""

from __future__ import annotations

import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from parabola.tracking._media._base import Media, MediaSink, safe_key
from parabola.tracking._media._png import decode_png, encode_png, png_size

__all__ = ["Image", "to_pixels"]

_WHAT = "Image(data_or_path=...)"
_FORMATS = {
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".gif": "gif",
    ".bmp": "bmp",
    ".webp": "webp",
    ".svg": "svg",
}


def _as_array(data: Any, what: str) -> Any:
    """A NumPy array from an array-like (NumPy, torch tensors via ``.numpy()``, nested lists)."""
    import numpy as np

    if isinstance(data, np.ndarray):
        return data
    detach = getattr(data, "detach", None)
    if callable(detach):  # a torch tensor
        return np.asarray(detach().cpu().numpy())
    if isinstance(data, (list, tuple)):
        try:
            return np.asarray(data)
        except ValueError as e:
            raise ValueError(f"{what}: a ragged nested list is not an image ({e}).") from None
    raise TypeError(
        f"{what}: expected a NumPy array, a torch tensor, a PIL image or a file path, "
        f"got {type(data).__name__}."
    )


def to_pixels(data: Any, what: str = _WHAT, normalize: bool = True) -> Any:
    """A uint8 (H, W), (H, W, 3) or (H, W, 4) array from an array-like.

    Floats in [0, 1] are scaled by 255 and floats in [-1, 1] mapped to [0, 255] (W&B's
    ``normalize``); other values are clipped to [0, 255]. Channel-first arrays (C, H, W), as torch
    produces, are transposed.

    Raises:
        TypeError: an unsupported dtype (complex, object, str...), naming ``what``.
        ValueError: a shape that is not an image, or NaN/inf pixels.
    """
    import numpy as np

    arr = _as_array(data, what)
    kind = arr.dtype.kind
    if kind not in "biuf":
        raise TypeError(
            f"{what}: unsupported pixel dtype {arr.dtype}; expected uint8, bool, integer or "
            "float pixels."
        )
    if arr.ndim == 3 and arr.shape[-1] not in (1, 3, 4) and arr.shape[0] in (1, 3, 4):
        arr = np.moveaxis(arr, 0, -1)
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if not (arr.ndim == 2 or (arr.ndim == 3 and arr.shape[-1] in (3, 4))) or 0 in arr.shape:
        raise ValueError(
            f"{what}: shape {tuple(arr.shape)} is not an image; expected (H, W), (H, W, 1|3|4) "
            "or (1|3|4, H, W)."
        )
    if kind == "b":
        return arr.astype(np.uint8) * 255
    if arr.dtype == np.uint8:
        return arr
    if kind == "f":
        if not np.isfinite(arr).all():
            raise ValueError(f"{what}: the pixels hold NaN or inf.")
        lo, hi = float(arr.min()), float(arr.max())
        if normalize and lo >= 0.0 and hi <= 1.0:
            arr = arr * 255.0
        elif normalize and lo >= -1.0 and hi <= 1.0:
            arr = (arr + 1.0) * 127.5
        return np.clip(np.rint(arr), 0, 255).astype(np.uint8)
    return np.clip(arr, 0, 255).astype(np.uint8)


def _check_class_labels(labels: Any, what: str) -> dict[str, str]:
    if labels is None:
        return {}
    if not isinstance(labels, Mapping):
        raise TypeError(f"{what}: class_labels must be a dict of int -> str, got {labels!r:.60}.")
    out = {}
    for k, v in labels.items():
        if isinstance(k, bool) or not isinstance(k, int):
            raise TypeError(f"{what}: class_labels keys must be ints, got {k!r}.")
        out[str(k)] = str(v)
    return out


_CORNERS = ("minX", "maxX", "minY", "maxY")
_CENTRE = ("middle", "width", "height")


def _check_boxes(boxes: Any) -> dict[str, Any]:
    what = "Image(boxes=...)"
    if not isinstance(boxes, Mapping):
        raise TypeError(
            f"{what}: expected a dict of name -> {{'box_data': [...]}}, got {boxes!r:.60}."
        )
    out: dict[str, Any] = {}
    for name, group in boxes.items():
        where = f"{what}[{name!r}]"
        if not isinstance(group, Mapping) or not isinstance(group.get("box_data"), Sequence):
            raise TypeError(f"{where}: expected a dict with a 'box_data' list.")
        items = []
        for i, box in enumerate(group["box_data"]):
            pos = box.get("position") if isinstance(box, Mapping) else None
            if not isinstance(pos, Mapping) or not (
                all(k in pos for k in _CORNERS) or all(k in pos for k in _CENTRE)
            ):
                raise ValueError(
                    f"{where}['box_data'][{i}]: 'position' needs minX/maxX/minY/maxY or "
                    "middle/width/height."
                )
            cid = box.get("class_id")
            if isinstance(cid, bool) or not isinstance(cid, int):
                raise TypeError(
                    f"{where}['box_data'][{i}]: 'class_id' must be an int, got {cid!r}."
                )
            from parabola.tracking._values import to_storable

            items.append(to_storable(dict(box), f"{where}['box_data'][{i}]"))
        out[str(name)] = {
            "box_data": items,
            "class_labels": _check_class_labels(group.get("class_labels"), where),
        }
    return out


class Image(Media):
    """An image to log: a NumPy array (or torch tensor), a PIL image or an image file.

    The pixels are encoded to PNG when the object is made (files are kept as they are), so a
    bad input fails here. ``masks`` and ``boxes`` follow W&B's format and are kept as data: each
    mask as its own PNG, boxes as JSON next to the reference.

    Args:
        data_or_path: An array (H, W), (H, W, 1|3|4) or (C, H, W) of uint8, bool, int or float
            pixels; a ``PIL.Image.Image``; or a path to an image file.
        caption: Text shown with the image.
        masks: ``{"name": {"mask_data": int array (H, W), "class_labels": {0: "bg", ...}}}``.
        boxes: ``{"name": {"box_data": [{"position": {"minX": ...}, "class_id": 1, ...}],
            "class_labels": {...}}}``.
        normalize: Scale float pixels in [0, 1] (or [-1, 1]) to [0, 255].

    Example:
        >>> import numpy as np, parabola
        >>> img = parabola.Image(np.zeros((4, 6, 3), dtype=np.uint8), caption="black")
        >>> img.width, img.height, img.format
        (6, 4, 'png')
    """

    _type: ClassVar[str] = "image-file"

    def __init__(
        self,
        data_or_path: Any,
        mode: str | None = None,
        caption: str | None = None,
        grouping: int | None = None,
        classes: Any = None,
        boxes: Mapping[str, Any] | None = None,
        masks: Mapping[str, Any] | None = None,
        file_type: str | None = None,
        normalize: bool = True,
    ) -> None:
        if caption is not None and not isinstance(caption, str):
            raise TypeError(f"Image(caption=...): expected a str, got {caption!r:.60}.")
        self.caption = caption
        self.width: int | None = None
        self.height: int | None = None
        if isinstance(data_or_path, (str, os.PathLike)):
            path = Path(data_or_path)
            if not path.is_file():
                raise FileNotFoundError(f"{_WHAT}: no such image file {os.fspath(data_or_path)!r}.")
            fmt = _FORMATS.get(path.suffix.lower())
            if fmt is None:
                raise ValueError(
                    f"{_WHAT}: {path.name!r} is not an image file this knows "
                    f"({', '.join(sorted(_FORMATS))})."
                )
            self._bytes = path.read_bytes()
            self.format = fmt
            self._size_from_bytes()
        elif type(data_or_path).__module__.startswith("PIL."):
            buf = io.BytesIO()
            pil = data_or_path if mode is None else data_or_path.convert(mode)
            pil.save(buf, format="PNG")
            self._bytes = buf.getvalue()
            self.format = "png"
            self.width, self.height = pil.size
        else:
            pixels = to_pixels(data_or_path, normalize=normalize)
            self._bytes = encode_png(pixels)
            self.format = "png"
            self.height, self.width = int(pixels.shape[0]), int(pixels.shape[1])
        self._masks = self._encode_masks(masks) if masks is not None else {}
        self._boxes = _check_boxes(boxes) if boxes is not None else {}

    def _size_from_bytes(self) -> None:
        size = png_size(self._bytes)
        if size is None:
            try:
                import PIL.Image

                size = PIL.Image.open(io.BytesIO(self._bytes)).size
            except Exception:  # no Pillow, or a format it does not read (SVG): no dimensions
                size = None
        if size is not None:
            self.width, self.height = size

    def _encode_masks(self, masks: Mapping[str, Any]) -> dict[str, tuple[bytes, dict[str, str]]]:
        import numpy as np

        what = "Image(masks=...)"
        if not isinstance(masks, Mapping):
            raise TypeError(f"{what}: expected a dict of name -> {{'mask_data': array}}.")
        out = {}
        for name, mask in masks.items():
            where = f"{what}[{name!r}]"
            if not isinstance(mask, Mapping) or "mask_data" not in mask:
                raise TypeError(f"{where}: expected a dict with 'mask_data' (an int array).")
            data = _as_array(mask["mask_data"], where)
            if data.dtype.kind not in "biu" or data.ndim != 2:
                raise ValueError(
                    f"{where}: 'mask_data' must be a 2-D array of class ids, got dtype "
                    f"{data.dtype} and shape {tuple(data.shape)}."
                )
            if self.height is not None and data.shape != (self.height, self.width):
                raise ValueError(
                    f"{where}: 'mask_data' has shape {tuple(data.shape)}, the image is "
                    f"{(self.height, self.width)}."
                )
            if data.size and (int(data.min()) < 0 or int(data.max()) > 255):
                raise ValueError(f"{where}: class ids must be in 0..255.")
            labels = _check_class_labels(mask.get("class_labels"), where)
            out[str(name)] = (encode_png(data.astype(np.uint8)), labels)
        return out

    def to_ref(self, sink: MediaSink, key: str, step: int) -> dict[str, Any]:
        stem = f"{safe_key(key)}_{step}"
        ext = "jpg" if self.format == "jpeg" else self.format
        entry = sink.put(f"media/images/{stem}", ext, self._bytes)
        ref: dict[str, Any] = {"_type": self._type, **entry, "format": self.format}
        if self.width is not None:
            ref["width"], ref["height"] = self.width, self.height
        if self.caption is not None:
            ref["caption"] = self.caption
        if self._masks:
            ref["masks"] = {}
            for name, (data, labels) in self._masks.items():
                m = sink.put(f"media/images/mask/{stem}_{safe_key(name)}", "png", data)
                ref["masks"][name] = {"_type": "mask", **m, "class_labels": labels}
        if self._boxes:
            ref["boxes"] = self._boxes
        return ref

    @classmethod
    def _from_stored(cls, data: bytes, ref: Mapping[str, Any], masks: dict[str, Any]) -> Image:
        img = cls.__new__(cls)
        img._bytes = data
        img.format = str(ref.get("format", "png"))
        img.caption = ref.get("caption")
        img.width, img.height = ref.get("width"), ref.get("height")
        img._masks = masks
        img._boxes = dict(ref.get("boxes") or {})
        return img

    @property
    def content(self) -> bytes:
        """The encoded file (PNG for arrays and PIL images)."""
        return self._bytes

    @property
    def boxes(self) -> dict[str, Any]:
        """The bounding boxes, as given (W&B's format)."""
        return self._boxes

    @property
    def masks(self) -> dict[str, Any]:
        """``{name: {"mask_data": array, "class_labels": {...}}}`` (decoding needs Pillow)."""
        return {
            name: {"mask_data": decode_png(data), "class_labels": labels}
            for name, (data, labels) in self._masks.items()
        }

    def to_numpy(self) -> Any:
        """The pixels as a NumPy array (needs Pillow: ``pip install 'parabola[media]'``)."""
        return decode_png(self._bytes)

    @property
    def image(self) -> Any:
        """The image as a ``PIL.Image.Image`` (needs Pillow)."""
        import PIL.Image

        return PIL.Image.open(io.BytesIO(self._bytes))

    def __repr__(self) -> str:
        return f"<parabola.Image {self.format} {self.width}x{self.height}>"
