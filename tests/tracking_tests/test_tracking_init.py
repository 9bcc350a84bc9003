"""init: modes, defaults, resume, reinit, module-level shortcuts, login, context manager."""

from __future__ import annotations

import re

import pytest

import parabola
import parabola as wandb
from parabola.storages import BaseStorage, InMemoryStorage, RunKey, RunUpdate


def test_defaults_name_entity_project_path(store: BaseStorage) -> None:
    run = parabola.init(storage=store)
    assert re.fullmatch(r"[a-z0-9]{8}", run.id)
    assert re.fullmatch(r"[a-z]+-[a-z]+-\d+", run.name)
    assert run.project == "uncategorized"
    assert run.entity
    assert run.path == f"{run.entity}/uncategorized/{run.id}"
    assert run.url == f"http://127.0.0.1:8080/runs/{run.entity}/uncategorized/{run.id}"
    run.finish()


def test_generated_names_count_runs_in_the_project() -> None:
    store = InMemoryStorage()
    names = []
    for _ in range(3):
        with parabola.init(project="count", storage=store) as run:
            names.append(run.name)
    assert [int(n.rsplit("-", 1)[1]) for n in names] == [1, 2, 3]


def test_labels_are_stored(store: BaseStorage) -> None:
    with parabola.init(
        project="p",
        entity="team",
        name="first",
        tags=["a", "b"],
        notes="n",
        group="g",
        job_type="train",
        storage=store,
    ) as run:
        pass
    record = store.get_run(RunKey("team", "p", run.id))
    assert (record.name, record.tags, record.notes, record.group, record.job_type) == (
        "first",
        ["a", "b"],
        "n",
        "g",
        "train",
    )
    assert record.state.value == "finished" and record.exit_code == 0


def test_env_project_and_entity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANDB_PROJECT", "from-env")
    monkeypatch.setenv("WANDB_ENTITY", "me")
    store = InMemoryStorage()
    with parabola.init(storage=store) as run:
        assert run.path.startswith("me/from-env/")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"mode": "cloud"}, ValueError, r"init\(mode=\.\.\.\)"),
        ({"resume": "sometimes"}, ValueError, r"init\(resume=\.\.\.\)"),
        ({"reinit": "maybe"}, ValueError, r"init\(reinit=\.\.\.\)"),
        ({"tags": "single"}, TypeError, "tags: expected a list of str"),
        ({"tags": ["ok", 3]}, TypeError, "every tag must be a non-empty str"),
        ({"project": "a/b"}, ValueError, r"init\(project=\.\.\.\)"),
        ({"id": "bad id!"}, ValueError, r"init\(id=\.\.\.\)"),
        ({"notes": 3}, TypeError, r"init\(notes=\.\.\.\)"),
        ({"settings": 3}, TypeError, r"init\(settings=\.\.\.\)"),
        ({"settings": {"flush_interval": -1}}, ValueError, "flush_interval"),
    ],
)
def test_bad_init_arguments(kwargs: dict[str, object], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        parabola.init(storage=InMemoryStorage(), **kwargs)  # type: ignore[arg-type]


def test_disabled_mode_stores_nothing_but_works(monkeypatch: pytest.MonkeyPatch) -> None:
    store = InMemoryStorage()
    with parabola.init(project="p", mode="disabled", storage=store) as run:
        run.log({"a": 1})
        run.summary["b"] = 2
        assert run.disabled and run.summary["a"] == 1
    assert store.get_runs() == []
    monkeypatch.setenv("WANDB_MODE", "disabled")
    with parabola.init(project="p", storage=store) as run2:
        assert run2.disabled
    assert store.get_runs() == []


@pytest.mark.parametrize("mode", ["online", "offline", "dryrun"])
def test_online_and_offline_both_write_locally(mode: str) -> None:
    store = InMemoryStorage()
    with parabola.init(project="p", mode=mode, storage=store) as run:
        run.log({"a": 1})
    assert len(store.get_runs()) == 1
    assert run.offline == (mode != "online")


def test_resume_allow_continues_steps_and_runtime(store: BaseStorage) -> None:
    with parabola.init(project="p", id="abc", config={"lr": 0.1}, storage=store) as run:
        run.log({"a": 1})
        run.log({"a": 2})
    with parabola.init(project="p", id="abc", resume="allow", storage=store) as run2:
        assert run2.resumed and run2.step == 2 and run2.config.lr == 0.1
        run2.log({"a": 3})
    rows = store.get_run_history(RunKey(run.entity, "p", "abc"))
    assert [r["_step"] for r in rows] == [0, 1, 2]
    assert rows[2]["_runtime"] >= rows[1]["_runtime"]
    assert store.get_run(RunKey(run.entity, "p", "abc")).state.value == "finished"


def test_resume_continues_after_rows_newer_than_the_summary(store: BaseStorage) -> None:
    # A killed run may have written history rows after its last summary update.
    with parabola.init(project="p", id="k", storage=store) as run:
        run.log({"a": 1})
    store.append_run_history(
        RunKey(run.entity, "p", "k"), [{"_step": 1, "a": 2}, {"_step": 2, "a": 3}]
    )
    assert parabola.Api(storage=store).run("p/k").lastHistoryStep == 2
    store.update_run(
        RunKey(run.entity, "p", "k"), RunUpdate(summary={"_step": {"max": 0}})
    )  # unusable _step
    assert parabola.Api(storage=store).run("p/k").lastHistoryStep == 2
    with parabola.init(project="p", id="k", resume="allow", storage=store) as run2:
        assert run2.step == 3


def test_resume_rules(store: BaseStorage) -> None:
    with pytest.raises(ValueError, match="resume='must'"):
        parabola.init(project="p", id="nope", resume="must", storage=store)
    with parabola.init(project="p", id="x1", storage=store):
        pass
    with pytest.raises(ValueError, match="already exists"):
        parabola.init(project="p", id="x1", storage=store)
    with pytest.raises(ValueError, match="already exists"):
        parabola.init(project="p", id="x1", resume="never", storage=store)
    with parabola.init(project="p", id="x2", resume=True, storage=store) as fresh:
        assert not fresh.resumed
    with parabola.init(project="p", id="x1", resume="must", storage=store) as again:
        assert again.resumed


def test_reinit_modes() -> None:
    store = InMemoryStorage()
    first = parabola.init(project="p", storage=store)
    assert parabola.init(project="p", storage=store) is first  # default: return previous
    second = parabola.init(project="p", storage=store, reinit=True)
    assert second is not first and first._finished
    third = parabola.init(project="p", storage=store, reinit="create_new")
    assert not second._finished and parabola.run is third
    third.log({"a": 1})
    second.log({"b": 2})
    third.finish()
    assert parabola.run is second  # the previous live run becomes current again
    second.finish()
    assert parabola.run is None
    states = {r.run_id: r.state.value for r in store.get_runs()}
    assert set(states.values()) == {"finished"} and len(states) == 3


def test_init_for_another_run_while_one_is_live_warns() -> None:
    store = InMemoryStorage()
    first = parabola.init(project="p", id="one", storage=store)
    with pytest.warns(UserWarning, match=r"init\(id='two', project='p'\).*p/one"):
        assert parabola.init(project="p", id="two", storage=store) is first
    with pytest.warns(UserWarning, match=r"init\(project='q'\) returns .*reinit="):
        assert parabola.init(project="q", storage=store) is first
    # Asking for the same run, or explicitly for the previous one, is silent.
    assert parabola.init(project="p", id="one", storage=store) is first
    assert parabola.init(project="q", storage=store, reinit="return_previous") is first
    first.finish()


def test_module_level_shortcuts() -> None:
    store = InMemoryStorage()
    assert wandb.run is None
    with pytest.raises(RuntimeError, match=r"call parabola\.init"):
        wandb.log({"a": 1})
    with pytest.raises(RuntimeError, match=r"call parabola\.init"):
        wandb.config.update({"a": 1})
    run = wandb.init(project="p", storage=store, config={"lr": 0.1})
    assert wandb.run is run and wandb.config.lr == 0.1
    wandb.define_metric("loss", summary="min")
    wandb.log({"loss": 0.3})
    wandb.log({"loss": 0.4})
    wandb.summary["extra"] = 1
    assert wandb.summary["loss"] == {"min": 0.3}
    wandb.finish()
    assert wandb.run is None
    assert store.get_run(RunKey(run.entity, "p", run.id)).summary["extra"] == 1
    wandb.finish()  # no current run: nothing to do


def test_context_manager_marks_failed_and_propagates(store: BaseStorage) -> None:
    with pytest.raises(ZeroDivisionError), parabola.init(project="p", storage=store) as run:
        run.log({"a": 1})
        1 / 0  # noqa: B018
    record = store.get_run(RunKey(run.entity, "p", run.id))
    assert record.state.value == "failed" and record.exit_code == 1
    assert store.get_run_history(RunKey(run.entity, "p", run.id))[0]["a"] == 1


def test_finish_exit_code(store: BaseStorage) -> None:
    run = parabola.init(project="p", storage=store)
    run.finish(exit_code=3)
    assert store.get_run(RunKey(run.entity, "p", run.id)).state.value == "failed"
    with pytest.raises(TypeError, match="exit_code"):
        parabola.init(project="p", storage=store).finish(exit_code="1")  # type: ignore[arg-type]


def test_setting_name_tags_notes_is_persisted(store: BaseStorage) -> None:
    with parabola.init(project="p", storage=store) as run:
        run.name = "renamed"
        run.tags = [*run.tags, "new"]
        run.notes = "hello"
    r = parabola.Api(storage=store).run(run.path)
    assert (r.name, r.tags, r.notes) == ("renamed", ["new"], "hello")


def test_login_prints_the_store(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    assert parabola.login() is True
    out = capsys.readouterr().out
    assert "no login needed" in out and "parabola.db" in out
    assert parabola.login(storage=sqlite_url) is True
    assert "runs.db" in capsys.readouterr().out


def test_default_store_is_the_studies_sqlite_file() -> None:
    with parabola.init(project="p") as run:
        run.log({"a": 1})
    study = parabola.create_study(study_name="s")  # the same ./parabola.db
    assert study is not None
    api_run = parabola.Api().run(run.path)
    assert api_run.history()["a"].tolist() == [1]


def test_import_parabola_as_wandb_surface() -> None:
    for name in (
        "init",
        "log",
        "login",
        "finish",
        "Api",
        "Run",
        "define_metric",
        "save",
        "log_artifact",
        "Artifact",
        "Settings",
    ):
        assert hasattr(wandb, name), name
