"""``parabola import``: copy studies written by another tool into a parabola store.

``parabola import optuna sqlite:///optuna.db`` copies every study of an Optuna database into
the default store (``--to`` picks another); see :func:`parabola.importers.import_optuna`.
"""

from __future__ import annotations

import click

__all__ = ["import_"]


@click.group(name="import")
def import_() -> None:
    """Copy studies from another tool's store into a parabola store."""


@import_.command()
@click.argument("url")
@click.option(
    "--to",
    "to",
    default=None,
    help="Target parabola store URL (default: $PARABOLA_STORAGE or sqlite:///parabola.db).",
)
@click.option(
    "--study",
    "studies",
    multiple=True,
    help="Import only this study (repeat for several; default: every study).",
)
def optuna(url: str, to: str | None, studies: tuple[str, ...]) -> None:
    """Copy every study of the Optuna RDB store at URL, verified; the source is only read.

    Running it again skips the studies already imported.
    """
    from parabola.exceptions import ParabolaError
    from parabola.importers import import_optuna

    try:
        report = import_optuna(url, to, study_names=list(studies) or None)
    except ParabolaError as e:
        raise click.ClickException(str(e)) from None
    except ImportError as e:  # a PostgreSQL URL without the driver
        raise click.ClickException(f"{e} (pip install 'parabola[postgres]')") from None
    for name in report.imported:
        click.echo(f"imported  {name}")
    for name in report.skipped:
        click.echo(f"skipped   {name} (already imported, unchanged)")
    click.echo(
        f"{len(report.imported)} studies and {report.n_trials} trials imported, "
        f"{len(report.skipped)} already there; counts and values verified."
    )
