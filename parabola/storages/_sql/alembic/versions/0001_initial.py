"""Initial schema: studies, trials (one row each, JSON columns), runs, chunked run history.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "studies",
        sa.Column("study_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("study_name", sa.String(512), nullable=False, unique=True),
        sa.Column("directions", sa.Text, nullable=False),
        sa.Column("user_attrs", sa.Text, nullable=True),
        sa.Column("system_attrs", sa.Text, nullable=True),
        sa.Column("n_trials", sa.Integer, nullable=False, server_default="0"),
        sa.Column("version", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "trials",
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
        sqlite_autoincrement=True,
    )
    op.create_index("ix_trials_study_version", "trials", ["study_id", "version"])
    op.create_index("ix_trials_study_state", "trials", ["study_id", "state"])
    op.create_table(
        "runs",
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
    )
    op.create_index("ix_runs_project", "runs", ["entity", "project", "created_at"])
    op.create_table(
        "run_history",
        sa.Column("chunk_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "run_pk",
            sa.Integer,
            sa.ForeignKey("runs.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("stream", sa.String(64), nullable=False),
        sa.Column("min_step", sa.BigInteger, nullable=False),
        sa.Column("max_step", sa.BigInteger, nullable=False),
        sa.Column("n_rows", sa.Integer, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_run_history_run_stream", "run_history", ["run_pk", "stream", "chunk_id"])


def downgrade() -> None:
    op.drop_table("run_history")
    op.drop_table("runs")
    op.drop_table("trials")
    op.drop_table("studies")
