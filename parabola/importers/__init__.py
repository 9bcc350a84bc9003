"""Importers: bring studies written by other tools into a parabola store.

``import_optuna`` copies every study of an Optuna ``RDBStorage`` database (SQLite or
PostgreSQL) into a parabola store, verified and idempotent; ``parabola import optuna <URL>`` is
the same from the command line. See ``docs/optuna-differences.md``.
"""

from __future__ import annotations

from parabola.importers._optuna import (
    ImportReport,
    OptunaImportError,
    import_optuna,
    is_optuna_store,
)

__all__ = ["ImportReport", "OptunaImportError", "import_optuna", "is_optuna_store"]
