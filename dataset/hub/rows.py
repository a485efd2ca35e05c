"""The rows of every dataset config, from the corpus tables (pure; no files).

The gold layer (``origin = gold``) is what the training configs carry; ``annotations`` carries
every human annotation, with annotators as stable pseudonyms (no e-mail addresses). Label
names are turned into ``ClassLabel`` ids with the config's own features, so the ids always
match the names in the README's ``dataset_info``.

Tokenization of the ``ner`` config: sentences are the quote rules' sentences
(:class:`~newsspan.dataset.heuristics.sentences.Sentences`: a period after a title, an initial, a
dotted acronym or inside a decimal ends none, so "Rep. A.B. Name" and "the U.S. Senate" stay in
one sentence), and line breaks end one; tokens are runs of word characters (keeping inner hyphens), a
clitic after an apostrophe ("’s", "n't" splits as "n" + "'t"), or single punctuation marks, with their
code-point offsets (:mod:`newsspan.dataset.hub.ner` makes them a batch of documents at a time).
Boilerplate lines are left out. An entity whose edges fall inside a token is counted in
``misaligned`` and tagged on the tokens it touches.

The ``annotations`` config is made from Arrow tables (:func:`annotation_table`): a human
annotation's spans are gathered by column, not as a dictionary per span.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from newsspan.dataset.hub.features import CONTENT, DOCUMENT_FIELDS
from newsspan.dataset.hub.ner import NerColumns
from newsspan.dataset.labels import Origin
from newsspan.dataset.schema import ANNOTATIONS, CUED_BY, QUOTE, REFERS_TO, SAID_BY, SPANS, Table

__all__ = [
    "ANNOTATION_COLUMNS",
    "SPAN_COLUMNS",
    "ConfigRows",
    "annotation_table",
    "config_rows",
    "gold_rows",
    "pseudonym",
]

_QUOTE_FIELDS = (
    *("text", "start", "end", "speaker", "speaker_start", "speaker_end"),
    *("speaker_antecedent", "speaker_antecedent_start", "speaker_antecedent_end", "cue", "stance"),
)
_ANNOTATION_SPAN_FIELDS = ("region_id", "layer", "start", "end", "text", "label", "provenance")

Row = dict[str, Any]


@dataclass
class ConfigRows:
    """A batch's configs: rows (label names) per config, or a table of the config's named schema."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    tables: dict[str, pa.Table] = field(default_factory=dict)
    misaligned: int = 0  # entities whose edges fall inside a token (ner)


@dataclass(frozen=True, slots=True)
class _Index:
    """The corpus tables grouped once, so every document's rows are looked up, not searched."""

    gold: dict[str, list[Row]]  # doc_id -> gold spans
    links: dict[tuple[str, str, str], str]  # (annotation_id, from_region_id, relation) -> to_region_id
    stances: dict[tuple[str, str, str | None], str]  # gold (annotation_id, scope, region_id) -> value
    document_stance: dict[str, str]  # doc_id -> gold document-scope stance
    annotations: dict[str, list[Row]]  # doc_id -> human annotations
    annotation_spans: dict[str, list[Row]]  # annotation_id -> its spans


def _group(rows: list[Row], key: str) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return grouped


def _index(
    spans: list[Row], relations: list[Row], stance: list[Row], annotations: list[Row], *, published: Origin = "gold"
) -> _Index:
    """The tables grouped; ``published`` is the origin of the layer the configs carry."""
    gold_stance = [s for s in stance if s["origin"] == published]
    return _Index(
        gold=_group([s for s in spans if s["origin"] == published], "doc_id"),
        links={(r["annotation_id"], r["from_region_id"], r["relation"]): r["to_region_id"] for r in relations},
        stances={(s["annotation_id"], s["scope"], s["region_id"]): s["value"] for s in gold_stance},
        document_stance={s["doc_id"]: s["value"] for s in gold_stance if s["scope"] == "document"},
        annotations=_group([a for a in annotations if a["origin"] == "human"], "doc_id"),
        annotation_spans=_group([s for s in spans if s["origin"] == "human"], "annotation_id"),
    )


def config_rows(
    documents: list[dict[str, Any]],
    spans: list[dict[str, Any]],
    relations: list[dict[str, Any]],
    stance: list[dict[str, Any]],
    annotations: list[dict[str, Any]],
    stories: dict[str, str],
) -> ConfigRows:
    """Rows (label names, not ids) of every config, per document in ``documents`` order."""
    out = gold_rows(documents, spans, relations, stance, stories)
    out.rows["ner"] = out.tables.pop("ner").to_pylist()
    doc_ids = pa.array([document["doc_id"] for document in documents], type=pa.string())
    human = annotation_table(
        doc_ids, _table(annotations, ANNOTATIONS, ANNOTATION_COLUMNS), _table(spans, SPANS, SPAN_COLUMNS)
    )
    out.rows["annotations"] = human.to_pylist()
    return out


def gold_rows(
    documents: list[dict[str, Any]],
    spans: list[dict[str, Any]],
    relations: list[dict[str, Any]],
    stance: list[dict[str, Any]],
    stories: Mapping[str, str],
    *,
    published: Origin = "gold",
) -> ConfigRows:
    """The configs made from the published layer (the gold layer; the predictions of a
    predictions-only build), per document in ``documents`` order: documents, quotes and
    boilerplate as rows, ner as a table (``tables["ner"]``)."""
    index = _index(spans, relations, stance, [], published=published)
    out, ner = ConfigRows(), NerColumns()
    for document in documents:
        doc_id = document["doc_id"]
        try:
            regions = index.gold.get(doc_id, [])
            quotes = _quotes(regions, index.links, index.stances)
            boiler = [r for r in regions if r["layer"] == "boilerplate"]
            story, stance_value = stories[doc_id], index.document_stance.get(doc_id)
            out.rows["documents"].append(_document_row(document, regions, quotes, boiler, story, stance_value))
            out.rows["quotes"].extend(_quote_rows(document, quotes))
            out.rows["boilerplate"].extend(_lines(document, boiler))
            ner.add(doc_id, document["text"], [r for r in regions if r["layer"] == "entity"], boiler)
        except Exception as exc:
            exc.add_note(f"while making the dataset rows of document {doc_id!r}")
            raise
    out.tables["ner"] = ner.table()
    out.misaligned = ner.misaligned
    return out


# the columns the annotations config reads, with the corpus tables' types
SPAN_COLUMNS = (
    *("doc_id", "annotation_id", "origin", "region_id", "layer"),
    *("label", "start", "end", "text", "provenance"),
)
ANNOTATION_COLUMNS = ("doc_id", "annotation_id", "annotator", "origin", "lead_time", "prediction_model")


def _table(rows: list[dict[str, Any]], table: Table, columns: tuple[str, ...]) -> pa.Table:
    """``rows`` as an Arrow table of ``columns``, with ``table``'s types."""
    schema = table.arrow_schema
    fields = [schema.field(name).with_nullable(True) for name in columns]  # rows may leave a key out
    return pa.Table.from_pylist(rows, schema=pa.schema(fields))


def annotation_table(doc_ids: pa.Array, annotations: pa.Table, spans: pa.Table) -> pa.Table:
    """The annotations config's rows (label names): the human annotations of the documents
    ``doc_ids``, in their order (a document's annotations in table order), each with the human
    spans of its annotation id in table order, annotators as :func:`pseudonym`."""
    position = pc.index_in(annotations["doc_id"], value_set=doc_ids)
    keep = pc.and_(pc.equal(annotations["origin"], "human"), pc.is_valid(position))
    chosen = annotations.filter(keep)
    chosen = chosen.take(pc.sort_indices(position.filter(keep)))  # stable: table order within a document
    human = spans.filter(pc.equal(spans["origin"], "human"))
    keys = pc.unique(human["annotation_id"])  # first appearance order
    group = pc.index_in(human["annotation_id"], value_set=keys).to_numpy(zero_copy_only=False)
    members = human.take(pa.array(np.argsort(group, kind="stable")))
    offsets = np.zeros(len(keys) + 2, dtype=np.int32)  # one list per key, then an empty one
    np.cumsum(np.bincount(group, minlength=len(keys)), out=offsets[1:-1])
    offsets[-1] = offsets[-2]
    fields = [members[name].combine_chunks() for name in _ANNOTATION_SPAN_FIELDS]
    lists = pa.ListArray.from_arrays(pa.array(offsets), pa.StructArray.from_arrays(fields, _ANNOTATION_SPAN_FIELDS))
    which = pc.fill_null(pc.index_in(chosen["annotation_id"], value_set=keys), len(keys))
    annotators = pc.unique(chosen["annotator"]).drop_null()
    names = pa.array([pseudonym(a) for a in annotators.to_pylist()], type=pa.string())
    return pa.table(
        {
            "doc_id": chosen["doc_id"],
            "annotation_id": chosen["annotation_id"],
            "annotator": names.take(pc.index_in(chosen["annotator"], value_set=annotators)),
            "lead_time": chosen["lead_time"],
            "prediction_model": chosen["prediction_model"],
            "spans": lists.take(which),
        }
    )


def _document_row(
    document: Row, regions: list[Row], quotes: list[Row], boiler: list[Row], story_id: str, stance: str | None
) -> Row:
    """The documents config's row: the table's metadata, the story, the gold layers and stance."""
    return {
        **{name: document.get(name) for name in DOCUMENT_FIELDS},
        "story_id": story_id,
        "entities": [_span(r) for r in regions if r["layer"] == "entity"],
        "quotes": quotes,
        "boilerplate": [_span(r) for r in boiler],
        "stance": stance,
    }


def _quote_rows(document: Row, quotes: list[Row]) -> list[Row]:
    """The quotes config's rows: a document's gold quotes, each with the sentence around it."""
    return [
        {
            "doc_id": document["doc_id"],
            "quote_id": quote["id"],
            "outlet": document.get("outlet"),
            "stance_target": document.get("stance_target"),
            "context": _sentence_around(document["text"], quote["start"]),
            **{name: quote[name] for name in _QUOTE_FIELDS},
        }
        for quote in quotes
    ]


def pseudonym(annotator: str | None) -> str | None:
    """A stable pseudonym for an annotator: published datasets carry no e-mail addresses."""
    if annotator is None:
        return None
    return "annotator-" + hashlib.sha256(annotator.encode("utf-8")).hexdigest()[:10]


def _span(region: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": region["region_id"],
        "start": region["start"],
        "end": region["end"],
        "text": region["text"],
        "label": region["label"],
    }


def _quotes(
    regions: list[dict[str, Any]],
    links: dict[tuple[str, str, str], str],
    stances: dict[tuple[str, str, str | None], str],
) -> list[dict[str, Any]]:
    by_id = {(r["annotation_id"], r["region_id"]): r for r in regions}
    quotes = []
    for region in (r for r in regions if r["label"] == QUOTE):
        key = region["annotation_id"]
        speaker = by_id.get((key, links.get((key, region["region_id"], SAID_BY), "")))
        cue = by_id.get((key, links.get((key, region["region_id"], CUED_BY), "")))
        named = speaker and by_id.get((key, links.get((key, speaker["region_id"], REFERS_TO), "")))
        quotes.append(
            {
                "id": region["region_id"],
                "start": region["start"],
                "end": region["end"],
                "text": region["text"],
                "speaker": speaker and speaker["text"],
                "speaker_start": speaker and speaker["start"],
                "speaker_end": speaker and speaker["end"],
                "speaker_antecedent": named and named["text"],  # who "he" is: the named mention
                "speaker_antecedent_start": named and named["start"],
                "speaker_antecedent_end": named and named["end"],
                "cue": cue and cue["text"],
                "cue_start": cue and cue["start"],
                "cue_end": cue and cue["end"],
                "stance": stances.get((key, "quote", region["region_id"])),
            }
        )
    return quotes


def _sentence_around(text: str, position: int) -> str:
    start = max(text.rfind("\n", 0, position), *(text.rfind(m, 0, position) for m in (". ", "! ", "? "))) + 1
    ends = [e for e in (text.find("\n", position), *(text.find(m, position) for m in (". ", "! ", "? "))) if e >= 0]
    return text[start : (min(ends) + 1 if ends else len(text))].strip()


def _visible(text: str) -> int:
    """Characters that are not whitespace (``str.split`` splits on exactly ``str.isspace``)."""
    return sum(map(len, text.split()))


def _lines(document: dict[str, Any], boiler: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows, start = [], 0
    text = document["text"]
    for number, line in enumerate(text.split("\n")):
        end = start + len(line)
        if line.strip():
            covering = [b for b in boiler if b["start"] < end and start < b["end"]]
            visible = _visible(line)
            label = CONTENT
            for b in covering:
                inside = _visible(text[max(start, b["start"]) : min(end, b["end"])])
                if inside * 2 >= visible:
                    label = b["label"]
            rows.append(
                {
                    "doc_id": document["doc_id"],
                    "line": number,
                    "start": start,
                    "end": end,
                    "text": line,
                    "label": label,
                    "outlet": document.get("outlet"),
                }
            )
        start = end + 1
    return rows


def _ner(
    rows: list[dict[str, Any]], document: dict[str, Any], regions: list[dict[str, Any]], boiler: list[dict[str, Any]]
) -> int:
    """Append one document's ner rows to ``rows``; returns its misaligned entities."""
    ner = NerColumns()
    ner.add(document["doc_id"], document["text"], [r for r in regions if r["layer"] == "entity"], boiler)
    rows.extend(ner.table().to_pylist())
    return ner.misaligned
