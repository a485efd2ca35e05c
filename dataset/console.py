"""Command-line plumbing shared by every command group: settings, stderr, progress bars.

The library never prints; these helpers are the only place output is drawn.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from newsspan.dataset.config import Settings, load_settings
from newsspan.dataset.errors import NewsspanError

__all__ = ["CONTEXT", "progress_bar", "settings_of", "stderr_console"]

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def settings_of(ctx: click.Context) -> Settings:
    """The settings for this invocation (``--config`` or ``./newsspan.toml`` over defaults)."""
    try:
        return load_settings(ctx.find_root().obj["config_path"])
    except NewsspanError as exc:
        raise click.ClickException(str(exc)) from None


def stderr_console(ctx: click.Context) -> Any:
    """A rich console on stderr that stays silent with ``--quiet``."""
    from rich.console import Console

    return Console(stderr=True, quiet=ctx.find_root().obj["quiet"], highlight=False)


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
