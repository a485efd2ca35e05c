"""Running the pipeline: a build folder, staged and swapped in whole.

``build_corpus`` is the main job. It runs the stages of :mod:`newsspan.dataset.pipeline`, in
order, in a hidden staging folder beside the output, and swaps it in at the end: an interrupted
or failed build never leaves a complete-looking folder and never touches the previous one. The
manifest is written by its own stage from the reports of the stages before it. Without article
paths it builds the bundled sample: its articles and its Label Studio export.
"""

from __future__ import annotations

import contextlib
import importlib.resources
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from newsspan.dataset.config import BuildOptions, GoldOptions, IngestOptions, Settings
from newsspan.dataset.errors import ConfigError, NewsspanError
from newsspan.dataset.ingest.stage import ingest_to_folder
from newsspan.dataset.io import staged_folder
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.manifest import version
from newsspan.dataset.stage import Progress, Stage, StageContext, StageReport, run_stage

__all__ = [
    "BuildResult",
    "build_corpus",
    "ingest_to_folder",
    "run_pipeline",
    "sample_articles",
    "sample_export",
    "version",
]


@contextlib.contextmanager
def sample_export() -> Iterator[Path]:
    """The bundled sample's Label Studio export (two annotators, every layer), as a real path."""
    resource = importlib.resources.files("newsspan.dataset.sample").joinpath("label-studio-export.json")
    with importlib.resources.as_file(resource) as path:
        yield path


@contextlib.contextmanager
def sample_articles() -> Iterator[Path]:
    """The bundled sample corpus folder (package data), as a real path."""
    resource = importlib.resources.files("newsspan.dataset.sample").joinpath("articles")
    with importlib.resources.as_file(resource) as path:
        yield path


@dataclass(frozen=True, slots=True)
class BuildResult:
    out: Path
    reports: dict[str, StageReport]

    @property
    def manifest(self) -> dict[str, Any]:
        manifest: dict[str, Any] = self.reports["manifest"].counts
        return manifest


def run_pipeline(
    stages: Sequence[Stage], context: StageContext, *, on_stage: Callable[[str], None] | None = None
) -> dict[str, StageReport]:
    """Run ``stages`` in order on ``context.folder``; each sees the reports of those before it."""
    for stage in stages:
        if on_stage is not None:
            on_stage(stage.name)
        run_stage(stage, context)
    return context.reports


def build_corpus(
    paths: Sequence[Path] | None,
    out: Path,
    *,
    options: IngestOptions,
    exports: Sequence[Path] = (),
    gold: GoldOptions | None = None,
    dataset: BuildOptions | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build the corpus from ``paths`` and Label Studio ``exports`` into ``out``, atomically.

    ``options``, ``gold`` and ``dataset`` override the corresponding tables of ``settings``.
    Each export is kept in the build as the provenance of the release (``exports/``) and
    listed with its sha256 in the manifest. With ``[build] predictions_only`` there are no
    exports: the pre-annotation rules' proposals are published (:func:`silver_stages`).
    ``on_stage(name)`` is told when each stage starts.
    """
    from newsspan.dataset.pipeline import build_stages, silver_stages

    base = settings or Settings()
    chosen = replace(base, ingest=options, gold=gold or base.gold, build=dataset or base.build)
    silver = chosen.build.predictions_only
    if chosen.engine.name != "local" and not silver:  # conversion, gold and agreement run on one machine
        raise ConfigError(
            f"{base.path or 'the config'}: [engine] name = {base.engine.name!r}, but a build from Label Studio "
            "exports runs on the local engine only; on Spark, build a silver layer (`newsspan build --engine "
            'spark --predictions-only`) or set name = "local"'
        )
    if silver and exports:
        raise ConfigError(
            f"a predictions-only build publishes the rules' proposals, not human annotations, but "
            f"{len(exports)} Label Studio export(s) were given ({exports[0]}); drop --predictions-only (or "
            "build.predictions_only in newsspan.toml) to publish them, or drop --export for a silver layer"
        )
    with contextlib.ExitStack() as stack:
        if not paths:
            paths = [stack.enter_context(sample_articles())]
            if not silver:
                exports = exports or [stack.enter_context(sample_export())]
            if options.language is None:  # the sample is English, as its README states
                chosen = replace(chosen, ingest=options.replace(language="en"))
        missing = [e for e in exports if not e.is_file()]  # before any work is done
        if missing:
            raise NewsspanError(f"Label Studio export {missing[0]} does not exist", path=missing[0])
        if chosen.engine.name == "spark":  # one session for every stage that runs on it
            from newsspan.dataset.spark.session import spark_running

            stack.enter_context(spark_running(chosen.engine))
        with staged_folder(out) as staged:
            context = StageContext(
                BuildFolder(staged),
                settings=chosen,
                articles=tuple(paths),
                exports=tuple(exports),
                progress=progress,
                target=BuildFolder(out),
            )
            reports = run_pipeline(silver_stages() if silver else build_stages(), context, on_stage=on_stage)
    return BuildResult(out, reports)
