"""Krippendorff's nominal alpha of stance, document and quote scope, summed a batch of documents at a time.

The units: each document's document stance, and each QUOTE span that annotators marked with the
same offsets (its quote stance); a unit's values are its annotators' stance values. Every
annotator pair, and all annotators together, keep one coincidence count
(:mod:`newsspan.labeling.alpha_nominal`) per scope, so memory does not grow with the corpus.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from newsspan.dataset.schema import STANCE_VALUES
from newsspan.labeling.alpha_nominal import Coincidences

__all__ = ["EVERYONE", "SCOPES", "StanceAlpha", "alpha_with_reason"]

SCOPES = ("document", "quote")
Units = dict[Any, dict[str, str]]  # unit -> annotator -> stance value
EVERYONE: tuple[str, ...] = ()  # the group key of all annotators together


class StanceAlpha:
    """Stance alpha per scope and annotator group: :meth:`add` each batch, then :meth:`rows`."""

    def __init__(self) -> None:
        self.tallies: dict[tuple[str, tuple[str, ...]], Coincidences] = {}  # (scope, pair or EVERYONE)

    def add(self, usable: dict[str, dict[str, Any]], shared: set[str], spans: pa.Table, stance: pa.Table) -> None:
        """Add the stance rows of ``usable`` annotations (id -> row) of the ``shared`` documents;
        ``spans`` place each quote region."""
        for scope, units in _units(usable, shared, spans, stance).items():
            self.add_units(scope, units)

    def add_units(self, scope: str, units: Units) -> None:
        """Add units (unit -> annotator -> value) of one scope."""
        counts: dict[tuple[str, ...], list[list[int]]] = defaultdict(list)  # group -> a unit's value counts
        for unit in units.values():
            counts[EVERYONE].append(_counts(unit.values()))
            for pair in itertools.combinations(sorted(unit), 2):
                counts[pair].append(_counts(unit[who] for who in pair))
        for group, rows in counts.items():
            self.tallies.setdefault((scope, group), Coincidences(len(STANCE_VALUES))).add(np.array(rows))

    def rows(self, annotators: list[str]) -> list[dict[str, Any]]:
        """Rows (scope, annotators, units, alpha, note) per scope: every pair of ``annotators``,
        and all of them together when there are more than two."""
        groups: list[tuple[list[str], tuple[str, ...]]] = [(list(p), p) for p in itertools.combinations(annotators, 2)]
        groups += [(annotators, EVERYONE)] if len(annotators) > 2 else []
        results = []
        for scope in SCOPES:
            for coders, key in groups:
                tally = self.tallies.get((scope, key)) or Coincidences(len(STANCE_VALUES))
                value, reason = alpha_with_reason(tally)
                results.append(
                    {"scope": scope, "annotators": coders, "units": tally.units, "alpha": value, "note": reason}
                )
        return results


def _counts(values: Iterable[str]) -> list[int]:
    """How many of ``values`` are each stance value, in STANCE_VALUES order."""
    row = [0] * len(STANCE_VALUES)
    for value in values:
        row[STANCE_VALUES.index(value)] += 1  # a value outside the set fails here
    return row


def alpha_with_reason(tally: Coincidences) -> tuple[float | None, str | None]:
    """Nominal alpha of stance coincidences; (None, reason) when undefined."""
    if not tally.units:
        return None, "no unit was coded by two of these annotators"
    alpha = tally.alpha()
    if alpha is None:
        value = STANCE_VALUES[tally.present()[0]]
        return None, f"every pairable unit has the value {value}: alpha is undefined without variation"
    return alpha, None


def _units(usable: dict[str, dict[str, Any]], shared: set[str], spans: pa.Table, stance: pa.Table) -> dict[str, Units]:
    """The stance units of the shared documents per scope; a quote is placed by its span's offsets."""
    rows = stance.select(["doc_id", "annotation_id", "scope", "region_id", "value"]).to_pylist()
    quotes = {(row["annotation_id"], row["region_id"]) for row in rows if row["scope"] != "document"}
    regions = spans.filter(pc.is_in(spans["region_id"], value_set=pa.array({r for _, r in quotes}, pa.string())))
    columns = ["annotation_id", "region_id", "doc_id", "start", "end"]
    quote_at = {
        (a, r): (d, s, e)
        for a, r, d, s, e in zip(*(regions[c].to_pylist() for c in columns), strict=True)
        if (a, r) in quotes
    }
    units: dict[str, Units] = {"document": defaultdict(dict), "quote": defaultdict(dict)}
    for row in rows:
        annotation = usable.get(row["annotation_id"])
        if annotation is None or annotation["doc_id"] not in shared:
            continue
        if row["scope"] == "document":
            units["document"][row["doc_id"]][annotation["annotator"]] = row["value"]
        elif (row["annotation_id"], row["region_id"]) in quote_at:
            units["quote"][quote_at[(row["annotation_id"], row["region_id"])]][annotation["annotator"]] = row["value"]
    return units
