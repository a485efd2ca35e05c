"""The ``newsspan`` command line: a thin layer over the library.

Each command parses its options, calls one library function and prints. Errors cross the edge
once: a :class:`NewsspanError` becomes ``Error: ...`` and exit code 1; anything else is a bug
and keeps its traceback.

Exit codes: 0 success (bad articles are quarantined, not errors); 1 a :class:`NewsspanError`
(unreadable input path, bad config, unwritable output); 2 a usage error.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from newsspan.dataset.config import Settings
from newsspan.dataset.console import (
    CONTEXT,
    echo_json,
    json_option,
    print_report,
    progress_bar,
    run_on_folder,
    settings_of,
    stderr_console,
)
from newsspan.dataset.errors import NewsspanError


class _Group(click.Group):
    """Turns NewsspanError into 'Error: ...' with exit code 1, once, at the edge."""

    def invoke(self, ctx: click.Context) -> Any:
        from newsspan.dataset.errors import output_error

        try:
            return super().invoke(ctx)
        except NewsspanError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:  # a full disk or a permission error outside a stage
            error = output_error(exc, "the output")
            if error is None:
                raise
            raise click.ClickException(str(error)) from None


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(package_name="newsspan", prog_name="newsspan")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Project config file [default: ./newsspan.toml when it exists].",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or summaries on stderr.")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, verbose: int, quiet: bool) -> None:
    """Turn raw news articles into an annotated, validated span corpus.

    \b
    Pipeline of `newsspan build` (listed in newsspan.dataset.pipeline, one module per stage):
      ingest -> convert -> gold -> agreement -> quality -> validation -> dataset
      -> manifest -> card
    Annotation happens in between, in Label Studio (`newsspan label`). Code: dataset/ (schema,
    layout, ingest/, heuristics/, hub/), labeling/, validation/, cards/.
    Offsets are Python code points into documents.text, half-open [start, end).

    \b
    Example:
      newsspan build                       # build the bundled sample into build/corpus
      newsspan ingest articles/ --out build/t
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = {"config_path": config_path, "quiet": quiet}


def _ingest_options(settings: Settings, **flags: Any) -> Any:
    try:
        return settings.ingest.replace(**flags)
    except NewsspanError as exc:
        raise click.ClickException(str(exc)) from None


_language = click.option("--language", help="ISO 639-1 code for articles that do not state one (e.g. en).")
_stance_target = click.option("--stance-target", help="Stance target for articles whose metadata names none.")
_max_bytes = click.option("--max-bytes", type=click.IntRange(min=1), help="Largest article accepted, in bytes.")
_engine = click.option(
    "--engine",
    type=click.Choice(["local", "spark"]),
    help="Where the steps run: this process, or Apache Spark ([engine] in newsspan.toml: master, partitions, "
    "conf; pip install 'newsspan[spark]') [default: [engine] name, else local].",
)


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@_language
@_stance_target
@_max_bytes
@_engine
@json_option
@click.pass_context
def ingest(
    ctx: click.Context,
    paths: tuple[Path, ...],
    out: Path,
    language: str | None,
    stance_target: str | None,
    max_bytes: int | None,
    engine: str | None,
    as_json: bool,
) -> None:
    """Read raw articles (.txt files, saved .html/.htm/.html.gz pages, .jsonl lines) into documents.parquet.

    PATHS are files or folders (walked recursively, hidden entries skipped). A web page becomes
    every visible block of it, one per line, with its menus, footers, captions and related links
    as boilerplate regions (page_regions) and its metadata (title, date, site, author, URL).
    Writes OUT/documents.parquet, OUT/quarantine.parquet (every refused article with its reason)
    and OUT/ingest.json (the summary; inputs = documents + quarantined). With --engine spark the
    same steps run in Spark, which writes OUT/documents.parquet/ and OUT/quarantine.parquet/ as folders of Parquet
    part files with the same schemas and rows (in another order), and the same OUT/ingest.json.

    \b
    Example:
      newsspan ingest ../shared/seeds --out build/t --language en
      newsspan ingest saved-pages/ --out build/pages
      newsspan ingest --engine spark crawl/ --out build/crawl
    """
    from newsspan.dataset.ingest.stage import IngestStage
    from newsspan.dataset.io import staged_files
    from newsspan.dataset.layout import BuildFolder
    from newsspan.dataset.stage import StageContext, run_stage

    settings = settings_of(ctx)
    options = _ingest_options(settings, language=language, stance_target=stance_target, max_bytes=max_bytes)
    settings = replace(settings, ingest=options, engine=settings.engine.replace(name=engine))
    if settings.engine.name == "spark":  # Spark writes each table folder whole, then the summary
        context = StageContext(BuildFolder(out), settings=settings, articles=paths)
        report = run_stage(IngestStage(require_documents=False), context)
        print_report(ctx, report, as_json=as_json)
        return
    with progress_bar(ctx, "ingest") as progress, staged_files(out) as staging:  # files move in when complete
        context = StageContext(
            BuildFolder(staging), settings=settings, articles=paths, progress=progress, target=BuildFolder(out)
        )
        report = run_stage(IngestStage(require_documents=False), context)
    print_report(ctx, report, as_json=as_json)
    if not as_json:
        stderr_console(ctx).print(f"written to {out}", markup=False)


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Build folder, replaced atomically [default: build.out in newsspan.toml, else build/corpus].",
)
@click.option(
    "--export",
    "exports",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A Label Studio JSON export (from `newsspan label pull` or the UI); repeatable.",
)
@click.option(
    "--from-label-studio",
    is_flag=True,
    help="Pull the configured Label Studio project's export (and its review project's, if any) and build with it.",
)
@click.option(
    "--predictions-only/--no-predictions-only",
    default=None,
    help="Publish the pre-annotation rules' proposals (a silver layer of articles no one annotated); "
    "no exports [default: build.predictions_only in newsspan.toml, else off].",
)
@_engine
@_language
@_stance_target
@json_option
@click.pass_context
def build(
    ctx: click.Context,
    paths: tuple[Path, ...],
    out: Path | None,
    exports: tuple[Path, ...],
    from_label_studio: bool,
    predictions_only: bool | None,
    engine: str | None,
    language: str | None,
    stance_target: str | None,
    as_json: bool,
) -> None:
    """Build the corpus: the bundled sample by default, or the articles in PATHS.

    Runs every stage (ingest; conversion of the Label Studio exports, which are kept as
    provenance; the gold layer by the [gold] strategy of newsspan.toml; agreement and the
    pre-annotation rules' quality; the validation gate; the Hugging Face dataset; the manifest;
    the card) into a hidden staging folder and swaps it in at the end, with a manifest.json of
    inputs, exports, counts, versions and output fingerprints. An interrupted build never
    leaves a complete-looking folder.

    With --predictions-only the published layer is the pre-annotation rules' proposals (ingest,
    pre-annotation, the gate, the dataset, the manifest, the card): a silver dataset whose card
    says it is machine-made, with the rules' quality measured on development sets. With
    --engine spark (a silver build only), ingest and pre-annotation run on Apache Spark and write
    their tables as folders of part files, which the later stages read where they are.

    \b
    Example:
      newsspan build                         # the bundled sample -> build/corpus
      newsspan build ../shared/seeds --export build/t/label-studio-export.json --out build/seeds
      newsspan build --predictions-only crawl/ --out build/silver
      newsspan build --engine spark --predictions-only crawl/ --out build/silver
    """
    from newsspan.dataset.build import build_corpus

    settings = settings_of(ctx)
    settings = replace(settings, engine=settings.engine.replace(name=engine))
    if predictions_only is not None:
        settings = replace(settings, build=settings.build.replace(predictions_only=predictions_only))
    if settings.build.predictions_only and from_label_studio:  # before the pull (build_corpus refuses --export)
        raise click.UsageError(
            "--predictions-only publishes the rules' proposals, not human annotations: drop --from-label-studio, "
            "or drop --predictions-only (or build.predictions_only in newsspan.toml) to publish the annotations"
        )
    options = _ingest_options(settings, language=language, stance_target=stance_target)
    target = out or Path(settings.build.out)
    with contextlib.ExitStack() as stack:
        if from_label_studio:
            from newsspan.labeling.workflow import pull_project, review_exists

            pulled = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="newsspan-pull-")))
            with stderr_console(ctx).status("pulling the Label Studio export"):
                info = pull_project(settings.label_studio, pulled)
                exports = (*exports, pulled / info["path"])  # the file name pull chose
                if review_exists(settings.label_studio):  # adjudications from `label review`
                    info = pull_project(settings.label_studio, pulled, review=True)
                    exports = (*exports, pulled / info["path"])
        with progress_bar(ctx, "build: ingest") as progress:
            result = build_corpus(
                list(paths) or None,
                target,
                options=options,
                exports=exports,
                settings=settings,
                progress=progress,
                on_stage=lambda name: progress.describe(f"build: {name}"),
            )
    if as_json:
        echo_json(result.manifest)
        return
    console = stderr_console(ctx)
    for report in result.reports.values():
        for line in report.summary:
            console.print(line, markup=False)
    console.print(f"written to {result.out}", markup=False)


@cli.command(context_settings=CONTEXT)
@click.argument("documents", type=click.Path(exists=True, path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option(
    "--known",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A spans.parquet whose human/gold entity strings are proposed wherever they recur.",
)
@click.option("--spacy-model", help="An installed spaCy pipeline to propose entities (never downloaded).")
@_engine
@json_option
@click.pass_context
def preannotate(
    ctx: click.Context,
    documents: Path,
    out: Path,
    known: Path | None,
    spacy_model: str | None,
    engine: str | None,
    as_json: bool,
) -> None:
    """Propose boilerplate, quotes (with speakers, cues, relations) and entities for DOCUMENTS.

    DOCUMENTS is a documents table: a documents.parquet file, or the folder of that name Spark's
    ingest writes. Writes OUT/spans.parquet and OUT/relations.parquet with origin = prediction and
    annotator = the rules' model version (each span names the rule that fired), an empty
    OUT/stance.parquet (no rule proposes stance) and OUT/annotations.parquet (no one annotated). Send them to
    Label Studio with `newsspan label push DOCUMENTS --predictions OUT/spans.parquet`. With
    --engine spark the same rules run in Spark (repeated lines counted over the whole corpus), which
    writes OUT/spans.parquet/, OUT/relations.parquet/ and OUT/stance.parquet/ as folders of Parquet part files with the
    same schemas and rows (in another order), and the same OUT/preannotate.json.

    \b
    Example:
      newsspan preannotate build/t/documents.parquet --out build/pre --known build/corpus/spans.parquet
      newsspan preannotate --engine spark build/crawl/documents.parquet --out build/crawl-pre
    """
    from newsspan.dataset.preannotate import PreannotateStage

    spark = settings_of(ctx).engine.replace(name=engine).name == "spark"  # Spark writes each folder whole
    report = run_on_folder(
        ctx,
        PreannotateStage(),
        out,
        staged=not spark,
        engine=engine,
        documents=documents,
        known=known,
        spacy_model=spacy_model,
    )
    print_report(ctx, report, as_json=as_json)


@cli.command(context_settings=CONTEXT)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def schema(fmt: str) -> None:
    """Print the layers, labels, relations, stance values and table columns.

    This is the single source of truth that the Label Studio config, the validation suites,
    the dataset features and the card are generated from.

    \b
    Example:
      newsspan schema --format json | jq '.layers[].labels'
    """
    from newsspan.dataset.describe import describe_schema, render_schema_text

    described = describe_schema()
    click.echo(json.dumps(described, indent=2) if fmt == "json" else render_schema_text(described))


@cli.command(context_settings=CONTEXT)
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder to create.")
def sample(out: Path) -> None:
    """Copy the bundled sample articles into OUT, to read them or to start from them.

    \b
    Example:
      newsspan sample --out my-articles && newsspan ingest my-articles --out build/t
    """
    from newsspan.dataset.build import sample_articles

    if out.exists():
        raise NewsspanError(f"{out} already exists; choose a new folder for --out", path=out)
    with sample_articles() as folder:
        shutil.copytree(folder, out, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    click.echo(f"copied {sum(1 for p in out.iterdir() if p.is_file())} files to {out}")


def _register() -> None:
    """Mount the command groups of the other packages (their CLIs live beside their stages)."""
    from newsspan.cards.cli import card
    from newsspan.dataset.cli_corpus import COMMANDS
    from newsspan.labeling.cli import label
    from newsspan.validation.cli import validate

    cli.add_command(label)
    cli.add_command(validate)
    cli.add_command(card)
    for command in COMMANDS:
        cli.add_command(command)


_register()


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="newsspan", windows_expand_args=False)


if __name__ == "__main__":  # pragma: no cover
    main()
