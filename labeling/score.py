"""Scoring predictions against a gold standard.

* **Span precision, recall and F1** per layer and label, *exact* (same label and offsets) and
  *overlap* (overlapping spans of the same label, paired one to one).
* **Boilerplate line-level F1**: every non-blank line is boilerplate when at least half of its
  non-space characters lie in boilerplate spans; F1 of "boilerplate" over lines.
* **Speaker attribution**: for gold QUOTEs with a ``said_by`` speaker, the share whose
  overlapping predicted QUOTE has a ``said_by`` speaker overlapping the gold speaker
  (``speaker_accuracy`` over the gold quotes that were found; ``speaker_recall`` over all).

The gold side is the ``gold`` origin when present, else the first human annotation per document.

Every figure comes from counts that add up over documents (matches, gold and predicted spans per
layer and label; boilerplate lines; article characters; quotes with speakers), so a corpus can be
scored a part at a time: :class:`ScoreCounts` adds each part's counts and gives the figures of
the whole, equal to one run over all of it (a part holds every row of its documents).
"""

from __future__ import annotations

import functools
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from newsspan.dataset.layout import ALL
from newsspan.dataset.schema import LAYERS, QUOTE, SAID_BY, layer_of
from newsspan.labeling.agreement import span_matches

__all__ = [
    "SCORE_SCHEMA",
    "Assessment",
    "ScoreCounts",
    "assess_predictions",
    "boilerplate_line_f1",
    "gold_side",
    "quality_figures",
    "score_predictions",
    "speaker_attribution",
]

QUOTE_LAYER = layer_of(QUOTE)
SCORE_SCHEMA = pa.schema(
    [("layer", pa.string()), ("label", pa.string()), ("gold", pa.int32()), ("predicted", pa.int32())]
    + [
        (f"{kind}_{measure}", pa.float64())
        for kind in ("exact", "overlap")
        for measure in ("precision", "recall", "f1")
    ]
)
Region = tuple[int, int]
SpanTotals = dict[tuple[str, str], list[int]]  # (layer, label) -> [gold, predicted, exact, overlap]


def gold_side(spans: pa.Table) -> pa.Table:
    """The reference rows: origin gold if any, else the first human annotation of each document."""
    rows = spans.to_pylist()
    if any(r["origin"] == "gold" for r in rows):
        return pa.Table.from_pylist([r for r in rows if r["origin"] == "gold"], schema=spans.schema)
    first: dict[str, str] = {}
    for row in sorted((r for r in rows if r["origin"] == "human"), key=lambda r: r["annotation_id"]):
        first.setdefault(row["doc_id"], row["annotation_id"])
    return pa.Table.from_pylist([r for r in rows if first.get(r["doc_id"]) == r["annotation_id"]], schema=spans.schema)


def _by_label(rows: list[dict[str, Any]]) -> dict[tuple[str, str, str], list[Region]]:
    grouped: dict[tuple[str, str, str], list[Region]] = defaultdict(list)
    for row in rows:
        grouped[(row["doc_id"], row["layer"], row["label"])].append((row["start"], row["end"]))
    return grouped


def _prf(matches: int, gold: int, predicted: int) -> tuple[float | None, float | None, float | None]:
    precision = matches / predicted if predicted else None
    recall = matches / gold if gold else None
    f1 = 2 * matches / (gold + predicted) if gold + predicted else None
    return precision, recall, f1


def score_predictions(predicted: pa.Table, gold: pa.Table, *, documents: set[str] | None = None) -> pa.Table:
    """Per layer and label (and ``*`` per layer), over the documents of the gold side."""
    totals: SpanTotals = defaultdict(lambda: [0, 0, 0, 0])
    _count_spans(totals, predicted, gold, documents or set(gold.column("doc_id").to_pylist()))
    return _score_table(totals)


def _count_spans(totals: SpanTotals, predicted: pa.Table, gold: pa.Table, docs: set[str]) -> None:
    """Add the span counts of ``docs`` to ``totals``."""
    columns = ["doc_id", "layer", "label", "start", "end"]
    pred = _by_label([r for r in predicted.select(columns).to_pylist() if r["doc_id"] in docs])
    ref = _by_label([r for r in gold.select(columns).to_pylist() if r["doc_id"] in docs])
    for layer in LAYERS:
        for label in layer.label_names:
            for doc in docs:
                g, p = ref.get((doc, layer.name, label), []), pred.get((doc, layer.name, label), [])
                exact, overlap = span_matches(g, p)
                for key in ((layer.name, label), (layer.name, ALL)):
                    counts = totals[key]
                    counts[0] += len(g)
                    counts[1] += len(p)
                    counts[2] += exact
                    counts[3] += overlap


def _score_table(totals: SpanTotals) -> pa.Table:
    rows = []
    for (layer_name, label), (n_gold, n_pred, exact, overlap) in sorted(totals.items()):
        if n_gold or n_pred:
            e, o = _prf(exact, n_gold, n_pred), _prf(overlap, n_gold, n_pred)
            rows.append(
                {
                    "layer": layer_name,
                    "label": label,
                    "gold": n_gold,
                    "predicted": n_pred,
                    "exact_precision": e[0],
                    "exact_recall": e[1],
                    "exact_f1": e[2],
                    "overlap_precision": o[0],
                    "overlap_recall": o[1],
                    "overlap_f1": o[2],
                }
            )
    return pa.Table.from_pylist(rows, schema=SCORE_SCHEMA)


def boilerplate_line_f1(texts: dict[str, str], predicted: pa.Table, gold: pa.Table) -> float | None:
    """F1 of 'boilerplate' over the non-blank lines of the gold side's documents."""
    return _line_f1(_line_counts(texts, predicted, gold))


def _line_f1(counts: tuple[int, int, int]) -> float | None:
    tp, fp, fn = counts
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None


def _line_counts(texts: dict[str, str], predicted: pa.Table, gold: pa.Table) -> tuple[int, int, int]:
    """True positive, false positive and false negative boilerplate lines of the gold documents."""
    tp = fp = fn = 0
    pred = _boilerplate(predicted)
    ref = _boilerplate(gold)
    for doc_id in set(gold.column("doc_id").to_pylist()):
        codes = _code_points(texts[doc_id])
        breaks = np.flatnonzero(codes == ord("\n"))
        lines = (np.concatenate(([0], breaks + 1)), np.concatenate((breaks, [len(codes)])))
        visible = ~np.isin(codes, _space_codes())
        is_gold = _lines_covered(visible, lines, ref.get(doc_id, []))
        is_pred = _lines_covered(visible, lines, pred.get(doc_id, []))
        tp += int(np.sum(is_gold & is_pred))
        fp += int(np.sum(is_pred & ~is_gold))
        fn += int(np.sum(is_gold & ~is_pred))
    return tp, fp, fn


def _lines_covered(visible: Any, lines: tuple[Any, Any], regions: list[Region]) -> Any:
    """Per line (``lines``: start and end offsets), whether it has visible (non-space) code points
    and at least half of them lie in ``regions``."""
    inside = np.zeros(len(visible), dtype=bool)
    for start, end in regions:
        inside[max(start, 0) : max(min(end, len(visible)), 0)] = True
    starts, ends = lines
    counted, covered = (np.concatenate(([0], np.cumsum(v))) for v in (visible, visible & inside))
    shown = counted[ends] - counted[starts]
    return (shown > 0) & (2 * (covered[ends] - covered[starts]) >= shown)


def _code_points(text: str) -> Any:
    """The code points of ``text`` (lone surrogates included), one array element each."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


@functools.cache
def _space_codes() -> Any:
    """Every code point ``str.isspace`` calls whitespace (what ``str.strip`` removes)."""
    return np.array([c for c in range(sys.maxunicode + 1) if chr(c).isspace()], dtype=np.uint32)


ARTICLE_LOSS_FLAG = 0.2  # a document that lost more than a fifth of its article is flagged
Flag = tuple[float, str]  # (share of its article lost, doc_id)


def article_loss(texts: dict[str, str], predicted: pa.Table, gold: pa.Table) -> dict[str, Any]:
    """Article characters (non-space characters outside the gold side's boilerplate) that the
    predictions label boilerplate: their share over the gold documents, and the documents that
    lost more than :data:`ARTICLE_LOSS_FLAG` of their article, worst first."""
    return _article_figures(*_article_counts(texts, predicted, gold))


def _article_counts(texts: dict[str, str], predicted: pa.Table, gold: pa.Table) -> tuple[int, int, list[Flag]]:
    """Article characters lost and in all, and the flagged documents, of the gold documents."""
    pred, ref = _boilerplate(predicted), _boilerplate(gold)
    lost = total = 0
    flagged: list[Flag] = []
    for doc_id in sorted(set(gold.column("doc_id").to_pylist())):
        codes = _code_points(texts[doc_id])
        article = np.frombuffer(_mask(len(codes), ref.get(doc_id, []), invert=True), dtype=np.uint8)[: len(codes)]
        taken = np.frombuffer(_mask(len(codes), pred.get(doc_id, [])), dtype=np.uint8)[: len(codes)]
        visible = (article == 1) & ~np.isin(codes, _space_codes())
        shown, doc_lost = int(np.sum(visible)), int(np.sum(taken[visible]))
        lost, total = lost + doc_lost, total + shown
        if shown and doc_lost / shown > ARTICLE_LOSS_FLAG:
            flagged.append((round(doc_lost / shown, 4), doc_id))
    return lost, total, flagged


def _article_figures(lost: int, total: int, flagged: list[Flag]) -> dict[str, Any]:
    return {
        "article_chars": total,
        "article_chars_lost": lost,
        "article_share_lost": round(lost / total, 4) if total else None,
        "documents_over_flag": [{"doc_id": d, "share_lost": share} for share, d in sorted(flagged, reverse=True)],
    }


def _mask(length: int, regions: list[Region], *, invert: bool = False) -> bytearray:
    """1 for every code point inside ``regions`` (outside them with ``invert``)."""
    mask = bytearray(length)
    for start, end in regions:
        mask[start:end] = b"\x01" * (end - start)
    return mask.translate(bytes.maketrans(b"\x00\x01", b"\x01\x00")) if invert else mask


def _boilerplate(table: pa.Table) -> dict[str, list[Region]]:
    found: dict[str, list[Region]] = defaultdict(list)
    for row in table.select(["doc_id", "layer", "start", "end"]).to_pylist():
        if row["layer"] == "boilerplate":
            found[row["doc_id"]].append((row["start"], row["end"]))
    return found


def speaker_attribution(
    predicted: pa.Table, predicted_relations: pa.Table, gold: pa.Table, gold_relations: pa.Table
) -> dict[str, Any]:
    """How often a found quote is attributed to the right speaker mention."""
    return _speaker_figures(*_speaker_counts(predicted, predicted_relations, gold, gold_relations))


def _speaker_counts(
    predicted: pa.Table, predicted_relations: pa.Table, gold: pa.Table, gold_relations: pa.Table
) -> tuple[int, int, int]:
    """Gold quotes with a speaker, those found, and those found with the right speaker."""
    pred_speakers = _speakers(predicted, predicted_relations)
    gold_speakers = {
        doc: {quote: speaker for quote, speaker in quotes.items() if speaker is not None}
        for doc, quotes in _speakers(gold, gold_relations).items()
    }
    found = correct = 0
    for doc_id, quotes in gold_speakers.items():
        for quote, speaker in quotes.items():
            assert speaker is not None
            match = next((q for q in pred_speakers.get(doc_id, {}) if q[0] < quote[1] and quote[0] < q[1]), None)
            if match is None:
                continue
            found += 1
            predicted_speaker = pred_speakers[doc_id][match]
            correct += (
                predicted_speaker is not None
                and predicted_speaker[0] < speaker[1]
                and speaker[0] < predicted_speaker[1]
            )
    return sum(len(q) for q in gold_speakers.values()), found, correct


def _speaker_figures(total: int, found: int, correct: int) -> dict[str, Any]:
    return {
        "gold_quotes_with_speaker": total,
        "found": found,
        "correct": correct,
        "speaker_accuracy": correct / found if found else None,
        "speaker_recall": correct / total if total else None,
    }


def _speakers(spans: pa.Table, relations: pa.Table) -> dict[str, dict[Region, Region | None]]:
    columns = ["doc_id", "annotation_id", "region_id", "label", "start", "end"]
    regions = {(r["annotation_id"], r["region_id"]): r for r in spans.select(columns).to_pylist()}
    found: dict[str, dict[Region, Region | None]] = defaultdict(dict)
    for row in regions.values():
        if row["label"] == QUOTE:
            found[row["doc_id"]][(row["start"], row["end"])] = None
    for rel in relations.to_pylist():
        source = regions.get((rel["annotation_id"], rel["from_region_id"]))
        target = regions.get((rel["annotation_id"], rel["to_region_id"]))
        if rel["relation"] == SAID_BY and source is not None and target is not None:
            found[source["doc_id"]][(source["start"], source["end"])] = (target["start"], target["end"])
    return found


@dataclass(frozen=True, slots=True)
class Assessment:
    """Predictions scored against a reference, once: what ``label score`` and the build report."""

    table: pa.Table  # score_predictions' table: P/R/F1 per layer and label
    boilerplate_line_f1: float | None
    speakers: dict[str, Any]  # speaker_attribution's figures
    article_loss: dict[str, Any]  # article_loss's figures

    def layer_f1(self, measure: str) -> dict[str, float | None]:
        """``{layer: F1}`` over all labels of each layer, ``measure`` "exact" or "overlap"."""
        return {r["layer"]: r[f"{measure}_f1"] for r in self.table.to_pylist() if r["label"] == ALL}

    def figures(self) -> dict[str, float | None]:
        """The figures whose floors are pinned: boilerplate line F1, QUOTE overlap F1, speaker accuracy."""
        rows = self.table.to_pylist()
        quote = next((r for r in rows if (r["layer"], r["label"]) == (QUOTE_LAYER, QUOTE)), None)
        return {
            "boilerplate_line_f1": self.boilerplate_line_f1,
            "quote_f1_overlap": quote["overlap_f1"] if quote else None,
            "speaker_accuracy": self.speakers["speaker_accuracy"],
        }


def assess_predictions(
    texts: dict[str, str],
    predicted: pa.Table,
    predicted_relations: pa.Table,
    reference: pa.Table,
    reference_relations: pa.Table,
) -> Assessment:
    """Every figure of predictions against a reference (spans and relations of each side)."""
    counts = ScoreCounts()
    counts.add(texts, predicted, predicted_relations, reference, reference_relations)
    return counts.assessment()


@dataclass
class ScoreCounts:
    """The additive counts behind an :class:`Assessment`, summed over parts of a corpus.

    Each part must hold every row of its documents (spans and relations of both sides), and
    region ids are looked up within an annotation, so an annotation's rows stay in one part.
    """

    spans: SpanTotals = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0]))
    lines: list[int] = field(default_factory=lambda: [0, 0, 0])  # boilerplate lines: tp, fp, fn
    article: list[int] = field(default_factory=lambda: [0, 0])  # article characters: lost, in all
    flagged: list[Flag] = field(default_factory=list)
    speakers: list[int] = field(default_factory=lambda: [0, 0, 0])  # gold quotes with speaker, found, correct

    def add(
        self,
        texts: dict[str, str],
        predicted: pa.Table,
        predicted_relations: pa.Table,
        reference: pa.Table,
        reference_relations: pa.Table,
    ) -> None:
        """Add one part's counts (the documents of its reference side; ``texts`` has them all)."""
        _count_spans(self.spans, predicted, reference, set(reference.column("doc_id").to_pylist()))
        self.lines = [a + b for a, b in zip(self.lines, _line_counts(texts, predicted, reference), strict=True)]
        lost, total, flagged = _article_counts(texts, predicted, reference)
        self.article = [self.article[0] + lost, self.article[1] + total]
        self.flagged += flagged
        found = _speaker_counts(predicted, predicted_relations, reference, reference_relations)
        self.speakers = [a + b for a, b in zip(self.speakers, found, strict=True)]

    def assessment(self) -> Assessment:
        """The figures of everything added so far."""
        return Assessment(
            _score_table(self.spans),
            _line_f1((self.lines[0], self.lines[1], self.lines[2])),
            _speaker_figures(*self.speakers),
            _article_figures(self.article[0], self.article[1], self.flagged),
        )


def quality_figures(
    texts: dict[str, str],
    predicted: pa.Table,
    predicted_relations: pa.Table,
    gold: pa.Table,
    gold_relations: pa.Table,
) -> dict[str, float | None]:
    """The pinned figures (see :meth:`Assessment.figures`) of predictions against gold."""
    return assess_predictions(texts, predicted, predicted_relations, gold, gold_relations).figures()
