"""Inter-annotator agreement on the human annotations: span F1 and Krippendorff's alpha.

For every document with two or more human (not cancelled) annotations, and every pair of those
annotations by different annotators:

* **span F1** per layer and label: ``2 * matches / (spans_a + spans_b)``, where an *exact*
  match has the same label, start and end, and a *partial* match is a one-to-one pairing of
  overlapping spans with the same label (largest overlaps paired first). The figures are summed
  over documents per annotator pair, and over pairs for the overall row (``*``).
* **Krippendorff's alpha** (nominal, from the ``krippendorff`` package) for document stance
  (units: documents) and quote stance (units: QUOTE spans that the annotators marked with the
  same offsets), per annotator pair and over all annotators. Undefined (too few units, or a
  single value in the data) is reported as null with the reason.

Every report counts the compared spans by provenance (made by hand, accepted from a prediction
unchanged, a prediction changed): two annotators who accepted the same prediction agree because
the model proposed it, and ``exclude_accepted`` leaves those spans out of the span figures.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from newsspan.dataset.layout import ALL
from newsspan.dataset.schema import LAYERS, STANCE_VALUES

__all__ = ["AGREEMENT_SCHEMA", "AgreementReport", "compute_agreement", "krippendorff_alpha", "span_matches"]

AGREEMENT_SCHEMA = pa.schema(
    [
        ("annotator_a", pa.string()),
        ("annotator_b", pa.string()),
        ("layer", pa.string()),
        ("label", pa.string()),
        ("documents", pa.int32()),
        ("spans_a", pa.int32()),
        ("spans_b", pa.int32()),
        ("exact", pa.int32()),
        ("partial", pa.int32()),
        ("f1_exact", pa.float64()),
        ("f1_partial", pa.float64()),
    ]
)
Span = tuple[int, int]


def span_matches(a: list[Span], b: list[Span]) -> tuple[int, int]:
    """(exact, partial) one-to-one matches between two lists of same-label spans."""
    exact = len(set(a) & set(b))
    pairs = sorted(
        ((min(x[1], y[1]) - max(x[0], y[0]), i, j) for i, x in enumerate(a) for j, y in enumerate(b)),
        reverse=True,
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    for overlap, i, j in pairs:
        if overlap > 0 and i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
    return exact, len(used_a)


def krippendorff_alpha(units: dict[Any, dict[str, str]], coders: list[str]) -> tuple[float | None, str | None]:
    """Nominal alpha over ``units`` (unit -> coder -> value); (None, reason) when undefined."""
    import numpy as np

    pairable = {u: v for u, v in units.items() if sum(c in v for c in coders) >= 2}
    values = {value for unit in pairable.values() for c, value in unit.items() if c in coders}
    if not pairable:
        return None, "no unit was coded by two of these annotators"
    if len(values) < 2:
        return None, f"every pairable unit has the value {values.pop()}: alpha is undefined without variation"
    import krippendorff

    code: dict[str, float] = {value: float(i) for i, value in enumerate(STANCE_VALUES)}
    data = np.array([[code[unit[c]] if c in unit else np.nan for unit in pairable.values()] for c in coders])
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")), None


@dataclass
class _Counts:
    documents: set[str] = field(default_factory=set)
    spans_a: int = 0
    spans_b: int = 0
    exact: int = 0
    partial: int = 0

    def add(self, doc_id: str, a: list[Span], b: list[Span]) -> None:
        exact, partial = span_matches(a, b)
        self.documents.add(doc_id)
        self.spans_a += len(a)
        self.spans_b += len(b)
        self.exact += exact
        self.partial += partial

    def row(self, pair: tuple[str, str], layer: str, label: str) -> dict[str, Any]:
        total = self.spans_a + self.spans_b
        return {
            "annotator_a": pair[0],
            "annotator_b": pair[1],
            "layer": layer,
            "label": label,
            "documents": len(self.documents),
            "spans_a": self.spans_a,
            "spans_b": self.spans_b,
            "exact": self.exact,
            "partial": self.partial,
            "f1_exact": 2 * self.exact / total if total else None,
            "f1_partial": 2 * self.partial / total if total else None,
        }


@dataclass
class AgreementReport:
    table: pa.Table
    alpha: list[dict[str, Any]]
    documents: int
    annotators: list[str]
    provenance: dict[str, int] = field(default_factory=dict)  # human spans compared, by provenance
    excluded_accepted: bool = False  # spans accepted from a prediction unchanged were left out
    span_alpha: list[dict[str, Any]] = field(default_factory=list)  # token-wise alpha (span_alpha.token_alpha)
    unitizing_alpha: list[dict[str, Any]] = field(default_factory=list)  # α_U (unitizing_alpha.unitizing_alpha)


def compute_agreement(
    annotations: pa.Table,
    spans: pa.Table,
    stance: pa.Table,
    *,
    exclude_accepted: bool = False,
    texts: dict[str, str] | None = None,
) -> AgreementReport:
    """Agreement figures over the human, not cancelled annotations of documents coded twice or more;
    ``exclude_accepted`` leaves out spans accepted from a prediction unchanged (provenance
    ``prediction``), which agree because the model proposed them. With the documents' ``texts``,
    also the token-wise alpha (:mod:`newsspan.labeling.span_alpha`) and the unitizing alpha
    (:mod:`newsspan.labeling.unitizing_alpha`) per layer, label and pair."""
    usable = {
        a["annotation_id"]: a
        for a in annotations.to_pylist()
        if a["origin"] == "human" and not a["cancelled"] and a["annotator"]
    }
    by_doc: dict[str, list[str]] = defaultdict(list)
    for annotation_id, annotation in usable.items():
        by_doc[annotation["doc_id"]].append(annotation_id)
    shared = {doc: ids for doc, ids in by_doc.items() if len({usable[i]["annotator"] for i in ids}) >= 2}
    regions: dict[str, dict[tuple[str, str], list[Span]]] = defaultdict(lambda: defaultdict(list))
    provenance: dict[str, int] = defaultdict(int)
    coded_spans: dict[str, list[tuple[str, str, int, int]]] = defaultdict(list)
    compared = {i for ids in shared.values() for i in ids}
    for span in spans.to_pylist():
        if span["annotation_id"] in compared:
            made = span.get("provenance") or "unknown"
            provenance[made] += 1
            if exclude_accepted and made == "prediction":
                continue
            regions[span["annotation_id"]][(span["layer"], span["label"])].append((span["start"], span["end"]))
            coded_spans[span["annotation_id"]].append((span["layer"], span["label"], span["start"], span["end"]))
    counts: dict[tuple[tuple[str, str], str, str], _Counts] = defaultdict(_Counts)
    for doc_id, ids in shared.items():
        for first, second in itertools.combinations(sorted(ids, key=lambda i: usable[i]["annotator"]), 2):
            pair = (usable[first]["annotator"], usable[second]["annotator"])
            if pair[0] == pair[1]:
                continue
            for layer in LAYERS:
                for label in layer.label_names:
                    a, b = regions[first][(layer.name, label)], regions[second][(layer.name, label)]
                    for key in (
                        (pair, layer.name, label),
                        (pair, layer.name, ALL),
                        ((ALL, ALL), layer.name, label),
                        ((ALL, ALL), layer.name, ALL),
                    ):
                        counts[key].add(doc_id, a, b)
    rows = [c.row(*key) for key, c in sorted(counts.items()) if c.spans_a + c.spans_b]
    annotators = sorted({usable[i]["annotator"] for ids in shared.values() for i in ids})
    alpha = _stance_alpha(usable, shared, spans, stance, annotators)
    table = pa.Table.from_pylist(rows, schema=AGREEMENT_SCHEMA)
    coded = {} if texts is None else _coded(texts, usable, shared, coded_spans)
    span_alpha, unitizing = ([], []) if texts is None else _span_alphas(texts, coded)
    provenance_counts = dict(sorted(provenance.items()))
    return AgreementReport(
        table, alpha, len(shared), annotators, provenance_counts, exclude_accepted, span_alpha, unitizing
    )


Coded = dict[str, dict[str, list[tuple[str, str, int, int]]]]  # document -> annotator -> spans


def _coded(
    texts: dict[str, str],
    usable: dict[str, dict[str, Any]],
    shared: dict[str, list[str]],
    coded_spans: dict[str, list[tuple[str, str, int, int]]],
) -> Coded:
    coded: Coded = defaultdict(dict)
    for doc_id, ids in shared.items():
        if doc_id in texts:
            for annotation_id in sorted(ids):  # an annotator's first annotation of the document
                coded[doc_id].setdefault(usable[annotation_id]["annotator"], coded_spans[annotation_id])
    return coded


def _span_alphas(texts: dict[str, str], coded: Coded) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    from newsspan.labeling.span_alpha import token_alpha
    from newsspan.labeling.unitizing_alpha import unitizing_alpha

    return token_alpha(texts, coded), unitizing_alpha(texts, coded)


def _stance_alpha(
    usable: dict[str, dict[str, Any]],
    shared: dict[str, list[str]],
    spans: pa.Table,
    stance: pa.Table,
    annotators: list[str],
) -> list[dict[str, Any]]:
    quote_at = {(s["annotation_id"], s["region_id"]): (s["doc_id"], s["start"], s["end"]) for s in spans.to_pylist()}
    units: dict[str, dict[Any, dict[str, str]]] = {"document": defaultdict(dict), "quote": defaultdict(dict)}
    for row in stance.to_pylist():
        annotation = usable.get(row["annotation_id"])
        if annotation is None or annotation["doc_id"] not in shared:
            continue
        if row["scope"] == "document":
            units["document"][row["doc_id"]][annotation["annotator"]] = row["value"]
        elif (row["annotation_id"], row["region_id"]) in quote_at:
            units["quote"][quote_at[(row["annotation_id"], row["region_id"])]][annotation["annotator"]] = row["value"]
    results = []
    for scope, scope_units in units.items():
        groups = [list(p) for p in itertools.combinations(annotators, 2)] + (
            [annotators] if len(annotators) > 2 else []
        )
        for coders in groups:
            value, reason = krippendorff_alpha(scope_units, coders)
            pairable = sum(1 for unit in scope_units.values() if sum(c in unit for c in coders) >= 2)
            results.append({"scope": scope, "annotators": coders, "units": pairable, "alpha": value, "note": reason})
    return results
