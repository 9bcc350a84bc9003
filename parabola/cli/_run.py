"""``parabola run``: run a script (or ``-m module``) with the drop-in switch on."""

from __future__ import annotations

import click

__all__ = ["run"]


@click.command(
    "run",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.option(
    "-m", "module", metavar="MODULE", default=None, help="Run a module, as `python -m MODULE`."
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def run(module: str | None, args: tuple[str, ...]) -> None:
    """Run a Python script with `optuna` and `wandb` imports resolving to parabola.

    Every importer in the process, libraries and frameworks included, gets parabola (see
    docs/drop-in.md); child processes inherit the switch through PARABOLA_DROP_IN=1.

    \b
        parabola run train.py --lr 0.1
        parabola run -m mypackage.train --epochs 3
    """
    from parabola.drop_in import run_module, run_script

    if module is not None:
        run_module(module, args)
        return
    if not args:
        raise click.UsageError("parabola run: give a script to run (or -m MODULE).")
    try:
        run_script(args[0], args[1:])
    except FileNotFoundError as e:
        if e.filename is not None:
            raise  # raised by the script itself, not a missing script
        raise click.UsageError(str(e)) from None
