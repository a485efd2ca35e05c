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
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from newsspan.dataset.layout import ALL
from newsspan.dataset.schema import LAYERS

__all__ = ["Segment", "UnitizingAlpha", "category_disagreement", "unitizing_alpha"]

Segment = tuple[int, int, bool]  # begin, length, is a unit of the category (else a gap)
Coded = dict[str, dict[str, list[tuple[str, str, int, int]]]]  # document -> annotator -> (layer, label, start, end)


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
    category = _Category(len(cuts))
    category.observed = sum(_observed_sum(a, b) for a, b in itertools.combinations(cuts, 2))
    for cut in cuts:
        for _, size, unit in cut:
            (category.units if unit else category.gaps)[size] += 1
    return category.disagreement(length)


@dataclass
class _Category:
    """One category's sums over a group's continuum so far, all additive over documents: the
    observed Σ δ² (a unit meets only segments of its own document), and the sizes of the units and
    of the gaps, a gap running on from one document into the next (``open``, per annotator)."""

    raters: int
    observed: int = 0
    units: Counter[int] = field(default_factory=Counter)
    gaps: Counter[int] = field(default_factory=Counter)  # closed gaps
    open: list[int] = field(init=False)  # per annotator, the gap at the continuum's end

    def __post_init__(self) -> None:
        self.open = [0] * self.raters

    def add(self, units: list[list[tuple[int, int]]], length: int) -> None:
        """Add one document of ``length`` characters: each annotator's disjoint, sorted units."""
        cuts = [segments(own, 0, length) for own in units]
        pairs = itertools.combinations(range(len(units)), 2)
        self.observed += sum(_observed_sum(cuts[i], cuts[j]) for i, j in pairs if units[i] != units[j])  # same: 0
        for index, own in enumerate(units):
            gap, position = self.open[index], 0
            for start, end in own:
                gap += start - position
                if gap:
                    self.gaps[gap] += 1
                self.units[end - start] += 1
                gap, position = 0, end
            self.open[index] = gap + length - position

    def add_gap(self, length: int) -> None:
        """Add a document of ``length`` characters without a unit of the category."""
        self.open = [gap + length for gap in self.open]

    def disagreement(self, length: int) -> tuple[float, float]:
        """(D_o, D_e) over a continuum of ``length`` characters (DKPro's formulas)."""
        raters = self.raters
        d_o = 2 * self.observed / (raters * (raters - 1) * length * length)
        gaps = self.gaps + Counter(gap for gap in self.open if gap)
        sizes = sorted(gaps)
        fits = [*[*itertools.accumulate(gaps[g] for g in reversed(sizes))][::-1], 0]  # gaps of sizes[k:]
        lengths = [*[*itertools.accumulate(g * gaps[g] for g in reversed(sizes))][::-1], 0]  # their Σ
        n = sum(self.units.values())
        total = 0
        for size, count in self.units.items():
            k = bisect_left(sizes, size)  # the gaps a unit of this size fits in
            total += count * (n - 1) * (size * (size - 1) * (2 * size - 1) // 3)
            total += count * size * size * (lengths[k] - (size - 1) * fits[k])
        denominator = raters * length * (raters * length - 1) - sum(c * s * (s - 1) for s, c in self.units.items())
        d_e = 2 * total / length / denominator if denominator > 0 else 0.0
        return d_o, d_e


@dataclass
class _Group:
    """The continuum of one annotator group: its documents so far and each (layer, label)'s sums."""

    annotators: list[str]
    documents: int = 0
    characters: int = 0
    merged: Counter[str] = field(default_factory=Counter)  # layer -> overlapping spans joined
    categories: dict[tuple[str, str], _Category] = field(default_factory=dict)

    def add(self, length: int, units: dict[str, dict[tuple[str, str], list[tuple[int, int]]]]) -> None:
        """Append one document of ``length`` characters that the group's annotators all coded
        (``units``: annotator -> (layer, label) -> that label's spans as (start, end))."""
        self.documents += 1
        self.characters += length
        for layer in LAYERS:
            for label in layer.label_names:
                key = (layer.name, label)
                category = self.categories.get(key) or self.categories.setdefault(key, _Category(len(self.annotators)))
                found = [units[who].get(key, []) for who in self.annotators]
                if not any(found):
                    category.add_gap(length)
                    continue
                merged = [_merge(own) for own in found]
                self.merged[layer.name] += sum(joined for _, joined in merged)
                category.add([own for own, _ in merged], length)

    def rows(self) -> list[dict[str, Any]]:
        """The group's rows: per layer, the whole layer (``*``), then each label with a unit."""
        rows: list[dict[str, Any]] = []
        length = self.characters
        for layer in LAYERS:
            parts: dict[str, _Disagreement] = {}
            for label in layer.label_names:
                category = self.categories.get((layer.name, label))
                if length and category is not None and category.units:
                    parts[label] = _Disagreement(*category.disagreement(length))
            base = {"layer": layer.name, "annotators": self.annotators, "documents": self.documents}
            base |= {"characters": length}
            merged = self.merged[layer.name]
            note = f"{merged} overlapping span(s) of one label by one annotator merged" if merged else None
            rows.append(base | {"label": ALL} | _alpha(list(parts.values()), note))
            for label, part in parts.items():
                rows.append(base | {"label": label} | _alpha([part], note))
        return rows


class UnitizingAlpha:
    """α_U summed over documents: :meth:`add` batches in doc_id order, then :meth:`rows`. Each pair
    and the group of every annotator keep per-category sums, whatever the corpus size."""

    def __init__(self) -> None:
        self.annotators: set[str] = set()
        self.pairs: dict[tuple[str, str], _Group] = {}
        self.everyone = _Group([])  # the documents coded by every annotator seen so far
        self.last: str | None = None

    def add(self, texts: dict[str, str], coded: Coded) -> None:
        """Add ``coded`` (document -> annotator -> spans as (layer, label, start, end)); documents
        must come after every document of earlier batches in doc_id order (the continuum's order)."""
        for doc_id in sorted(coded):
            if self.last is not None and doc_id <= self.last:
                raise ValueError(f"document {doc_id!r} comes after {self.last!r}: add documents in doc_id order")
            self.last, by = doc_id, coded[doc_id]
            who = sorted(by)
            if not self.annotators.issuperset(who):  # a new annotator: no document so far was coded by all
                self.annotators.update(who)
                self.everyone = _Group(sorted(self.annotators))
            if doc_id not in texts:
                continue
            units = {annotator: _by_label(spans) for annotator, spans in by.items()}
            for pair in itertools.combinations(who, 2):
                group = self.pairs.get(pair) or self.pairs.setdefault(pair, _Group(list(pair)))
                group.add(len(texts[doc_id]), units)
            if len(who) == len(self.annotators) > 2:  # of two annotators, the pair is everyone (not reported)
                self.everyone.add(len(texts[doc_id]), units)

    def rows(self) -> list[dict[str, Any]]:
        """Rows (layer, label, annotators, documents, characters, alpha, note); label ``*`` is the
        layer. Pairs, and all annotators together when there are more than two."""
        annotators = sorted(self.annotators)
        groups = [self.pairs.get(pair) or _Group(list(pair)) for pair in itertools.combinations(annotators, 2)]
        return [row for group in [*groups, *([self.everyone] if len(annotators) > 2 else [])] for row in group.rows()]


def unitizing_alpha(texts: dict[str, str], coded: Coded) -> list[dict[str, Any]]:
    """:meth:`UnitizingAlpha.rows` over ``coded`` (document -> annotator -> spans as (layer,
    label, start, end)) in one batch."""
    tally = UnitizingAlpha()
    tally.add(texts, coded)
    return tally.rows()


def _by_label(spans: list[tuple[str, str, int, int]]) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """(layer, label) -> (start, end) of the non-empty ``spans`` (layer, label, start, end)."""
    units: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for layer, label, start, end in spans:
        if end > start:
            units.setdefault((layer, label), []).append((start, end))
    return units


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
