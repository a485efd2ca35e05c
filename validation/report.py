"""The validation report as Markdown: what failed, how badly, and the first offending rows."""

from __future__ import annotations

from newsspan.validation.gate import ValidationReport

__all__ = ["validation_markdown"]


def validation_markdown(report: ValidationReport) -> str:
    verdict = "**PASSED**" if report.passed else f"**FAILED**: {len(report.critical_failures)} critical rule(s)"
    failed = [r for r in report.rules if not r.success]
    lines = [
        "# Validation",
        "",
        f"{verdict}. {len(report.rules)} rules, {len(failed)} failed "
        f"({sum(r.severity == 'warning' for r in failed)} warning(s), reported only).",
        "",
        "| rule | severity | suite | description | failed / checked |",
        "| --- | --- | --- | --- | ---: |",
    ]
    for rule in report.rules:
        mark = "" if rule.success else " ✗"
        lines.append(
            f"| {rule.rule_id}{mark} | {rule.severity} | {rule.suite} | {rule.description} | "
            f"{rule.failed} / {rule.checked} |"
        )
    for rule in failed:
        lines += ["", f"## {rule.rule_id} ({rule.severity}): {rule.description}", ""]
        lines += [f"- {', '.join(f'{k}={v!r}' for k, v in row.items())}" for row in rule.examples]
        if not rule.examples:
            lines.append("- (no row-level examples for this rule)")
    lines += ["", "## Quarantine", ""]
    lines += [f"- {key}: {count}" for key, count in report.quarantine.items()] or ["- empty"]
    return "\n".join(lines) + "\n"
