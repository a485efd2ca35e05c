"""Pre-annotation: proposals for every layer, as prediction rows of the schema's tables.

For each document: boilerplate from the page's structure for HTML input (the ``page_regions``
ingest read from the page), else from line rules, the article's blocks and the lines its source
repeats across documents (``detect_boilerplate``, with ``repeated_lines`` counted over the whole
documents table, per outlet or source folder), quotes with speakers and cues outside boilerplate
and headlines (``detect_quotes``), and entities from known annotations, date patterns and an
optional spaCy pipeline. Rows have ``origin = prediction``, ``annotator`` = the model version,
and ``rule`` naming what fired, so ``newsspan label push --predictions`` can send them to Label
Studio and annotators correct rather than start from zero.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from newsspan.dataset.config import PreannotateOptions
from newsspan.dataset.heuristics.boilerplate import detect_boilerplate
from newsspan.dataset.heuristics.entities import EntityLexicon, detect_dates, propagate_entities, spacy_entities
from newsspan.dataset.heuristics.lines import split_lines
from newsspan.dataset.heuristics.proposals import DEFAULTS, Proposal
from newsspan.dataset.heuristics.quotes import detect_quotes
from newsspan.dataset.heuristics.repetition import document_group, repeated_lines
from newsspan.dataset.io import read_table, write_json, write_table
from newsspan.dataset.schema import ANNOTATIONS, DOCUMENTS, RELATIONS, SPANS, STANCE, layer_of
from newsspan.dataset.stage import StageContext, StageReport

__all__ = [
    "MODEL_VERSION",
    "PreannotateResult",
    "PreannotateStage",
    "entity_lexicon",
    "preannotate_documents",
    "preannotate_summary",
]

# Bump when the rules change, so Label Studio keeps predictions of different versions apart.
MODEL_VERSION = "newsspan-rules-4"
LOSSY_LISTED = 20  # doc_ids shown in the summary: enough to open a few, short enough to read


@dataclass
class PreannotateResult:
    spans: pa.Table
    relations: pa.Table
    counts: Counter[str] = field(default_factory=Counter)
    # Documents that lost more than options.prose_loss_share of their prose-looking characters
    # to boilerplate spans (a rule may have eaten the article), with the share lost.
    prose_lossy: dict[str, float] = field(default_factory=dict)


def entity_lexicon(spans: pa.Table | None) -> EntityLexicon:
    """The entity strings of human and gold spans, for propagation."""
    if spans is None:
        return EntityLexicon([])
    rows = spans.filter(pc.is_in(spans["origin"], pa.array(["human", "gold"]))).to_pylist()
    return EntityLexicon((row["text"], row["label"]) for row in rows if row["layer"] == "entity")


def preannotate_documents(
    documents: pa.Table,
    *,
    lexicon: EntityLexicon | None = None,
    nlp: Any = None,
    model_version: str = MODEL_VERSION,
    options: PreannotateOptions | None = None,
    counted: dict[str, dict[str, float]] | None = None,
) -> PreannotateResult:
    """Proposals for every document of ``documents`` (a DOCUMENTS table).

    Lines repeated across the documents of one source (see
    :mod:`~newsspan.dataset.heuristics.repetition`) are counted first, over the whole table;
    ``counted`` gives them for the sources it names (counted over a larger corpus than this
    table, by a caller that runs the rules a part of it at a time).
    """
    options = options or DEFAULTS
    spans: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    lossy: dict[str, float] = {}
    wanted = ("doc_id", "text", "meta_spans", "outlet", "source", "page_regions")
    columns = [name for name in wanted if name in documents.column_names]
    rows = documents.select(columns).to_pylist()
    groups = [document_group(row.get("outlet"), row.get("source") or "") for row in rows]
    known = counted or {}
    texts = ((group, row["text"]) for group, row in zip(groups, rows, strict=True) if group not in known)
    repeated = repeated_lines(texts, options) | known
    for document, group in zip(rows, groups, strict=True):
        meta = [(m["field"], m["start"], m["end"]) for m in document["meta_spans"]]
        page = [Proposal(r["label"], r["start"], r["end"], r["rule"]) for r in document.get("page_regions") or []]
        proposed, links = _document(
            document["text"], meta, lexicon or EntityLexicon([]), nlp, options, repeated.get(group, {}), page
        )
        lost = prose_lost(document["text"], proposed, options)
        if lost > options.prose_loss_share:
            lossy[document["doc_id"]] = round(lost, 3)
        base = {
            "doc_id": document["doc_id"],
            "annotation_id": f"{model_version}:{document['doc_id']}",
            "annotator": model_version,
            "origin": "prediction",
        }
        ids = [f"p{i}" for i in range(len(proposed))]
        for region, proposal in zip(ids, proposed, strict=True):
            spans.append(
                base
                | {
                    "region_id": region,
                    "layer": layer_of(proposal.label),
                    "label": proposal.label,
                    "start": proposal.start,
                    "end": proposal.end,
                    "text": document["text"][proposal.start : proposal.end],
                    "rule": proposal.rule,
                }
            )
            counts[proposal.label] += 1
        for source, target, kind in links:
            relations.append(base | {"relation": kind, "from_region_id": ids[source], "to_region_id": ids[target]})
    return PreannotateResult(
        pa.Table.from_pylist(spans, schema=SPANS.arrow_schema),
        pa.Table.from_pylist(relations, schema=RELATIONS.arrow_schema),
        counts,
        lossy,
    )


def prose_lost(text: str, proposals: list[Proposal], options: PreannotateOptions) -> float:
    """Share of the prose-looking (sentence-like) characters of ``text`` inside boilerplate spans.

    A line counts as lost when boilerplate covers its start. A high share on a real article means
    a rule ate it; related stories and comment threads raise it too, so it is a flag to look at.
    """
    starts = sorted((p.start, p.end) for p in proposals if layer_of(p.label) == "boilerplate")
    prose = lost = 0
    for line in split_lines(text, options):
        if line.is_prose:
            prose += len(line.text)
            lost += len(line.text) if any(s <= line.start < e for s, e in starts) else 0
    return lost / prose if prose else 0.0


def _document(
    text: str,
    meta: list[tuple[str, int, int]],
    lexicon: EntityLexicon,
    nlp: Any,
    options: PreannotateOptions,
    repeated: dict[str, float],
    page: list[Proposal],
) -> tuple[list[Proposal], list[tuple[int, int, str]]]:
    """Every proposal of one document and the quote relations between them (by index).

    A web page's ``page`` regions are its boilerplate layer: the page's structure and main-content
    decision are better evidence than the text's shape, so the line rules do not run on it.
    """
    boilerplate = page or detect_boilerplate(text, metadata_spans=meta, options=options, repeated=repeated)
    outside = [(p.start, p.end) for p in boilerplate]
    headline = [(start, end) for name, start, end in meta if name in ("title", "dek")]
    quotes = detect_quotes(text, skip=outside + headline, options=options, nlp=nlp)
    entities = propagate_entities(text, lexicon, skip=outside)
    if nlp is not None:
        entities += spacy_entities(text, nlp, skip=outside)
    entities += [d for d in detect_dates(text) if not any(s <= d.start < e for s, e in outside)]
    proposed = [*boilerplate, *quotes.spans, *_without_overlaps(entities)]
    offset = len(boilerplate)
    links = [(a + offset, b + offset, kind) for a, b, kind in quotes.relations]
    return proposed, links


def _without_overlaps(proposals: list[Proposal]) -> list[Proposal]:
    """Keep the longest of overlapping entity proposals (earlier sources win ties)."""
    kept: list[Proposal] = []
    for proposal in sorted(proposals, key=lambda p: p.end - p.start, reverse=True):
        if all(proposal.end <= k.start or k.end <= proposal.start for k in kept):
            kept.append(proposal)
    return sorted(kept, key=lambda p: (p.start, p.end))


class PreannotateStage:
    """Prediction tables for a documents table, into the context's folder.

    ``context.options``: ``documents`` (the documents table to read; unset: the folder's own, as
    in a predictions-only build), ``known`` (a spans table whose human and gold entity strings
    are propagated, or None) and ``spacy_model`` (an installed spaCy pipeline's name, or None).
    Writes spans, relations, an empty stance table (no rule proposes stance), an empty
    annotations table (no one annotated) and ``preannotate.json``.
    """

    name = "preannotate"

    def run(self, context: StageContext) -> StageReport:
        folder, given = context.folder, context.options
        known, spacy_model = given.get("known"), given.get("spacy_model")
        documents = given.get("documents") or folder.table(DOCUMENTS)
        lexicon = entity_lexicon(read_table(known, schema=SPANS) if known is not None else None)
        if context.settings.engine.name == "spark":  # the same rules, wired by Spark (tables as folders)
            from newsspan.dataset.spark.preannotate import preannotate_spark
            from newsspan.dataset.spark.session import spark_running

            with spark_running(context.settings.engine) as spark:  # a build's own session, if it runs one
                options = context.settings.preannotate
                counts = preannotate_spark(
                    spark, documents, folder.root, options=options, lexicon=lexicon, spacy_model=spacy_model
                )
        else:
            counts = self._local(context, documents, lexicon, spacy_model)
        written = [folder.table(SPANS), folder.table(RELATIONS), folder.table(STANCE)]  # Spark's: folders
        write_table(ANNOTATIONS.arrow_schema.empty_table(), folder.table(ANNOTATIONS), schema=ANNOTATIONS)
        written += [folder.table(ANNOTATIONS), folder.summary(self.name)]
        lines = [f"{counts['model_version']}: {counts['documents']} documents, {counts['relations']} relations"]
        lines += [f"  {label:<11} {count}" for label, count in counts["spans"].items()]
        if counts["prose_lossy_documents"]:
            share = context.settings.preannotate.prose_loss_share
            lines.append(
                f"  {counts['prose_lossy_documents']} documents lost > {share:.0%} of their prose to boilerplate"
            )
        return StageReport(self.name, counts, summary=tuple(lines), files=tuple(folder.relative(p) for p in written))

    def _local(
        self, context: StageContext, path: Path, lexicon: EntityLexicon, spacy_model: str | None
    ) -> dict[str, Any]:
        from newsspan.dataset.heuristics.entities import load_spacy

        folder = context.folder
        documents = read_table(path, schema=DOCUMENTS)
        nlp = load_spacy(spacy_model) if spacy_model else None
        result = preannotate_documents(documents, lexicon=lexicon, nlp=nlp, options=context.settings.preannotate)
        write_table(result.spans, folder.table(SPANS), schema=SPANS)
        write_table(result.relations, folder.table(RELATIONS), schema=RELATIONS)
        write_table(STANCE.arrow_schema.empty_table(), folder.table(STANCE), schema=STANCE)
        counts = preannotate_summary(
            documents=documents.num_rows,
            lexicon=lexicon,
            spans=result.counts,
            relations=result.relations.num_rows,
            lossy=len(result.prose_lossy),
            listed=sorted(result.prose_lossy)[:LOSSY_LISTED],
            spacy_model=spacy_model,
        )
        write_json(counts, folder.summary(self.name))
        return counts


def preannotate_summary(
    *,
    documents: int,
    lexicon: EntityLexicon,
    spans: Mapping[str, int],
    relations: int,
    lossy: int,
    listed: list[str],
    spacy_model: str | None,
) -> dict[str, Any]:
    """``preannotate.json``'s counts, whichever engine ran the rules: ``spans`` per label, ``lossy``
    documents whose prose-looking characters went more than ``prose_loss_share`` to boilerplate,
    ``listed`` the first :data:`LOSSY_LISTED` of them by doc_id."""
    return {
        "model_version": MODEL_VERSION + (f"+spacy:{spacy_model}" if spacy_model else ""),
        "documents": documents,
        "known_entity_strings": len(lexicon),
        "spans": dict(sorted(spans.items())),
        "relations": relations,
        "prose_lossy_documents": lossy,
        "prose_lossy_doc_ids": listed,
    }
