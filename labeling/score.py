"""Scoring predictions against a gold standard.

* **Span precision, recall and F1** per layer and label, *exact* (same label and offsets) and
  *overlap* (overlapping spans of the same label, paired one to one).
* **Boilerplate line-level F1**: every non-blank line is boilerplate when at least half of its
  non-space characters lie in boilerplate spans; F1 of "boilerplate" over lines.
* **Speaker attribution**: for gold QUOTEs with a ``said_by`` speaker, the share whose
  overlapping predicted QUOTE has a ``said_by`` speaker overlapping the gold speaker
  (``speaker_accuracy`` over the gold quotes that were found; ``speaker_recall`` over all).

The gold side is the ``gold`` origin when present, else the first human annotation per document.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from newsspan.dataset.layout import ALL
from newsspan.dataset.schema import LAYERS, QUOTE, SAID_BY, layer_of
from newsspan.labeling.agreement import span_matches

__all__ = [
    "SCORE_SCHEMA",
    "Assessment",
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
    docs = documents or set(gold.column("doc_id").to_pylist())
    pred = _by_label([r for r in predicted.to_pylist() if r["doc_id"] in docs])
    ref = _by_label([r for r in gold.to_pylist() if r["doc_id"] in docs])
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # gold, predicted, exact, overlap
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
    tp = fp = fn = 0
    pred = _boilerplate(predicted)
    ref = _boilerplate(gold)
    for doc_id in set(gold.column("doc_id").to_pylist()):
        text = texts[doc_id]
        start = 0
        for line in text.split("\n"):
            end = start + len(line)
            if line.strip():
                is_gold = _covered(text, start, end, ref.get(doc_id, []))
                is_pred = _covered(text, start, end, pred.get(doc_id, []))
                tp += is_gold and is_pred
                fp += is_pred and not is_gold
                fn += is_gold and not is_pred
            start = end + 1
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None


ARTICLE_LOSS_FLAG = 0.2  # a document that lost more than a fifth of its article is flagged


def article_loss(texts: dict[str, str], predicted: pa.Table, gold: pa.Table) -> dict[str, Any]:
    """Article characters (non-space characters outside the gold side's boilerplate) that the
    predictions label boilerplate: their share over the gold documents, and the documents that
    lost more than :data:`ARTICLE_LOSS_FLAG` of their article, worst first."""
    pred, ref = _boilerplate(predicted), _boilerplate(gold)
    lost = total = 0
    flagged: list[tuple[float, str]] = []
    for doc_id in sorted(set(gold.column("doc_id").to_pylist())):
        text = texts[doc_id]
        article = _mask(len(text), ref.get(doc_id, []), invert=True)
        taken = _mask(len(text), pred.get(doc_id, []))
        visible = [i for i, c in enumerate(text) if article[i] and not c.isspace()]
        doc_lost = sum(taken[i] for i in visible)
        lost, total = lost + doc_lost, total + len(visible)
        if visible and doc_lost / len(visible) > ARTICLE_LOSS_FLAG:
            flagged.append((round(doc_lost / len(visible), 4), doc_id))
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
    for row in table.to_pylist():
        if row["layer"] == "boilerplate":
            found[row["doc_id"]].append((row["start"], row["end"]))
    return found


def _covered(text: str, start: int, end: int, regions: list[Region]) -> bool:
    visible = [i for i in range(start, end) if not text[i].isspace()]
    inside = sum(1 for i in visible if any(s <= i < e for s, e in regions))
    return bool(visible) and inside * 2 >= len(visible)


def speaker_attribution(
    predicted: pa.Table, predicted_relations: pa.Table, gold: pa.Table, gold_relations: pa.Table
) -> dict[str, Any]:
    """How often a found quote is attributed to the right speaker mention."""
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
    total = sum(len(q) for q in gold_speakers.values())
    return {
        "gold_quotes_with_speaker": total,
        "found": found,
        "correct": correct,
        "speaker_accuracy": correct / found if found else None,
        "speaker_recall": correct / total if total else None,
    }


def _speakers(spans: pa.Table, relations: pa.Table) -> dict[str, dict[Region, Region | None]]:
    regions = {(r["annotation_id"], r["region_id"]): r for r in spans.to_pylist()}
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
    return Assessment(
        score_predictions(predicted, reference),
        boilerplate_line_f1(texts, predicted, reference),
        speaker_attribution(predicted, predicted_relations, reference, reference_relations),
        article_loss(texts, predicted, reference),
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
