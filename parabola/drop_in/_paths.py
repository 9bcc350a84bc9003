"""The import paths the switch covers: one table, read by the finder and by ``docs/drop-in.md``.

Each covered name maps to one of two kinds of target:

* a parabola **module** (``optuna.samplers`` -> :mod:`parabola.samplers`): the importer gets the
  module object itself, so ``optuna.samplers.TPESampler is parabola.samplers.TPESampler``;
* a thin **alias** namespace (``wandb``, ``wandb.sdk.lib``...): a small module whose attributes
  are listed here, each one ``"module:attribute"`` (or ``"module"`` for a whole module), resolved
  on first access so that importing the alias costs nothing.

Names that a real package has and parabola does not are listed in ``MISSING`` with the feature
they belong to, so the error says what is missing instead of a bare ``AttributeError``.
"""

from __future__ import annotations

__all__ = ["ALIASES", "MISSING", "TOP_LEVEL", "VERSIONS", "Alias", "covered_paths"]

# The versions of the APIs the aliases follow (what ``optuna.__version__``/``wandb.__version__``
# report, and what a framework's version check sees when the real package is not installed).
VERSIONS = {"optuna": "5.0.0", "optuna_integration": "4.5.0", "wandb": "0.31.0"}
TOP_LEVEL = frozenset(VERSIONS)

_OPTUNA_MODULES = (
    "distributions",
    "exceptions",
    "importance",
    "logging",
    "pruners",
    "samplers",
    "samplers.nsgaii",
    "search_space",
    "storages",
    "study",
    "trial",
    "visualization",
    "visualization.matplotlib",
)

_TRACKING = "parabola.tracking"
_MEDIA = "parabola.tracking._media"
_GBDT = "parabola.integrations._wandb_gbdt"  # W&B's own XGBoost/LightGBM callbacks

# wandb's top-level names (on top of everything parabola's own namespace has).
_WANDB_NAMES: dict[str, str] = {
    "Api": f"{_TRACKING}:Api",
    "Artifact": f"{_TRACKING}:Artifact",
    "Audio": f"{_MEDIA}:Audio",
    "Error": "parabola.drop_in._compat:Error",
    "Histogram": f"{_MEDIA}:Histogram",
    "Html": f"{_MEDIA}:Html",
    "Image": f"{_MEDIA}:Image",
    "Run": f"{_TRACKING}:Run",
    "Settings": f"{_TRACKING}:Settings",
    "Table": f"{_MEDIA}:Table",
    "Video": f"{_MEDIA}:Video",
    "alert": f"{_TRACKING}._extras:alert",
    "apis": "wandb.apis",
    "data_types": "wandb.data_types",
    "define_metric": f"{_TRACKING}:define_metric",
    "env": "wandb.env",
    "errors": "wandb.errors",
    "finish": f"{_TRACKING}:finish",
    "init": f"{_TRACKING}:init",
    "log": f"{_TRACKING}:log",
    "log_artifact": f"{_TRACKING}:log_artifact",
    "log_model": f"{_TRACKING}._extras:log_model",
    "login": f"{_TRACKING}:login",
    "plot": f"{_MEDIA}._plot",
    "require": "parabola.drop_in._compat:require",
    "restore": f"{_TRACKING}._extras:restore",
    "save": f"{_TRACKING}:save",
    "sdk": "wandb.sdk",
    "setup": "parabola.drop_in._compat:setup",
    "teardown": "parabola.drop_in._compat:teardown",
    "termerror": "parabola.drop_in._compat:termerror",
    "termlog": "parabola.drop_in._compat:termlog",
    "termwarn": "parabola.drop_in._compat:termwarn",
    "unwatch": f"{_TRACKING}._extras:unwatch",
    "use_artifact": f"{_TRACKING}._extras:use_artifact",
    "util": "wandb.util",
    "wandb_run": "wandb.wandb_run",
    "watch": f"{_TRACKING}._watch:watch",
}

_INTEGRATION_NAMES: dict[str, str] = {
    "LightGBMPruningCallback": "parabola.integrations:LightGBMPruningCallback",
    "PyTorchLightningPruningCallback": "parabola.integrations:PyTorchLightningPruningCallback",
    "XGBoostPruningCallback": "parabola.integrations:XGBoostPruningCallback",
}


class Alias:
    """What one covered import path resolves to.

    Attributes:
        module: A parabola module the path *is* (``optuna.samplers``), or ``None`` for an alias
            namespace.
        names: For an alias namespace: attribute -> ``"module:attribute"`` or ``"module"``.
        fallback: For an alias namespace: a module whose public names are also reachable
            (``optuna`` falls back to :mod:`parabola`).
    """

    # A plain class, not a dataclass: importing dataclasses (and inspect) would cost the switch
    # several milliseconds of start-up.
    __slots__ = ("fallback", "module", "names")

    def __init__(
        self,
        module: str | None = None,
        names: dict[str, str] | None = None,
        fallback: str | None = None,
    ) -> None:
        self.module = module
        self.names: dict[str, str] = dict(names or {})
        self.fallback = fallback


def _build() -> dict[str, Alias]:
    aliases: dict[str, Alias] = {
        "optuna": Alias(
            names={
                "integration": "optuna.integration",
                "version": "optuna.version",
                **{m: f"optuna.{m}" for m in _OPTUNA_MODULES if "." not in m},
            },
            fallback="parabola",
        ),
        "optuna.version": Alias(names={"__version__": "=" + VERSIONS["optuna"]}),
        "optuna.integration": Alias(names=_INTEGRATION_NAMES),
        "optuna_integration": Alias(names=_INTEGRATION_NAMES),
        "wandb": Alias(names=_WANDB_NAMES, fallback="parabola"),
        "wandb.sdk": Alias(
            names={
                "Artifact": f"{_TRACKING}:Artifact",
                "Settings": f"{_TRACKING}:Settings",
                "data_types": "wandb.data_types",
                "lib": "wandb.sdk.lib",
                "wandb_run": "wandb.wandb_run",
                "wandb_settings": "wandb.sdk.wandb_settings",
            }
        ),
        "wandb.sdk.lib": Alias(
            names={
                "RunDisabled": "parabola.drop_in._compat:RunDisabled",
                "config_util": "wandb.sdk.lib.config_util",
            }
        ),
        "wandb.sdk.lib.config_util": Alias(names={"ConfigError": f"{_TRACKING}:ConfigError"}),
        "wandb.sdk.wandb_run": Alias(names={"Run": f"{_TRACKING}:Run"}),
        "wandb.sdk.wandb_settings": Alias(names={"Settings": f"{_TRACKING}:Settings"}),
        "wandb.sdk.data_types": Alias(names={}, fallback=_MEDIA),
        "wandb.wandb_run": Alias(names={"Run": f"{_TRACKING}:Run"}),
        "wandb.data_types": Alias(names={}, fallback=_MEDIA),
        "wandb.plot": Alias(module=f"{_MEDIA}._plot"),
        "wandb.apis": Alias(names={"public": "wandb.apis.public", "PublicApi": f"{_TRACKING}:Api"}),
        "wandb.apis.public": Alias(
            names={"Api": f"{_TRACKING}:Api", "Run": f"{_TRACKING}:PublicRun"}
        ),
        "wandb.errors": Alias(
            names={
                "CommError": "parabola.drop_in._compat:CommError",
                "Error": "parabola.drop_in._compat:Error",
                "UsageError": "parabola.drop_in._compat:UsageError",
            }
        ),
        "wandb.env": Alias(
            names={
                "set_entity": "parabola.drop_in._compat:set_entity",
                "set_project": "parabola.drop_in._compat:set_project",
            }
        ),
        "wandb.util": Alias(
            names={
                "generate_id": "parabola.drop_in._compat:generate_id",
                "make_artifact_name_safe": "parabola.drop_in._compat:make_artifact_name_safe",
            }
        ),
        "wandb.integration": Alias(
            names={"lightgbm": "wandb.integration.lightgbm", "xgboost": "wandb.integration.xgboost"}
        ),
        "wandb.integration.lightgbm": Alias(
            names={
                "log_summary": f"{_GBDT}:log_summary",
                "wandb_callback": f"{_GBDT}:wandb_callback",
            }
        ),
        "wandb.integration.xgboost": Alias(names={"WandbCallback": f"{_GBDT}:WandbCallback"}),
    }
    for m in _OPTUNA_MODULES:
        aliases[f"optuna.{m}"] = Alias(module=f"parabola.{m}")
    return aliases


ALIASES: dict[str, Alias] = _build()

# Real names parabola does not provide, with the feature they belong to.
MISSING: dict[str, str] = {
    "optuna.artifacts": "Optuna's artifact store (use wandb-style parabola.Artifact instead)",
    "optuna.cli": "Optuna's command line (use the `parabola` command)",
    "optuna.terminator": "Optuna's Terminator (automatic stopping of a study)",
    "optuna.integration.lightgbm": "optuna.integration.lightgbm's LightGBMTuner",
    "optuna.integration.LightGBMTuner": "optuna.integration.lightgbm's LightGBMTuner",
    "optuna.integration.MLflowCallback": "the MLflow callback (log to parabola's tracking)",
    "optuna.integration.WeightsAndBiasesCallback": (
        "the W&B callback (use parabola.tracking.TrackingCallback)"
    ),
    "wandb.sweep": "W&B sweeps (run a parabola study instead)",
    "wandb.agent": "W&B sweep agents (run a parabola study instead)",
    "wandb.controller": "W&B sweep controllers (run a parabola study instead)",
    "wandb.Object3D": "3-D point-cloud media",
    "wandb.Molecule": "molecule media",
    "wandb.Graph": "graph media",
    "wandb._attach": "attaching to a run started in another process",
    "wandb.integration.sb3": "the Stable-Baselines3 integration",
    "wandb.integration.keras": "the Keras callbacks",
}


def covered_paths() -> list[str]:
    """Every import path the switch resolves, sorted.

    Example:
        >>> from parabola.drop_in import covered_paths
        >>> "optuna.samplers" in covered_paths() and "wandb.sdk.lib" in covered_paths()
        True
    """
    return sorted(ALIASES)
