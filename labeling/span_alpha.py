"""Chance-corrected span agreement: token-wise Krippendorff's alpha per layer, label and pair.

The units are the tokens of each document coded by two or more annotators (a token: a run of
word characters, or one punctuation character; whitespace is not a unit). Each annotator gives
each token, per layer, the label of that layer's span covering it, or ``O`` when none does:
unlabelled text is a category, as in the token-wise alpha annotated corpora publish (PolNeAR,
INCEpTION's "Krippendorff's alpha (nominal), token"). Per layer the values are the layer's
labels and ``O``; per label, that label against everything else. Overlapping spans of one layer
give a token its first span's label (by start). The coefficient is the ``krippendorff``
package's nominal alpha; the unit construction is this module's.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from collections.abc import Iterable
from typing import Any

from newsspan.dataset.layout import ALL
from newsspan.dataset.schema import LAYERS

__all__ = ["OUTSIDE", "TOKEN", "token_alpha", "token_values"]

TOKEN = re.compile(r"\w+|[^\w\s]")
OUTSIDE = "O"
Span = tuple[str, int, int]  # label, start, end


def token_values(tokens: list[int], spans: Iterable[Span]) -> list[str]:
    """The label of each token (by its start offset) under ``spans`` of one layer, else ``O``."""
    values = [OUTSIDE] * len(tokens)
    for label, start, end in sorted(spans, key=lambda s: (s[1], s[2]), reverse=True):  # first span wins
        for index in range(bisect_right(tokens, start - 1), bisect_right(tokens, end - 1)):
            values[index] = label
    return values


def token_alpha(
    texts: dict[str, str],
    coded: dict[str, dict[str, list[tuple[str, str, int, int]]]],
) -> list[dict[str, Any]]:
    """Rows (layer, label, annotators, units, alpha, note) over ``coded`` (document -> annotator
    -> that annotator's spans as (layer, label, start, end)); ``label`` ``*`` is the whole layer.
    Pairs, and all annotators together when there are more than two."""
    import numpy as np

    annotators = sorted({who for by in coded.values() for who in by})
    if len(annotators) < 2:
        return []  # nothing coded twice: no unit to compare
    groups = [list(p) for p in itertools.combinations(annotators, 2)] + ([annotators] if len(annotators) > 2 else [])
    rows: list[dict[str, Any]] = []
    for layer in LAYERS:
        columns: list[list[str | None]] = [[] for _ in annotators]  # annotator -> value per unit
        for doc_id, by in sorted(coded.items()):
            starts = [m.start() for m in TOKEN.finditer(texts[doc_id])]
            for row, who in zip(columns, annotators, strict=True):
                if who in by:
                    row.extend(token_values(starts, [(lb, s, e) for ly, lb, s, e in by[who] if ly == layer.name]))
                else:
                    row.extend([None] * len(starts))
        categories = [OUTSIDE, *layer.label_names]
        for label in [ALL, *layer.label_names]:
            code = {c: float(i) for i, c in enumerate(categories)} if label == ALL else None
            matrix = np.array(
                [
                    [np.nan if v is None else (code[v] if code is not None else float(v == label)) for v in values]
                    for values in columns
                ],
                dtype=float,
            ).reshape(len(annotators), -1)
            for group in groups:
                subset = matrix[[annotators.index(who) for who in group]]
                alpha, note, units = _alpha(subset)
                rows.append(
                    {
                        "layer": layer.name,
                        "label": label,
                        "annotators": group,
                        "units": units,
                        "alpha": alpha,
                        "note": note,
                    }
                )
    return rows


def _alpha(matrix: Any) -> tuple[float | None, str | None, int]:
    """Nominal alpha of a coders × units matrix (nan: not coded); None and why when undefined."""
    import krippendorff
    import numpy as np

    pairable = matrix[:, (~np.isnan(matrix)).sum(axis=0) >= 2]
    units = int(pairable.shape[1])
    if not units:
        return None, "no token was coded by two of these annotators", 0
    values = np.unique(pairable[~np.isnan(pairable)])
    if len(values) < 2:
        return None, "every token has the same value: alpha is undefined without variation", units
    return float(krippendorff.alpha(reliability_data=pairable, level_of_measurement="nominal")), None, units
