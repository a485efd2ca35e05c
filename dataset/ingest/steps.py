"""Raw articles → the ``documents`` table (and its quarantine).

The pipeline is a list of small steps over one batch at a time:

``decode_articles`` → ``parse_pages`` (web pages → text and boilerplate regions) →
``normalize_articles`` → ``extract_article_metadata`` → ``locate_page_metadata`` →
``reject_non_articles`` → ``DuplicateFilter``.

Each step returns the rows it keeps and, where it can refuse rows, the quarantine rows for them.
The public steps take and return Arrow tables; a batch runs through their row-level cores and
becomes a table once, at the end.
Nothing is cut from ``text``: boilerplate stays in the text and becomes a labeled layer later.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from newsspan.dataset.config import IngestOptions
from newsspan.dataset.heuristics.boilerplate import classify_line, word_count
from newsspan.dataset.ingest.dates import parse_iso
from newsspan.dataset.ingest.duplicates import DuplicateFilter
from newsspan.dataset.ingest.html import decode_page
from newsspan.dataset.ingest.languages import given_language
from newsspan.dataset.ingest.metadata import extract_metadata
from newsspan.dataset.ingest.normalize import DecodeRefusal, decode_bytes, looks_binary, normalize_text
from newsspan.dataset.ingest.pages import locate_page_metadata, locate_rows, page_rows, parse_pages
from newsspan.dataset.ingest.readers import RawArticle, discover_inputs, read_articles
from newsspan.dataset.ingest.rowsteps import Row, Step
from newsspan.dataset.ingest.rowsteps import on_table as _on_table
from newsspan.dataset.ingest.rowsteps import rows_of as _rows
from newsspan.dataset.ingest.rowsteps import table_of as _table
from newsspan.dataset.records import Rejection, rejections_table
from newsspan.dataset.schema import DOCUMENTS

__all__ = [
    "DuplicateFilter",
    "IngestSummary",
    "apply_given_metadata",
    "decode_articles",
    "extract_article_metadata",
    "ingest_batches",
    "locate_page_metadata",
    "normalize_articles",
    "parse_pages",
    "raw_rows",
    "raw_table",
    "reject_non_articles",
    "row_steps",
]

STAGE = "ingest"
log = logging.getLogger(__name__)
_UNICODE_ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-32")
# JSONL fields that fill document columns directly; all other fields go to `extra`.
METADATA_FIELDS = (
    "title",
    "dek",
    "outlet",
    "agency",
    "dateline",
    "published",
    "language",
    "stance_target",
    "author",
    "url",
)
_RAW_SCHEMA = pa.schema(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("source_format", pa.string(), nullable=False),
        pa.field("raw", pa.binary(), nullable=False),
        pa.field("fields", pa.string()),
        pa.field("markup", pa.string(), nullable=False),
    ]
)


def raw_table(articles: Sequence[RawArticle]) -> pa.Table:
    """The raw batch that the steps consume: source, format, raw bytes, JSONL fields as JSON."""
    return pa.Table.from_pylist(raw_rows(articles), schema=_RAW_SCHEMA)


def raw_rows(articles: Sequence[RawArticle]) -> list[Row]:
    """The raw rows the row steps consume (see :func:`raw_table`)."""
    return [
        {
            "source": a.source,
            "source_format": a.source_format,
            "raw": a.raw,
            "fields": json.dumps(a.fields, ensure_ascii=False) if a.fields else None,
            "markup": a.markup,
        }
        for a in articles
    ]


def decode_articles(raw: pa.Table, *, fallback_encoding: str) -> tuple[pa.Table, list[Rejection]]:
    """Decode raw bytes and derive ids; refuse empty, binary and undecodable articles.

    ``doc_id`` is the first 16 hex digits of the raw bytes' sha256, so it never changes when
    normalization does.
    """
    return _on_table(lambda rows: _decode_rows(rows, fallback_encoding=fallback_encoding), raw)


def _decode_rows(rows: list[Row], *, fallback_encoding: str) -> tuple[list[Row], list[Rejection]]:
    kept: list[Row] = []
    rejected: list[Rejection] = []
    for row in rows:
        data: bytes = row.pop("raw")
        digest = hashlib.sha256(data).hexdigest()
        doc_id = digest[:16]
        source = row["source"]
        refusal: DecodeRefusal | None = None
        if not data.strip():
            refusal = DecodeRefusal("empty", f"{source}: the file has no text (0 non-blank bytes); remove it")
        elif looks_binary(data):
            refusal = DecodeRefusal(
                "binary",
                f"{source}: binary content (NUL or control bytes near byte {_first_control(data)}); "
                "only plain-text articles are read: convert it to UTF-8 text or remove it",
            )
        else:
            decoding = decode_page if row["markup"] == "html" else decode_bytes
            decoded = decoding(data, fallback=fallback_encoding)
            if isinstance(decoded, DecodeRefusal):
                refusal = DecodeRefusal(decoded.reason, f"{source}: {decoded.detail}")
            else:
                if decoded.encoding not in _UNICODE_ENCODINGS:
                    why = f" ({decoded.why})" if getattr(decoded, "why", None) else ""
                    log.warning("%s: not UTF-8; decoded as %s%s, recorded in `encoding`", source, decoded.encoding, why)
                if getattr(decoded, "why", None):  # the document keeps why its codec was chosen
                    fields = json.loads(row.get("fields") or "{}") | {"encoding_evidence": decoded.why}
                    row["fields"] = json.dumps(fields, ensure_ascii=False)
                kept.append({**row, "doc_id": doc_id, "raw_sha256": digest, **_decoded(decoded)})
        if refusal is not None:
            rejected.append(Rejection(source, doc_id, STAGE, refusal.reason, refusal.detail))
    return kept, rejected


def _decoded(decoded: Any) -> dict[str, str]:
    return {"text": decoded.text, "encoding": decoded.encoding}


def _first_control(data: bytes) -> int:
    return next((i for i, b in enumerate(data) if b < 0x09 or 0x0D < b < 0x20), 0)


def normalize_articles(table: pa.Table) -> tuple[pa.Table, list[Rejection]]:
    """Normalize ``text`` (see :func:`normalize_text`); refuse articles left empty."""
    return _on_table(_normalize_rows, table)


def _normalize_rows(rows: list[Row]) -> tuple[list[Row], list[Rejection]]:
    kept: list[Row] = []
    rejected: list[Rejection] = []
    for row in rows:
        row["text"] = normalize_text(row["text"])
        if row["text"]:
            kept.append(row)
        else:
            detail = f"{row['source']}: only whitespace and control characters; remove it"
            rejected.append(Rejection(row["source"], row["doc_id"], STAGE, "empty", detail))
    return kept, rejected


def extract_article_metadata(
    table: pa.Table, *, language: str | None = None, stance_target: str | None = None
) -> pa.Table:
    """Add the metadata columns: read from the text, overridden by JSONL metadata fields.

    A JSONL field replaces the text's value; the text's span is kept only when both agree.
    ``language`` and ``stance_target`` fill documents that do not state their own.
    """
    rows = _rows(table)
    _add_metadata(rows, language=language, stance_target=stance_target)
    return _table(rows)


def _add_metadata(rows: list[Row], *, language: str | None, stance_target: str | None) -> None:
    """Outlet and agency: canonical names, spans on the printed ones (see ``ingest.outlets``)."""
    from newsspan.dataset.ingest.outlets import source_columns

    for row in rows:
        given_json = row.pop("fields")
        fields: dict[str, Any] = json.loads(given_json) if given_json else {}
        found = extract_metadata(row["text"])
        values: dict[str, Any] = {
            name: getattr(found, name).value if getattr(found, name) else None for name in ("title", "dek", "dateline")
        } | source_columns(found)
        values["published"] = found.published.iso if found.published else None
        values["published_at"] = found.published.utc if found.published else None
        values["language"], values["stance_target"] = language, stance_target
        spans = found.spans()
        given = {name: fields.pop(name) for name in METADATA_FIELDS if fields.get(name) is not None}
        apply_given_metadata(values, given, fields)
        row.update(values)
        row["meta_spans"] = [
            {"field": name, "start": start, "end": end}
            for name, start, end in spans
            if name not in given or given[name] == row["text"][start:end]
        ]
        row["extra"] = json.dumps(fields, ensure_ascii=False, sort_keys=True) if fields else None


def apply_given_metadata(values: dict[str, Any], given: dict[str, Any], extra: dict[str, Any]) -> None:
    """Put metadata given with a text (JSONL fields, a task's data) into ``values``: ``published`` parsed
    into ``published_at``, outlet and agency canonical; a bad shape or an unparsed date stays in ``extra``."""
    from newsspan.dataset.ingest.outlets import canonical_outlet

    for name, value in given.items():
        if not isinstance(value, str):
            extra[name] = value
        elif name in ("outlet", "agency"):
            values[name] = canonical_outlet(value).name
        elif name == "language":
            given_language(values, value, extra)
        elif name == "published":
            parsed = parse_iso(value)
            if parsed is None:
                extra[name] = value  # kept, not guessed: the card reports unparsed dates
            else:
                values["published"], values["published_at"] = parsed
        else:
            values[name] = value


def reject_non_articles(table: pa.Table, *, min_body_words: int) -> tuple[pa.Table, list[Rejection]]:
    """Refuse texts with fewer than ``min_body_words`` words outside boilerplate lines."""
    return _on_table(lambda rows: _reject_rows(rows, min_body_words=min_body_words), table)


def _reject_rows(rows: list[Row], *, min_body_words: int) -> tuple[list[Row], list[Rejection]]:
    kept: list[Row] = []
    rejected: list[Rejection] = []
    for row in rows:
        if _has_body(row["text"], min_body_words):
            kept.append(row)
        else:
            rejected.append(_non_article(row, min_body_words))
    return kept, rejected


def _has_body(text: str, min_words: int) -> bool:
    """True once ``min_words`` words outside boilerplate lines are seen (stops early)."""
    body = 0
    for line in text.split("\n"):
        if classify_line(line) is None:
            body += word_count(line, at_most=min_words - body)
            if body >= min_words:
                return True
    return body >= min_words


def _non_article(row: Row, min_words: int) -> Rejection:
    body = boiler = 0
    rules: Counter[str] = Counter()
    for line in row["text"].split("\n"):
        rule = classify_line(line)
        if rule is None:
            body += word_count(line)
        else:
            boiler += word_count(line)
            rules[rule.name] += 1
    reason = "only_boilerplate" if boiler >= body and rules else "too_short"
    fired = ", ".join(f"{name} x{count}" for name, count in sorted(rules.items())) or "none"
    detail = (
        f"{row['source']}: {body} words outside boilerplate lines, minimum is {min_words} "
        f"(boilerplate rules fired: {fired}); if this is a real article, lower "
        "ingest.min_body_words in newsspan.toml"
    )
    return Rejection(row["source"], row["doc_id"], STAGE, reason, detail)


@dataclass
class IngestSummary:
    """What ingest read and what became of it. ``inputs == documents + quarantined`` always."""

    inputs: int = 0
    documents: int = 0
    quarantined: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    encodings: Counter[str] = field(default_factory=Counter)
    hidden_skipped: int = 0
    # per input file as read: {"name", "sha256", "bytes"} (the build manifest's `inputs`)
    files: list[dict[str, Any]] = field(default_factory=list)

    @property
    def reconciles(self) -> bool:
        return self.inputs == self.documents + self.quarantined

    def as_dict(self) -> dict[str, Any]:
        return {
            "inputs": self.inputs,
            "documents": self.documents,
            "quarantined": self.quarantined,
            "quarantine_reasons": dict(sorted(self.reasons.items())),
            "encodings": dict(sorted(self.encodings.items())),
            "hidden_files_skipped": self.hidden_skipped,
            "reconciles": self.reconciles,
        }


@dataclass(frozen=True, slots=True)
class IngestBatch:
    documents: pa.Table
    quarantine: pa.Table
    inputs: int


def ingest_batches(
    paths: Sequence[Path],
    *,
    options: IngestOptions,
    summary: IngestSummary,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[IngestBatch]:
    """Read ``paths`` and yield documents and quarantine rows batch by batch, updating ``summary``.

    ``progress(bytes_done, bytes_total)`` is called as input is consumed.
    """
    inputs = discover_inputs(paths)
    summary.hidden_skipped += inputs.hidden_skipped
    duplicates = DuplicateFilter()
    done = 0

    def consumed(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(min(done, inputs.total_bytes), inputs.total_bytes)

    consumed(0)
    pending: list[RawArticle | Rejection] = list(inputs.refused)  # what the walk found and did not read
    for item in read_articles(inputs.files, max_bytes=options.max_bytes, on_bytes=consumed, seen=summary.files):
        pending.append(item)
        if len(pending) >= options.batch_size:
            yield _run_batch(pending, options, duplicates, summary)
            pending = []
    if pending:
        yield _run_batch(pending, options, duplicates, summary)
    if progress is not None:
        progress(inputs.total_bytes, inputs.total_bytes)


def _run_batch(
    items: list[RawArticle | Rejection],
    options: IngestOptions,
    duplicates: DuplicateFilter,
    summary: IngestSummary,
) -> IngestBatch:
    rows = raw_rows([item for item in items if isinstance(item, RawArticle)])
    rejected = [item for item in items if isinstance(item, Rejection)]
    for step in row_steps(options, duplicates):
        if not rows:
            break
        rows, refused = step(rows)
        rejected.extend(refused)
    documents = pa.Table.from_pylist(rows, schema=DOCUMENTS.arrow_schema)
    summary.inputs += len(items)
    summary.documents += documents.num_rows
    summary.quarantined += len(rejected)
    summary.reasons.update(r.reason for r in rejected)
    summary.encodings.update(documents.column("encoding").to_pylist())
    return IngestBatch(documents, rejections_table(rejected), len(items))


def row_steps(options: IngestOptions, duplicates: DuplicateFilter | None) -> list[Step]:
    """Ingest's row-level steps in order; the last, the corpus-wide duplicate filter, only with
    ``duplicates`` (the Spark engine decides duplicates with a group-by over the whole corpus)."""

    def metadata(rows: list[Row]) -> tuple[list[Row], list[Rejection]]:
        _add_metadata(rows, language=options.language, stance_target=options.stance_target)
        return rows, []

    def located(rows: list[Row]) -> tuple[list[Row], list[Rejection]]:
        locate_rows(rows)
        return rows, []

    return [
        lambda rows: _decode_rows(rows, fallback_encoding=options.fallback_encoding),
        lambda rows: page_rows(rows, min_words=options.min_body_words),
        _normalize_rows,
        metadata,
        located,
        lambda rows: _reject_rows(rows, min_body_words=options.min_body_words),
        *([duplicates.rows] if duplicates is not None else []),
    ]
