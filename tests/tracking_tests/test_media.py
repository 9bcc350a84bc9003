"""Media and tables (W&B's Image, Table, Histogram, Video, Audio, Html, plot): what is stored,
how it reads back through Api, and clear errors for bad input that leave logged rows intact."""

from __future__ import annotations

import hashlib
import io
import json
import os
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import parabola
from parabola.storages import BaseStorage
from parabola.tracking._store import artifact_root


def _run(store: BaseStorage, **kw: Any) -> parabola.Run:
    return parabola.init(project="media", storage=store, **kw)


def _history(store: BaseStorage, run: parabola.Run) -> list[dict[str, Any]]:
    rows = parabola.Api(storage=store).run(run.path).history(pandas=False)
    assert isinstance(rows, list)
    return rows


def _blob(store: BaseStorage, ref: dict[str, Any]) -> bytes:
    data = (artifact_root(store) / ref["sha256"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == ref["sha256"] and len(data) == ref["size"]
    return data


def test_an_image_from_an_array_is_a_png_file_referenced_from_history_and_summary(
    store: BaseStorage,
) -> None:
    pixels = np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    with _run(store) as run:
        run.log({"img": parabola.Image(pixels, caption="noise"), "loss": 1.0})
    (row,) = _history(store, run)
    ref = row["img"]
    assert ref["_type"] == "image-file" and ref["format"] == "png"
    assert (ref["width"], ref["height"], ref["caption"]) == (30, 20, "noise")
    assert ref["path"].startswith("media/images/img_0_") and ref["path"].endswith(".png")
    assert _blob(store, ref)[:8] == b"\x89PNG\r\n\x1a\n"
    public = parabola.Api(storage=store).run(run.path)
    assert public.summary["img"]["sha256"] == ref["sha256"]
    assert ref["path"] in [f.name for f in public.files()]
    back = parabola.load_media(ref, storage=store)
    assert isinstance(back, parabola.Image)
    np.testing.assert_array_equal(back.to_numpy(), pixels)  # PNG is lossless


@pytest.mark.parametrize(
    ("array", "expected"),
    [
        (np.array([[0.0, 1.0]]), [[0, 255]]),  # floats in [0, 1] are scaled
        (np.array([[-1.0, 1.0]]), [[0, 255]]),  # floats in [-1, 1] are mapped
        (np.array([[True, False]]), [[255, 0]]),
        (np.array([[-5, 300]], dtype=np.int64), [[0, 255]]),  # clipped
    ],
)
def test_pixel_values_are_converted_as_wandb_does(array: Any, expected: Any) -> None:
    img = parabola.Image(array)
    np.testing.assert_array_equal(img.to_numpy(), np.array(expected, dtype=np.uint8))


def test_channel_first_arrays_pil_images_and_files(tmp_path: Path) -> None:
    from PIL import Image as PILImage

    chw = np.zeros((3, 8, 5), dtype=np.uint8)
    assert (parabola.Image(chw).width, parabola.Image(chw).height) == (5, 8)
    pil = PILImage.new("RGB", (7, 4), color=(255, 0, 0))
    from_pil = parabola.Image(pil)
    assert (from_pil.width, from_pil.height) == (7, 4)
    path = tmp_path / "red.jpg"
    pil.save(path)
    from_file = parabola.Image(str(path))
    assert from_file.format == "jpeg" and from_file.content == path.read_bytes()
    assert (from_file.width, from_file.height) == (7, 4)


@pytest.mark.parametrize(
    ("data", "error", "text"),
    [
        (np.zeros((4, 4), dtype=np.complex64), TypeError, "unsupported pixel dtype complex64"),
        (np.array([["a", "b"]]), TypeError, "unsupported pixel dtype"),
        (np.zeros((2, 3, 5, 7)), ValueError, "shape (2, 3, 5, 7) is not an image"),
        (np.array([[np.nan, 0.0]]), ValueError, "NaN or inf"),
        ({"not": "an image"}, TypeError, "got dict"),
        ("missing.png", FileNotFoundError, "no such image file"),
    ],
)
def test_bad_images_fail_naming_the_argument(data: Any, error: type, text: str) -> None:
    with pytest.raises(error) as info:
        parabola.Image(data)
    assert "Image(data_or_path=...)" in str(info.value) and text in str(info.value)


def test_masks_and_boxes_are_kept_as_data(store: BaseStorage) -> None:
    mask = np.zeros((6, 6), dtype=np.int64)
    mask[2:4, 2:4] = 1
    boxes = {
        "pred": {
            "box_data": [
                {
                    "position": {"minX": 0.1, "maxX": 0.5, "minY": 0.2, "maxY": 0.6},
                    "class_id": 1,
                    "box_caption": "cat",
                    "scores": {"acc": 0.9},
                }
            ],
            "class_labels": {1: "cat"},
        }
    }
    img = parabola.Image(
        np.zeros((6, 6)),
        masks={"seg": {"mask_data": mask, "class_labels": {0: "bg", 1: "cat"}}},
        boxes=boxes,
    )
    with _run(store) as run:
        run.log({"seg": img})
    ref = _history(store, run)[0]["seg"]
    assert ref["masks"]["seg"]["class_labels"] == {"0": "bg", "1": "cat"}
    assert ref["boxes"]["pred"]["box_data"][0]["box_caption"] == "cat"
    assert ref["boxes"]["pred"]["class_labels"] == {"1": "cat"}
    back = parabola.load_media(ref, storage=store)
    np.testing.assert_array_equal(back.masks["seg"]["mask_data"], mask.astype(np.uint8))
    with pytest.raises(ValueError, match=r"Image\(masks=...\)\['seg'\]: 'mask_data' has shape"):
        parabola.Image(np.zeros((6, 6)), masks={"seg": {"mask_data": np.zeros((5, 5), int)}})
    with pytest.raises(ValueError, match=r"Image\(boxes=...\)\['b'\]\['box_data'\]\[0\]"):
        parabola.Image(np.zeros((6, 6)), boxes={"b": {"box_data": [{"class_id": 1}]}})


def test_a_table_round_trips_with_its_columns_rows_and_image_cells(store: BaseStorage) -> None:
    img = parabola.Image(np.full((4, 4), 200, dtype=np.uint8))
    table = parabola.Table(columns=["id", "name", "score", "picture"])
    table.add_data(1, "a", 0.5, img)
    table.add_data(2, "b", float("nan"), None)
    with _run(store) as run:
        run.log({"preds": table})
    ref = _history(store, run)[0]["preds"]
    assert ref["_type"] == "table-file" and (ref["nrows"], ref["ncols"]) == (2, 4)
    assert ref["columns"] == ["id", "name", "score", "picture"]
    assert ref["path"].endswith(".table.json")
    body = json.loads(_blob(store, ref))
    assert body["columns"] == ref["columns"]
    assert body["data"][1][2] is None  # NaN is written as null, as in W&B's table files
    back = parabola.load_media(ref, storage=store)
    assert back.get_column("id") == [1, 2] and back.get_column("name") == ["a", "b"]
    cell = back.data[0][3]
    assert isinstance(cell, parabola.Image) and cell.to_numpy().max() == 200


def test_table_from_and_to_a_dataframe() -> None:
    import pandas as pd

    df = pd.DataFrame(
        {"x": [1, 2, 3], "y": [0.1, 0.2, 0.3], "t": pd.date_range("2026-01-01", periods=3)}
    )
    table = parabola.Table(dataframe=df)
    assert table.columns == ["x", "y", "t"] and len(table) == 3
    out = table.get_dataframe()
    assert out["x"].tolist() == [1, 2, 3] and out["t"][0].startswith("2026-01-01")


def test_a_row_of_the_wrong_width_names_the_call_and_keeps_the_table() -> None:
    table = parabola.Table(columns=["a", "b"], data=[[1, 2]])
    with pytest.raises(
        ValueError, match=r"Table.add_data\(...\): the row has 3 values, the table has 2"
    ):
        table.add_data(1, 2, 3)
    with pytest.raises(ValueError, match=r"Table\(data=...\)\[1\]: the row has 1 value"):
        parabola.Table(columns=["a", "b"], data=[[1, 2], [3]])
    with pytest.raises(TypeError, match=r"Table.add_data\(...\) row 1, column 'b'"):
        table.add_data(1, object())
    assert table.data == [[1, 2]]


def test_histograms_are_inline_counts_and_edges(store: BaseStorage) -> None:
    values = np.random.default_rng(1).normal(size=1000)
    with _run(store) as run:
        for step in range(3):
            run.log({"w": parabola.Histogram(values + step, num_bins=16)})
        run.log({"pre": parabola.Histogram(np_histogram=np.histogram(values, bins=4))})
    rows = _history(store, run)
    assert [r["w"]["_type"] for r in rows[:3]] == ["histogram"] * 3
    assert len(rows[0]["w"]["values"]) == 16 and len(rows[0]["w"]["bins"]) == 17
    assert sum(rows[0]["w"]["values"]) == 1000
    assert rows[1]["w"]["bins"][0] == pytest.approx(rows[0]["w"]["bins"][0] + 1)
    back = parabola.load_media(rows[3]["pre"], storage=store)
    assert back.histogram == np.histogram(values, bins=4)[0].tolist()
    with pytest.raises(ValueError, match=r"Histogram\(num_bins=...\)"):
        parabola.Histogram([1, 2], num_bins=1000)
    with pytest.raises(ValueError, match=r"Histogram\(np_histogram=...\): bin_edges"):
        parabola.Histogram(np_histogram=([1, 2], [0, 1]))


def test_video_audio_and_html_are_files(store: BaseStorage, tmp_path: Path) -> None:
    frames = np.random.default_rng(2).integers(0, 256, (5, 3, 8, 8), dtype=np.uint8)
    samples = np.sin(np.linspace(0, 100, 800))
    mp4 = tmp_path / "clip.mp4"
    mp4.write_bytes(b"\x00\x00\x00\x18ftypmp42 not a real movie")
    with _run(store) as run:
        run.log(
            {
                "gif": parabola.Video(frames, fps=5, caption="frames"),
                "mp4": parabola.Video(str(mp4)),
                "sound": parabola.Audio(samples, sample_rate=8000, caption="sine"),
                "page": parabola.Html("<h1>hi</h1>"),
            }
        )
    row = _history(store, run)[0]
    assert (row["gif"]["_type"], row["gif"]["format"], row["gif"]["fps"]) == (
        "video-file",
        "gif",
        5,
    )
    assert _blob(store, row["gif"])[:6] == b"GIF89a"
    assert _blob(store, row["mp4"]) == mp4.read_bytes()
    assert row["sound"]["_type"] == "audio-file" and row["sound"]["sample_rate"] == 8000
    with wave.open(io.BytesIO(_blob(store, row["sound"]))) as w:
        assert (w.getframerate(), w.getnframes(), w.getnchannels()) == (8000, 800, 1)
    assert row["sound"]["duration"] == pytest.approx(0.1)
    assert _blob(store, row["page"]) == b"<h1>hi</h1>"
    assert parabola.load_media(row["page"], storage=store).html == "<h1>hi</h1>"
    with pytest.raises(ValueError, match=r"Video\(format='mp4'\)"):
        parabola.Video(frames, format="mp4")
    with pytest.raises(ValueError, match=r"Audio\(sample_rate=...\)"):
        parabola.Audio(samples)


def test_plots_are_a_table_plus_a_chart_spec(store: BaseStorage) -> None:
    y_true = np.array([0, 1, 1, 0, 1, 2, 2, 0])
    probas = np.eye(3)[y_true] * 0.7 + 0.1
    probas[0] = [0.2, 0.7, 0.1]  # one mistake
    xy = parabola.Table(columns=["x", "y"], data=[[i, i * i] for i in range(5)])
    with _run(store) as run:
        run.log(
            {
                "line": parabola.plot.line(xy, "x", "y", title="squares"),
                "scatter": parabola.plot.scatter(xy, "x", "y"),
                "bar": parabola.plot.bar(xy, "x", "y"),
                "hist": parabola.plot.histogram(xy, "y"),
                "series": parabola.plot.line_series(
                    [0, 1, 2], [[1, 2, 3], [3, 2, 1]], keys=["up", "down"]
                ),
                "cm": parabola.plot.confusion_matrix(
                    probs=probas, y_true=y_true, class_names=["a", "b", "c"]
                ),
                "roc": parabola.plot.roc_curve(y_true, probas, labels=["a", "b", "c"]),
                "pr": parabola.plot.pr_curve(y_true, probas),
            }
        )
    row = _history(store, run)[0]
    assert row["line"]["_type"] == "chart" and row["line"]["vega_spec_name"] == "wandb/line/v0"
    assert row["line"]["fields"] == {"x": "x", "y": "y"}
    assert row["line"]["string_fields"]["title"] == "squares"
    assert row["line"]["table"]["_type"] == "table-file"
    cm = parabola.load_media(row["cm"], storage=store).table
    counts = {(a, p): n for a, p, n in cm.data}
    assert counts[("a", "b")] == 1 and counts[("a", "a")] == 2 and counts[("c", "c")] == 2
    assert sum(counts.values()) == len(y_true)
    roc = parabola.load_media(row["roc"], storage=store).table
    per_class = [r for r in roc.data if r[0] == "c"]
    assert per_class[0][1:] == [0.0, 0.0] and per_class[-1][1:] == [1.0, 1.0]
    series = parabola.load_media(row["series"], storage=store).table
    assert series.columns == ["lineKey", "lineVal", "step"] and len(series) == 6
    with pytest.raises(ValueError, match=r"plot.line: no column 'z'"):
        parabola.plot.line(xy, "x", "z")


def test_media_in_config_or_summary_is_a_clear_error_and_nothing_is_lost(
    store: BaseStorage,
) -> None:
    img = parabola.Image(np.zeros((2, 2)))
    with pytest.raises(TypeError, match=r"init\(config=...\): key 'sample' holds a parabola.Image"):
        parabola.init(project="media", storage=store, config={"sample": img})
    with _run(store, config={"lr": 0.1}) as run:
        run.log({"loss": 1.0})
        with pytest.raises(TypeError, match=r"config\['im'\]: a parabola.Image is a media value"):
            run.config["im"] = img
        with pytest.raises(TypeError, match=r"summary\['nested'\].im: a parabola.Image is a media"):
            run.summary["nested"] = {"im": img}  # only a media value or a list of them
        with pytest.raises(TypeError, match=r"Image\(data_or_path=...\)"):
            run.log({"bad": parabola.Image(np.zeros((2, 2), dtype=object))})
        run.log({"loss": 0.5, "ok": img})
    rows = _history(store, run)
    assert [r["loss"] for r in rows] == [1.0, 0.5] and rows[1]["ok"]["_type"] == "image-file"
    public = parabola.Api(storage=store).run(run.path)
    assert public.config == {"lr": 0.1}


def test_lists_of_images_and_nested_keys(store: BaseStorage) -> None:
    imgs = [parabola.Image(np.full((2, 2), i * 50, dtype=np.uint8)) for i in range(3)]
    with _run(store) as run:
        run.log({"batch": imgs, "val": {"sample": imgs[0], "acc": 0.9}})
    row = _history(store, run)[0]
    assert row["batch"]["_type"] == "images/separated" and row["batch"]["count"] == 3
    assert row["val.acc"] == 0.9 and row["val.sample"]["_type"] == "image-file"
    back = parabola.load_media(row["batch"], storage=store)
    assert [int(b.to_numpy().max()) for b in back] == [0, 50, 100]
    with pytest.raises(TypeError, match="mixes media values"):
        run2 = _run(store, reinit="create_new")
        try:
            run2.log({"mixed": [imgs[0], 3]})
        finally:
            run2.finish()


def test_the_same_image_is_stored_once(store: BaseStorage) -> None:
    img = parabola.Image(np.ones((16, 16), dtype=np.uint8))
    with _run(store) as run:
        for _ in range(5):
            run.log({"img": img})
    refs = [r["img"] for r in _history(store, run)]
    assert len({r["sha256"] for r in refs}) == 1
    assert len(os.listdir(artifact_root(store))) == 1


def test_disabled_runs_accept_media_and_write_nothing(tmp_path: Path) -> None:
    with parabola.init(mode="disabled") as run:
        run.log({"img": parabola.Image(np.zeros((2, 2))), "t": parabola.Table(data=[[1]])})
    assert not (tmp_path / "artifacts").exists()


def test_load_media_rejects_what_is_not_a_reference() -> None:
    with pytest.raises(TypeError, match=r"load_media\(value=...\)"):
        parabola.load_media({"loss": 1.0})


def test_import_parabola_does_not_load_media_or_pillow() -> None:
    import subprocess
    import sys

    code = (
        "import sys, parabola; parabola.init; print(sorted(m for m in sys.modules"
        " if m.startswith(('PIL', 'parabola.tracking._media'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("shape", [(5, 7), (5, 7, 3), (5, 7, 4)])
def test_the_encoder_without_pillow_writes_valid_pngs(shape: tuple[int, ...]) -> None:
    # Arrays log without Pillow (the media extra): parabola's own zlib encoder. Decoded here with
    # Pillow, it must give the pixels back exactly.
    from PIL import Image as PILImage

    from parabola.tracking._media._png import _encode_zlib, png_size

    pixels = np.random.default_rng(3).integers(0, 256, shape, dtype=np.uint8)
    data = _encode_zlib(pixels)
    assert png_size(data) == (7, 5)
    np.testing.assert_array_equal(np.asarray(PILImage.open(io.BytesIO(data))), pixels)


def test_media_set_in_the_summary_is_stored_as_a_reference(store: BaseStorage) -> None:
    # W&B allows ``run.summary["best"] = wandb.Image(...)``: the summary holds the reference a
    # logged value gets, and the bytes are in the artifact folder like a logged image's.
    pixels = np.arange(12, dtype=np.uint8).reshape(2, 2, 3)
    with _run(store) as run:
        run.log({"loss": 1.0})
        run.summary["best"] = parabola.Image(pixels, caption="best so far")
        run.summary["samples"] = [parabola.Image(pixels), parabola.Image(pixels[::-1])]
    public = parabola.Api(storage=store).run(run.path)
    ref = public.summary["best"]
    assert ref["_type"] == "image-file" and ref["caption"] == "best so far"
    assert public.summary["samples"]["_type"] == "images/separated"
    assert public.summary["samples"]["count"] == 2
    back = parabola.load_media(ref, storage=store)
    assert np.array_equal(np.asarray(back.image), pixels)
    assert _history(store, run)[0]["loss"] == 1.0 and "best" not in _history(store, run)[0]
