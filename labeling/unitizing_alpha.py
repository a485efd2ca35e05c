"""Krippendorff's unitizing alpha (α_U) per layer, label and annotator group, over characters.

α_U (Krippendorff 1995, "On the reliability of unitizing continuous data"; 2004) compares how
annotators cut a continuum into units of a category and the gaps between them, without tokens:
two units of the category that overlap disagree by the squares of their boundary differences, a
unit inside the other annotator's gap by its length squared, everything else not at all; the
expected disagreement considers every way the same units and gaps could be placed. It is the
measure INCEpTION reports as "Krippendorff's alpha (unitizing)" (DKPro Agreement's
``KrippendorffAlphaUnitizingAgreement``, whose formulas this module follows; its published
example, Krippendorff 2004, is checked in tests/test_unitizing_alpha.py).

The continuum is the characters (code points) of the documents every annotator of the group
coded, one after another in doc_id order, so a unit never crosses documents. Per label, that
label's spans are the units and everything else (other labels included) is gap; per layer, the
labels' disagreements are summed (α = 1 − ΣD_o / ΣD_e, DKPro's joint agreement over the labels
present). Overlapping spans of one label by one annotator are merged first (their count is in
the row's note): α_U needs an annotator's units of a category to be disjoint.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from newsspan.dataset.layout import ALL
from newsspan.dataset.schema import LAYERS

__all__ = ["Segment", "category_disagreement", "unitizing_alpha"]

Segment = tuple[int, int, bool]  # begin, length, is a unit of the category (else a gap)


@dataclass(frozen=True, slots=True)
class _Disagreement:
    observed: float
    expected: float


def segments(units: Iterable[tuple[int, int]], begin: int, length: int) -> list[Segment]:
    """The continuum [begin, begin + length) as alternating gaps and the (disjoint) ``units``
    given as (start, end)."""
    cut: list[Segment] = []
    position = begin
    for start, end in sorted(units):
        if start > position:
            cut.append((position, start - position, False))
        cut.append((start, end - start, True))
        position = end
    if position < begin + length:
        cut.append((position, begin + length - position, False))
    return cut


def _distance(first: Segment, second: Segment) -> int:
    (o1, l1, u1), (o2, l2, u2) = first, second
    begin_diff, length_diff = o1 - o2, l1 - l2
    if u1 and u2 and -l1 < begin_diff < l2:  # two overlapping units: their boundaries' differences
        return begin_diff * begin_diff + (begin_diff + length_diff) ** 2
    if u1 and not u2 and -length_diff >= begin_diff >= 0:  # a unit inside the other's gap
        return l1 * l1
    if u2 and not u1 and -length_diff <= begin_diff <= 0:
        return l2 * l2
    return 0


def _observed_sum(first: list[Segment], second: list[Segment]) -> int:
    """Σ δ² over the overlapping segment pairs of two annotators (both cover the continuum)."""
    total, i, j = 0, 0, 0
    while i < len(first) and j < len(second):
        total += _distance(first[i], second[j])
        if first[i][0] + first[i][1] <= second[j][0] + second[j][1]:
            i += 1
        else:
            j += 1
    return total


def category_disagreement(cuts: Sequence[list[Segment]], length: int) -> tuple[float, float]:
    """(D_o, D_e) of one category over ``cuts`` (one segmentation of the continuum per annotator)."""
    raters = len(cuts)
    observed = sum(_observed_sum(a, b) for a, b in itertools.combinations(cuts, 2))
    d_o = 2 * observed / (raters * (raters - 1) * length * length)
    units = [size for cut in cuts for _, size, unit in cut if unit]
    gaps = sorted(size for cut in cuts for _, size, unit in cut if not unit)
    suffix = [*list(itertools.accumulate(reversed(gaps)))[::-1], 0]  # Σ of gaps[k:]
    n = len(units)
    total = 0
    for size in units:
        k = bisect_left(gaps, size)  # the gaps a unit of this size fits in
        fits = len(gaps) - k
        total += (n - 1) * (size * (size - 1) * (2 * size - 1) // 3)
        total += size * size * (suffix[k] - (size - 1) * fits)
    denominator = raters * length * (raters * length - 1) - sum(size * (size - 1) for size in units)
    d_e = 2 * total / length / denominator if denominator > 0 else 0.0
    return d_o, d_e


def unitizing_alpha(
    texts: dict[str, str],
    coded: dict[str, dict[str, list[tuple[str, str, int, int]]]],
) -> list[dict[str, Any]]:
    """Rows (layer, label, annotators, documents, characters, alpha, note) over ``coded``
    (document -> annotator -> spans as (layer, label, start, end)); label ``*`` is the layer.
    Pairs, and all annotators together when there are more than two."""
    annotators = sorted({who for by in coded.values() for who in by})
    groups = [list(p) for p in itertools.combinations(annotators, 2)] + ([annotators] if len(annotators) > 2 else [])
    rows: list[dict[str, Any]] = []
    for group in groups:
        documents = sorted(doc for doc, by in coded.items() if doc in texts and all(who in by for who in group))
        starts = dict(zip(documents, itertools.accumulate((len(texts[d]) for d in documents), initial=0), strict=False))
        length = sum(len(texts[d]) for d in documents)
        for layer in LAYERS:
            parts: dict[str, _Disagreement] = {}
            merged = 0
            for label in layer.label_names:
                cuts = []
                for who in group:
                    units, joined = _merge(
                        (starts[d] + s, starts[d] + e)
                        for d in documents
                        for ly, lb, s, e in coded[d][who]
                        if ly == layer.name and lb == label and e > s
                    )
                    merged += joined
                    cuts.append(segments(units, 0, length))
                if length and any(unit for cut in cuts for _, _, unit in cut):
                    parts[label] = _Disagreement(*category_disagreement(cuts, length))
            base = {"layer": layer.name, "annotators": group, "documents": len(documents), "characters": length}
            note = f"{merged} overlapping span(s) of one label by one annotator merged" if merged else None
            rows.append(base | {"label": ALL} | _alpha(list(parts.values()), note))
            for label, part in parts.items():
                rows.append(base | {"label": label} | _alpha([part], note))
    return rows


def _merge(units: Iterable[tuple[int, int]]) -> tuple[list[tuple[int, int]], int]:
    """Overlapping (start, end) units joined; how many joins that took."""
    merged: list[tuple[int, int]] = []
    joins = 0
    for start, end in sorted(units):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            joins += 1
        else:
            merged.append((start, end))
    return merged, joins


def _alpha(parts: list[_Disagreement], note: str | None) -> dict[str, Any]:
    observed, expected = sum(p.observed for p in parts), sum(p.expected for p in parts)
    if not parts:
        return {"alpha": None, "note": "no span of this layer in the documents these annotators coded"}
    if expected == 0:
        return {"alpha": None, "note": "no expected disagreement: alpha is undefined"}
    return {"alpha": 1 - observed / expected, "note": note}
