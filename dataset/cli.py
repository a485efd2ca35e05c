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
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from newsspan.dataset.config import Settings
from newsspan.dataset.console import CONTEXT, progress_bar, settings_of, stderr_console
from newsspan.dataset.errors import NewsspanError

F = TypeVar("F", bound=Callable[..., Any])


class _Group(click.Group):
    """Turns NewsspanError into 'Error: ...' with exit code 1, once, at the edge."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewsspanError as exc:
            raise click.ClickException(str(exc)) from None


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
    Pipeline: ingest -> label (Label Studio) -> convert -> gold -> validate -> dataset.
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


def _print_summary(ctx: click.Context, title: str, summary: dict[str, Any], out: Path) -> None:
    from rich.table import Table

    table = Table(title=title, show_header=False, title_justify="left")
    table.add_row("inputs", str(summary["inputs"]))
    table.add_row("documents", str(summary["documents"]))
    table.add_row("quarantined", str(summary["quarantined"]))
    for reason, count in summary["quarantine_reasons"].items():
        table.add_row(f"  {reason}", str(count))
    for encoding, count in summary["encodings"].items():
        if encoding != "utf-8":
            table.add_row(f"decoded as {encoding}", str(count))
    if summary["hidden_files_skipped"]:
        table.add_row("hidden files skipped", str(summary["hidden_files_skipped"]))
    table.add_row("written to", str(out))
    stderr_console(ctx).print(table)


def _print_stages(ctx: click.Context, manifest: dict[str, Any]) -> None:
    console = stderr_console(ctx)
    for converted in manifest["convert"]:
        console.print(
            f"convert {converted['export']}: {converted['tasks']} tasks, {converted['result_items_converted']} result "
            f"items in tables, {converted['result_items_quarantined']} quarantined"
        )
    if manifest["gold"]:
        gold = manifest["gold"]
        console.print(
            f"gold ({gold['strategy']}): {gold['gold_spans']} spans, {gold['conflicts']} conflicts for review"
        )
    gate = manifest["validation"]
    warnings = ", ".join(gate["failed"]) or "none"
    console.print(
        f"validation: {'passed' if gate['passed'] else 'FAILED'} ({gate['rules']} rules; warnings: {warnings})"
    )
    dataset = manifest["dataset"]
    console.print(f"dataset: {', '.join(dataset['rows'])}; {dataset['stories']} stories")
    if dataset["split_note"]:
        console.print(f"  {dataset['split_note']}")
    console.print(f"fingerprint {manifest['fingerprint'][:16]}")


_language = click.option("--language", help="ISO 639-1 code for articles that do not state one (e.g. en).")
_stance_target = click.option("--stance-target", help="Stance target for articles whose metadata names none.")
_max_bytes = click.option("--max-bytes", type=click.IntRange(min=1), help="Largest article accepted, in bytes.")
_json = click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@_language
@_stance_target
@_max_bytes
@_json
@click.pass_context
def ingest(
    ctx: click.Context,
    paths: tuple[Path, ...],
    out: Path,
    language: str | None,
    stance_target: str | None,
    max_bytes: int | None,
    as_json: bool,
) -> None:
    """Read raw articles (.txt files, .jsonl lines) into documents.parquet.

    PATHS are files or folders (walked recursively, hidden entries skipped). Writes
    OUT/documents.parquet, OUT/quarantine.parquet (every refused article with its reason)
    and OUT/ingest.json (the summary; inputs = documents + quarantined).

    \b
    Example:
      newsspan ingest ../shared/seeds --out build/t --language en
    """
    from newsspan.dataset.build import ingest_to_folder

    options = _ingest_options(settings_of(ctx), language=language, stance_target=stance_target, max_bytes=max_bytes)
    with progress_bar(ctx, "ingest") as progress:
        summary = ingest_to_folder(list(paths), out, options=options, progress=progress).as_dict()
    if as_json:
        click.echo(json.dumps(summary, indent=2, sort_keys=True))
    else:
        _print_summary(ctx, "ingest", summary, out)


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
    "--from-label-studio", is_flag=True, help="Pull the configured Label Studio project's export and build with it."
)
@_language
@_stance_target
@_json
@click.pass_context
def build(
    ctx: click.Context,
    paths: tuple[Path, ...],
    out: Path | None,
    exports: tuple[Path, ...],
    from_label_studio: bool,
    language: str | None,
    stance_target: str | None,
    as_json: bool,
) -> None:
    """Build the corpus: the bundled sample by default, or the articles in PATHS.

    Runs every stage that exists (ingest; conversion of the Label Studio exports, which are
    kept as provenance; the gold layer by the [gold] strategy of newsspan.toml) into a hidden
    staging folder and swaps it in at the end, with a manifest.json of inputs, exports, counts,
    versions and output fingerprints. An interrupted build never leaves a complete-looking folder.

    \b
    Example:
      newsspan build                         # the bundled sample -> build/corpus
      newsspan build ../shared/seeds --export build/t/label-studio-export.json --out build/seeds
    """
    from newsspan.dataset.build import build_corpus

    settings = settings_of(ctx)
    options = _ingest_options(settings, language=language, stance_target=stance_target)
    target = out or Path(settings.build.out)
    with contextlib.ExitStack() as stack:
        if from_label_studio:
            from newsspan.labeling.workflow import pull_project

            pulled = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="newsspan-pull-")))
            with stderr_console(ctx).status("pulling the Label Studio export"):
                pull_project(settings.label_studio, pulled)
            exports = (*exports, pulled / "label-studio-export.json")
        with progress_bar(ctx, "build: ingest") as progress:
            result = build_corpus(
                list(paths) or None,
                target,
                options=options,
                exports=exports,
                gold=settings.gold,
                dataset=settings.build,
                progress=progress,
                on_stage=lambda name: progress.describe(f"build: {name}"),
            )
    if as_json:
        click.echo(json.dumps(result.manifest, indent=2, sort_keys=True))
    else:
        _print_summary(ctx, "build", result.manifest["counts"], result.out)
        _print_stages(ctx, result.manifest)


@cli.command(context_settings=CONTEXT)
@click.argument("documents", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option(
    "--known",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A spans.parquet whose human/gold entity strings are proposed wherever they recur.",
)
@click.option("--spacy-model", help="An installed spaCy pipeline to propose entities (never downloaded).")
@_json
@click.pass_context
def preannotate(
    ctx: click.Context, documents: Path, out: Path, known: Path | None, spacy_model: str | None, as_json: bool
) -> None:
    """Propose boilerplate, quotes (with speakers, cues, relations) and entities for DOCUMENTS.

    Writes OUT/spans.parquet and OUT/relations.parquet with origin = prediction and
    annotator = the rules' model version; each span names the rule that fired. Send them to
    Label Studio with `newsspan label push DOCUMENTS --predictions OUT/spans.parquet`.

    \b
    Example:
      newsspan preannotate build/t/documents.parquet --out build/pre --known build/corpus/spans.parquet
    """
    from newsspan.dataset.build import preannotate_to_folder

    options = settings_of(ctx).preannotate
    summary = preannotate_to_folder(documents, out, known=known, spacy_model=spacy_model, options=options)
    if as_json:
        click.echo(json.dumps(summary, indent=2, sort_keys=True))
    else:
        console = stderr_console(ctx)
        console.print(f"{summary['model_version']}: {summary['documents']} documents, {summary['relations']} relations")
        for label, count in summary["spans"].items():
            console.print(f"  {label:<11} {count}")


@cli.command(context_settings=CONTEXT)
@click.argument("tables", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Report folder [default: TABLES].")
@click.option("--write-suites", is_flag=True, help="Regenerate validation/suites/*.json from the rules and exit.")
@click.option("--data-docs", is_flag=True, help="Also build GX Data Docs (HTML) into OUT/gx-docs.")
@_json
@click.pass_context
def validate(
    ctx: click.Context, tables: Path | None, out: Path | None, write_suites: bool, data_docs: bool, as_json: bool
) -> None:
    """Run every Great Expectations suite over the tables in TABLES: the publish gate.

    Writes validation.json and validation.md (each failed rule with its first offending rows).
    Exit code 1 when a critical rule fails; warnings are reported and pass.

    \b
    Example:
      newsspan validate build/corpus && cat build/corpus/validation.md
    """
    if write_suites:
        from newsspan.validation.suite_files import write_suites as write

        click.echo("\n".join(str(path) for path in write()))
        return
    if tables is None:
        raise click.UsageError("TABLES is required (a `newsspan build` or `label convert` folder)")
    from newsspan.validation.gate import validate_to_folder
    from newsspan.validation.report import validation_markdown

    report = validate_to_folder(tables, out, data_docs=data_docs)
    if as_json:
        click.echo(json.dumps({k: v for k, v in report.as_dict().items() if k != "results"}, indent=2, sort_keys=True))
    else:
        click.echo(validation_markdown(report), nl=False)
    if not report.passed:
        failed = ", ".join(r.rule_id for r in report.critical_failures)
        raise NewsspanError(f"validation failed on critical rule(s) {failed}; see {(out or tables) / 'validation.md'}")


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
    from newsspan.dataset.cli_corpus import COMMANDS
    from newsspan.labeling.cli import label

    cli.add_command(label)
    for command in COMMANDS:
        cli.add_command(command)


_register()


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="newsspan", windows_expand_args=False)


if __name__ == "__main__":  # pragma: no cover
    main()
