"""Command-line plumbing shared by every command group: settings, stderr, progress bars.

The library never prints; these helpers are the only place output is drawn.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from newsspan.dataset.config import Settings, load_settings
from newsspan.dataset.errors import NewsspanError

if TYPE_CHECKING:
    from newsspan.dataset.stage import Stage, StageReport

__all__ = [
    "CONTEXT",
    "echo_json",
    "json_option",
    "print_report",
    "progress_bar",
    "run_on_folder",
    "settings_of",
    "stderr_console",
]

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
# The one --json option of every command: the machine-readable result on stdout, for scripts.
json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True))


def run_on_folder(
    ctx: click.Context, stage: Stage, folder: Path, *, staged: bool = False, engine: str | None = None, **options: Any
) -> StageReport:
    """Run one stage on a build folder, as the build runs it (settings from newsspan.toml);
    ``staged``: the stage only writes there, so it writes into a staging folder whose files move
    into ``folder`` when it succeeds (:func:`newsspan.dataset.io.staged_files`). ``engine``
    overrides ``[engine] name``."""
    from newsspan.dataset.io import staged_files
    from newsspan.dataset.layout import BuildFolder
    from newsspan.dataset.stage import StageContext, run_stage

    settings = settings_of(ctx)
    settings = replace(settings, engine=settings.engine.replace(name=engine))
    given = {key: value for key, value in options.items() if value is not None}
    if not staged:
        return run_stage(stage, StageContext(BuildFolder(folder), settings=settings, options=given))
    with staged_files(folder) as staging:
        context = StageContext(BuildFolder(staging), settings=settings, options=given, target=BuildFolder(folder))
        return run_stage(stage, context)


def print_report(ctx: click.Context, report: StageReport, *, as_json: bool) -> None:
    """A stage's report: its counts as JSON on stdout (``--json``), else its Markdown report on
    stdout, else its summary lines on stderr."""
    if as_json:
        echo_json(report.counts)
    elif report.markdown:
        click.echo(report.markdown, nl=False)
    else:
        console = stderr_console(ctx)
        for line in report.summary:
            console.print(line, markup=False)  # file names and reasons come from the data


def settings_of(ctx: click.Context) -> Settings:
    """The settings for this invocation (``--config`` or ``./newsspan.toml`` over defaults)."""
    try:
        return load_settings(ctx.find_root().obj["config_path"])
    except NewsspanError as exc:
        raise click.ClickException(str(exc)) from None


def stderr_console(ctx: click.Context) -> Any:
    """A rich console on stderr that stays silent with ``--quiet``."""
    from rich.console import Console

    # no markup: paths, file names and reasons printed here come from the user and the data
    # (an --out of "build/[x]" must print as typed, on one line), and newsspan prints no styled text
    return Console(stderr=True, quiet=ctx.find_root().obj["quiet"], highlight=False, markup=False, soft_wrap=True)


class _Bar:
    """``update(done, total)`` as a callable, plus ``describe(text)`` to rename the stage."""

    def __init__(self, bar: Any, task: Any) -> None:
        self.bar, self.task = bar, task

    def __call__(self, done: int, total: int) -> None:
        self.bar.update(self.task, completed=done, total=total)

    def describe(self, text: str) -> None:
        self.bar.update(self.task, description=text)


@contextmanager
def progress_bar(ctx: click.Context, description: str, *, unit: str = "bytes") -> Iterator[_Bar]:
    """A rich progress bar on stderr, only on a terminal and without --quiet.

    Yields ``update(done, total)``; ``unit`` is "bytes" (sizes and speed) or "items" (n/total).
    """
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    console = stderr_console(ctx)
    counters: list[ProgressColumn] = (
        [DownloadColumn(), TransferSpeedColumn()] if unit == "bytes" else [MofNCompleteColumn()]
    )
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        *counters,
        TimeRemainingColumn(),
        console=console,
        disable=ctx.find_root().obj["quiet"] or not console.is_terminal,
        transient=True,
    )
    task = bar.add_task(description, total=None)
    with bar:
        yield _Bar(bar, task)
