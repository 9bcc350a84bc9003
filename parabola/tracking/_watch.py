"""``watch``: histograms of a torch model's gradients and parameters, logged with the run's rows.

W&B's ``wandb.watch``. The hooks log with ``commit=False``, so the histograms join the next row
the user logs (as in W&B). Without torch installed it is an ``ImportError`` that says so.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from parabola.tracking._run import Run

__all__ = ["unwatch", "watch"]

_LOG = ("gradients", "parameters", "all", None)
# id(module) -> the hook handles to remove on unwatch.
_handles: dict[int, list[Any]] = {}


def _histogram(tensor: Any) -> Any:
    from parabola.tracking._media import Histogram

    values = tensor.detach().float().cpu().numpy()
    return Histogram(values, num_bins=64)


def watch(
    models: Any,
    criterion: Any = None,
    log: str | None = "gradients",
    log_freq: int = 1000,
    idx: int | None = None,
    log_graph: bool = False,
    *,
    run: Run | None = None,
) -> None:
    """Log histograms of a torch model's gradients and/or parameters (W&B's ``wandb.watch``).

    ``log="gradients"``, ``"parameters"`` or ``"all"``: every ``log_freq`` steps (backward passes
    for gradients, forward passes for parameters), as ``gradients/<name>``/``parameters/<name>``.

    Args:
        models: A ``torch.nn.Module`` or a list of them.
        log: ``"gradients"``, ``"parameters"``, ``"all"`` or ``None`` (nothing).
        log_freq: Every how many steps to log (an int >= 1).
        run: The run to log to (default: the current run).

    Raises:
        ImportError: torch is not installed.
        TypeError: ``models`` is not a torch module (or a list of them).
        ValueError: a bad ``log`` or ``log_freq``.
        RuntimeError: no run (call ``init`` first).
    """
    if log not in _LOG:
        raise ValueError(
            f"watch(log=...): expected 'gradients', 'parameters', 'all' or None, got {log!r}."
        )
    if isinstance(log_freq, bool) or not isinstance(log_freq, int) or log_freq < 1:
        raise ValueError(f"watch(log_freq=...): expected an int >= 1, got {log_freq!r}.")
    try:
        # Through importlib: torch is optional, and its types stay out of mypy's view whether
        # or not it is installed.
        torch: Any = importlib.import_module("torch")
    except ImportError:
        raise ImportError(
            "watch() logs histograms of a torch model's gradients and parameters and needs "
            "torch, which is not installed (pip install torch)."
        ) from None
    modules = list(models) if isinstance(models, (list, tuple)) else [models]
    for model in modules:
        if not isinstance(model, torch.nn.Module):
            raise TypeError(
                f"watch(models=...): expected a torch.nn.Module or a list of them, got "
                f"{type(model).__name__}."
            )
    if run is None:
        from parabola.tracking import _state

        run = _state.current_run()
        if run is None:
            raise RuntimeError("watch(): there is no current run; call parabola.init() first.")
    target = run
    for i, model in enumerate(modules):
        if log is None:
            continue
        prefix = (
            "" if len(modules) == 1 and idx is None else f"graph_{idx if idx is not None else i}/"
        )
        handles = _handles.setdefault(id(model), [])
        if log in ("parameters", "all"):
            counter = [0]

            def on_forward(
                module: Any,
                inputs: Any,
                output: Any,
                counter: list[int] = counter,
                prefix: str = prefix,
            ) -> None:
                counter[0] += 1
                if counter[0] % log_freq == 0 and not target._finished:
                    target.log(
                        {
                            f"parameters/{prefix}{n}": _histogram(p)
                            for n, p in module.named_parameters()
                        },
                        commit=False,
                    )

            handles.append(model.register_forward_hook(on_forward))
        if log in ("gradients", "all"):
            for name, param in model.named_parameters():
                if not param.requires_grad:
                    continue
                calls = [0]

                def on_grad(
                    grad: Any, name: str = name, calls: list[int] = calls, prefix: str = prefix
                ) -> None:
                    calls[0] += 1
                    if calls[0] % log_freq == 0 and not target._finished:
                        target.log({f"gradients/{prefix}{name}": _histogram(grad)}, commit=False)

                handles.append(param.register_hook(on_grad))


def unwatch(models: Any = None) -> None:
    """Remove the hooks :func:`watch` added (to ``models``, or to every watched model)."""
    if models is None:
        keys = list(_handles)
    else:
        keys = [id(m) for m in (models if isinstance(models, (list, tuple)) else [models])]
    for key in keys:
        for handle in _handles.pop(key, []):
            handle.remove()
