"""Running the stages and assembling a build folder.

``ingest_to_folder`` runs ingest and writes ``documents.parquet``, ``quarantine.parquet`` and
``ingest.json`` (the summary). The summary is written last and removed first, so a folder with
tables but no ``ingest.json`` is recognisably unfinished.

``build_corpus`` is the main job. Today it runs the stages that exist (ingest of the bundled
sample or the given articles); the later stages (conversion of the Label Studio export, gold,
validation, the Hugging Face dataset and card) plug in here. The build folder is staged as a
hidden sibling and swapped in at the end, with a ``manifest.json`` that records inputs, counts,
versions and a fingerprint of every output file.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.resources
import platform
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsspan.dataset.config import BuildOptions, GoldOptions, IngestOptions, PreannotateOptions
from newsspan.dataset.errors import NewsspanError
from newsspan.dataset.ingest.readers import discover_inputs
from newsspan.dataset.ingest.steps import IngestSummary, ingest_batches
from newsspan.dataset.io import (
    TableWriter,
    ensure_folder,
    file_sha256,
    read_table,
    staged_folder,
    write_json,
    write_table,
)
from newsspan.dataset.runtime import gc_paused
from newsspan.dataset.schema import ANNOTATIONS, DOCUMENTS, QUARANTINE, RELATIONS, SPANS, STANCE

__all__ = [
    "BuildResult",
    "build_corpus",
    "ingest_to_folder",
    "preannotate_to_folder",
    "sample_articles",
    "sample_export",
    "version",
]

SUMMARY_FILE = "ingest.json"
MANIFEST_FILE = "manifest.json"
EXPORTS_FOLDER = "exports"
ANNOTATION_TABLES = (ANNOTATIONS, SPANS, RELATIONS, STANCE)
Progress = Callable[[int, int], None]


def version() -> str:
    """The installed newsspan version."""
    return importlib.metadata.version("newsspan")


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


def ingest_to_folder(
    paths: Sequence[Path], out: Path, *, options: IngestOptions, progress: Progress | None = None
) -> IngestSummary:
    """Ingest ``paths`` into ``out`` (documents, quarantine, summary); returns the summary."""
    summary = IngestSummary()
    ensure_folder(out)
    (out / SUMMARY_FILE).unlink(missing_ok=True)
    with (
        TableWriter(out / DOCUMENTS.file_name, schema=DOCUMENTS) as documents,
        TableWriter(out / QUARANTINE.file_name, schema=QUARANTINE) as quarantine,
    ):
        for batch in ingest_batches(paths, options=options, summary=summary, progress=progress):
            documents.write(batch.documents)
            quarantine.write(batch.quarantine)
    if not summary.reconciles:  # a bug, not bad input: every input must be accounted for
        raise AssertionError(f"ingest counts do not reconcile: {summary.as_dict()}")
    write_json(summary.as_dict(), out / SUMMARY_FILE)
    return summary


def preannotate_to_folder(
    documents: Path,
    out: Path,
    *,
    known: Path | None = None,
    spacy_model: str | None = None,
    options: PreannotateOptions | None = None,
) -> dict[str, Any]:
    """Write prediction ``spans``/``relations``/``stance`` tables for ``documents`` into ``out``.

    ``known`` is a spans table whose human and gold entity strings are propagated.
    """
    from newsspan.dataset.heuristics.entities import load_spacy
    from newsspan.dataset.preannotate import MODEL_VERSION, entity_lexicon, preannotate_documents

    lexicon = entity_lexicon(read_table(known, schema=SPANS) if known is not None else None)
    nlp = load_spacy(spacy_model) if spacy_model else None
    result = preannotate_documents(read_table(documents, schema=DOCUMENTS), lexicon=lexicon, nlp=nlp, options=options)
    write_table(result.spans, out / SPANS.file_name, schema=SPANS)
    write_table(result.relations, out / RELATIONS.file_name, schema=RELATIONS)
    write_table(STANCE.arrow_schema.empty_table(), out / STANCE.file_name, schema=STANCE)
    summary = {
        "model_version": MODEL_VERSION + (f"+spacy:{spacy_model}" if spacy_model else ""),
        "documents": read_table(documents, schema=DOCUMENTS).num_rows,
        "known_entity_strings": len(lexicon),
        "spans": dict(sorted(result.counts.items())),
        "relations": result.relations.num_rows,
    }
    write_json(summary, out / "preannotate.json")
    return summary


@dataclass(frozen=True, slots=True)
class BuildResult:
    out: Path
    ingest: IngestSummary
    manifest: dict[str, Any]


def build_corpus(
    paths: Sequence[Path] | None,
    out: Path,
    *,
    options: IngestOptions,
    exports: Sequence[Path] = (),
    gold: GoldOptions | None = None,
    dataset: BuildOptions | None = None,
    progress: Progress | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build the corpus from ``paths`` and Label Studio ``exports`` into ``out``, atomically.

    Without ``paths`` it builds the bundled sample: its articles and its Label Studio export.
    Each export is kept in the build as the provenance of the release (``exports/``) and
    listed with its sha256 in the manifest; the conversion stage reads it from there.
    ``on_stage(name)`` is told when each stage starts (for progress displays).
    """
    stage_started = on_stage or (lambda name: None)
    with contextlib.ExitStack() as stack:
        if not paths:
            paths = [stack.enter_context(sample_articles())]
            exports = exports or [stack.enter_context(sample_export())]
            if options.language is None:
                options = options.replace(language="en")  # the sample is English, as its README states
        missing = [e for e in exports if not e.is_file()]
        if missing:
            raise NewsspanError(f"Label Studio export {missing[0]} does not exist", path=missing[0])
        with staged_folder(out) as stage:
            stage_started("ingest")
            summary = ingest_to_folder(paths, stage, options=options, progress=progress)
            if summary.documents == 0:
                raise NewsspanError(
                    f"no article was accepted from {len(paths)} input(s) ({summary.quarantined} quarantined: "
                    f"{dict(summary.reasons)}); see the ingest summary above and fix the inputs"
                )
            stage_started("convert")
            kept = _keep_exports(exports, stage / EXPORTS_FOLDER)
            converted = _convert_exports([copy for _, copy in kept], stage)
            stage_started("gold")
            adjudicated = _gold(stage, gold) if kept else None
            if kept:
                stage_started("agreement and pre-annotation quality")
                _agreement_and_quality(stage)
            stage_started("validate")
            gate = _gate(stage, out)
            stage_started("dataset")
            published = _hf_dataset(stage, dataset or BuildOptions())
            manifest = _manifest(paths, kept, stage, summary) | {
                "convert": converted,
                "gold": adjudicated,
                "validation": gate,
                "dataset": published,
            }
            write_json(manifest, stage / MANIFEST_FILE)
            stage_started("card")
            _card(stage)
    return BuildResult(out, summary, manifest)


def _keep_exports(exports: Sequence[Path], folder: Path) -> list[tuple[Path, Path]]:
    """Copy each export into the build as ``exports/NN-name``; returns (source, copy) pairs."""
    kept = []
    for number, export in enumerate(exports, start=1):
        folder.mkdir(exist_ok=True)
        copy = folder / f"{number:02d}-{export.name}"
        shutil.copyfile(export, copy)
        kept.append((export, copy))
    return kept


def _convert_exports(exports: Sequence[Path], stage: Path) -> list[dict[str, Any]]:
    """Convert each export against the build's documents and merge the tables into ``stage``.

    The annotation tables are written even without exports (empty), so later stages can rely
    on them; conversion quarantine rows join the ingest quarantine.
    """
    import pyarrow as pa

    from newsspan.labeling.tables import convert_export

    parts: list[Path] = []
    summaries: list[dict[str, Any]] = []
    for number, export in enumerate(exports, start=1):
        part = stage / f".convert-{number:02d}"
        summary = convert_export(export, part, documents=stage / DOCUMENTS.file_name)
        summaries.append({"export": export.relative_to(stage).as_posix(), **summary.as_dict()})
        parts.append(part)
    for table in (*ANNOTATION_TABLES, QUARANTINE):
        pieces = [read_table(part / table.file_name, schema=table) for part in parts]
        if table is QUARANTINE:
            pieces.insert(0, read_table(stage / table.file_name, schema=table))
        merged = pa.concat_tables(pieces) if pieces else table.arrow_schema.empty_table()
        write_table(merged, stage / table.file_name, schema=table)
    for part in parts:
        shutil.rmtree(part)
    return summaries


def _gold(stage: Path, options: GoldOptions | None) -> dict[str, Any]:
    """Adjudicate the gold layer into the staged tables (reports beside them)."""
    from newsspan.labeling.workflow import gold_layer

    summary = gold_layer(stage, options=options or GoldOptions())
    summary.pop("markdown")
    return summary


def _agreement_and_quality(stage: Path) -> None:
    """agreement.* (inter-annotator agreement) and quality.json (the rules scored against the
    gold layer) in the build, for the card."""
    import pyarrow.compute as pc

    from newsspan.dataset.preannotate import preannotate_documents
    from newsspan.labeling.score import quality_figures, score_predictions
    from newsspan.labeling.workflow import agreement_report

    agreement_report(stage, stage)
    documents = read_table(stage / DOCUMENTS.file_name, schema=DOCUMENTS)
    spans = read_table(stage / SPANS.file_name, schema=SPANS)
    relations = read_table(stage / RELATIONS.file_name, schema=RELATIONS)
    gold, gold_relations = (t.filter(pc.equal(t["origin"], "gold")) for t in (spans, relations))
    predicted = preannotate_documents(documents)
    texts = {row["doc_id"]: row["text"] for row in documents.select(["doc_id", "text"]).to_pylist()}
    scores = score_predictions(predicted.spans, gold)  # once, for the pinned figures and the per-layer F1
    figures = quality_figures(texts, predicted.spans, predicted.relations, gold, gold_relations, scores=scores)
    layers = {r["layer"]: r["overlap_f1"] for r in scores.to_pylist() if r["label"] == "*"}
    write_json(
        {
            "model_version": predicted.spans.column("annotator")[0].as_py() if predicted.spans.num_rows else None,
            "figures": figures,
            "layer_overlap_f1": layers,
        },
        stage / "quality.json",
    )


def _card(stage: Path) -> None:
    """The dataset card (README.md and its plots), rendered from the finished build.

    It comes last: the manifest's fingerprint covers the data files, and the card is derived
    from them (and shows the fingerprint)."""
    from newsspan.cards.render import write_card

    write_card(stage)


def _gate(stage: Path, out: Path) -> dict[str, Any]:
    """The publish gate: validation reports in the build; a critical failure stops the build.

    The staged folder is discarded then, so the report is kept beside the output folder.
    """
    from newsspan.validation.gate import validate_to_folder

    report = validate_to_folder(stage)
    if not report.passed:
        kept = out.parent / f"{out.name}.validation-failed.md"
        shutil.copyfile(stage / "validation.md", kept)
        failed = ", ".join(r.rule_id for r in report.critical_failures)
        raise NewsspanError(f"the build failed validation on critical rule(s) {failed}; see {kept}")
    summary = report.as_dict()
    summary.pop("results")
    return summary


DATASET_BATCH = 1000  # documents whose config rows are in memory at once


@gc_paused()  # many short-lived rows, no cycles (see dataset.runtime)
def _hf_dataset(stage: Path, options: BuildOptions, *, batch: int = DATASET_BATCH) -> dict[str, Any]:
    """The Hugging Face dataset in the build folder: story grouping, splits, every config's files
    (the README that declares them is the card's, written later).

    Stories and splits need every text; the config rows are made and written ``batch`` documents
    at a time, so memory does not grow with the corpus.
    """
    import pyarrow.compute as pc

    from newsspan.dataset.hub.rows import config_rows
    from newsspan.dataset.hub.splits import assign_splits, group_stories
    from newsspan.dataset.hub.writer import DatasetWriter

    documents = read_table(stage / DOCUMENTS.file_name, schema=DOCUMENTS)
    doc_ids = documents["doc_id"]
    texts = dict(zip(doc_ids.to_pylist(), documents["text"].to_pylist(), strict=True))
    stories = group_stories(texts, threshold=options.story_threshold)
    del texts
    names = ("train", "validation", "test")
    plan = assign_splits(stories, ratios=tuple(zip(names, options.split_ratios, strict=True)))
    tables = {}
    for table in ANNOTATION_TABLES:  # rows in document order (stable: a document's rows keep theirs)
        rows = read_table(stage / table.file_name, schema=table)
        position = pc.index_in(rows["doc_id"], value_set=doc_ids)
        order = pc.sort_indices(position)  # nulls (a document not in the table) last: left out
        tables[table.name] = (rows.take(order), position.take(order).to_numpy(zero_copy_only=False))
    misaligned = 0
    with DatasetWriter(stage, plan.splits) as writer:
        for first in range(0, documents.num_rows, batch):
            last = min(first + batch, documents.num_rows)
            part = {}
            for name, (rows, position) in tables.items():
                low, high = (int(i) for i in position.searchsorted([first, last]))
                part[name] = rows.slice(low, high - low).to_pylist()
            out = config_rows(
                documents.slice(first, last - first).to_pylist(),
                part["spans"],
                part["relations"],
                part["stance"],
                part["annotations"],
                stories,
            )
            writer.write(out)
            misaligned += out.misaligned
    return {"stories": plan.stories, "split_note": plan.note, "rows": writer.counts, "ner_misaligned": misaligned}


def _manifest(
    paths: Sequence[Path], exports: list[tuple[Path, Path]], stage: Path, summary: IngestSummary
) -> dict[str, Any]:
    inputs = discover_inputs(paths)
    outputs = sorted(p for p in stage.rglob("*") if p.is_file())
    files = {p.relative_to(stage).as_posix(): file_sha256(p) for p in outputs}
    fingerprint = hashlib.sha256("".join(f"{n}:{h}\n" for n, h in files.items()).encode()).hexdigest()
    return {
        "newsspan": version(),
        "python": platform.python_version(),
        "packages": {
            name: _package_version(name)
            for name in ("pyarrow", "polars", "datasets", "great-expectations", "label-studio-sdk")
        },
        "inputs": [_file_entry(f.name, f.path) for f in inputs.files],
        "exports": [
            _file_entry(copy.relative_to(stage).as_posix(), copy) | {"source": src.name} for src, copy in exports
        ],
        "counts": summary.as_dict(),
        "outputs": files,
        "fingerprint": fingerprint,
    }


def _file_entry(name: str, path: Path) -> dict[str, Any]:
    return {"name": name, "sha256": file_sha256(path), "bytes": path.stat().st_size}


def _package_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None
