"""The stage: the unit of the pipeline.

A stage reads what earlier stages left in a build folder, runs pure steps over it, writes its
tables and reports, and returns one :class:`StageReport`: its counts (the stage's entry in
``manifest.json``), a Markdown report, one-line summaries for the console, and the files it
wrote. ``newsspan build`` runs the ordered list of :mod:`newsspan.dataset.pipeline`; the
commands that run one stage on a folder (``ingest``, ``label gold``, ``label agreement``,
``validate``, ``card``, ...) call the same stage.

A stage is a plain object with a ``name`` and ``run(context)``, no framework; the pure steps
stay functions in their modules and a stage is the thin I/O wrapper around them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from newsspan.dataset.config import Settings
from newsspan.dataset.layout import BuildFolder

__all__ = ["Progress", "Stage", "StageContext", "StageReport", "nothing_converted", "run_stage"]

Progress = Callable[[int, int], None]  # (done, total), in the stage's own unit


@dataclass(frozen=True, slots=True)
class StageReport:
    """What a stage did.

    ``counts`` is JSON-ready and becomes ``manifest[stage]`` (``None`` when the stage had nothing
    to do, e.g. no annotations to adjudicate); ``markdown`` is the stage's report as the CLI
    prints it; ``summary`` are the lines the build prints for the stage; ``files`` are the paths
    it wrote, relative to the folder it wrote into (the build folder, or a command's --out);
    ``provenance`` are top-level manifest entries the stage contributes (ingest: ``inputs``,
    convert: ``exports``), made from what it read.
    """

    stage: str
    counts: Any  # JSON-ready: a dict, a list (one entry per export), or None
    markdown: str = ""
    summary: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    provenance: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class StageContext:
    """Everything a stage may read besides the build folder's files.

    ``articles`` and ``exports`` are the build's inputs (ingest's articles, the convert stage's
    Label Studio exports); ``reports`` are the reports of the stages that ran before, by name;
    ``options`` carries per-command choices that are not settings (the card's pretty name, a
    report folder other than the build folder); ``target`` is the folder a build replaces when
    it succeeds (``folder`` is then its hidden staging copy).
    """

    folder: BuildFolder
    settings: Settings = field(default_factory=Settings)
    articles: tuple[Path, ...] = ()
    exports: tuple[Path, ...] = ()
    reports: dict[str, StageReport] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)
    progress: Progress | None = None
    target: BuildFolder | None = None


class Stage(Protocol):
    """A named step of the pipeline over a build folder."""

    @property
    def name(self) -> str: ...

    def run(self, context: StageContext) -> StageReport: ...


def nothing_converted(context: StageContext) -> bool:
    """True in a build that converted no Label Studio export: there are no annotations, so the
    stages that adjudicate, compare or score them have nothing to do. A command run on a folder
    (no convert report in the context) always runs its stage."""
    convert = context.reports.get("convert")
    return convert is not None and not convert.counts


def run_stage(stage: Stage, context: StageContext) -> StageReport:
    """Run ``stage`` and record its report in ``context`` (for the stages after it); a full disk
    or a permission error becomes an :class:`OutputError` naming the file."""
    from newsspan.dataset.errors import output_error

    try:
        report = stage.run(context)
    except OSError as exc:
        error = output_error(exc, (context.target or context.folder).root)
        if error is None:
            raise
        raise error from None
    context.reports[stage.name] = report
    return report
