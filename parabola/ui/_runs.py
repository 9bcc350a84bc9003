"""The runs half of the dashboard's JSON: projects, the runs table, one run, CSV export.

Everything is read through :class:`parabola.Api` (W&B's public API, with its filters and
orders), so the table filters exactly as ``Api().runs(path, filters, order)`` does.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from parabola.ui._json import clean

if TYPE_CHECKING:
    from parabola.storages import BaseStorage
    from parabola.tracking import Api, PublicRun

__all__ = ["MAX_RUNS_PAGE", "parse_filters", "project_list", "run_detail", "runs_csv", "runs_table"]

MAX_RUNS_PAGE = 5000


def project_list(storage: BaseStorage) -> list[dict[str, Any]]:
    """Every ``entity/project`` with its run count and newest run time."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for rec in storage.get_runs():  # newest first
        key = (rec.entity, rec.project)
        if key not in seen:
            seen[key] = {
                "entity": rec.entity,
                "project": rec.project,
                "n_runs": 0,
                "last_run_at": rec.created_at.isoformat(),
            }
        seen[key]["n_runs"] += 1
    return sorted(seen.values(), key=lambda p: (p["entity"], p["project"]))


def parse_filters(text: str | None) -> dict[str, Any] | None:
    """The ``filters`` query parameter (a JSON object, W&B's MongoDB-style syntax)."""
    if text is None or not text.strip():
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"filters: not valid JSON ({e.msg} at column {e.colno}).") from None
    if not isinstance(value, dict):
        raise ValueError('filters: expected a JSON object such as {"state": "finished"}.')
    return value


def _flat(prefix: str, value: Mapping[str, Any], out: dict[str, Any]) -> None:
    for k, v in value.items():
        name = f"{prefix}{k}"
        if isinstance(v, Mapping) and v and not str(k).startswith("_"):
            _flat(name + ".", v, out)
        else:
            out[name] = v


def _row(run: PublicRun) -> dict[str, Any]:
    config: dict[str, Any] = {}
    _flat("", run.config, config)
    summary: dict[str, Any] = {}
    _flat("", {k: v for k, v in run.summary.items() if not k.startswith("_")}, summary)
    return {
        "entity": run.entity,
        "project": run.project,
        "id": run.id,
        "name": run.name,
        "state": run.state,
        "created_at": run.created_at,
        "group": run.group,
        "job_type": run.job_type,
        "tags": run.tags,
        "study_name": run.study_name,
        "trial_number": run.trial_number,
        "config": config,
        "summary": summary,
    }


def runs_table(
    api: Api,
    path: str | None,
    filters: dict[str, Any] | None,
    order: str,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """One page of the runs table, with every config and summary column seen on it."""
    if not 1 <= limit <= MAX_RUNS_PAGE:
        raise ValueError(f"limit: expected 1..{MAX_RUNS_PAGE}, got {limit}.")
    if offset < 0:
        raise ValueError(f"offset: expected >= 0, got {offset}.")
    runs = api.runs(path, filters=filters, order=order)
    page = [_row(r) for r in runs[offset : offset + limit]]
    config_cols = sorted({k for r in page for k in r["config"]})
    summary_cols = sorted({k for r in page for k in r["summary"]})
    out: dict[str, Any] = clean(
        {
            "total": len(runs),
            "offset": offset,
            "limit": limit,
            "config_columns": config_cols,
            "summary_columns": summary_cols,
            "runs": page,
        }
    )
    return out


def runs_csv(table: Mapping[str, Any]) -> str:
    """The runs table as CSV (one column per config and summary key)."""
    buf = io.StringIO()
    base = ["entity", "project", "id", "name", "state", "created_at", "group", "job_type", "tags"]
    cfg = [f"config.{c}" for c in table["config_columns"]]
    summ = [f"summary.{c}" for c in table["summary_columns"]]
    writer = csv.writer(buf)
    writer.writerow(base + cfg + summ)
    for r in table["runs"]:
        cells = [r[b] for b in base]
        cells[-1] = ",".join(r["tags"])
        cells += [_cell(r["config"].get(c)) for c in table["config_columns"]]
        cells += [_cell(r["summary"].get(c)) for c in table["summary_columns"]]
        # A cell starting with = + - @ is a formula to spreadsheets: prefix it so opening the
        # export cannot run one (CSV injection).
        writer.writerow(["'" + c if isinstance(c, str) and c[:1] in "=+-@" else c for c in cells])
    return buf.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return "" if value is None else value


def run_detail(storage: BaseStorage, run: PublicRun) -> dict[str, Any]:
    """Everything the run page shows except the curves (fetched per chart)."""
    files = [
        {"name": f.name, "size": f.size, "sha256": f.sha256, "updated_at": f.updated_at}
        for f in run.files()
    ]
    artifacts = [
        {
            "name": a.name,
            "type": a.type,
            "version": a.version,
            "aliases": a.aliases,
            "digest": a.digest,
            "description": a.description,
            "files": [{"name": f.name, "size": f.size, "sha256": f.sha256} for f in a.files],
        }
        for a in run.logged_artifacts()
    ]
    study_id = None
    if run.study_name is not None:
        try:
            study_id = storage.get_study_id_from_name(run.study_name)
        except KeyError:
            study_id = None  # the study was deleted; the run keeps its name
    out: dict[str, Any] = clean(
        {
            "entity": run.entity,
            "project": run.project,
            "id": run.id,
            "name": run.name,
            "state": run.state,
            "created_at": run.created_at,
            "heartbeat_at": run.heartbeat_at,
            "finished_at": run.finished_at,
            "exit_code": run.exit_code,
            "group": run.group,
            "job_type": run.job_type,
            "tags": run.tags,
            "notes": run.notes,
            "config": run.config,
            "summary": {k: v for k, v in run.summary.items() if not k.startswith("_")},
            "metadata": run.metadata,
            "files": files,
            "artifacts": artifacts,
            "study_name": run.study_name,
            "study_id": study_id,
            "trial_number": run.trial_number,
            "last_step": run.lastHistoryStep,
        }
    )
    return out
