"""The SQL schema of a parabola store (SQLAlchemy Core tables), current revision ``HEAD``.

One row per study and one row per trial: a trial's params, distributions, attributes and
intermediate values are JSON columns of its row, so reading a study is one query and writing a
finished trial is one ``UPDATE``. ``studies.version`` is the study's change counter: every trial
write bumps it and stamps the trial's ``version`` with the new value, so a reader that last saw
version ``v`` fetches only ``WHERE version > v``. ``studies.n_trials`` hands out trial numbers
(incremented under the study row's write lock, so numbers have no gaps).

Timestamps are integer microseconds since 1970-01-01 of the naive datetime the API carries
(exact round trip, cheap to decode); heartbeats are ``time.time()`` floats.

Tracking history is stored in chunks: one ``run_history`` row per appended batch of at most
``CHUNK_ROWS`` rows, holding a compact column-oriented payload (see ``_history.py``).

Changing anything here needs a new Alembic revision in ``alembic/versions`` and a frozen store of
the old version in ``tests/assets``.
"""

from __future__ import annotations

import sqlalchemy as sa

from parabola.storages._revisions import HEAD, KNOWN_REVISIONS, VERSION_TABLE

__all__ = [
    "HEAD",
    "KNOWN_REVISIONS",
    "VERSION_TABLE",
    "metadata",
    "run_history",
    "runs",
    "studies",
    "trials",
]

# HEAD, KNOWN_REVISIONS and VERSION_TABLE live in parabola.storages._revisions, readable
# without SQLAlchemy (the light `parabola db current`); imported above, re-exported here.

metadata = sa.MetaData()

studies = sa.Table(
    "studies",
    metadata,
    sa.Column("study_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("study_name", sa.String(512), nullable=False, unique=True),
    sa.Column("directions", sa.Text, nullable=False),
    sa.Column("user_attrs", sa.Text, nullable=True),
    sa.Column("system_attrs", sa.Text, nullable=True),
    sa.Column("n_trials", sa.Integer, nullable=False, server_default="0"),
    sa.Column("version", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    # Ids are never reused after a delete: other processes cache studies by id.
    sqlite_autoincrement=True,
)

trials = sa.Table(
    "trials",
    metadata,
    sa.Column("trial_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "study_id",
        sa.Integer,
        sa.ForeignKey("studies.study_id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("state", sa.Integer, nullable=False),
    sa.Column("trial_values", sa.Text, nullable=True),
    sa.Column("datetime_start", sa.BigInteger, nullable=True),
    sa.Column("datetime_complete", sa.BigInteger, nullable=True),
    sa.Column("params", sa.Text, nullable=True),
    sa.Column("distributions", sa.Text, nullable=True),
    sa.Column("user_attrs", sa.Text, nullable=True),
    sa.Column("system_attrs", sa.Text, nullable=True),
    sa.Column("intermediate_values", sa.Text, nullable=True),
    sa.Column("heartbeat", sa.Float, nullable=True),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("study_id", "number", name="uq_trials_study_number"),
    sa.Index("ix_trials_study_version", "study_id", "version"),
    sa.Index("ix_trials_study_state", "study_id", "state"),
    sqlite_autoincrement=True,
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("entity", sa.String(256), nullable=False),
    sa.Column("project", sa.String(256), nullable=False),
    sa.Column("run_id", sa.String(256), nullable=False),
    sa.Column("name", sa.String(512), nullable=False),
    sa.Column("state", sa.String(32), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("heartbeat_at", sa.BigInteger, nullable=False),
    sa.Column("finished_at", sa.BigInteger, nullable=True),
    sa.Column("exit_code", sa.Integer, nullable=True),
    sa.Column("config", sa.Text, nullable=True),
    sa.Column("summary", sa.Text, nullable=True),
    sa.Column("tags", sa.Text, nullable=True),
    sa.Column("notes", sa.Text, nullable=True),
    sa.Column("run_group", sa.String(512), nullable=True),
    sa.Column("job_type", sa.String(512), nullable=True),
    sa.Column("study_name", sa.String(512), nullable=True),
    sa.Column("trial_number", sa.Integer, nullable=True),
    sa.UniqueConstraint("entity", "project", "run_id", name="uq_runs_path"),
    sa.Index("ix_runs_project", "entity", "project", "created_at"),
)

run_history = sa.Table(
    "run_history",
    metadata,
    sa.Column("chunk_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_pk", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("stream", sa.String(64), nullable=False),
    sa.Column("min_step", sa.BigInteger, nullable=False),
    sa.Column("max_step", sa.BigInteger, nullable=False),
    sa.Column("n_rows", sa.Integer, nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.Index("ix_run_history_run_stream", "run_pk", "stream", "chunk_id"),
)
