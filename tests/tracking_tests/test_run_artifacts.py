"""Run.save and Run.log_artifact: content-addressed copies listed by the Api."""

from __future__ import annotations

from pathlib import Path

import pytest

import parabola
from parabola.storages import BaseStorage
from parabola.tracking._store import artifact_root


def test_save_copies_files_and_lists_them(store: BaseStorage, tmp_path: Path) -> None:
    (tmp_path / "ckpt").mkdir()
    (tmp_path / "ckpt" / "a.pt").write_bytes(b"weights-a")
    (tmp_path / "ckpt" / "b.pt").write_bytes(b"weights-b")
    with parabola.init(project="f", storage=store) as run:
        names = run.save(str(tmp_path / "ckpt" / "*.pt"))
        assert names == ["a.pt", "b.pt"]
    files = parabola.Api(storage=store).run(run.path).files()
    assert sorted(f.name for f in files) == ["a.pt", "b.pt"]
    a = next(f for f in files if f.name == "a.pt")
    assert a.size == 9 and a.path.read_bytes() == b"weights-a"
    assert a.path.parent == tmp_path / "artifacts"  # $PARABOLA_ARTIFACTS (conftest)
    dest = a.download(str(tmp_path / "out"))
    assert dest.read_bytes() == b"weights-a"
    with pytest.raises(FileExistsError, match="replace=True"):
        a.download(str(tmp_path / "out"))


def test_identical_content_is_stored_once(store: BaseStorage, tmp_path: Path) -> None:
    for name in ("x.txt", "y.txt"):
        (tmp_path / name).write_text("same")
    with parabola.init(project="f", storage=store) as run:
        run.save(str(tmp_path / "x.txt"), policy="now")
        run.save(str(tmp_path / "y.txt"), policy="now")
    blobs = [p for p in (tmp_path / "artifacts").iterdir() if not p.name.startswith(".")]
    assert len(blobs) == 1


def test_save_policy_end_captures_the_final_content(store: BaseStorage, tmp_path: Path) -> None:
    log = tmp_path / "train.log"
    log.write_text("epoch 1\n")
    with parabola.init(project="f", storage=store) as run:
        assert run.save(str(log), policy="end") == []
        log.write_text("epoch 1\nepoch 2\n")
    (f,) = parabola.Api(storage=store).run(run.path).files(pattern="*.log")
    assert f.path.read_text() == "epoch 1\nepoch 2\n"


def test_save_bad_input(tmp_path: Path) -> None:
    with parabola.init(project="f", storage=parabola.storages.InMemoryStorage()) as run:
        with pytest.raises(ValueError, match="policy"):
            run.save("x", policy="sometimes")
        with pytest.raises(TypeError, match="glob_str"):
            run.save(3)  # type: ignore[arg-type]
        assert run.save(str(tmp_path / "missing-*.txt")) == []


def test_log_artifact_paths_and_artifact_objects(store: BaseStorage, tmp_path: Path) -> None:
    model = tmp_path / "model"
    (model / "sub").mkdir(parents=True)
    (model / "w.bin").write_bytes(b"1")
    (model / "sub" / "cfg.json").write_text("{}")
    with parabola.init(project="f", storage=store) as run:
        first = run.log_artifact(str(model), type="model")
        art = parabola.Artifact("model", type="model", metadata={"acc": 0.9})
        art.add_file(str(model / "w.bin"), name="weights.bin")
        second = run.log_artifact(art, aliases=["best"])
    assert (first["version"], second["version"]) == ("v0", "v1")
    assert sorted(f["name"] for f in first["files"]) == ["sub/cfg.json", "w.bin"]
    with parabola.init(project="f", storage=store, reinit=True) as run2:
        third = run2.log_artifact(str(model / "w.bin"), name="model", type="model")
    assert third["version"] == "v2"  # versions count across the project
    arts = parabola.Api(storage=store).run(run.path).logged_artifacts()
    assert [a.qualified_name for a in arts] == ["model:v0", "model:v1"]
    assert arts[1].aliases == ["best", "latest"] and arts[1].metadata == {"acc": 0.9}
    target = arts[0].download(str(tmp_path / "dl"))
    assert (target / "sub" / "cfg.json").read_text() == "{}"


def test_log_artifact_bad_input(tmp_path: Path) -> None:
    run = parabola.init(project="f", storage=parabola.storages.InMemoryStorage())
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        run.log_artifact(str(tmp_path / "missing"))
    with pytest.raises(TypeError, match="artifact_or_path"):
        run.log_artifact(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Artifact\\(name"):
        parabola.Artifact("a/b")
    run.finish()


def test_artifact_root_next_to_a_sqlite_store(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from parabola.tracking._store import resolve_storage

    monkeypatch.delenv("PARABOLA_ARTIFACTS")
    (tmp_path / "db").mkdir()
    store = resolve_storage(f"sqlite:///{tmp_path / 'db' / 'x.db'}")
    assert artifact_root(store) == tmp_path / "db" / "parabola-artifacts"
    memory = parabola.storages.InMemoryStorage()
    assert artifact_root(memory) == Path.home() / ".parabola" / "artifacts"
