"""Inter-annotator agreement on the human annotations: span F1 and Krippendorff's alpha.

For every document with two or more human (not cancelled) annotations, and every pair of those
annotations by different annotators:

* **span F1** per layer and label: ``2 * matches / (spans_a + spans_b)``, where an *exact*
  match has the same label, start and end, and a *partial* match is a one-to-one pairing of
  overlapping spans with the same label (largest overlaps paired first). The figures are summed
  over documents per annotator pair, and over pairs for the overall row (``*``).
* **Krippendorff's alpha** (nominal, :mod:`newsspan.labeling.alpha_nominal`, the ``krippendorff``
  package's figure) for document stance (units: documents) and quote stance (units: QUOTE spans
  that the annotators marked with the same offsets), per annotator pair and over all annotators.
  Undefined (too few units, or a single value in the data) is reported as null with the reason.

Every figure is a sum over documents (match counts, coincidences, α_U's sums), so
:class:`Agreement` takes the corpus a part of documents at a time, in memory that follows the
part (the agreement stage splits the tables by document); :func:`compute_agreement` is one part.

Every report counts the compared spans by provenance (made by hand, accepted from a prediction
unchanged, a prediction changed): two annotators who accepted the same prediction agree because
the model proposed it, and ``exclude_accepted`` leaves those spans out of the span figures.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from newsspan.dataset.layout import ALL
from newsspan.dataset.schema import LAYERS, STANCE_VALUES
from newsspan.labeling.agreement_stance import EVERYONE, StanceAlpha, alpha_with_reason
from newsspan.labeling.alpha_nominal import Coincidences
from newsspan.labeling.span_alpha import TokenAlpha
from newsspan.labeling.unitizing_alpha import UnitizingAlpha

__all__ = [
    "AGREEMENT_SCHEMA",
    "Agreement",
    "AgreementReport",
    "compute_agreement",
    "krippendorff_alpha",
    "span_matches",
]

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
    if not a or not b:
        return 0, 0
    exact = len(set(a) & set(b))
    used_a: set[int] = set()
    used_b: set[int] = set()
    for _, i, j in sorted(_overlaps(a, b), reverse=True):  # largest overlaps first
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
    return exact, len(used_a)


def _overlaps(a: list[Span], b: list[Span]) -> list[tuple[int, int, int]]:
    """(overlap, i, j) of every overlapping pair of ``a[i]`` and ``b[j]``; numpy for long lists."""
    if len(a) * len(b) <= 64:
        pairs = ((min(x[1], y[1]) - max(x[0], y[0]), i, j) for i, x in enumerate(a) for j, y in enumerate(b))
        return [pair for pair in pairs if pair[0] > 0]
    import numpy as np

    first, second = np.array(a).reshape(-1, 2), np.array(b).reshape(-1, 2)
    overlap = np.minimum(first[:, 1, None], second[None, :, 1]) - np.maximum(first[:, 0, None], second[None, :, 0])
    i, j = np.nonzero(overlap > 0)
    return list(zip(overlap[i, j].tolist(), i.tolist(), j.tolist(), strict=True))


def krippendorff_alpha(units: dict[Any, dict[str, str]], coders: list[str]) -> tuple[float | None, str | None]:
    """Nominal alpha over ``units`` (unit -> coder -> stance value) for ``coders`` together;
    (None, reason) when undefined."""
    tally = StanceAlpha()
    tally.add_units("document", {u: {c: v for c, v in unit.items() if c in coders} for u, unit in units.items()})
    return alpha_with_reason(tally.tallies.get(("document", EVERYONE)) or Coincidences(len(STANCE_VALUES)))


@dataclass
class _Counts:
    documents: int = 0
    last: str | None = None  # the document added last: a document's pairs are added together
    spans_a: int = 0
    spans_b: int = 0
    exact: int = 0
    partial: int = 0

    def add(self, doc_id: str, spans: tuple[int, int], matches: tuple[int, int]) -> None:
        """Add one document's (spans of A, spans of B) and (exact, partial) matches."""
        self.documents += doc_id != self.last
        self.last = doc_id
        self.spans_a += spans[0]
        self.spans_b += spans[1]
        self.exact += matches[0]
        self.partial += matches[1]

    def row(self, pair: tuple[str, str], layer: str, label: str) -> dict[str, Any]:
        total = self.spans_a + self.spans_b
        return {
            "annotator_a": pair[0],
            "annotator_b": pair[1],
            "layer": layer,
            "label": label,
            "documents": self.documents,
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
    (:mod:`newsspan.labeling.unitizing_alpha`) per layer, label and pair. The tables in one
    batch: :class:`Agreement` takes a corpus a part at a time."""
    agreement = Agreement(exclude_accepted=exclude_accepted, span_alphas=texts is not None)
    agreement.add(annotations, spans, stance, texts or {})
    return agreement.report()


class Agreement:
    """The agreement figures summed over parts of the corpus: :meth:`add` the tables of each part
    (every row of a document in the same part, parts in doc_id order), then :meth:`report`. Span
    counts, coincidences and α_U's sums are additive over documents, so memory follows the part."""

    def __init__(self, *, exclude_accepted: bool = False, span_alphas: bool = True) -> None:
        self.exclude_accepted = exclude_accepted
        self.documents = 0
        self.annotators: set[str] = set()
        self.provenance: Counter[str] = Counter()
        self.counts: dict[tuple[tuple[str, str], str, str], _Counts] = defaultdict(_Counts)
        self.stance = StanceAlpha()
        self.tokens: TokenAlpha | None = TokenAlpha() if span_alphas else None  # with the texts only
        self.unitizing: UnitizingAlpha | None = UnitizingAlpha() if span_alphas else None

    def add(self, annotations: pa.Table, spans: pa.Table, stance: pa.Table, texts: dict[str, str]) -> None:
        """Add one part: its documents' annotations, spans, stance rows and texts."""
        usable = {
            a["annotation_id"]: a
            for a in annotations.select(["annotation_id", "doc_id", "annotator", "origin", "cancelled"]).to_pylist()
            if a["origin"] == "human" and not a["cancelled"] and a["annotator"]
        }
        by_doc: dict[str, list[str]] = defaultdict(list)
        for annotation_id, annotation in usable.items():
            by_doc[annotation["doc_id"]].append(annotation_id)
        shared = {doc: ids for doc, ids in by_doc.items() if len({usable[i]["annotator"] for i in ids}) >= 2}
        self.documents += len(shared)
        self.annotators.update(usable[i]["annotator"] for ids in shared.values() for i in ids)
        coded_spans = self._add_spans(usable, shared, spans)
        self.stance.add(usable, set(shared), spans, stance)
        if self.tokens is not None and self.unitizing is not None:
            coded = _coded(texts, usable, shared, coded_spans)
            self.tokens.add(texts, coded)
            self.unitizing.add(texts, coded)

    def _add_spans(
        self, usable: dict[str, dict[str, Any]], shared: dict[str, list[str]], spans: pa.Table
    ) -> dict[str, list[tuple[str, str, int, int]]]:
        """Count the span matches of every pair of the shared documents; each compared annotation's
        spans as (layer, label, start, end)."""
        regions: dict[str, dict[tuple[str, str], list[Span]]] = defaultdict(lambda: defaultdict(list))
        coded_spans: dict[str, list[tuple[str, str, int, int]]] = defaultdict(list)
        compared = {i for ids in shared.values() for i in ids}
        for annotation_id, layer, label, start, end, given in _span_rows(spans):
            if annotation_id in compared:
                made = given or "unknown"
                self.provenance[made] += 1
                if self.exclude_accepted and made == "prediction":
                    continue
                regions[annotation_id][(layer, label)].append((start, end))
                coded_spans[annotation_id].append((layer, label, start, end))
        for doc_id, ids in shared.items():
            for first, second in itertools.combinations(sorted(ids, key=lambda i: usable[i]["annotator"]), 2):
                pair = (usable[first]["annotator"], usable[second]["annotator"])
                if pair[0] != pair[1]:
                    self._add_pair(doc_id, pair, regions[first], regions[second])
        return coded_spans

    def _add_pair(
        self,
        doc_id: str,
        pair: tuple[str, str],
        first: dict[tuple[str, str], list[Span]],
        second: dict[tuple[str, str], list[Span]],
    ) -> None:
        for layer in LAYERS:
            for label in layer.label_names:
                a, b = first[(layer.name, label)], second[(layer.name, label)]
                spans, matches = (len(a), len(b)), span_matches(a, b)
                for key in (
                    (pair, layer.name, label),
                    (pair, layer.name, ALL),
                    ((ALL, ALL), layer.name, label),
                    ((ALL, ALL), layer.name, ALL),
                ):
                    self.counts[key].add(doc_id, spans, matches)

    def report(self) -> AgreementReport:
        """The figures over every part added."""
        rows = [c.row(*key) for key, c in sorted(self.counts.items()) if c.spans_a + c.spans_b]
        annotators = sorted(self.annotators)
        return AgreementReport(
            pa.Table.from_pylist(rows, schema=AGREEMENT_SCHEMA),
            self.stance.rows(annotators),
            self.documents,
            annotators,
            dict(sorted(self.provenance.items())),
            self.exclude_accepted,
            [] if self.tokens is None else self.tokens.rows(),
            [] if self.unitizing is None else self.unitizing.rows(),
        )


Coded = dict[str, dict[str, list[tuple[str, str, int, int]]]]  # document -> annotator -> spans
SPAN_ROWS = 20_000  # spans turned into Python values at a time: a part's spans as lists would double its memory


def _span_rows(spans: pa.Table) -> Iterator[tuple[str, str, str, int, int, str | None]]:
    """(annotation_id, layer, label, start, end, provenance) of each span, a slice at a time."""
    names = ("annotation_id", "layer", "label", "start", "end")
    shared: dict[str, str] = {}  # one string object per layer and label name, not one per span
    for first in range(0, len(spans), SPAN_ROWS):
        rows = spans.slice(first, SPAN_ROWS)
        columns = [rows[name].to_pylist() for name in names]
        columns[1:3] = [[shared.setdefault(name, name) for name in column] for column in columns[1:3]]
        provenance = rows["provenance"].to_pylist() if "provenance" in rows.column_names else [None] * len(rows)
        yield from zip(*columns, provenance, strict=True)


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
