"""``newsspan validate``: the publish gate on a folder (the build's validation stage)."""

from __future__ import annotations

from pathlib import Path

import click

from newsspan.dataset.console import CONTEXT, json_option, print_report, run_on_folder
from newsspan.dataset.errors import NewsspanError

__all__ = ["validate"]


@click.command(context_settings=CONTEXT)
@click.argument("tables", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Report folder [default: TABLES].")
@click.option("--write-suites", is_flag=True, help="Regenerate validation/suites/*.json from the rules and exit.")
@click.option("--data-docs", is_flag=True, help="Also build GX Data Docs (HTML) into OUT/gx-docs.")
@json_option
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
    from newsspan.dataset.layout import BuildFolder
    from newsspan.validation.stage import ValidationStage

    report = run_on_folder(ctx, ValidationStage(blocking=False), tables, out=out, data_docs=data_docs or None)
    print_report(ctx, report, as_json=as_json)
    if not report.counts["passed"]:
        failed = ", ".join(rule for rule, severity in report.counts["failed"].items() if severity == "critical")
        where = BuildFolder(out or tables).markdown("validation")
        raise NewsspanError(f"validation failed on critical rule(s) {failed}; see {where}")
