"""Adjudication: the gold layer (``origin = gold``) from the human annotations.

Per document, over its human, not cancelled annotations (``n`` of them):

* one annotation passes through whole;
* ``majority``: a span (layer, label, start, end) is gold when more than ``n / 2`` annotations
  marked it; ``threshold``: when at least ``threshold × n`` did;
* ``prefer``: a reviewer's annotation (a named reviewer, or Label Studio's ground-truth flag)
  is the gold layer of its document; documents without one fall back to ``majority``.

Whatever the strategy, a document adjudicated in the review project (``label review``: an
annotation of origin ``review``, the latest if several) takes that adjudication as its gold
layer, every row of it with provenance ``adjudicated``.

Relations are gold when both ends are gold spans and the same rule holds for the relation;
document stance and quote stance (on gold QUOTE spans) by the same rule over the annotations
that gave one. Every gold span lists the annotations that support it. Whatever did not become
gold is listed as a conflict for review (label or boundary disagreement, minority span, stance
disagreement), never dropped silently.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from newsspan.dataset.config import GoldOptions
from newsspan.dataset.schema import ADJUDICATED, QUOTE

__all__ = ["CONFLICTS_SCHEMA", "GoldResult", "adjudicate", "gold_provenance"]

GOLD = "gold"
CONFLICTS_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("kind", pa.string()),  # span, relation, document_stance, quote_stance
        ("reason", pa.string()),
        ("layer", pa.string()),
        ("label", pa.string()),
        ("start", pa.int32()),
        ("end", pa.int32()),
        ("value", pa.string()),
        ("support", pa.list_(pa.string())),
        ("annotations", pa.int32()),
    ]
)
SpanKey = tuple[str, str, int, int]  # layer, label, start, end


@dataclass
class GoldResult:
    annotations: list[dict[str, Any]] = field(default_factory=list)
    spans: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    stance: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    documents: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)  # how each document was decided


@dataclass
class _Doc:
    annotations: list[dict[str, Any]] = field(default_factory=list)  # human, not cancelled
    reviews: list[dict[str, Any]] = field(default_factory=list)  # adjudications from the review project
    spans: dict[str, dict[SpanKey, str]] = field(default_factory=lambda: defaultdict(dict))  # ann -> key -> region
    relations: dict[str, set[tuple[str, SpanKey, SpanKey]]] = field(default_factory=lambda: defaultdict(set))
    doc_stance: dict[str, str] = field(default_factory=dict)
    quote_stance: dict[str, dict[SpanKey, str]] = field(default_factory=lambda: defaultdict(dict))
    texts: dict[SpanKey, str] = field(default_factory=dict)
    provenance: dict[tuple[str, SpanKey], str | None] = field(default_factory=dict)  # (ann, key) -> provenance
    target: str | None = None


def adjudicate(
    annotations: pa.Table, spans: pa.Table, relations: pa.Table, stance: pa.Table, *, options: GoldOptions
) -> GoldResult:
    """The gold layer and the conflicts; see the module docstring."""
    docs = _collect(annotations, spans, relations, stance)
    result = GoldResult()
    for doc_id in sorted(docs):
        doc = docs[doc_id]
        if not doc.annotations and not doc.reviews:
            continue
        result.documents += 1
        reviewer = _reviewer(doc, options) if options.strategy == "prefer" else None
        if doc.reviews:
            review = max(doc.reviews, key=lambda a: (str(a["updated_at"] or ""), a["annotation_id"]))
            result.by_rule["review project"] += 1
            _emit(result, doc_id, doc, [review["annotation_id"]], need=1, adjudicated=True)
        elif len(doc.annotations) == 1 or reviewer is not None:
            chosen = reviewer or doc.annotations[0]
            result.by_rule["single annotation" if reviewer is None else "reviewer"] += 1
            _emit(result, doc_id, doc, [chosen["annotation_id"]], need=1)
        else:
            share = options.threshold if options.strategy == "threshold" else None
            n = len(doc.annotations)
            need = max(1, -(-share * n // 1)) if share is not None else n // 2 + 1
            result.by_rule[f"{options.strategy if share else 'majority'} ({int(need)} of {n})"] += 1
            _emit(result, doc_id, doc, [a["annotation_id"] for a in doc.annotations], need=int(need))
    return result


def _collect(annotations: pa.Table, spans: pa.Table, relations: pa.Table, stance: pa.Table) -> dict[str, _Doc]:
    docs: dict[str, _Doc] = defaultdict(_Doc)
    usable = {}
    for row in annotations.to_pylist():
        if row["origin"] in ("human", "review") and not row["cancelled"]:
            usable[row["annotation_id"]] = row
            doc = docs[row["doc_id"]]
            (doc.annotations if row["origin"] == "human" else doc.reviews).append(row)
    keys: dict[tuple[str, str], SpanKey] = {}
    span_columns = ("doc_id", "annotation_id", "region_id", "layer", "label", "start", "end", "text", "provenance")
    for doc_id, annotation, region, layer, label, start, end, text, made in _columns(spans, span_columns):
        if annotation in usable:
            key = (layer, label, start, end)
            doc = docs[doc_id]
            doc.spans[annotation][key] = region
            doc.texts[key] = text
            doc.provenance[(annotation, key)] = made
            keys[(annotation, region)] = key
    relation_columns = ("doc_id", "annotation_id", "relation", "from_region_id", "to_region_id")
    for doc_id, annotation, kind, source, target in _columns(relations, relation_columns):
        ends = (keys.get((annotation, source)), keys.get((annotation, target)))
        if annotation in usable and ends[0] and ends[1]:
            docs[doc_id].relations[annotation].add((kind, ends[0], ends[1]))
    stance_columns = ("doc_id", "annotation_id", "scope", "region_id", "target", "value")
    for doc_id, annotation, scope, region, target, value in _columns(stance, stance_columns):
        if annotation not in usable:
            continue
        doc = docs[doc_id]
        doc.target = doc.target or target
        if scope == "document":
            doc.doc_stance[annotation] = value
        elif (annotation, region) in keys:
            doc.quote_stance[annotation][keys[(annotation, region)]] = value
    return docs


def _columns(table: pa.Table, names: tuple[str, ...]) -> Any:
    """The rows of ``table`` as tuples of ``names`` (a missing column reads as nulls): column
    lists zipped, several times faster than a dict per row."""
    return zip(
        *(table[n].to_pylist() if n in table.column_names else [None] * table.num_rows for n in names), strict=True
    )


def _reviewer(doc: _Doc, options: GoldOptions) -> dict[str, Any] | None:
    picks = [a for a in doc.annotations if a["annotator"] in options.reviewers or a["ground_truth"]]
    return (
        max(picks, key=lambda a: (a["annotator"] in options.reviewers, str(a["updated_at"] or ""))) if picks else None
    )


def _region(doc_id: str, key: SpanKey) -> str:
    """A gold span's region id: stable across runs, from the document and the span's key."""
    layer, label, start, end = key  # the text is str(key), written out (several times faster)
    return "g" + hashlib.sha1(f"{doc_id}|({layer!r}, {label!r}, {start!r}, {end!r})".encode()).hexdigest()[:9]


def _emit(
    result: GoldResult, doc_id: str, doc: _Doc, voters: list[str], *, need: int, adjudicated: bool = False
) -> None:
    base: dict[str, Any] = {"doc_id": doc_id, "annotation_id": f"{GOLD}:{doc_id}", "annotator": GOLD, "origin": GOLD}
    result.annotations.append(base | {"task_id": None, "cancelled": False, "ground_truth": False})
    decided = {"provenance": ADJUDICATED if adjudicated else None}  # of relations and stance
    support: dict[SpanKey, list[str]] = defaultdict(list)
    for voter in voters:
        for key in doc.spans.get(voter, {}):
            support[key].append(voter)
    gold = {key for key, who in support.items() if len(who) >= need}
    for key in sorted(gold, key=lambda k: (k[2], k[3], k[0], k[1])):
        layer, label, start, end = key
        result.spans.append(
            base
            | {
                "region_id": _region(doc_id, key),
                "layer": layer,
                "label": label,
                "start": start,
                "end": end,
                "text": doc.texts[key],
                "support": sorted(support[key]),
                "provenance": ADJUDICATED
                if adjudicated
                else gold_provenance([doc.provenance.get((who, key)) for who in support[key]]),
            }
        )
    _span_conflicts(result, doc_id, support, gold, len(voters))
    votes: Counter[tuple[str, SpanKey, SpanKey]] = Counter(r for v in voters for r in doc.relations.get(v, set()))
    for (kind, a, b), count in sorted(votes.items()):
        if a in gold and b in gold and count >= need:
            ends = {"from_region_id": _region(doc_id, a), "to_region_id": _region(doc_id, b)}
            result.relations.append(base | decided | {"relation": kind} | ends)
        else:
            value = f"{kind} ({count} of {len(voters)})"
            result.conflicts.append(
                _conflict(doc_id, "relation", "relation not adjudicated", a, value=value, annotations=len(voters))
            )
    with_target = base | decided | {"target": doc.target}
    _stance(result, with_target, doc_id, {v: doc.doc_stance[v] for v in voters if v in doc.doc_stance}, None, need)
    for key in sorted(k for k in gold if k[1] == QUOTE):
        given = {v: doc.quote_stance[v][key] for v in voters if key in doc.quote_stance.get(v, {})}
        _stance(result, with_target, doc_id, given, key, need)


def gold_provenance(given: list[str | None]) -> str | None:
    """A gold span's provenance from its supporters': ``manual`` when one drew it by hand,
    ``prediction-changed`` when one changed a prediction into it, ``prediction`` when every one
    accepted it unchanged (no human touched it); null when the export said nothing."""
    for provenance in ("manual", "prediction-changed", "prediction"):
        if provenance in given:
            return provenance
    return None


def _span_conflicts(
    result: GoldResult, doc_id: str, support: dict[SpanKey, list[str]], gold: set[SpanKey], n: int
) -> None:
    for key, who in sorted(support.items()):
        if key in gold:
            continue
        same_place = [k for k in support if k[0] == key[0] and k[2:] == key[2:] and k[1] != key[1]]
        overlapping = [k for k in support if k != key and k[:2] == key[:2] and k[2] < key[3] and key[2] < k[3]]
        reason = "label disagreement" if same_place else "boundary disagreement" if overlapping else "minority span"
        result.conflicts.append(_conflict(doc_id, "span", reason, key, support=sorted(who), annotations=n))


def _stance(
    result: GoldResult, base: dict[str, Any], doc_id: str, given: dict[str, str], key: SpanKey | None, need: int
) -> None:
    if not given:
        return
    value, count = Counter(given.values()).most_common(1)[0]
    tied = sum(1 for c in Counter(given.values()).values() if c == count) > 1
    scope = "document" if key is None else "quote"
    if count >= min(need, len(given)) and not tied:
        result.stance.append(
            base | {"scope": scope, "region_id": None if key is None else _region(doc_id, key), "value": value}
        )
        return
    votes = ", ".join(f"{who}={v}" for who, v in sorted(given.items()))
    result.conflicts.append(
        _conflict(
            doc_id,
            f"{scope}_stance",
            "stance disagreement",
            key,
            value=votes,
            support=sorted(given),
            annotations=len(given),
        )
    )


def _conflict(
    doc_id: str,
    kind: str,
    reason: str,
    key: SpanKey | None,
    *,
    value: str | None = None,
    support: list[str] | None = None,
    annotations: int,
) -> dict[str, Any]:
    """One row of gold_conflicts.parquet; ``key`` is the span it is about (None: the document)."""
    layer, label, start, end = key if key is not None else (None, None, None, None)
    return {
        "doc_id": doc_id,
        "kind": kind,
        "reason": reason,
        "layer": layer,
        "label": label,
        "start": start,
        "end": end,
        "value": value,
        "support": support,
        "annotations": annotations,
    }
