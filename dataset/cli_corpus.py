"""Commands over a finished build: ``publish``, ``query`` and ``report`` (``card`` is the card stage's, in
:mod:`newsspan.cards.cli`).

Registered on the root ``newsspan`` group by :mod:`newsspan.dataset.cli`; thin, like the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from newsspan.dataset.console import CONTEXT, echo_json, json_option

__all__ = ["COMMANDS"]

COMMANDS: list[click.Command] = []


def command(**settings: Any) -> Callable[[Callable[..., Any]], click.Command]:
    """``click.command`` that also registers the command for the root group."""

    def register(function: Callable[..., Any]) -> click.Command:
        built: click.Command = click.command(**settings)(function)
        COMMANDS.append(built)
        return built

    return register


@command(context_settings=CONTEXT)
@click.argument("build_folder", metavar="BUILD", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--repo-id", required=True, help="The dataset repository, ORG/NAME.")
@click.option("--private", is_flag=True, help="Create the repository as private.")
@click.option("--dry-run", is_flag=True, help="Print what would be uploaded; upload nothing.")
@json_option
def publish(build_folder: Path, repo_id: str, private: bool, dry_run: bool, as_json: bool) -> None:
    """Upload a build's dataset (README, config Parquet files, manifest) to the Hugging Face Hub.

    Refuses a build that failed validation. The corpus tables and raw exports (with annotator
    e-mails) stay local. Token: HF_TOKEN or `huggingface-cli login`.

    \b
    Example:
      newsspan publish build/corpus --repo-id my-lab/news-quotes --private --dry-run
    """
    from newsspan.dataset.hub.publish import publish_build

    result = publish_build(build_folder, repo_id, private=private, dry_run=dry_run)
    if as_json:
        echo_json(result)
        return
    verb = "would upload" if dry_run else "uploaded"
    click.echo(
        f"{verb} {len(result['files'])} files ({result['bytes']:,} bytes) to {repo_id}"
        + (" (private)" if private else "")
    )
    for name in result["files"]:
        click.echo(f"  {name}")


@command(context_settings=CONTEXT)
@click.argument("build_folder", metavar="BUILD", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("sql")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "parquet"]),
    default="table",
    show_default=True,
    help="Output format; parquet needs --out.",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the result to this file.")
def query(build_folder: Path, sql: str, fmt: str, out: Path | None) -> None:
    """Run SQL over a build's tables with polars: documents, spans, relations, stance, quotes, ...

    `quotes` joins every quote with its speaker, stance and outlet.

    \b
    Example:
      newsspan query build/corpus "SELECT outlet, count(*) AS n FROM quotes GROUP BY outlet ORDER BY n DESC"
    """
    from newsspan.dataset.analysis import run_sql

    result = run_sql(build_folder, sql)
    if fmt == "parquet":
        if out is None:
            raise click.UsageError("--format parquet needs --out FILE")
        result.write_parquet(out)
        click.echo(f"wrote {result.height} rows to {out}")
        return
    text = {"csv": result.write_csv, "json": result.write_json, "table": lambda: _table(result)}[fmt]()
    if out is not None:
        out.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def _table(frame: Any) -> str:
    import polars as pl

    with pl.Config(tbl_rows=50, tbl_cols=20, fmt_str_lengths=60, tbl_hide_dataframe_shape=True):
        return f"{frame}\n({frame.height} rows)\n"


@command(context_settings=CONTEXT)
@click.argument("build_folder", metavar="BUILD", type=click.Path(exists=True, file_okay=False, path_type=Path))
def report(build_folder: Path) -> None:
    """Print the canned analyses of a build: speakers by outlet, stance, boilerplate, shared copy.

    \b
    Example:
      newsspan report build/corpus
    """
    from newsspan.dataset import analysis

    sections = [
        ("Who is quoted, by which outlet, with what stance", analysis.quotes_by_speaker(build_folder)),
        ("Stance toward the target, per outlet", analysis.stance_by_outlet(build_folder)),
        ("Most mentioned entities, per outlet", analysis.entity_mentions(build_folder).head(15)),
        ("Share of boilerplate, per outlet", analysis.boilerplate_share(build_folder)),
        ("Outlets that reuse the same copy", analysis.shared_copy(build_folder)),
    ]
    for title, frame in sections:
        click.echo(f"## {title}\n{_table(frame.collect())}")
