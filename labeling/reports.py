"""Markdown reports for agreement and adjudication: short, readable, from the computed tables."""

from __future__ import annotations

from typing import Any

from newsspan.dataset.layout import ALL
from newsspan.dataset.markdown import inline
from newsspan.labeling.agreement import AgreementReport

__all__ = ["agreement_markdown", "gold_markdown", "score_markdown"]


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _who(names: list[str]) -> str:  # annotators' e-mails, document ids and votes are data: inert
    return ", ".join(inline(n) for n in names)


def _provenance_line(report: AgreementReport) -> str:
    counts = report.provenance
    total = sum(counts.values())
    if not total:
        return "No human spans to compare."
    parts = ", ".join(f"{name} {count}" for name, count in counts.items())
    accepted = counts.get("prediction", 0)
    verdict = (
        "left out of the span figures (agreement.exclude_accepted_predictions)"
        if report.excluded_accepted
        else "counted in the span figures; set agreement.exclude_accepted_predictions = true to leave them out"
    )
    return (
        f"Compared spans by provenance: {parts}. {accepted} of {total} ({accepted / total:.0%}) were "
        f"accepted from a prediction unchanged: {verdict}."
    )


def agreement_markdown(report: AgreementReport) -> str:
    """The agreement report: overall span F1 per layer and label, per pair, and stance alpha."""
    rows = report.table.to_pylist()
    lines = [
        "# Inter-annotator agreement",
        "",
        f"{report.documents} document(s) annotated by two or more of {len(report.annotators)} annotator(s): "
        f"{_who(report.annotators) or 'none'}.",
        "Span F1 = 2 × matches / (spans of A + spans of B); exact = same label and offsets, partial = "
        "overlapping spans of the same label, paired one to one.",
        "",
        _provenance_line(report),
        "",
        "## Spans, all annotator pairs",
        "",
        "| layer | label | documents | spans A | spans B | F1 exact | F1 partial |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        if row["annotator_a"] == ALL:
            label = "**all**" if row["label"] == ALL else row["label"]
            lines.append(_span_line(row, label))
    lines += [
        "",
        "## Spans per annotator pair (all labels of a layer)",
        "",
        "| annotator A | annotator B | layer | documents | F1 exact | F1 partial |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    for row in rows:
        if row["annotator_a"] != ALL and row["label"] == ALL:
            lines.append(
                f"| {inline(row['annotator_a'])} | {inline(row['annotator_b'])} | {row['layer']} | "
                f"{row['documents']} | {_figure(row['f1_exact'])} | {_figure(row['f1_partial'])} |"
            )
    lines += _token_alpha_lines(report)
    lines += _unitizing_alpha_lines(report)
    lines += [
        "",
        "## Stance: Krippendorff's alpha (nominal)",
        "",
        "| scope | annotators | units | alpha | note |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for entry in report.alpha:
        lines.append(
            f"| {entry['scope']} | {_who(entry['annotators'])} | {entry['units']} | {_figure(entry['alpha'])} | "
            f"{entry['note'] or ''} |"
        )
    return "\n".join(lines) + "\n"


def _token_alpha_lines(report: AgreementReport) -> list[str]:
    """Token-wise alpha: every label of a layer for all annotators, then each layer per pair."""
    heading = [
        "## Spans: token-wise Krippendorff's alpha (nominal)",
        "",
        "Units: the tokens (word-character runs and punctuation) of the documents coded twice or more; "
        "each annotator gives each token the label of the layer's span covering it, or O (unlabelled "
        "text is a category). Per label: that label against the rest.",
    ]
    return _alpha_table(report.span_alpha, heading, {"tokens": "units"}, "alpha")


def _unitizing_alpha_lines(report: AgreementReport) -> list[str]:
    """α_U: every label of a layer for all annotators, then each layer per pair."""
    heading = [
        "## Spans: Krippendorff's unitizing alpha (α_U)",
        "",
        "The continuum: the characters of the documents every annotator of the group coded. Per label, that "
        "label's spans against the gaps between them (other labels count as gap); per layer, the labels' "
        "disagreements summed (INCEpTION's and DKPro Agreement's definition).",
    ]
    return _alpha_table(report.unitizing_alpha, heading, {"documents": "documents", "characters": "characters"}, "α_U")


def _alpha_table(rows: list[dict[str, Any]], heading: list[str], counts: dict[str, str], name: str) -> list[str]:
    """A span-alpha table: all annotators per label, and every group's whole-layer figure;
    ``counts`` maps column headings to the rows' count fields."""
    if not rows:
        return []
    everyone = max(len(r["annotators"]) for r in rows)
    lines = ["", *heading, "", f"| layer | label | annotators | {' | '.join(counts)} | {name} | note |"]
    lines.append("| --- | --- | --- | " + "---: | " * len(counts) + "---: | --- |")
    for row in rows:
        if len(row["annotators"]) == everyone or row["label"] == ALL:
            label = "**all**" if row["label"] == ALL else row["label"]
            who = "all" if len(row["annotators"]) == everyone else _who(row["annotators"])
            figures = " | ".join(str(row[field]) for field in counts.values())
            lines.append(
                f"| {row['layer']} | {label} | {who} | {figures} | {_figure(row['alpha'])} | {row['note'] or ''} |"
            )
    return lines


def _span_line(row: dict[str, Any], label: str) -> str:
    return (
        f"| {row['layer']} | {label} | {row['documents']} | {row['spans_a']} | {row['spans_b']} | "
        f"{_figure(row['f1_exact'])} | {_figure(row['f1_partial'])} |"
    )


def gold_markdown(summary: dict[str, Any], conflicts: list[dict[str, Any]], *, shown: int = 50) -> str:
    """The adjudication report: the rule, what it decided, and the conflicts left for review."""
    rule = summary["strategy"] + (f" ({summary['threshold']})" if summary["threshold"] else "")
    lines = [
        "# Gold layer",
        "",
        f"Strategy: **{rule}**" + (f", reviewers: {_who(summary['reviewers'])}" if summary["reviewers"] else ""),
        f"Documents: {summary['documents']}; gold spans {summary['gold_spans']}, relations "
        f"{summary['gold_relations']}, stance {summary['gold_stance']}; conflicts for review {summary['conflicts']}.",
        "",
        "| decided by | documents |",
        "| --- | ---: |",
        *[f"| {rule} | {count} |" for rule, count in summary["decided_by"].items()],
        "",
        "## Conflicts for review",
        "",
        "| document | kind | reason | label | offsets | value | support |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in conflicts[:shown]:
        offsets = "" if row["start"] is None else f"[{row['start']}, {row['end']})"
        support = _who(row["support"] or [])
        lines.append(
            f"| {inline(row['doc_id'])} | {row['kind']} | {row['reason']} | {row['label'] or ''} | {offsets} | "
            f"{inline(row['value'] or '')} | {support} |"
        )
    if summary["conflicts"] > shown:  # ``conflicts`` may be only the first ones
        lines.append(f"\n{summary['conflicts'] - shown} more in gold_conflicts.parquet.")
    return "\n".join(lines) + "\n"


def _article_loss_lines(loss: dict[str, Any]) -> list[str]:
    """How much article text the boilerplate rules took, and the documents that lost over a fifth."""
    lines = [
        "",
        f"Article characters labelled boilerplate: {loss['article_chars_lost']} of {loss['article_chars']} "
        f"({_figure(loss['article_share_lost'])}); documents losing more than 20% of their article: "
        f"{len(loss['documents_over_flag'])}.",
    ]
    lines += [f"- {d['doc_id']}: {d['share_lost']:.0%}" for d in loss["documents_over_flag"][:20]]
    return lines


def score_markdown(summary: dict[str, Any], table: Any) -> str:
    """The pre-annotation score report."""
    speakers = summary["speakers"]
    lines = [
        "# Pre-annotation quality",
        "",
        f"Documents: {summary['documents']}. Boilerplate line-level F1: {_figure(summary['boilerplate_line_f1'])}. "
        f"Speaker attribution: {_figure(speakers['speaker_accuracy'])} of found quotes "
        f"({speakers['correct']} of {speakers['found']}; "
        f"{speakers['gold_quotes_with_speaker']} gold quotes with a speaker).",
        *_article_loss_lines(summary["article_loss"]),
        "",
        "| layer | label | gold | predicted | P exact | R exact | F1 exact | P overlap | R overlap | F1 overlap |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in table.to_pylist():
        label = "**all**" if row["label"] == ALL else row["label"]
        figures = " | ".join(
            _figure(row[f"{k}_{m}"]) for k in ("exact", "overlap") for m in ("precision", "recall", "f1")
        )
        lines.append(f"| {row['layer']} | {label} | {row['gold']} | {row['predicted']} | {figures} |")
    return "\n".join(lines) + "\n"
