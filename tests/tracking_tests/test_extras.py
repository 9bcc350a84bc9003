"""W&B's smaller names: alert, restore, Artifact.new_file, use_artifact (versions, aliases),
log_model, watch (real torch when installed; a clear error without it), sync_tensorboard."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import parabola
from parabola.storages import BaseStorage


def test_alerts_are_recorded_in_the_run(store: BaseStorage) -> None:
    with parabola.init(project="x", storage=store) as run:
        parabola.alert("Loss spike", "loss went to 9.1", level="WARN")
        run.alert("Done", "finished training")
    alerts = parabola.Api(storage=store).run(run.path).metadata["alerts"]
    assert [(a["title"], a["level"]) for a in alerts] == [("Loss spike", "WARN"), ("Done", "INFO")]
    assert alerts[0]["text"] == "loss went to 9.1"
    with pytest.raises(ValueError, match=r"alert\(level=...\)"):
        parabola.alert("t", "x", level="LOUD")


def test_module_level_names_need_a_run() -> None:
    for call in (lambda: parabola.alert("a", "b"), lambda: parabola.log_model("m.pt")):
        with pytest.raises(RuntimeError, match=r"call parabola\.init"):
            call()


def test_restore_copies_a_saved_file_back(store: BaseStorage, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "weights.txt").write_text("0.1 0.2")
    with parabola.init(project="x", storage=store) as run:
        run.save(str(src / "weights.txt"), base_path=str(src), policy="now")
        with parabola.restore("weights.txt", root=tmp_path / "here") as f:
            assert f.read() == "0.1 0.2"
        with pytest.raises(FileNotFoundError, match=r"no saved file 'nope\.txt'"):
            parabola.restore("nope.txt")
    with parabola.init(project="x", storage=store, reinit=True) as later:
        f = parabola.restore("weights.txt", run_path=run.path, root=tmp_path / "again")
        assert f.read() == "0.1 0.2" and later.id != run.id
        f.close()


def test_artifact_versions_aliases_new_file_and_use_artifact(
    store: BaseStorage, tmp_path: Path
) -> None:
    with parabola.init(project="arts", storage=store) as producer:
        for epoch in range(3):
            art = parabola.Artifact("model", type="model", metadata={"epoch": epoch})
            with art.new_file("weights.txt") as f:
                f.write(f"epoch {epoch}")
            producer.log_artifact(art, aliases=["best"] if epoch == 1 else None)
    with parabola.init(project="arts", storage=store, reinit=True) as consumer:
        latest = consumer.use_artifact("model:latest")
        best = consumer.use_artifact("model:best")
        first = parabola.use_artifact("model:v0", type="model")
        assert (latest.version, best.version, first.version) == ("v2", "v1", "v0")
        folder = best.download(str(tmp_path / "best"))
        assert (folder / "weights.txt").read_text() == "epoch 1"
        assert best.metadata == {"epoch": 1}
        with pytest.raises(KeyError, match="no artifact 'model' with alias/version 'v9'"):
            consumer.use_artifact("model:v9")
        with pytest.raises(KeyError, match="'dataset'"):
            consumer.use_artifact("dataset")
    used = parabola.Api(storage=store).run(consumer.path).metadata["used_artifacts"]
    assert [u["version"] for u in used] == ["v2", "v1", "v0"]
    art = parabola.Artifact("x")
    with art.new_file("a.txt") as f:
        f.write("1")
    with (
        pytest.raises(ValueError, match=r"the artifact has a file 'a\.txt'"),
        art.new_file("a.txt"),
    ):
        pass
    with pytest.raises(ValueError, match=r"new_file\(name=...\)"), art.new_file("../up.txt"):
        pass


def test_log_model_logs_a_model_artifact(store: BaseStorage, tmp_path: Path) -> None:
    (tmp_path / "model.pt").write_bytes(b"weights")
    with parabola.init(project="x", storage=store) as run:
        entry = run.log_model(str(tmp_path / "model.pt"), name="clf", aliases=["prod"])
    assert entry["type"] == "model" and "prod" in entry["aliases"]
    (logged,) = parabola.Api(storage=store).run(run.path).logged_artifacts()
    assert (logged.name, logged.type, logged.version) == ("clf", "model", "v0")


def test_watch_logs_gradient_and_parameter_histograms(store: BaseStorage) -> None:
    torch = pytest.importorskip("torch")
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(16, 3), torch.randn(16, 1)
    with parabola.init(project="w", storage=store) as run:
        parabola.watch(model, log="all", log_freq=2)
        for _ in range(4):
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            run.log({"loss": loss.item()})
        parabola.unwatch(model)
        model(x).sum().backward()  # hooks removed: nothing more is logged
        run.log({"loss": 0.0})
    rows = parabola.Api(storage=store).run(run.path).history(pandas=False)
    assert isinstance(rows, list)
    with_grads = [r["_step"] for r in rows if "gradients/0.weight" in r]
    with_params = [r["_step"] for r in rows if "parameters/2.bias" in r]
    assert with_grads == [1, 3] and with_params == [1, 3]
    hist = rows[1]["gradients/0.weight"]
    assert hist["_type"] == "histogram" and sum(hist["values"]) == 12  # a 4x3 weight
    with pytest.raises(TypeError, match=r"watch\(models=...\)"):
        parabola.watch(object())
    with pytest.raises(ValueError, match=r"watch\(log=...\)"):
        parabola.watch(model, log="everything")


def test_watch_without_torch_says_it_needs_torch(tmp_path: Path) -> None:
    code = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ModuleNotFoundError("No module named 'torch'", name="torch")
sys.meta_path.insert(0, Block())
import parabola
with parabola.init(mode="disabled") as run:
    try:
        parabola.watch("model")
    except ImportError as e:
        print(e)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "needs torch, which is not installed" in out.stdout


def test_sync_tensorboard_reads_the_event_files_the_run_writes(
    store: BaseStorage, tmp_path: Path
) -> None:
    pytest.importorskip("tensorboard")
    tb = pytest.importorskip("torch.utils.tensorboard")
    with parabola.init(
        project="tb", storage=store, sync_tensorboard=True, dir=str(tmp_path)
    ) as run:
        writer = tb.SummaryWriter(log_dir=str(tmp_path / "logs"))
        for step in range(3):
            writer.add_scalar("train/loss", 1.0 / (step + 1), global_step=step * 10)
            writer.add_scalar("lr", 0.1, global_step=step * 10)
        # Not closed: the sync flushes the writer itself at finish.
    writer.close()
    rows = parabola.Api(storage=store).run(run.path).history(pandas=False)
    assert isinstance(rows, list)
    assert [r["global_step"] for r in rows] == [0, 10, 20]
    assert [r["train/loss"] for r in rows] == pytest.approx([1.0, 0.5, 1 / 3])


def test_sync_tensorboard_without_tensorboard_is_an_error(tmp_path: Path) -> None:
    code = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "tensorboard":
            raise ModuleNotFoundError("No module named 'tensorboard'", name="tensorboard")
sys.meta_path.insert(0, Block())
import parabola
try:
    parabola.init(mode="disabled", sync_tensorboard=True)
except ImportError as e:
    print(e)
print(parabola.run)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "needs the tensorboard package" in out.stdout
    assert out.stdout.strip().endswith("None")  # no run was started
