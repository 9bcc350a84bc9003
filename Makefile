# One task file for humans and CI. `make run` and `make test` are the README's two commands.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run test test-anchors test-frameworks check docs bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## The main job: the seed tutorial end to end on the default SQLite store.
run: $(STAMP)
	$(PY) scripts/seed_workflow.py

## Lint, type-check, then the test suite (starts PostgreSQL if it is down). Tests marked slow
## (the fault-injection runs) are left out unless PYTEST_ARGS says otherwise; .ci/run runs all.
PYTEST_ARGS ?= -m "not slow"
test: $(STAMP)
	bash scripts/services.sh
	$(VENV)/bin/ruff check parabola tests benchmarks scripts conftest.py
	$(VENV)/bin/mypy
	$(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

check: $(STAMP)
	$(VENV)/bin/ruff check parabola tests benchmarks scripts conftest.py
	$(VENV)/bin/ruff format --check parabola tests benchmarks scripts conftest.py
	$(VENV)/bin/mypy

## Differential tests against the anchors (Optuna 5.0): installs the bench extra first.
test-anchors: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) -m pytest -q -p no:cacheprovider tests/study_tests/test_optuna_parity.py tests/study_tests/test_optuna_recorded.py tests/importers_tests tests/samplers_tests/test_grid.py tests/samplers_tests/test_qmc.py tests/importance_tests/test_importance_optuna_parity.py tests/visualization_tests/test_visualization_optuna_parity.py

## The frameworks through the drop-in switch (Hugging Face, Lightning, XGBoost, LightGBM): real
## CPU runs of a few seconds each; installs the frameworks extra first.
test-frameworks: $(STAMP)
	$(PY) -m pip install --quiet -e '.[frameworks]'
	$(PY) -m pytest -q -p no:cacheprovider -m frameworks tests/frameworks_tests

## Regenerate docs/api.md from the public API (tests/test_docs.py checks it is current).
docs: $(STAMP)
	$(PY) scripts/gen_api_docs.py
	$(PY) scripts/gen_drop_in_docs.py

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
