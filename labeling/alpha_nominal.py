"""Krippendorff's nominal alpha from coincidences summed unit by unit, so memory is one batch of units.

Alpha needs no coders × units matrix of the whole corpus: its coincidence matrix is a sum over the
units (Krippendorff 2011, "Computing Krippendorff's alpha-reliability"). In a unit of ``m`` values
each ordered pair of values (c, k) from different coders adds ``1 / (m - 1)`` to ``o_ck``, and

    alpha = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c * n_k

where ``n_c`` counts the pairable values c (values in units with two or more) and ``n`` all of them.
That is the ``krippendorff`` package's nominal alpha (tests/test_agreement_alpha.py compares the
two on random data). The pairs are counted as integers per ``m`` and divided once at the end, so
the figure does not depend on the order or the batches the units arrive in.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

__all__ = ["Coincidences"]


class Coincidences:
    """The coincidences of nominal values in ``categories`` categories, added a batch of units at a time."""

    def __init__(self, categories: int) -> None:
        self.categories = categories
        self.pairs: dict[int, Any] = {}  # values in a unit -> ordered value pairs, categories × categories
        self.totals: Any = np.zeros(categories, dtype=np.int64)  # n_c: pairable values of each category
        self.units = 0  # pairable units

    def add_codes(self, codes: Any) -> None:
        """Add units that every one of ``m`` coders coded: ``codes`` is m × units category indexes."""
        coders, units = codes.shape
        if coders < 2 or not units:
            return
        square = self.categories * self.categories
        pairs = sum(
            np.bincount(codes[i] * self.categories + codes[j], minlength=square)
            for i, j in itertools.permutations(range(coders), 2)
        )
        self.pairs[coders] = self.pairs.get(coders, 0) + np.reshape(pairs, (self.categories, self.categories))
        self.totals += np.bincount(codes.ravel(), minlength=self.categories)
        self.units += units

    def merge(self, other: Coincidences) -> None:
        """Add the units of ``other`` (same categories)."""
        for size, pairs in other.pairs.items():
            self.pairs[size] = self.pairs.get(size, 0) + pairs
        self.totals += other.totals
        self.units += other.units

    def add(self, counts: Any) -> None:
        """Add units given as category counts (units × categories: how many coders gave the unit
        each category); a unit with fewer than two values cannot be paired and adds nothing."""
        counts = np.asarray(counts, dtype=np.int64).reshape(-1, self.categories)
        sizes = counts.sum(axis=1)
        for size in np.unique(sizes[sizes >= 2]).tolist():
            block = counts[sizes == size]
            pairs = block.T @ block - np.diag(block.sum(axis=0))  # ordered pairs of different coders
            self.pairs[size] = self.pairs.get(size, 0) + pairs
            self.totals += block.sum(axis=0)
            self.units += len(block)

    def binary(self, category: int) -> Coincidences:
        """The coincidences of ``category`` against every other category together (values 1 and 0)."""
        other = np.arange(self.categories) != category
        binary = Coincidences(2)
        for size, pairs in self.pairs.items():
            binary.pairs[size] = np.array(
                [
                    [pairs[np.ix_(other, other)].sum(), pairs[other, category].sum()],
                    [pairs[category, other].sum(), pairs[category, category]],
                ]
            )
        binary.totals = np.array([self.totals[other].sum(), self.totals[category]], dtype=np.int64)
        binary.units = self.units
        return binary

    def present(self) -> list[int]:
        """The categories some pairable unit has."""
        return [int(c) for c in np.flatnonzero(self.totals)]

    def alpha(self) -> float | None:
        """Nominal alpha; None without two categories among the pairable values (no unit, or no
        variation: the expected disagreement is zero)."""
        if len(self.present()) < 2:
            return None
        different = ~np.eye(self.categories, dtype=bool)
        observed = sum(int(pairs[different].sum()) / (size - 1) for size, pairs in sorted(self.pairs.items()))
        totals = [int(t) for t in self.totals]
        n = sum(totals)
        expected = n * n - sum(t * t for t in totals)  # sum over c != k of n_c * n_k, exact
        return 1 - (n - 1) * observed / expected
