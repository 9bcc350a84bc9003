"""Copy the studies of a store written by Optuna (``RDBStorage``) into a parabola store.

Optuna keeps one row per parameter, value, attribute and intermediate value; parabola refuses
to open such a database as its own store (the layouts differ). This module reads Optuna's
tables with plain SQL (Optuna need not be installed), rebuilds each trial as a
:class:`~parabola.trial.FrozenTrial`, writes it through the target's
:class:`~parabola.storages.BaseStorage` and then reads the target back to check that counts and
values are equal.

The source is opened read-only (SQLite ``mode=ro``; a read-only PostgreSQL transaction), so an
import can never change it. Each imported study records where it came from in the system
attribute ``parabola:imported_from``; importing again skips a study that is already there
and still equal to its source, which makes the import idempotent.
"""

from __future__ import annotations

import datetime
import json
import math
import sqlite3
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from parabola._study_direction import StudyDirection
from parabola.distributions import BaseDistribution, json_to_distribution
from parabola.exceptions import ParabolaError
from parabola.logging import get_logger
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

if TYPE_CHECKING:
    import sqlalchemy as sa

    from parabola.storages import BaseStorage

__all__ = ["ImportReport", "OptunaImportError", "import_optuna", "is_optuna_store"]

_logger = get_logger(__name__)

#: System attribute of an imported study: ``{"url": <source, password hidden>, "study_id": n}``.
IMPORTED_FROM_KEY = "parabola:imported_from"

# Optuna's Alembic revisions whose tables this reader understands: v3.0.0.c and later keep
# values in trial_values (with value_type) and intermediate values with their type; older
# stores must first be upgraded by Optuna itself.
_SUPPORTED_REVISIONS = ("v3.0.0.c", "v3.0.0.d", "v3.2.0.a")
_OPTUNA_TABLES = {"studies", "trials", "trial_params", "trial_values", "version_info"}

_SPECIAL = {"INF_POS": math.inf, "INF_NEG": -math.inf, "NAN": math.nan}


class OptunaImportError(ParabolaError):
    """The source is not a readable Optuna store, or an imported study failed verification."""


@dataclass
class ImportReport:
    """What :func:`import_optuna` did.

    Attributes:
        imported: Names of the studies copied by this call.
        skipped: Names of the studies already imported earlier and still equal to the source.
        n_trials: Trials copied by this call.
    """

    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    n_trials: int = 0


def import_optuna(
    from_url: str,
    to_storage: str | BaseStorage | None = None,
    *,
    study_names: Sequence[str] | None = None,
) -> ImportReport:
    """Copy every study of an Optuna-written database into a parabola store, verified.

    Studies keep their names, directions, user and system attributes; trials keep their
    numbers, states, values, parameters with their distributions, attributes (constraints
    included), intermediate values and start/end times. After each study is written the
    target is read back and compared with the source; a study that differs is removed again
    and :class:`OptunaImportError` is raised. Running the import again skips studies already
    imported from the same source. The source is only read.

    Args:
        from_url: The Optuna storage URL: ``sqlite:///optuna.db`` or ``postgresql://...``.
        to_storage: The parabola store to write to (a URL or a storage); ``None`` means the
            default store (``$PARABOLA_STORAGE`` or ``./parabola.db``).
        study_names: Import only these studies (default: all of them).

    Returns:
        An :class:`ImportReport` naming the imported and the skipped studies.

    Raises:
        OptunaImportError: if ``from_url`` is not an Optuna store of a supported revision, a
            name in ``study_names`` is not in it, a study of the same name that was not
            imported from this source already exists in the target, or verification fails.

    Example:
        >>> import optuna  # doctest: +SKIP
        >>> optuna.create_study(storage="sqlite:///optuna.db", study_name="old")  # doctest: +SKIP
        >>> import parabola
        >>> report = parabola.importers.import_optuna(  # doctest: +SKIP
        ...     "sqlite:///optuna.db", "sqlite:///parabola.db")
        >>> report.imported  # doctest: +SKIP
        ['old']
    """
    from parabola.storages import get_storage

    if not isinstance(from_url, str):
        raise TypeError(f"import_optuna(from_url=...): expected a URL string, got {from_url!r}.")
    target = get_storage(to_storage)
    report = ImportReport()
    with _source(from_url) as conn:
        studies = _read_studies(conn)
        if study_names is not None:
            missing = sorted(set(study_names) - {s.name for s in studies})
            if missing:
                raise OptunaImportError(
                    f"import_optuna(study_names=...): {missing} not in {_redact(from_url)}; it "
                    f"has {sorted(s.name for s in studies)}."
                )
            studies = [s for s in studies if s.name in set(study_names)]
        existing = {s.study_name: s.study_id for s in target.get_all_studies()}
        origin_url = _redact(from_url)
        for study in studies:
            trials = _read_trials(conn, study.study_id)
            origin = {"url": origin_url, "study_id": study.study_id}
            if study.name in existing:
                target_id = existing[study.name]
                if target.get_study_system_attrs(target_id).get(IMPORTED_FROM_KEY) != origin:
                    raise OptunaImportError(
                        f"The target store already has a study named {study.name!r} that was "
                        f"not imported from {origin_url}; delete it or import into another "
                        "store. Nothing was written."
                    )
                problem = _difference(target, target_id, study, trials)
                if problem is None:
                    report.skipped.append(study.name)
                    continue
                raise OptunaImportError(
                    f"Study {study.name!r} was imported from {origin_url} before, but the two "
                    f"now differ ({problem}); delete it from the target to import it again."
                )
            _write_study(target, study, trials, origin)
            report.imported.append(study.name)
            report.n_trials += len(trials)
            _logger.info(f"Imported study {study.name!r} ({len(trials)} trials) from {origin_url}.")
    return report


def is_optuna_store(table_names: set[str]) -> bool:
    """Whether a database with these tables looks like an Optuna ``RDBStorage``."""
    return table_names >= _OPTUNA_TABLES and "alembic_version" in table_names


@dataclass
class _Study:
    study_id: int
    name: str
    directions: list[StudyDirection]
    user_attrs: dict[str, Any]
    system_attrs: dict[str, Any]


def _redact(url: str) -> str:
    head, sep, tail = url.partition("://")
    if sep and "@" in tail:
        cred, _, rest = tail.rpartition("@")
        user = cred.split(":", 1)[0]
        return f"{head}://{user}:***@{rest}" if ":" in cred else url
    return url


@contextmanager
def _source(url: str) -> Iterator[sa.Connection]:
    """A read-only connection to the Optuna store."""
    import sqlalchemy as sa

    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        import os

        if not os.path.isfile(path):
            raise OptunaImportError(f"import_optuna(from_url=...): no SQLite file at {path!r}.")
        uri = "file:" + os.path.abspath(path) + "?mode=ro"
        engine = sa.create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True))
    elif url.startswith(("postgresql://", "postgresql+")):
        rest = url.split("://", 1)[1]
        engine = sa.create_engine(
            "postgresql+psycopg://" + rest,
            connect_args={"options": "-c default_transaction_read_only=on"},
        )
    else:
        raise OptunaImportError(
            f"import_optuna(from_url=...): expected a sqlite:/// or postgresql:// URL, got "
            f"{_redact(url)!r}."
        )
    try:
        with engine.connect() as conn:
            names = set(sa.inspect(conn).get_table_names())
            if not is_optuna_store(names):
                raise OptunaImportError(
                    f"{_redact(url)} is not an Optuna store (tables: {sorted(names)[:8]})."
                )
            revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
            if revision not in _SUPPORTED_REVISIONS:
                raise OptunaImportError(
                    f"{_redact(url)} has Optuna schema revision {revision!r}; this importer "
                    f"reads {list(_SUPPORTED_REVISIONS)} (Optuna >= 3.0). Upgrade it first with "
                    f"`optuna storage upgrade --storage {_redact(url)}`."
                )
            yield conn
    finally:
        engine.dispose()


def _rows(conn: sa.Connection, sql: str, **params: Any) -> list[Any]:
    import sqlalchemy as sa

    return list(conn.execute(sa.text(sql), params).all())


def _read_studies(conn: sa.Connection) -> list[_Study]:
    directions: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for sid, objective, direction in _rows(
        conn, "SELECT study_id, objective, direction FROM study_directions"
    ):
        directions[sid].append((objective, direction))
    user = _attrs(_rows(conn, "SELECT study_id, key, value_json FROM study_user_attributes"))
    system = _attrs(_rows(conn, "SELECT study_id, key, value_json FROM study_system_attributes"))
    return [
        _Study(
            study_id=sid,
            name=name,
            directions=[StudyDirection[d] for _, d in sorted(directions[sid])],
            user_attrs=user.get(sid, {}),
            system_attrs=system.get(sid, {}),
        )
        for sid, name in _rows(conn, "SELECT study_id, study_name FROM studies ORDER BY study_id")
    ]


def _attrs(rows: list[Any]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = defaultdict(dict)
    for owner, key, value_json in rows:
        out[owner][key] = json.loads(value_json)
    return out


def _read_trials(conn: sa.Connection, study_id: int) -> list[FrozenTrial]:
    """The study's trials as Optuna would show them, ordered by number."""
    join = "JOIN trials t ON t.trial_id = x.trial_id WHERE t.study_id = :sid"
    base = _rows(
        conn,
        "SELECT trial_id, number, state, datetime_start, datetime_complete FROM trials "
        "WHERE study_id = :sid ORDER BY number",
        sid=study_id,
    )
    values: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for tid, objective, value, kind in _rows(
        conn,
        f"SELECT x.trial_id, x.objective, x.value, x.value_type FROM trial_values x {join}",
        sid=study_id,
    ):
        values[tid].append((objective, _float(value, kind)))
    inter: dict[int, dict[int, float]] = defaultdict(dict)
    for tid, step, value, kind in _rows(
        conn,
        "SELECT x.trial_id, x.step, x.intermediate_value, x.intermediate_value_type "
        f"FROM trial_intermediate_values x {join}",
        sid=study_id,
    ):
        inter[tid][step] = _float(value, kind)
    params: dict[int, dict[str, Any]] = defaultdict(dict)
    dists: dict[int, dict[str, BaseDistribution]] = defaultdict(dict)
    parsed: dict[str, BaseDistribution] = {}  # studies repeat a handful of distribution JSONs
    for tid, name, value, dist_json in _rows(
        conn,
        "SELECT x.trial_id, x.param_name, x.param_value, x.distribution_json "
        f"FROM trial_params x {join}",
        sid=study_id,
    ):
        dist = parsed.get(dist_json)
        if dist is None:
            dist = parsed[dist_json] = json_to_distribution(dist_json)
        params[tid][name] = dist.to_external_repr(value)
        dists[tid][name] = dist
    user = _attrs(
        _rows(
            conn,
            f"SELECT x.trial_id, x.key, x.value_json FROM trial_user_attributes x {join}",
            sid=study_id,
        )
    )
    system = _attrs(
        _rows(
            conn,
            f"SELECT x.trial_id, x.key, x.value_json FROM trial_system_attributes x {join}",
            sid=study_id,
        )
    )
    trials = []
    for tid, number, state, start, complete in base:
        vals = [v for _, v in sorted(values.get(tid, []))]
        trials.append(
            FrozenTrial(
                number=number,
                state=TrialState[state],
                value=None,
                values=vals or None,
                datetime_start=_local(start),
                datetime_complete=_local(complete),
                params=params.get(tid, {}),
                distributions=dists.get(tid, {}),
                user_attrs=user.get(tid, {}),
                system_attrs=system.get(tid, {}),
                intermediate_values=inter.get(tid, {}),
                trial_id=tid,
            )
        )
    return trials


def _float(value: float | None, kind: str) -> float:
    return _SPECIAL[kind] if value is None else float(value)


def _local(value: Any) -> datetime.datetime | None:
    """Optuna stores naive UTC and shows naive local time; parabola stores what it shows."""
    if value is None:
        return None
    if isinstance(value, str):  # SQLite hands back text
        value = datetime.datetime.fromisoformat(value)
    utc = value.replace(tzinfo=datetime.timezone.utc)
    return utc.astimezone().replace(tzinfo=None)  # type: ignore[no-any-return]


def _write_study(
    target: BaseStorage, study: _Study, trials: list[FrozenTrial], origin: dict[str, Any]
) -> None:
    study_id = target.create_new_study(study.directions, study.name)
    try:
        for key, value in study.user_attrs.items():
            target.set_study_user_attr(study_id, key, value)
        for key, value in study.system_attrs.items():
            target.set_study_system_attr(study_id, key, value)
        target._create_trials(study_id, trials)
        problem = _difference(target, study_id, study, trials)
        if problem is not None:
            raise OptunaImportError(
                f"Study {study.name!r} did not verify after the import ({problem}); it was "
                "removed from the target."
            )
        # Last: a study carries its origin only once it is whole and verified.
        target.set_study_system_attr(study_id, IMPORTED_FROM_KEY, origin)
    except BaseException:
        try:
            target.delete_study(study_id)
        except Exception:  # keep the original error; the cleanup is best effort
            _logger.warning(f"Could not remove the partial study {study.name!r}.", exc_info=True)
        raise


def _difference(
    target: BaseStorage, study_id: int, study: _Study, trials: list[FrozenTrial]
) -> str | None:
    """``None`` when the target study equals the source, else what differs first."""
    if target.get_study_directions(study_id) != study.directions:
        return "directions"
    if target.get_study_user_attrs(study_id) != study.user_attrs:
        return "study user attributes"
    system = dict(target.get_study_system_attrs(study_id))
    system.pop(IMPORTED_FROM_KEY, None)
    if system != study.system_attrs:
        return "study system attributes"
    copied = target.get_all_trials(study_id, deepcopy=False)
    if len(copied) != len(trials):
        return f"{len(copied)} trials in the target, {len(trials)} in the source"
    for a, b in zip(copied, trials, strict=True):
        for what in ("number", "state", "params", "distributions", "user_attrs", "system_attrs"):
            if getattr(a, what) != getattr(b, what):
                return f"trial {b.number}: {what}"
        if not _same_floats(a.values or [], b.values or []):
            return f"trial {b.number}: values"
        iv_a, iv_b = a.intermediate_values, b.intermediate_values
        if iv_a.keys() != iv_b.keys() or not _same_floats(
            [iv_a[k] for k in iv_b], list(iv_b.values())
        ):
            return f"trial {b.number}: intermediate values"
        if (a.datetime_start, a.datetime_complete) != (b.datetime_start, b.datetime_complete):
            return f"trial {b.number}: datetimes"
    return None


def _same_floats(a: Sequence[float], b: Sequence[float]) -> bool:
    return len(a) == len(b) and all(
        x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(a, b, strict=True)
    )
