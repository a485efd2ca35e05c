"""``newsspan card``: regenerate the dataset card of an existing build (the build's card stage)."""

from __future__ import annotations

from pathlib import Path

import click

from newsspan.dataset.console import CONTEXT, run_on_folder

__all__ = ["card"]


@click.command(context_settings=CONTEXT)
@click.argument("build_folder", metavar="BUILD", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--pretty-name", default="newsspan corpus", show_default=True, help="The dataset's display name.")
@click.option(
    "--license",
    "license_id",
    default="cc-by-4.0",
    show_default=True,
    help="Hub licence id of the annotations (the article texts stay their publishers').",
)
@click.pass_context
def card(ctx: click.Context, build_folder: Path, pretty_name: str, license_id: str) -> None:
    """Regenerate the dataset card (README.md and its plots) of an existing build.

    \b
    Example:
      newsspan card build/corpus --pretty-name "Tarsel Strait news corpus"
    """
    from newsspan.cards.stage import CardStage

    report = run_on_folder(ctx, CardStage(), build_folder, pretty_name=pretty_name, license_id=license_id)
    click.echo(f"wrote {build_folder / report.counts['card']}")
