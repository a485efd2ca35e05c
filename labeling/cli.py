"""``newsspan label ...``: Label Studio config, local server, push and pull.

A thin layer: parse, call one library function, print. Heavy modules (the SDK, pyarrow) are
imported inside the commands.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from newsspan.dataset.config import LabelStudioOptions
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

__all__ = ["label"]


def _options(ctx: click.Context) -> LabelStudioOptions:
    return settings_of(ctx).label_studio


@click.group(context_settings=CONTEXT)
def label() -> None:
    """Annotate in Label Studio: config, local server, push documents, pull the export.

    Settings come from the [label_studio] table of newsspan.toml and from the environment
    (LABEL_STUDIO_URL, LABEL_STUDIO_API_KEY). The token is never printed.

    \b
    Example:
      newsspan label serve && newsspan label push build/t/documents.parquet
    """


@label.command(context_settings=CONTEXT)
def config() -> None:
    """Print the Label Studio labeling config generated from the schema.

    \b
    Example:
      newsspan label config > config.xml
    """
    from newsspan.labeling.config import label_config_xml

    click.echo(label_config_xml(), nl=False)


@label.command(context_settings=CONTEXT)
@click.option("--port", type=click.IntRange(1024, 65535), help="Port on 127.0.0.1 [default: from label_studio.url].")
@click.pass_context
def serve(ctx: click.Context, port: int | None) -> None:
    """Start a local Label Studio server on 127.0.0.1 and wait until it answers.

    Installs Label Studio (pinned) into its own virtualenv on first use, keeps its data
    under label_studio.data_dir, and creates an admin user with an API token (from
    LABEL_STUDIO_PASSWORD / LABEL_STUDIO_API_KEY, or generated and stored in the data folder).

    \b
    Example:
      newsspan label serve --port 8089
    """
    from newsspan.labeling.server import LABEL_STUDIO_VERSION, configured_port, default_venv, start_server

    options = _options(ctx)
    venv = Path(options.venv) if options.venv else default_venv()
    data_dir = Path(options.data_dir)
    console = stderr_console(ctx)
    with console.status(f"starting Label Studio {LABEL_STUDIO_VERSION}"):
        info, credentials = start_server(options, data_dir=data_dir, venv=venv, port=port, progress=console.print)
    click.echo(f"Label Studio {info.version} is running at {info.url} (pid {info.pid})")
    click.echo(f"  log in as {credentials.username}; the password is in {data_dir / 'credentials.json'}")
    click.echo(f"  data: {data_dir}   stop it with: newsspan label stop")
    if port is not None and port != configured_port(options.url):
        click.echo(f"  for push and pull: export LABEL_STUDIO_URL={info.url}")


@label.command(context_settings=CONTEXT)
@click.pass_context
def stop(ctx: click.Context) -> None:
    """Stop the Label Studio server that `newsspan label serve` started (by its pid).

    \b
    Example:
      newsspan label stop
    """
    from newsspan.labeling.server import stop_server

    info = stop_server(Path(_options(ctx).data_dir))
    click.echo("no server was running" if info is None else f"stopped Label Studio at {info.url} (pid {info.pid})")


@label.command(context_settings=CONTEXT)
@click.argument("documents", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--predictions",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A spans.parquet of predictions; relations.parquet and stance.parquet beside it are sent too.",
)
@click.option("--stance-target", help="Stance target for documents that have none.")
@click.option(
    "--prefill/--no-prefill",
    default=None,
    help="Open tasks with the predictions in the annotator's draft, or blank with the predictions "
    "kept on the task [default: label_studio.prefill_predictions, true].",
)
@json_option
@click.pass_context
def push(
    ctx: click.Context,
    documents: Path,
    predictions: Path | None,
    stance_target: str | None,
    prefill: bool | None,
    as_json: bool,
) -> None:
    """Create or update the project and import DOCUMENTS as tasks, with predictions.

    Idempotent: documents already in the project (matched on doc_id) are skipped; one whose
    text changed since it was pushed is reported, not re-imported. A failed batch stops with
    what was imported; running the same command again resumes. Label Studio opens a task with
    its predictions already in the draft, so Submit accepts what the annotator left untouched;
    --no-prefill keeps the predictions on the tasks (exported, scored) and the label stream
    ("Label All Tasks") serves tasks blank.

    \b
    Example:
      newsspan label push build/t/documents.parquet --predictions build/pre/spans.parquet
      newsspan label push build/t/documents.parquet --predictions build/pre/spans.parquet --no-prefill
    """
    from newsspan.labeling.workflow import push_documents

    options = _options(ctx)
    if prefill is not None:
        options = options.replace(prefill_predictions=prefill)
    with progress_bar(ctx, "push: batches", unit="items") as progress:
        report, project = push_documents(
            options, documents, predictions=predictions, stance_target=stance_target, progress=progress
        )
    from newsspan.labeling.client import public_url, resolve_url

    url = f"{public_url(resolve_url(options))}/projects/{project.id}/data"  # where the annotators start
    _print(
        ctx,
        as_json,
        {"project_id": project.id, "project_title": project.title, "project_url": url}
        | {"prefill_predictions": project.prefill, **report.as_dict()},
    )
    if report.without_stance_target:
        stderr_console(ctx).print(
            f"warning: {len(report.without_stance_target)} task(s) have no stance target, so their document "
            "stance asks for a stance toward nothing: push again with --stance-target TARGET (tasks not yet "
            "annotated are updated), or set ingest.stance_target in newsspan.toml before ingest"
        )


@label.command(context_settings=CONTEXT)
@click.argument("build", type=click.Path(exists=True, file_okay=False, path_type=Path))
@json_option
@click.pass_context
def review(ctx: click.Context, build: Path, as_json: bool) -> None:
    """Push the documents with gold conflicts into a review project, each annotator's version as a
    prediction (model version: the annotator's pseudonym), for a reviewer to adjudicate.

    \b
    Example:
      newsspan label review build/corpus
    """
    from newsspan.labeling.client import public_url, resolve_url
    from newsspan.labeling.review import push_review

    options = _options(ctx)
    report, project, documents = push_review(options, build)
    url = f"{public_url(resolve_url(options))}/projects/{project.id}/data"
    _print(
        ctx,
        as_json,
        {"project_id": project.id, "project_title": project.title, "project_url": url, "documents": documents}
        | report.as_dict(),
    )


@label.command(context_settings=CONTEXT)
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option(
    "--review",
    is_flag=True,
    help="Pull the review project (`label review`) into OUT/label-studio-review-export.json instead.",
)
@json_option
@click.pass_context
def pull(ctx: click.Context, out: Path, review: bool, as_json: bool) -> None:
    """Download the project's full JSON export into OUT/label-studio-export.json.

    Streams to disk (large projects never sit in memory) and writes a .meta.json beside it
    with the project, size, sha256 and task count: the provenance of a release. With --review,
    the review project's export: give it to `newsspan build --export` beside the project's, and
    its adjudications become the gold layer of their documents.

    \b
    Example:
      newsspan label pull --out build/t
      newsspan label pull --review --out build/t    # then build with both --export files
    """
    from newsspan.labeling.workflow import pull_project

    with stderr_console(ctx).status("exporting from Label Studio"):
        info = pull_project(_options(ctx), out, review=review)
    _print(ctx, as_json, {"out": str(out), **info})


@label.command(context_settings=CONTEXT)
@click.argument("export", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--documents",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The documents.parquet the tasks were pushed from [default: documents from the tasks' data].",
)
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option(
    "--max-shift",
    type=click.IntRange(0, 200),
    default=16,
    show_default=True,
    help="How far (code points) a span may be moved to the text the export says it covers.",
)
@json_option
@click.pass_context
def convert(ctx: click.Context, export: Path, documents: Path | None, out: Path, max_shift: int, as_json: bool) -> None:
    """Convert a full JSON export into annotations, spans, relations and stance tables.

    Every span's offsets are checked against the document text: UTF-16 offsets are converted,
    spans a few characters off or with stray whitespace are repaired (recorded in `repair`),
    anything else is quarantined with both texts. Every result item ends in a table or in
    quarantine.parquet; convert.json has the counts.

    \b
    Example:
      newsspan label convert build/t/label-studio-export.json --documents build/t/documents.parquet --out build/t
    """
    from newsspan.dataset.io import staged_files
    from newsspan.labeling.tables import convert_export

    with progress_bar(ctx, "convert") as progress, staged_files(out) as staging:  # files move in when complete
        summary = convert_export(export, staging, documents=documents, max_shift=max_shift, progress=progress)
    _print(ctx, as_json, {"out": str(out), **summary.as_dict()})


@label.command(context_settings=CONTEXT)
@click.argument("tables", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Report folder [default: TABLES].")
@click.option(
    "--exclude-accepted",
    is_flag=True,
    help="Leave out spans accepted from a prediction unchanged [default: agreement.exclude_accepted_predictions].",
)
@json_option
@click.pass_context
def agreement(ctx: click.Context, tables: Path, out: Path | None, exclude_accepted: bool, as_json: bool) -> None:
    """Inter-annotator agreement: span F1, token and unitizing alpha per layer and label; stance alpha.

    Reads annotations, spans and stance from TABLES (a `label convert` or `build` folder);
    writes agreement.parquet (every figure), agreement.json and agreement.md. The report counts
    the compared spans by provenance (by hand, a prediction accepted unchanged, one changed).

    \b
    Example:
      newsspan label agreement build/corpus && cat build/corpus/agreement.md
      newsspan label agreement build/corpus --exclude-accepted   # without untouched predictions
    """
    from newsspan.labeling.agreement_stage import AgreementStage

    extra: dict[str, Any] = {"exclude_accepted": True} if exclude_accepted else {}
    print_report(ctx, run_on_folder(ctx, AgreementStage(), tables, out=out, **extra), as_json=as_json)


@label.command(context_settings=CONTEXT)
@click.argument("tables", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--strategy", type=click.Choice(["majority", "threshold", "prefer"]), help="[default: majority]")
@click.option("--threshold", type=click.FloatRange(0, 1, min_open=True), help="Share of annotations for 'threshold'.")
@click.option("--reviewer", "reviewers", multiple=True, help="Annotator whose annotation wins ('prefer'); repeatable.")
@json_option
@click.pass_context
def gold(
    ctx: click.Context,
    tables: Path,
    strategy: str | None,
    threshold: float | None,
    reviewers: tuple[str, ...],
    as_json: bool,
) -> None:
    """Adjudicate the gold layer (origin = gold) from the human annotations in TABLES.

    Majority, a threshold share, or a preferred reviewer (Label Studio's ground-truth flag
    counts as one); a single annotation passes through. Gold spans keep their support;
    everything not adjudicated is listed in gold_conflicts.parquet and gold.md.

    \b
    Example:
      newsspan label gold build/corpus --strategy prefer --reviewer lead@example.org
    """
    from newsspan.dataset.layout import BuildFolder
    from newsspan.dataset.stage import StageContext, run_stage
    from newsspan.labeling.gold_stage import GoldStage

    settings = settings_of(ctx)
    options = settings.gold.replace(strategy=strategy, threshold=threshold, reviewers=reviewers or None)
    context = StageContext(BuildFolder(tables), settings=replace(settings, gold=options))
    print_report(ctx, run_stage(GoldStage(), context), as_json=as_json)


@label.command(context_settings=CONTEXT)
@click.argument("predictions", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--gold",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="Gold tables (a folder or its spans.parquet): origin gold, else the first human annotation.",
)
@click.option(
    "--documents",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="documents.parquet [default: beside the gold or the predictions].",
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Report folder [default: PREDICTIONS].")
@click.option(
    "--exclude-accepted", is_flag=True, help="Leave out reference spans that are predictions no annotator touched."
)
@json_option
@click.pass_context
def score(
    ctx: click.Context,
    predictions: Path,
    gold: Path,
    documents: Path | None,
    out: Path | None,
    exclude_accepted: bool,
    as_json: bool,
) -> None:
    """Score predictions against gold: P/R/F1 per layer and label, boilerplate lines, speakers.

    PREDICTIONS is a `newsspan preannotate` folder (or its spans.parquet). Writes score.parquet,
    score.json and score.md.

    \b
    Example:
      newsspan label score build/pre --gold build/corpus
    """
    from newsspan.labeling.workflow import score_report

    summary = score_report(predictions, gold, documents=documents, out=out, exclude_accepted=exclude_accepted)
    if as_json:
        echo_json({k: v for k, v in summary.items() if k != "markdown"})
    else:
        click.echo(summary["markdown"], nl=False)


@label.command(context_settings=CONTEXT)
@click.pass_context
def invite(ctx: click.Context) -> None:
    """Print the sign-up link to send to annotators (each gets their own account).

    \b
    Example:
      newsspan label invite
    """
    from newsspan.labeling.client import connect
    from newsspan.labeling.server import load_credentials
    from newsspan.labeling.users import invite_link

    options = _options(ctx)
    backend = connect(options)
    credentials = load_credentials(options, data_dir=Path(options.data_dir))
    assert credentials is not None  # connect() checked it
    click.echo(invite_link(backend.url, credentials.token))


def _print(ctx: click.Context, as_json: bool, report: dict[str, Any]) -> None:
    if as_json:
        echo_json(report)
        return
    console = stderr_console(ctx)
    for key, value in report.items():
        if isinstance(value, list):
            console.print(f"{key}: {len(value)}")
            for item in value[:20]:
                console.print(f"  {item}")
        else:
            console.print(f"{key}: {value}")
