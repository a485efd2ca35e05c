"""The single source of truth for newsspan's layers, labels and tables.

Everything that names a label or a column is generated from this module: the Label Studio
labeling config, the Great Expectations value sets, the Hugging Face ``Features`` (with
``ClassLabel`` names) and the dataset card's label tables. A test proves each of them agrees
with what is declared here. Change a label here and nowhere else.
The label side (layers, relations, stance values, origins) is declared in
:mod:`newsspan.dataset.labels` and re-exported here with the tables; import from this module.

Offsets everywhere are Python code points (``str`` indices) into ``documents.text``, half-open
``[start, end)``: ``documents.text[start:end] == spans.text``. Other tools count UTF-8 bytes or
UTF-16 code units; newsspan converts at its edges and never stores those.

Design choices, each deliberate:

* **Labels are unique across layers.** A Label Studio result is mapped to its layer by label value,
  so exports of projects whose config was written by hand still convert. The module refuses to
  import if two layers share a label.
* **Quotes are a layer of three labels** (``QUOTE``, ``SPEAKER``, ``CUE``) linked by relations
  (``said_by``: QUOTE → SPEAKER, ``cued_by``: QUOTE → CUE) rather than one span with attributes:
  the speaker mention and the cue are text in the article and need their own offsets.
* **Boilerplate is a labeled layer, not deleted text.** Annotators see the whole article, and
  boilerplate classifiers train on the same offsets.
* **Stance has two scopes**: ``document`` (the article toward its ``stance_target``) and ``quote``
  (one QUOTE region toward the same target). The target is per document, not per label set.
* **Spans are stored long** (one row per region, any layer), with ``origin`` telling human
  annotations, model predictions and the adjudicated gold layer apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pyarrow as pa

from newsspan.dataset.labels import (
    ADJUDICATED,
    CUE,
    CUED_BY,
    ITEM_PROVENANCES,
    LABEL_LAYERS,
    LAYERS,
    ORIGINS,
    PROVENANCES,
    QUOTE,
    REFERS_TO,
    RELATION_TYPES,
    SAID_BY,
    SOURCE_FORMATS,
    SPEAKER,
    STANCE_QUOTE_LABEL,
    STANCE_SCOPES,
    STANCE_VALUES,
    Label,
    Layer,
    LayerName,
    Origin,
    RelationType,
    StanceScope,
    StanceValue,
    all_labels,
    layer_of,
)

__all__ = [
    "ADJUDICATED",
    "ANNOTATIONS",
    "ANNOTATION_TABLES",
    "CUE",
    "CUED_BY",
    "DOCUMENTS",
    "ITEM_PROVENANCES",
    "LABEL_LAYERS",
    "LAYERS",
    "ORIGINS",
    "PROVENANCES",
    "QUARANTINE",
    "QUOTE",
    "REFERS_TO",
    "RELATIONS",
    "RELATION_TYPES",
    "SAID_BY",
    "SOURCE_FORMATS",
    "SPANS",
    "SPEAKER",
    "STANCE",
    "STANCE_QUOTE_LABEL",
    "STANCE_SCOPES",
    "STANCE_VALUES",
    "TABLES",
    "Column",
    "Label",
    "Layer",
    "LayerName",
    "Origin",
    "RelationType",
    "StanceScope",
    "StanceValue",
    "Table",
    "all_labels",
    "layer_of",
]


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its Arrow type, whether it may be null, and what it means."""

    name: str
    type: pa.DataType
    nullable: bool
    description: str

    @property
    def field(self) -> pa.Field:
        return pa.field(self.name, self.type, nullable=self.nullable)


@dataclass(frozen=True, slots=True)
class Table:
    """A table of the corpus: its file name stem, its columns and its key."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([column.field for column in self.columns])

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def file_name(self) -> str:
        return f"{self.name}.parquet"


_OFFSET = pa.int32()  # code points; 2**31 is far beyond any article
_TIMESTAMP = pa.timestamp("ms", tz="UTC")  # [s] does not round-trip through Parquet (notes/hf-datasets.md)

PAGE_REGION = pa.struct(
    [
        pa.field("label", pa.string(), nullable=False),
        pa.field("start", _OFFSET, nullable=False),
        pa.field("end", _OFFSET, nullable=False),
        pa.field("rule", pa.string(), nullable=False),
    ]
)
META_SPAN = pa.struct(
    [
        pa.field("field", pa.string(), nullable=False),
        pa.field("start", _OFFSET, nullable=False),
        pa.field("end", _OFFSET, nullable=False),
    ]
)


def _annotation_columns() -> tuple[Column, ...]:
    """Columns shared by every table that holds annotation content."""
    return (
        Column("doc_id", pa.string(), False, "The document the row annotates."),
        Column(
            "annotation_id",
            pa.string(),
            False,
            "The annotation (or prediction, or gold layer) the row belongs to.",
        ),
        Column("annotator", pa.string(), True, "Who made it: a user e-mail, a model version, or 'gold'."),
        Column("origin", pa.string(), False, f"One of {', '.join(ORIGINS)}."),
    )


DOCUMENTS: Final = Table(
    name="documents",
    description="One row per article: normalized text, metadata with the spans it came from, ids.",
    key=("doc_id",),
    columns=(
        Column(
            "doc_id",
            pa.string(),
            False,
            "Stable id: the first 16 hex digits of raw_sha256. Derived from the raw content, so it "
            "survives re-runs and changes to normalization.",
        ),
        Column(
            "source",
            pa.string(),
            False,
            "Where the article came from: for a file given directly, its name; for a file found in a "
            "folder, the folder's name and the path below it ('seeds/003.txt'); files that would share a "
            "name take as many parent folders as tell them apart; 'file.jsonl:LINE' (1-based) for JSON Lines.",
        ),
        Column("source_format", pa.string(), False, f"One of {', '.join(SOURCE_FORMATS)}."),
        Column(
            "raw_sha256",
            pa.string(),
            False,
            "sha256 of the raw bytes: the .txt file, the page's HTML (decompressed), or the JSONL "
            "`text`/`html` value encoded as UTF-8.",
        ),
        Column(
            "encoding",
            pa.string(),
            False,
            "How the bytes were decoded: 'utf-8', 'utf-8-sig' (BOM), 'utf-16', or a detected "
            "legacy codec (recorded, never silent).",
        ),
        Column(
            "text",
            pa.string(),
            False,
            "The normalized article, boilerplate included. All offsets point into it.",
        ),
        Column("title", pa.string(), True, "The headline as written; null when the article has none."),
        Column("dek", pa.string(), True, "The standfirst under the headline; null when absent."),
        Column(
            "outlet",
            pa.string(),
            True,
            "The publishing outlet, canonical (outlet line or metadata; an agency's own story: the agency).",
        ),
        Column("agency", pa.string(), True, "The wire agency credited for the copy, canonical (REUTERS → Reuters)."),
        Column("dateline", pa.string(), True, "The place of the dateline as written, e.g. 'SEOUL'."),
        Column(
            "published",
            pa.string(),
            True,
            "ISO 8601 at the source's precision: '2025-06-02' or '2025-06-02T16:15+10:00'.",
        ),
        Column(
            "published_at",
            _TIMESTAMP,
            True,
            "The same instant in UTC; null unless the source gives a time and a zone.",
        ),
        Column("language", pa.string(), True, "ISO 639-1 code when stated by metadata or the user."),
        Column("author", pa.string(), True, "The author the page's metadata names (HTML input); null otherwise."),
        Column("url", pa.string(), True, "The page's canonical URL (HTML input, or a JSONL 'url'); null otherwise."),
        Column("stance_target", pa.string(), True, "The target that stance is annotated toward."),
        Column(
            "meta_spans",
            pa.list_(META_SPAN),
            False,
            "For each metadata field read from the text, the [start, end) it came from.",
        ),
        Column(
            "page_regions",
            pa.list_(PAGE_REGION),
            True,
            "HTML input: the page's boilerplate blocks as its structure and main-content extraction mark "
            "them (label, [start, end), rule); pre-annotation proposes them. Empty for text input (null in "
            "tables written without it).",
        ),
        Column("extra", pa.string(), True, "Other JSONL fields, as a JSON object; null for .txt input."),
    ),
)

_PROVENANCE_DOC = (
    f"One of {', '.join(PROVENANCES)}. Human and review rows: made by hand, accepted from a "
    "prediction unchanged, a prediction changed, as the export says. Gold rows: adjudicated when a "
    "reviewer decided the document in the review project, else the most hands-on of the supporting "
    "annotations'. Null for predictions and for exports that do not say."
)


def _provenance() -> Column:
    return Column("provenance", pa.string(), True, _PROVENANCE_DOC)


SPANS: Final = Table(
    name="spans",
    description="One row per labeled region, any layer, any origin (long format).",
    key=("annotation_id", "region_id"),
    columns=(
        *_annotation_columns(),
        Column("region_id", pa.string(), False, "The region's id inside its annotation."),
        Column("layer", pa.string(), False, f"One of {', '.join(layer.name for layer in LAYERS)}."),
        Column("label", pa.string(), False, "A label of that layer."),
        Column("start", _OFFSET, False, "First code point of the span in documents.text."),
        Column("end", _OFFSET, False, "One past the last code point (half-open)."),
        Column("text", pa.string(), False, "documents.text[start:end], recomputed, never trusted."),
        Column(
            "repair",
            pa.string(),
            True,
            "How conversion fixed the exported offsets: 'utf16', 'trim' or 'shift+N'; null when none.",
        ),
        Column(
            "support",
            pa.list_(pa.string()),
            True,
            "For gold spans: the human annotations that marked this span and label; null otherwise.",
        ),
        Column("rule", pa.string(), True, "For predictions: the rule or model that proposed the span."),
        _provenance(),
    ),
)

RELATIONS: Final = Table(
    name="relations",
    description="Directed links between regions of one annotation (quote attribution).",
    key=("annotation_id", "from_region_id", "to_region_id", "relation"),
    columns=(
        *_annotation_columns(),
        Column("relation", pa.string(), False, f"One of {', '.join(r.name for r in RELATION_TYPES)}."),
        Column("from_region_id", pa.string(), False, "The QUOTE region (for refers_to: the pronoun SPEAKER)."),
        Column("to_region_id", pa.string(), False, "The SPEAKER or CUE region (for refers_to: the named SPEAKER)."),
        _provenance(),
    ),
)

STANCE: Final = Table(
    name="stance",
    description="Stance toward the document's target, for the whole document or one quote.",
    key=("annotation_id", "scope", "region_id"),
    columns=(
        *_annotation_columns(),
        Column("scope", pa.string(), False, f"One of {', '.join(STANCE_SCOPES)}."),
        Column("region_id", pa.string(), True, "The QUOTE region for scope 'quote'; null for 'document'."),
        Column("target", pa.string(), True, "The stance target of the document."),
        Column("value", pa.string(), False, f"One of {', '.join(STANCE_VALUES)}."),
        _provenance(),
    ),
)

ANNOTATIONS: Final = Table(
    name="annotations",
    description="One row per annotation or prediction, with who made it, when and how long it took.",
    key=("annotation_id",),
    columns=(
        *_annotation_columns(),
        Column("task_id", pa.int64(), True, "The Label Studio task id."),
        Column("created_at", _TIMESTAMP, True, "When the annotation was created (UTC)."),
        Column("updated_at", _TIMESTAMP, True, "When it was last updated (UTC)."),
        Column("lead_time", pa.float64(), True, "Seconds the annotator spent, as Label Studio reports."),
        Column("cancelled", pa.bool_(), False, "True for a skipped task (Label Studio 'was_cancelled')."),
        Column("ground_truth", pa.bool_(), False, "Label Studio's ground-truth flag (a reviewer's pick)."),
        Column(
            "prediction_model",
            pa.string(),
            True,
            "The model version of the prediction the annotation started from (its regions pre-filled); null if none.",
        ),
    ),
)

QUARANTINE: Final = Table(
    name="quarantine",
    description="Every input row a stage could not accept, with the reason and the way out.",
    key=(),
    columns=(
        Column("source", pa.string(), False, "The input: file, 'file.jsonl:LINE', or export task."),
        Column("doc_id", pa.string(), True, "The document, when one could be identified."),
        Column("stage", pa.string(), False, "The stage that refused it: 'ingest', 'convert', ..."),
        Column("reason", pa.string(), False, "A short, stable reason code, e.g. 'duplicate'."),
        Column("detail", pa.string(), False, "What exactly is wrong, where, and how to fix it."),
    ),
)

TABLES: Final[tuple[Table, ...]] = (DOCUMENTS, SPANS, RELATIONS, STANCE, ANNOTATIONS, QUARANTINE)
# The tables that hold annotation content (one row set per annotation, prediction or gold layer).
ANNOTATION_TABLES: Final[tuple[Table, ...]] = (ANNOTATIONS, SPANS, RELATIONS, STANCE)
