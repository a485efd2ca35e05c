"""Chance-corrected span agreement: token-wise Krippendorff's alpha per layer, label and pair.

The units are the tokens of each document coded by two or more annotators (a token: a run of
word characters, or one punctuation character; whitespace is not a unit). Each annotator gives
each token, per layer, the label of that layer's span covering it, or ``O`` when none does:
unlabelled text is a category, as in the token-wise alpha annotated corpora publish (PolNeAR,
INCEpTION's "Krippendorff's alpha (nominal), token"). Per layer the values are the layer's
labels and ``O``; per label, that label against everything else. Overlapping spans of one layer
give a token its first span's label (by start). The coefficient is nominal alpha summed over the
documents (:mod:`newsspan.labeling.alpha_nominal`, checked against the ``krippendorff``
package), so :class:`TokenAlpha` takes the corpus a batch of documents at a time.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np

from newsspan.dataset.layout import ALL
from newsspan.dataset.schema import LAYERS
from newsspan.labeling.alpha_nominal import Coincidences

__all__ = ["OUTSIDE", "TOKEN", "TokenAlpha", "token_alpha", "token_values"]

TOKEN = re.compile(r"\w+|[^\w\s]")
OUTSIDE = "O"
Span = tuple[str, int, int]  # label, start, end
Coded = dict[str, dict[str, list[tuple[str, str, int, int]]]]  # document -> annotator -> (layer, label, start, end)


def token_values(tokens: list[int], spans: Iterable[Span]) -> list[str]:
    """The label of each token (by its start offset) under ``spans`` of one layer, else ``O``."""
    values = [OUTSIDE] * len(tokens)
    for label, start, end in sorted(spans, key=lambda s: (s[1], s[2]), reverse=True):  # first span wins
        for index in range(bisect_right(tokens, start - 1), bisect_right(tokens, end - 1)):
            values[index] = label
    return values


CODES: dict[str, dict[str, int]] = {  # layer -> label -> category index (O is 0)
    layer.name: {label: i for i, label in enumerate([OUTSIDE, *layer.label_names])} for layer in LAYERS
}


def _document_codes(tokens: Any, by: dict[str, list[tuple[str, str, int, int]]], who: list[str]) -> dict[str, Any]:
    """:func:`token_values` of every annotator in ``who`` (rows) and layer, as category indexes
    (``O`` is 0): layer -> annotators × tokens; a span's tokens found by bisection."""
    values: dict[str, Any] = {layer: np.zeros((len(who), len(tokens)), dtype=np.int64) for layer in CODES}
    spans = [(row, *span) for row, annotator in enumerate(who) for span in by[annotator] if span[0] in CODES]
    spans.sort(key=lambda s: (s[3], s[4]), reverse=True)  # first span wins: written last
    first = np.searchsorted(tokens, [start for *_, start, _ in spans]).tolist()
    after = np.searchsorted(tokens, [end for *_, end in spans]).tolist()
    for (row, layer, label, _, _), low, high in zip(spans, first, after, strict=True):
        values[layer][row, low:high] = CODES[layer][label]
    return values


class TokenAlpha:
    """Token-wise alpha summed over documents: :meth:`add` each batch, then :meth:`rows`. Every
    pair, and all annotators together, keep one coincidence count per layer, whatever the corpus size."""

    def __init__(self) -> None:
        self.annotators: set[str] = set()
        self.tallies: dict[tuple[tuple[str, ...], str], Coincidences] = {}  # (group, layer); () is everyone

    def add(self, texts: dict[str, str], coded: Coded) -> None:
        """Add the tokens of ``coded`` (document -> annotator -> spans as (layer, label, start, end))."""
        for doc_id, by in coded.items():
            who = sorted(by)
            self.annotators.update(who)
            tokens = np.array([m.start() for m in TOKEN.finditer(texts[doc_id])], dtype=np.int64)
            groups: dict[tuple[int, ...], list[tuple[str, ...]]] = defaultdict(list)  # coders (rows) -> groups
            for first, second in itertools.combinations(range(len(who)), 2):
                groups[first, second].append((who[first], who[second]))
            groups[tuple(range(len(who)))].append(())  # everyone: the same rows as the pair of a 2-coder document
            for layer, values in _document_codes(tokens, by, who).items():
                for rows, keys in groups.items():
                    added = Coincidences(len(CODES[layer]))
                    added.add_codes(values[list(rows)])
                    for key in keys:
                        self.tallies.setdefault((key, layer), Coincidences(len(CODES[layer]))).merge(added)

    def rows(self) -> list[dict[str, Any]]:
        """Rows (layer, label, annotators, units, alpha, note); ``label`` ``*`` is the whole layer.
        Pairs, and all annotators together when there are more than two."""
        annotators = sorted(self.annotators)
        if len(annotators) < 2:
            return []  # nothing coded twice: no unit to compare
        pairs = list(itertools.combinations(annotators, 2))
        groups = [(list(p), p) for p in pairs] + ([(annotators, ())] if len(annotators) > 2 else [])
        rows: list[dict[str, Any]] = []
        for layer in LAYERS:
            for index, label in enumerate([ALL, *layer.label_names]):
                for group, key in groups:
                    tally = self.tallies.get((key, layer.name)) or Coincidences(len(layer.label_names) + 1)
                    alpha, note, units = _alpha(tally if label == ALL else tally.binary(index))
                    row = {"layer": layer.name, "label": label, "annotators": group, "units": units}
                    rows.append(row | {"alpha": alpha, "note": note})
        return rows


def token_alpha(texts: dict[str, str], coded: Coded) -> list[dict[str, Any]]:
    """:meth:`TokenAlpha.rows` over ``coded`` (document -> annotator -> that annotator's spans as
    (layer, label, start, end)) in one batch."""
    tally = TokenAlpha()
    tally.add(texts, coded)
    return tally.rows()


def _alpha(tally: Coincidences) -> tuple[float | None, str | None, int]:
    """Nominal alpha of the tokens' coincidences; None and why when undefined."""
    if not tally.units:
        return None, "no token was coded by two of these annotators", 0
    alpha = tally.alpha()
    if alpha is None:
        return None, "every token has the same value: alpha is undefined without variation", tally.units
    return alpha, None, tally.units
