"""DDL of a new parabola store at head, per dialect (generated: do not edit).

Written by ``scripts/gen_sql_ddl.py`` from the SQLAlchemy models (``_models.py``); run it
again after changing them. ``_schema.create_at_head`` runs these statements in order.
"""

# ruff: noqa: E501  (one statement per line, as SQLAlchemy compiles it)

from __future__ import annotations

__all__ = ["DDL", "DDL_HEAD"]

#: The revision these statements create (stamped in the version table).
DDL_HEAD = "0001"

DDL: dict[str, tuple[str, ...]] = {
    "sqlite": (
        "CREATE TABLE runs (\n\tid INTEGER NOT NULL, \n\tentity VARCHAR(256) NOT NULL, \n\tproject VARCHAR(256) NOT NULL, \n\trun_id VARCHAR(256) NOT NULL, \n\tname VARCHAR(512) NOT NULL, \n\tstate VARCHAR(32) NOT NULL, \n\tcreated_at BIGINT NOT NULL, \n\theartbeat_at BIGINT NOT NULL, \n\tfinished_at BIGINT, \n\texit_code INTEGER, \n\tconfig TEXT, \n\tsummary TEXT, \n\ttags TEXT, \n\tnotes TEXT, \n\trun_group VARCHAR(512), \n\tjob_type VARCHAR(512), \n\tstudy_name VARCHAR(512), \n\ttrial_number INTEGER, \n\tPRIMARY KEY (id), \n\tCONSTRAINT uq_runs_path UNIQUE (entity, project, run_id)\n)",
        "CREATE INDEX ix_runs_project ON runs (entity, project, created_at)",
        "CREATE TABLE studies (\n\tstudy_id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, \n\tstudy_name VARCHAR(512) NOT NULL, \n\tdirections TEXT NOT NULL, \n\tuser_attrs TEXT, \n\tsystem_attrs TEXT, \n\tn_trials INTEGER DEFAULT '0' NOT NULL, \n\tversion BIGINT DEFAULT '0' NOT NULL, \n\tcreated_at BIGINT NOT NULL, \n\tUNIQUE (study_name)\n)",
        "CREATE TABLE run_history (\n\tchunk_id INTEGER NOT NULL, \n\trun_pk INTEGER NOT NULL, \n\tstream VARCHAR(64) NOT NULL, \n\tmin_step BIGINT NOT NULL, \n\tmax_step BIGINT NOT NULL, \n\tn_rows INTEGER NOT NULL, \n\tpayload BLOB NOT NULL, \n\tPRIMARY KEY (chunk_id), \n\tFOREIGN KEY(run_pk) REFERENCES runs (id) ON DELETE CASCADE\n)",
        "CREATE INDEX ix_run_history_run_stream ON run_history (run_pk, stream, chunk_id)",
        "CREATE TABLE trials (\n\ttrial_id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, \n\tstudy_id INTEGER NOT NULL, \n\tnumber INTEGER NOT NULL, \n\tstate INTEGER NOT NULL, \n\ttrial_values TEXT, \n\tdatetime_start BIGINT, \n\tdatetime_complete BIGINT, \n\tparams TEXT, \n\tdistributions TEXT, \n\tuser_attrs TEXT, \n\tsystem_attrs TEXT, \n\tintermediate_values TEXT, \n\theartbeat FLOAT, \n\tversion BIGINT NOT NULL, \n\tCONSTRAINT uq_trials_study_number UNIQUE (study_id, number), \n\tFOREIGN KEY(study_id) REFERENCES studies (study_id) ON DELETE CASCADE\n)",
        "CREATE INDEX ix_trials_study_state ON trials (study_id, state)",
        "CREATE INDEX ix_trials_study_version ON trials (study_id, version)",
        "CREATE TABLE parabola_version (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT parabola_version_pkc PRIMARY KEY (version_num)\n)",
    ),
    "postgresql": (
        "CREATE TABLE runs (\n\tid SERIAL NOT NULL, \n\tentity VARCHAR(256) NOT NULL, \n\tproject VARCHAR(256) NOT NULL, \n\trun_id VARCHAR(256) NOT NULL, \n\tname VARCHAR(512) NOT NULL, \n\tstate VARCHAR(32) NOT NULL, \n\tcreated_at BIGINT NOT NULL, \n\theartbeat_at BIGINT NOT NULL, \n\tfinished_at BIGINT, \n\texit_code INTEGER, \n\tconfig TEXT, \n\tsummary TEXT, \n\ttags TEXT, \n\tnotes TEXT, \n\trun_group VARCHAR(512), \n\tjob_type VARCHAR(512), \n\tstudy_name VARCHAR(512), \n\ttrial_number INTEGER, \n\tPRIMARY KEY (id), \n\tCONSTRAINT uq_runs_path UNIQUE (entity, project, run_id)\n)",
        "CREATE INDEX ix_runs_project ON runs (entity, project, created_at)",
        "CREATE TABLE studies (\n\tstudy_id SERIAL NOT NULL, \n\tstudy_name VARCHAR(512) NOT NULL, \n\tdirections TEXT NOT NULL, \n\tuser_attrs TEXT, \n\tsystem_attrs TEXT, \n\tn_trials INTEGER DEFAULT '0' NOT NULL, \n\tversion BIGINT DEFAULT '0' NOT NULL, \n\tcreated_at BIGINT NOT NULL, \n\tPRIMARY KEY (study_id), \n\tUNIQUE (study_name)\n)",
        "CREATE TABLE run_history (\n\tchunk_id SERIAL NOT NULL, \n\trun_pk INTEGER NOT NULL, \n\tstream VARCHAR(64) NOT NULL, \n\tmin_step BIGINT NOT NULL, \n\tmax_step BIGINT NOT NULL, \n\tn_rows INTEGER NOT NULL, \n\tpayload BYTEA NOT NULL, \n\tPRIMARY KEY (chunk_id), \n\tFOREIGN KEY(run_pk) REFERENCES runs (id) ON DELETE CASCADE\n)",
        "CREATE INDEX ix_run_history_run_stream ON run_history (run_pk, stream, chunk_id)",
        "CREATE TABLE trials (\n\ttrial_id SERIAL NOT NULL, \n\tstudy_id INTEGER NOT NULL, \n\tnumber INTEGER NOT NULL, \n\tstate INTEGER NOT NULL, \n\ttrial_values TEXT, \n\tdatetime_start BIGINT, \n\tdatetime_complete BIGINT, \n\tparams TEXT, \n\tdistributions TEXT, \n\tuser_attrs TEXT, \n\tsystem_attrs TEXT, \n\tintermediate_values TEXT, \n\theartbeat FLOAT, \n\tversion BIGINT NOT NULL, \n\tPRIMARY KEY (trial_id), \n\tCONSTRAINT uq_trials_study_number UNIQUE (study_id, number), \n\tFOREIGN KEY(study_id) REFERENCES studies (study_id) ON DELETE CASCADE\n)",
        "CREATE INDEX ix_trials_study_state ON trials (study_id, state)",
        "CREATE INDEX ix_trials_study_version ON trials (study_id, version)",
        "CREATE TABLE parabola_version (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT parabola_version_pkc PRIMARY KEY (version_num)\n)",
    ),
}
