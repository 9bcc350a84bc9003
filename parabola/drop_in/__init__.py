"""The drop-in switch: ``optuna`` and ``wandb`` imports resolve to parabola, for every importer.

``import parabola as optuna`` reaches only the importing file; ``from optuna.samplers import
TPESampler`` in a library, or a framework's own ``import wandb`` (Hugging Face ``Trainer`` with
``report_to="wandb"``, Lightning's ``WandbLogger``) does not. The switch does, in three ways:

* ``parabola run script.py [args]`` (or ``python -m parabola run ...``);
* ``import parabola.drop_in`` as the first line of a script;
* ``PARABOLA_DROP_IN=1`` in the environment, for code one cannot edit: the hook
  ``parabola_drop_in.pth``, installed next to parabola, imports this package when the variable
  is 1/true/yes/on, and otherwise costs one environment look-up at start-up.

It says once on stderr that it is active. ``PARABOLA_DROP_IN=0`` keeps it off, even in a
script that imports this package. The covered import paths are :func:`covered_paths` (and
``docs/drop-in.md``); any other name under ``optuna``/``wandb`` raises an ``ImportError`` or
``AttributeError`` that names the missing feature.

Example:
    >>> from parabola.drop_in import activate, deactivate, is_active
    >>> activate(quiet=True)
    >>> from optuna.samplers import TPESampler
    >>> import parabola.samplers
    >>> TPESampler is parabola.samplers.TPESampler
    True
    >>> deactivate(); is_active()
    False
"""

from __future__ import annotations

from parabola.drop_in._paths import covered_paths
from parabola.drop_in._script import run_module, run_script
from parabola.drop_in._switch import activate, deactivate, is_active
from parabola.drop_in._switch import env_requests_switch as _env_requests_switch

__all__ = ["activate", "covered_paths", "deactivate", "is_active", "run_module", "run_script"]

# ``import parabola.drop_in`` is the switch; PARABOLA_DROP_IN=0 overrides it (the test suite sets
# it, since collecting the package imports this module).
if _env_requests_switch() is not False:
    activate()
