"""Every system-attribute key parabola stores on trials and studies, in one place.

System attributes are parabola's (and its samplers' and pruners') own bookkeeping in the store,
next to the user's ``user_attrs``. Keys written by one part are read by others (the grid
sampler reads ``fixed_params`` set by ``enqueue_trial``; the retry callback reads
``failed_trial``), and a store outlives the code that wrote it, so each key is listed here with
its owner and meaning. Modules take their key from this registry; ``tests/test_system_attrs.py``
fails when a module defines a key constant that is not listed, or when two parts use one key
for different things.

Example:
    >>> SYSTEM_ATTR_KEYS[FAIL_REASON]
    'trial: why the trial failed (objective value not usable, sys.exit(), ...)'
"""

from __future__ import annotations

__all__ = [
    "AUTO_HANDOVER_PREFIX",
    "AUTO_SAMPLER",
    "CONSTRAINTS",
    "FAILED_TRIAL",
    "FAIL_REASON",
    "FIXED_PARAMS",
    "PREFIXES",
    "RETRY_HISTORY",
    "SYSTEM_ATTR_KEYS",
    "TPE_RELATIVE_PARAMS",
]

# Keys the core writes and reads.
FAIL_REASON = "fail_reason"
FIXED_PARAMS = "fixed_params"
CONSTRAINTS = "constraints"
FAILED_TRIAL = "failed_trial"
RETRY_HISTORY = "retry_history"
TPE_RELATIVE_PARAMS = "tpe:relative_params"
AUTO_SAMPLER = "auto:sampler"
AUTO_HANDOVER_PREFIX = "auto:handover:"

#: key -> "where: meaning". Optuna's names are kept where Optuna stores the same thing, so a
#: store imported from Optuna (or read by Optuna-aware tools) means the same.
SYSTEM_ATTR_KEYS: dict[str, str] = {
    FAIL_REASON: "trial: why the trial failed (objective value not usable, sys.exit(), ...)",
    FIXED_PARAMS: "trial: parameters fixed by Study.enqueue_trial (Optuna's key)",
    CONSTRAINTS: "trial: constraint values, > 0 means violated (Optuna's key)",
    FAILED_TRIAL: "trial: number of the failed trial this one retries (Optuna's key)",
    RETRY_HISTORY: "trial: numbers of the earlier attempts of this retry (Optuna's key)",
    TPE_RELATIVE_PARAMS: "trial: TPESampler's relative sample, kept for its after_trial",
    "gp:relative_params": "trial: GPSampler's relative sample",
    AUTO_SAMPLER: "study: the sampler AutoSampler (the default) uses now",
    "nsga2:generation": "trial: NSGAIISampler's generation of the trial",
    "nsga3:generation": "trial: NSGAIIISampler's generation of the trial",
    "grid_id": "trial: GridSampler's grid point (Optuna's key)",
    "search_space": "trial: GridSampler's search space (Optuna's key)",
    "study:metric_names": "study: names of the objectives (Study.set_metric_names)",
    "parabola:imported_from": "study: the Optuna store the study was imported from",
    "distributed:run": "trial: the distributed optimize call that created the trial",
    "distributed:index": "trial: the trial's index within that call's budget",
    "distributed:worker": "trial: the Dask worker that ran the trial",
}

#: Families of keys built at run time: prefix -> "where: meaning".
PREFIXES: dict[str, str] = {
    "completed_rung_": "trial: SuccessiveHalvingPruner's value at rung N (Optuna's key)",
    AUTO_HANDOVER_PREFIX: "study: AutoSampler's choice from the trial numbered by the rest of the "
    "key on, {'sampler': name, 'reason': why}",
    "qmc:": "trial: QMCSampler's sample index in the sequence named by the rest of the key",
    "constraints:": "trial: the constraint named by the rest of the key (Trial.set_constraint, "
    "Optuna 5.0's key)",
}
